"""Writes the learn benchmark's data set into a folder as .npy files: make_classification with
25,000 samples × 40 features (20 informative, 3 classes, random_state=0), the first 20,000
for training (X_train, y_train) and the last 5,000 for testing (X_test, y_test).

    python make_data.py FOLDER
"""
import sys
import numpy as np
from sklearn.datasets import make_classification

X, y = make_classification(n_samples=25_000, n_features=40, n_informative=20, n_redundant=5, n_classes=3,
                           n_clusters_per_class=2, class_sep=1.0, random_state=0)
folder = sys.argv[1]
np.save(f"{folder}/X_train.npy", X[:20_000])
np.save(f"{folder}/y_train.npy", y[:20_000])
np.save(f"{folder}/X_test.npy", X[20_000:])
np.save(f"{folder}/y_test.npy", y[20_000:])
