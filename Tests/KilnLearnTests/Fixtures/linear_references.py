"""Reference numbers for the linear-model, neighbours, model-selection, metrics and
Nelder-Mead tests (Tests/KilnLibraryTests/testdata/sklearn_linear.kiln, scipy_optimize.kiln,
Tests/KilnLearnTests/OptimizeTests.swift).

Run: /work/venv-ref/bin/python Tests/KilnLearnTests/Fixtures/linear_references.py
(scikit-learn and scipy versions are printed first)."""
import numpy as np, scipy, sklearn
from scipy.optimize import minimize, rosen
from sklearn.datasets import load_digits, load_breast_cancer, load_iris
from sklearn.model_selection import train_test_split, KFold, StratifiedKFold, cross_val_score
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import accuracy_score, log_loss, confusion_matrix

print("scipy", scipy.__version__, "sklearn", sklearn.__version__, "numpy", np.__version__)

print("# Nelder-Mead")
for x0 in ([-1.2, 1.0], [1.3, 0.7, 0.8, 1.9, 1.2]):
    r = minimize(rosen, x0, method="Nelder-Mead")
    print("rosen", x0, r.x.tolist(), r.fun, r.nit, r.nfev, r.status, r.message)
shift = np.array([1.0, -2.0, 3.0, 0.5, -1.5])
quad = lambda x: float(np.sum((x - shift) ** 2 * np.arange(1, 6)))
r = minimize(quad, np.zeros(5), method="Nelder-Mead")
print("quad5", r.x.tolist(), r.fun, r.nit, r.nfev, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Nelder-Mead", options={"maxiter": 50})
print("rosen maxiter=50", r.x.tolist(), r.fun, r.nit, r.nfev, r.status, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Nelder-Mead", bounds=[(-2, 0.5), (-2, 2)])
print("rosen bounded", r.x.tolist(), r.fun, r.nit, r.nfev, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Powell")
print("powell rosen", r.x.tolist(), r.fun, r.nit, r.nfev, r.message)
r = minimize(rosen, [1.3, 0.7, 0.8, 1.9, 1.2], method="Powell")
print("powell rosen 5-D", r.x.tolist(), r.fun, r.nit, r.nfev, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Powell", options={"maxiter": 5})
print("powell rosen maxiter=5", r.x.tolist(), r.nit, r.nfev, r.status, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Powell", tol=1e-8)
print("powell rosen tol=1e-8", r.nit, r.nfev)
r = minimize(rosen, [-1.2, 1.0], method="Nelder-Mead", options={"maxfev": 30})
print("rosen maxfev=30", r.nfev, r.status, r.message)
r = minimize(rosen, [-1.2, 1.0], method="Nelder-Mead", tol=1e-8)
print("rosen tol=1e-8", r.x.tolist(), r.nit, r.nfev)

print("# 60/20/20 stratified splits, test accuracy")
def split(X, y):
    Xtr, Xtmp, ytr, ytmp = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    Xva, Xte, yva, yte = train_test_split(Xtmp, ytmp, test_size=0.5, random_state=0, stratify=ytmp)
    return Xtr, Xva, Xte, ytr, yva, yte
X, y = load_digits(return_X_y=True)
Xtr, Xva, Xte, ytr, yva, yte = split(X / 16.0, y)
print("digits LR", LogisticRegression(max_iter=1000).fit(Xtr, ytr).score(Xte, yte))
print("digits KNN", KNeighborsClassifier().fit(Xtr, ytr).score(Xte, yte))
print("digits KNN distance", KNeighborsClassifier(weights="distance").fit(Xtr, ytr).score(Xte, yte))
X, y = load_breast_cancer(return_X_y=True)
Xtr, Xva, Xte, ytr, yva, yte = split(X, y)
s = StandardScaler().fit(Xtr)
print("cancer LR", LogisticRegression().fit(s.transform(Xtr), ytr).score(s.transform(Xte), yte))
print("cancer KNN", KNeighborsClassifier().fit(s.transform(Xtr), ytr).score(s.transform(Xte), yte))
print("cancer scaler mean_[:3]", s.mean_[:3].tolist(), "scale_[:3]", s.scale_[:3].tolist())

print("# LogisticRegression coefficients on iris")
X, y = load_iris(return_X_y=True)
m = LogisticRegression(max_iter=1000, tol=1e-10).fit(X, y)
print("iris coef", np.round(m.coef_, 4).tolist(), "intercept", np.round(m.intercept_, 4).tolist())
print("iris proba[0]", np.round(m.predict_proba(X[:1]), 6).tolist())
m = LogisticRegression(C=0.1, max_iter=1000, tol=1e-10).fit(X[50:], y[50:])
print("iris binary C=0.1 coef", np.round(m.coef_, 4).tolist(), "intercept", np.round(m.intercept_, 4).tolist())

print("# Ridge")
X = np.array([[1.0, 2.0], [2.0, 0.5], [3.0, 4.0], [4.0, 3.0], [5.0, 7.0]])
yr = np.array([3.0, 2.5, 7.5, 7.0, 12.5])
m = Ridge().fit(X, yr)
print("ridge coef", m.coef_.tolist(), "intercept", m.intercept_)
m = Ridge(alpha=0.5, fit_intercept=False).fit(X, yr)
print("ridge no intercept coef", m.coef_.tolist(), "intercept", m.intercept_)
print("knn reg", KNeighborsRegressor(n_neighbors=2).fit(X, yr).predict([[2.5, 2.0], [5, 5]]).tolist())
print("knn reg distance", KNeighborsRegressor(n_neighbors=2, weights="distance").fit(X, yr).predict([[2.5, 2.0], [5, 5]]).tolist())

print("# Folds")
Xf = np.arange(20).reshape(10, 2); yf = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1, 1])
for name, cv in [("KFold(3)", KFold(3)), ("KFold(3, shuffle, 0)", KFold(3, shuffle=True, random_state=0)),
                 ("StratifiedKFold(3)", StratifiedKFold(3)),
                 ("StratifiedKFold(3, shuffle, 0)", StratifiedKFold(3, shuffle=True, random_state=0))]:
    print(name, [(tr.tolist(), te.tolist()) for tr, te in cv.split(Xf, yf)])
X, y = load_iris(return_X_y=True)
print("cross_val_score iris LR", cross_val_score(LogisticRegression(max_iter=1000), X, y).tolist())
print("cross_val_score iris KNN kfold shuffle", cross_val_score(KNeighborsClassifier(), X, y, cv=KFold(5, shuffle=True, random_state=1)).tolist())

print("# Metrics")
yt = [0, 1, 2, 2, 1, 0, 2]; yp = [0, 2, 2, 2, 1, 1, 0]
print("accuracy", accuracy_score(yt, yp), accuracy_score(yt, yp, normalize=False))
print("confusion", confusion_matrix(yt, yp).tolist(), confusion_matrix(yt, yp, labels=[2, 1, 0]).tolist())
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.0, 0.0, 1.0], [0.2, 0.2, 0.6], [0.1, 0.8, 0.1], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
print("log_loss", repr(log_loss(yt, P)), repr(log_loss([1, 0, 1], [0.9, 0.2, 0.6])), repr(log_loss(["a", "b"], [[0.8, 0.2], [0.3, 0.7]])))
print("log_loss labels", repr(log_loss([1, 1], [[0.3, 0.7], [0.4, 0.6]], labels=[0, 1])))
