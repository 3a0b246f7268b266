#!/usr/bin/env python3
"""Independent check of ../forward/*.json: recompute every case from its inputs,
weights and arguments with plain NumPy / PyTorch (float64) — no Keras — and compare
with `output` (and `weights_after`).  Doubles as a readable spec of the Keras
semantics the Swift kernels must reproduce (TF 'same' padding, causal padding,
depthwise channel order, 'same' average pooling excluding padding, BN/renorm updates).

    /work/venv-ref/bin/python verify_reference.py
"""
import glob
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from common import FORWARD_DIR

torch.set_default_dtype(torch.float64)


def arr(t):
    return np.array(t["values"], dtype=np.float64).reshape(t["shape"])


def T(a):
    return torch.tensor(a, dtype=torch.float64)


# ---------------------------------------------------------------- activations
def hard_sigmoid(x):  # tf_keras: clip(0.2x + 0.5, 0, 1)   (Keras 3: relu6(x+3)/6)
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


ACT = {
    None: lambda x: x, "linear": lambda x: x,
    "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    "softmax": lambda x: F.softmax(x, dim=-1), "log_softmax": lambda x: F.log_softmax(x, dim=-1),
    "selu": F.selu, "elu": F.elu, "softplus": F.softplus, "softsign": F.softsign,
    "swish": F.silu, "silu": F.silu, "gelu": lambda x: F.gelu(x),  # exact erf form
    "exponential": torch.exp, "hard_sigmoid": hard_sigmoid, "relu6": F.relu6,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2), "mish": F.mish,
}


def keras_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = torch.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        y = torch.clamp(y, max=max_value)
    return y


