"""Helpers shared by the fixture generators (no framework imports)."""
import json
import os
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FORWARD_DIR = os.path.normpath(os.path.join(HERE, "..", "forward"))


def seed_for(name, k=0):
    """Deterministic seed from the case name (adding cases never shifts others)."""
    return (zlib.crc32(name.encode()) + 7919 * k) % (2 ** 31)


def make_input(name, i, spec):
    rs = np.random.RandomState(seed_for(name, 100 + i))
    if spec.get("dtype") == "int32":
        return rs.randint(0, spec["high"], size=spec["shape"]).astype(np.int32)
    return rs.uniform(spec["low"], spec["high"], size=spec["shape"]).astype(np.float32)


def base_name(weight_name):
    """'batch_normalization/moving_mean:0' -> 'moving_mean'."""
    n = weight_name.split("/")[-1]
    return n.split(":")[0]


# Ranges for the deterministic weights, by weight name.
POSITIVE = {"moving_variance", "gamma"}


def make_weight(case_name, j, wname, shape):
    rs = np.random.RandomState(seed_for(case_name, 1 + j))
    if wname in POSITIVE:
        lo, hi = 0.5, 1.5
    elif wname in ("moving_mean", "renorm_mean"):
        lo, hi = -0.5, 0.5
    else:
        lo, hi = -1.0, 1.0
    return rs.uniform(lo, hi, size=shape).astype(np.float32)


def floats(a):
    """Flat row-major list of Python floats holding exact float32 values."""
    a = np.asarray(a)
    return [float(np.float32(v)) for v in a.astype(np.float32).reshape(-1)]


def tensor_json(a, name=None, dtype=None):
    a = np.asarray(a)
    d = {}
    if name is not None:
        d["name"] = name
    d["shape"] = list(a.shape)
    if dtype is not None:
        d["dtype"] = dtype
    d["values"] = floats(a)
    return d


KEY_ORDER = ["layer", "args", "kwargs", "inputs", "training", "weights", "output",
             "weights_after", "output_keras3", "keras3_error", "output_example",
             "output_tf_keras", "weights_after_tf_keras", "framework", "framework_tf_keras",
             "note"]


def write_json(name, obj):
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    obj = dict(sorted(obj.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    path = os.path.join(FORWARD_DIR, name + ".json")
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    return path


def read_json(name):
    with open(os.path.join(FORWARD_DIR, name + ".json")) as f:
        return json.load(f)
