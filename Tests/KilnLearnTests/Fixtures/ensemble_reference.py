"""scikit-learn's test accuracies for Kiln's tree learners on the bundled digits and
breast_cancer sets, with the 60/20/20 stratified split the tests use (train_test_split twice
with random_state=0; the 20% validation part is unused here). Run with the reference venv
(scikit-learn 1.9.1, numpy 2):

    /work/venv-ref/bin/python Tests/KilnLearnTests/Fixtures/ensemble_reference.py

and copy the printed numbers into Tests/KilnLibraryTests/testdata/sklearn_ensemble.kiln.
GradientBoostingClassifier (exact splits, every feature tried) is deterministic up to ties, so
its accuracy and first test probabilities are compared. Histogram gradient boosting is deterministic here (no early stopping below 10 000 samples), so one fit
is compared. Forests depend on their random streams, which Kiln does not reproduce bit for
bit (scikit-learn's own spread over seeds is 2-3 points on these test sets), so the mean
accuracy over seeds 0-4 is compared; small forests keep the debug-mode test quick.
"""
import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import ExtraTreesClassifier, GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import train_test_split


def split(X, y):
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, random_state=0, stratify=y_rest)
    return X_train, y_train, X_test, y_test


print("scikit-learn", sklearn.__version__)
for name, load, iterations in [("digits", load_digits, 10), ("breast_cancer", load_breast_cancer, 100)]:
    X, y = load(return_X_y=True)
    X_train, y_train, X_test, y_test = split(X, y)
    hgb = HistGradientBoostingClassifier(max_iter=iterations).fit(X_train, y_train)
    print(f"{name} HistGradientBoostingClassifier(max_iter={iterations}) {hgb.score(X_test, y_test):.4f}")
    for cls in [RandomForestClassifier, ExtraTreesClassifier]:
        scores = [cls(n_estimators=20, random_state=seed).fit(X_train, y_train).score(X_test, y_test) for seed in range(5)]
        print(f"{name} {cls.__name__}(n_estimators=20) mean over seeds 0-4 {np.mean(scores):.4f}")
    gb_estimators = 30 if name == "digits" else 50
    gb = GradientBoostingClassifier(n_estimators=gb_estimators, random_state=0).fit(X_train, y_train)
    print(f"{name} GradientBoostingClassifier(n_estimators={gb_estimators}) {gb.score(X_test, y_test):.4f}",
          "first test probabilities", np.round(gb.predict_proba(X_test[:2]), 6).tolist())
