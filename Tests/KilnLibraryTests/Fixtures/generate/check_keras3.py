#!/usr/bin/env python3
"""Second pass over ../forward/*.json with Keras 3 (run WITHOUT TF_USE_LEGACY_KERAS).

* Training-mode BatchNormalization cases (bn_keras3 in cases.py): `output` and
  `weights_after` are written from Keras 3 (moving_variance updated with the BIASED
  batch variance, which Kiln follows).  tf_keras' values stay in output_tf_keras /
  weights_after_tf_keras.
* Every other case: the same layer, arguments, weights and inputs are run through
  Keras 3 and compared with the tf_keras output.  Where they differ, the Keras 3
  result is added as `output_keras3` (and the note says so); where Keras 3 rejects
  the arguments, `keras3_error` holds its message.  A report goes to
  keras3_comparison.txt.
"""
import os
import sys
import warnings

if os.environ.get("TF_USE_LEGACY_KERAS", "0") not in ("", "0", "false", "False"):
    sys.exit("run check_keras3.py without TF_USE_LEGACY_KERAS")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import keras
import tensorflow as tf

from cases import CASES
from common import HERE, read_json, tensor_json, write_json

FRAMEWORK3 = f"Keras {keras.__version__} (backend {keras.backend.backend()}, TensorFlow {tf.__version__})"
ATOL, RTOL = 1e-5, 1e-5
K3_MARK = " [Keras 3 differs: "


def arr(t):
    return np.array(t["values"], dtype=np.float32).reshape(t["shape"])


def strip_k3(obj):
    obj.pop("output_keras3", None)
    obj.pop("keras3_error", None)
    note = obj.get("note", "")
    if K3_MARK in note:
        note = note[:note.index(K3_MARK)]
    obj["note"] = note


def run_keras3(obj):
    keras.utils.clear_session()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = getattr(keras.layers, obj["layer"])(*obj["args"], **obj["kwargs"])
    xs = []
    for t in obj["inputs"]:
        a = arr(t)
        if t.get("dtype") == "int32":
            a = a.astype(np.int32)
        xs.append(a)
    x = xs if len(xs) > 1 else xs[0]
    layer(x, training=False)
    names = [w.path.split("/")[-1] for w in layer.weights]
    # Keras 3 calls DepthwiseConv2D's kernel 'kernel' (tf_keras: 'depthwise_kernel')
    alias = {"depthwise_kernel": "kernel"} if obj["layer"] == "DepthwiseConv2D" else {}
    given = {alias.get(w["name"], w["name"]): arr(w) for w in obj["weights"]}
    if sorted(names) != sorted(given):
        raise RuntimeError(f"weights differ: keras3 {names} vs tf_keras {list(given)}")
    if names != [alias.get(w["name"], w["name"]) for w in obj["weights"]]:
        print(f"  note: Keras 3 weight order {names}")
    layer.set_weights([given[n] for n in names])
    out = keras.ops.convert_to_numpy(layer(x, training=obj["training"]))
    after = [(w.path.split("/")[-1], keras.ops.convert_to_numpy(w)) for w in layer.weights]
    return out, after, [str(w.message) for w in caught]


def main():
    report = [f"tf_keras fixtures re-run with {FRAMEWORK3}", ""]
    for c in CASES:
        name = c["name"]
        obj = read_json(name)
        strip_k3(obj)
        try:
            out, after, warns = run_keras3(obj)
        except Exception as e:  # Keras 3 rejects the arguments
            msg = f"{type(e).__name__}: {e}".splitlines()[0][:300]
            obj["keras3_error"] = msg
            obj["note"] = obj["note"] + K3_MARK + "rejected, see keras3_error]"
            report.append(f"{name}: Keras 3 ERROR {msg}")
            write_json(name, obj)
            continue
        wtxt = ("  (warnings: " + " | ".join(warns) + ")") if warns else ""
        if c.get("bn_keras3"):
            ref = arr(obj["output_tf_keras"])
            d_out = float(np.max(np.abs(out - ref)))
            obj["output"] = tensor_json(out)
            obj["weights_after"] = [tensor_json(v, name=n) for n, v in after]
            diffs = []
            for (n, v), t in zip(after, obj["weights_after_tf_keras"]):
                diffs.append(f"{n} {float(np.max(np.abs(v - arr(t)))):.3g}")
            obj.setdefault("framework_tf_keras", obj["framework"])
            obj["framework"] = FRAMEWORK3
            base = ("output and weights_after from " + FRAMEWORK3 +
                    ": moving_mean = momentum*moving_mean + (1-momentum)*batch_mean, "
                    "moving_variance = momentum*moving_variance + (1-momentum)*batch_var "
                    "with the BIASED batch variance (divide by n). output_tf_keras / "
                    "weights_after_tf_keras are the " + obj["framework_tf_keras"] +
                    " values, for reference (its fused 4D kernel uses the UNBIASED variance "
                    "n/(n-1) for the moving_variance update; its 2D path is biased).")
            obj["note"] = base
            report.append(f"{name}: Keras 3 output vs tf_keras max|diff| {d_out:.3g}; "
                          f"weights_after diff vs tf_keras: {', '.join(diffs)}{wtxt}")
        elif c.get("random"):
            report.append(f"{name}: random (not compared){wtxt}")
        else:
            ref = arr(obj["output"])
            if out.shape != ref.shape or not np.allclose(out, ref, atol=ATOL, rtol=RTOL):
                d = float(np.max(np.abs(out - ref))) if out.shape == ref.shape else float("nan")
                obj["output_keras3"] = tensor_json(out)
                obj["note"] = (obj["note"] + K3_MARK +
                               f"max|diff| {d:.3g}, Keras 3 result in output_keras3]")
                report.append(f"{name}: DIFFERS max|diff| {d:.3g} shape {list(out.shape)} vs {list(ref.shape)}{wtxt}")
            else:
                d = float(np.max(np.abs(out - ref))) if out.size else 0.0
                report.append(f"{name}: same (max|diff| {d:.2g}){wtxt}")
            if "weights_after" in obj:
                diffs = [f"{n} {float(np.max(np.abs(v - arr(t)))):.3g}"
                         for (n, v), t in zip(after, obj["weights_after"])]
                report.append(f"    weights_after vs Keras 3: {', '.join(diffs)}")
            if obj["layer"] == "DepthwiseConv2D":
                report.append("    (Keras 3 names the depthwise weight 'kernel'; tf_keras 'depthwise_kernel')")
        write_json(name, obj)
    with open(os.path.join(HERE, "keras3_comparison.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
