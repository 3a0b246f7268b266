#!/usr/bin/env python3
"""Forward-value fixtures with tf_keras (Keras 2): writes ../forward/<case>.json.

Run with the reference venv; this script sets TF_USE_LEGACY_KERAS=1 itself.
Training-mode BatchNormalization cases flagged bn_keras3 get their output and
weights_after from Keras 3 afterwards (check_keras3.py); the tf_keras values stay
in output_tf_keras / weights_after_tf_keras for reference.
"""
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import tensorflow as tf
from tensorflow import keras  # tf_keras because of TF_USE_LEGACY_KERAS=1
import tf_keras

from cases import CASES
from common import base_name, make_input, make_weight, tensor_json, write_json

assert keras.__name__.startswith("tf_keras"), keras.__name__
FRAMEWORK = f"tf_keras {tf_keras.__version__} (TensorFlow {tf.__version__})"


def call(layer, xs, training):
    x = xs if len(xs) > 1 else xs[0]
    return layer(x, training=training)


def run_case(c):
    name = c["name"]
    keras.backend.clear_session()
    tf.random.set_seed(1234)
    layer = getattr(keras.layers, c["layer"])(*c["args"], **c["kwargs"])
    xs_np = [make_input(name, i, spec) for i, spec in enumerate(c["inputs"])]
    xs = [tf.constant(x) for x in xs_np]
    call(layer, xs, False)  # builds the layer; inference mode updates nothing
    weights = []
    for j, w in enumerate(layer.weights):
        wn = base_name(w.name)
        weights.append((wn, make_weight(name, j, wn, tuple(w.shape))))
    # renorm: keep moving_stddev consistent with moving_variance (as at init)
    names = [wn for wn, _ in weights]
    if "moving_stddev" in names:
        mv = dict(weights)["moving_variance"]
        weights[names.index("moving_stddev")] = ("moving_stddev", np.sqrt(mv).astype(np.float32))
    if "renorm_stddev" in names:
        j = names.index("renorm_stddev")
        rs = np.random.RandomState(len(name))
        weights[j] = ("renorm_stddev", rs.uniform(0.5, 1.5, size=weights[j][1].shape).astype(np.float32))
    layer.set_weights([v for _, v in weights])
    assert [base_name(w.name) for w in layer.weights] == names
    out = call(layer, xs, c["training"]).numpy()

    obj = {
        "layer": c["layer"],
        "args": c["args"],
        "kwargs": c["kwargs"],
        "inputs": [tensor_json(x, dtype="int32" if spec.get("dtype") == "int32" else None)
                   for x, spec in zip(xs_np, c["inputs"])],
        "training": c["training"],
        "weights": [tensor_json(v, name=wn) for wn, v in weights],
    }
    note = c["note"]
    if c.get("random"):
        obj["output"] = {"shape": list(out.shape), "values": None}
        obj["output_example"] = tensor_json(out)
    else:
        obj["output"] = tensor_json(out)
    if c["layer"] == "BatchNormalization" and c["training"]:
        after = [(base_name(w.name), w.numpy()) for w in layer.weights]
        if c.get("bn_keras3"):
            # output / weights_after are (re)written from Keras 3 by check_keras3.py
            obj["output_tf_keras"] = obj["output"]
            obj["weights_after_tf_keras"] = [tensor_json(v, name=wn) for wn, v in after]
        else:
            obj["weights_after"] = [tensor_json(v, name=wn) for wn, v in after]
            note = (note + " " if note else "") + (
                f"output and weights_after from {FRAMEWORK}. Renorm path is never fused: the "
                "batch variance is the biased one (divide by n), both for normalizing and for "
                "moving_stddev = momentum*moving_stddev + (1-momentum)*sqrt(var+eps), "
                "moving_variance = relu(moving_stddev^2 - eps); renorm_mean/renorm_stddev "
                "move with renorm_momentum. weights order: gamma, beta, moving_mean, "
                "moving_variance, moving_stddev, renorm_mean, renorm_stddev.")
    obj["framework"] = FRAMEWORK
    obj["note"] = note
    return obj


def main():
    only = set(sys.argv[1:])
    for c in CASES:
        if only and c["name"] not in only:
            continue
        write_json(c["name"], run_case(c))
        print("wrote", c["name"])


if __name__ == "__main__":
    main()