# ---------------------------------------------------------------- padding
def tup(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


def tf_pads(size, k, s, d, padding):
    """(before, after) padding for one spatial dim, TF conventions."""
    ek = (k - 1) * d + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return ek - 1, 0
    out = math.ceil(size / s)
    total = max((out - 1) * s + ek - size, 0)
    return total // 2, total - total // 2


def pad_nc(x, ks, ss, ds, padding, value=0.0):
    """x: N,C,*spatial torch tensor; returns padded tensor."""
    spatial = x.shape[2:]
    pads = []
    for size, k, s, d in reversed(list(zip(spatial, ks, ss, ds))):
        pads += list(tf_pads(size, k, s, d, padding))
    return F.pad(x, pads, value=value)


def to_nc(x):   # N,*,C -> N,C,*
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def to_nl(x):   # N,C,* -> N,*,C
    return x.permute(0, *range(2, x.dim()), 1)


def conv(x, kernel, bias, strides, padding, dilation, groups=1):
    """x N,*,C (channels last); kernel *k, in/groups, out (Keras layout)."""
    nd = x.dim() - 2
    k = kernel.permute(nd + 1, nd, *range(nd))  # out, in, *k
    xs = pad_nc(to_nc(x), kernel.shape[:nd], strides, dilation, padding)
    f = F.conv1d if nd == 1 else F.conv2d
    y = f(xs, k, bias, stride=strides, dilation=dilation, groups=groups)
    return to_nl(y)


def depthwise(x, dk, strides, padding, dilation):
    """dk: *k, in, dm -> out channel c*dm + m."""
    nd = x.dim() - 2
    cin, dm = dk.shape[nd], dk.shape[nd + 1]
    k = dk.reshape(*dk.shape[:nd], 1, cin * dm)  # *k, 1, in*dm  (index c*dm+m)
    return conv(x, k, None, strides, padding, dilation, groups=cin)


def pool(x, kind, pool_size, strides, padding):
    nd = x.dim() - 2
    ks = tup(pool_size, nd)
    ss = tup(strides if strides is not None else pool_size, nd)
    ones = (1,) * nd
    xc = to_nc(x)
    if kind == "max":
        xp = pad_nc(xc, ks, ss, ones, padding, value=-math.inf)
        y = (F.max_pool1d if nd == 1 else F.max_pool2d)(xp, ks, ss)
    else:
        xp = pad_nc(xc, ks, ss, ones, padding)
        cnt = pad_nc(torch.ones_like(xc), ks, ss, ones, padding)
        ap = F.avg_pool1d if nd == 1 else F.avg_pool2d
        y = ap(xp, ks, ss) / ap(cnt, ks, ss)  # excludes padding from the count
    return to_nl(y)


# ---------------------------------------------------------------- layers
def run(case):
    L, a, kw = case["layer"], case["args"], case["kwargs"]
    xs = [T(arr(t)) for t in case["inputs"]]
    x = xs[0]
    W = {w["name"]: T(arr(w)) for w in case["weights"]}
    after = None
    act = ACT[kw.get("activation")]
    if L == "Dense":
        y = act(x @ W["kernel"] + (W["bias"] if "bias" in W else 0))
    elif L == "Activation":
        y = ACT[a[0]](x)
    elif L == "ReLU":
        y = keras_relu(x, **kw)
    elif L == "LeakyReLU":
        y = F.leaky_relu(x, kw.get("alpha", 0.3))
    elif L == "Flatten":
        y = x.reshape(x.shape[0], -1)
    elif L == "Reshape":
        y = x.reshape(x.shape[0], *a[0])
    elif L in ("Conv1D", "Conv2D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D"):
        nd = 1 if L.endswith("1D") else 2
        ksize = a[1] if L != "DepthwiseConv2D" else a[0]
        strides = tup(kw.get("strides", 1), nd)
        dil = tup(kw.get("dilation_rate", 1), nd)
        padding = kw.get("padding", "valid")
        if L.startswith("Conv"):
            y = conv(x, W["kernel"], W.get("bias"), strides, padding, dil)
        elif L == "DepthwiseConv2D":
            y = depthwise(x, W["depthwise_kernel"], strides, padding, dil)
            y = y + W["bias"] if "bias" in W else y
        else:
            y = depthwise(x, W["depthwise_kernel"], strides, padding, dil)
            y = conv(y, W["pointwise_kernel"], W.get("bias"), (1,) * nd, "valid", (1,) * nd)
        y = act(y)
    elif L in ("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"):
        ps = a[0] if a else kw.get("pool_size", 2)
        y = pool(x, "max" if L.startswith("Max") else "avg", ps,
                 kw.get("strides"), kw.get("padding", "valid"))
    elif L.startswith("Global"):
        axes = tuple(range(1, x.dim() - 1))
        keep = kw.get("keepdims", False)
        y = x.mean(dim=axes, keepdim=keep) if "Average" in L else x.amax(dim=axes, keepdim=keep)
    elif L == "BatchNormalization":
        y, after = batchnorm(case, x, W, kw)
    elif L == "LayerNormalization":
        axis = kw.get("axis", -1)
        axes = tuple(axis) if isinstance(axis, list) else (axis,)
        mean = x.mean(dim=axes, keepdim=True)
        var = x.var(dim=axes, keepdim=True, unbiased=False)
        y = (x - mean) / torch.sqrt(var + kw.get("epsilon", 1e-3)) * W["gamma"] + W["beta"]
    elif L == "Embedding":
        y = W["embeddings"][x.long()]
    elif L == "Add":
        y = sum(xs[1:], xs[0])
    elif L == "Concatenate":
        y = torch.cat(xs, dim=kw.get("axis", -1))
    elif L in ("Dropout", "AlphaDropout"):
        if not case["training"]:
            y = x
        else:
            return check_dropout(case, x)
    else:
        raise NotImplementedError(L)
    return y, after


def batchnorm(case, x, W, kw):
    eps = kw.get("epsilon", 1e-3)
    mom = kw.get("momentum", 0.99)
    axes = tuple(range(x.dim() - 1))
    gamma = W.get("gamma", torch.tensor(1.0))
    beta = W.get("beta", torch.tensor(0.0))
    mm, mv = W["moving_mean"], W["moving_variance"]
    if not case["training"]:
        return (x - mm) / torch.sqrt(mv + eps) * gamma + beta, None
    mean = x.mean(dim=axes)
    var = x.var(dim=axes, unbiased=False)  # biased
    new = dict(W)
    if kw.get("renorm"):
        clip = kw.get("renorm_clipping") or {}
        rmom = kw.get("renorm_momentum", 0.99)
        std = torch.sqrt(var + eps)
        rstd = torch.clamp(W["renorm_stddev"], min=math.sqrt(eps))
        r = std / rstd
        d = (mean - W["renorm_mean"]) / rstd
        if "rmin" in clip: r = torch.clamp(r, min=clip["rmin"])
        if "rmax" in clip: r = torch.clamp(r, max=clip["rmax"])
        if "dmax" in clip: d = torch.clamp(d, -clip["dmax"], clip["dmax"])
        y = (x - mean) / std * (r * gamma) + (d * gamma + beta)
        new["renorm_mean"] = W["renorm_mean"] * rmom + mean * (1 - rmom)
        new["renorm_stddev"] = W["renorm_stddev"] * rmom + std * (1 - rmom)
        new["moving_mean"] = mm * mom + mean * (1 - mom)
        new["moving_stddev"] = W["moving_stddev"] * mom + std * (1 - mom)
        new["moving_variance"] = F.relu(new["moving_stddev"] ** 2 - eps)
    else:
        y = (x - mean) / torch.sqrt(var + eps) * gamma + beta
        new["moving_mean"] = mm * mom + mean * (1 - mom)
        new["moving_variance"] = mv * mom + var * (1 - mom)
    return y, [new[w["name"]] for w in case["weights"]]


def check_dropout(case, x):
    ex = T(arr(case["output_example"]))
    rate = case["args"][0]
    if case["layer"] == "Dropout":
        ok = torch.isclose(ex, torch.zeros_like(ex)) | torch.isclose(ex, x / (1 - rate), rtol=1e-6, atol=1e-6)
    else:
        al = -1.7580993408473766
        aa = ((1 - rate) * (1 + rate * al ** 2)) ** -0.5
        b = -aa * al * rate
        ok = torch.isclose(ex, aa * x + b, rtol=1e-5, atol=1e-6) | torch.isclose(
            ex, torch.full_like(ex, aa * al + b), rtol=1e-5, atol=1e-6)
    return ("structure", bool(ok.all()))


def close(got, want, tol=2e-5):
    got = np.asarray(got, dtype=np.float64)
    if got.shape != want.shape:
        return False, float("nan")
    err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
    return bool(np.all(err <= tol)), float(err.max()) if err.size else 0.0


def main():
    files = sorted(glob.glob(os.path.join(FORWARD_DIR, "*.json")))
    bad = 0
    for path in files:
        case = json.load(open(path))
        name = os.path.basename(path)[:-5]
        res = run(case)
        if res[0] == "structure":
            print(f"{'ok ' if res[1] else 'BAD'} {name}: dropout structure")
            bad += not res[1]
            continue
        y, after = res
        ok, err = close(y.numpy(), arr(case["output"]))
        msg = f"output rel.err {err:.2g}"
        if after is not None and "weights_after" in case:
            for w, t in zip(after, case["weights_after"]):
                ok2, e2 = close(w.numpy(), arr(t))
                ok &= ok2
                msg += f", {t['name']} {e2:.2g}"
        print(f"{'ok ' if ok else 'BAD'} {name}: {msg}")
        bad += not ok
    print(f"{len(files) - bad}/{len(files)} fixtures agree with the NumPy/PyTorch reference")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
