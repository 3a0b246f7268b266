"""Learn benchmark, reference side: scikit-learn's HistGradientBoostingClassifier (100
iterations, no early stopping), RandomForestClassifier (100 trees, n_jobs=2) and
LogisticRegression (L-BFGS, max_iter=1000), and LightGBM's
LGBMClassifier with the matching settings when it is importable, on the data make_data.py
wrote; prints the median fit time of REPEATS fits and the test accuracy, in kiln_learn.kiln's
format.

    python reference.py FOLDER [--repeats 3]
"""
import argparse
import os
import time
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()
X_train, y_train = np.load(f"{args.folder}/X_train.npy"), np.load(f"{args.folder}/y_train.npy")
X_test, y_test = np.load(f"{args.folder}/X_test.npy"), np.load(f"{args.folder}/y_test.npy")


def bench(name, make):
    times, accuracy = [], 0.0
    for _ in range(args.repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X_train, y_train)
        times.append(time.perf_counter() - start)
        accuracy = float(np.mean(model.predict(X_test) == y_test))
    print(f"{name:34s} fit {np.median(times):7.2f} s   accuracy {100 * accuracy:6.2f} %", flush=True)


bench("scikit-learn HistGradientBoosting", lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False))
bench("scikit-learn RandomForest", lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0))
bench("scikit-learn LogisticRegression", lambda: LogisticRegression(max_iter=1000))
try:
    from lightgbm import LGBMClassifier
    bench("LightGBM", lambda: LGBMClassifier(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
                                             max_bin=255, reg_lambda=0.0, n_jobs=2, verbose=-1))
except ImportError:
    print("(LightGBM is not importable: pip install lightgbm, or set LIGHTGBM_PATH to a folder it was installed into)")
