"""Reference side of the prediction benchmark (see README.md): the two models of
kiln_predict.kiln under Keras 3 (TensorFlow backend) and PyTorch (CPU), and NumPy's
float32 GEMM speed.

    python reference.py                  # keras, torch and gemm, each in its own process
    python reference.py keras            # one or more of: keras torch gemm
    python reference.py --runs 2 --small keras torch   # a quick check at reduced sizes

Prints one machine-readable line per measurement, prefixed by the framework:

    keras separable samples_per_s=1234.5 median_s=1.6590 runs=5 n=2048 batch_size=32
    torch mlp samples_per_s=...
    numpy gemm gflops=... median_s=... runs=... n=1024

Every framework gets 2 compute threads (the machine has 2 cores). The runs are not a test:
timings vary with the machine; compare ratios, not seconds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# The sizes of kiln_predict.kiln; --small divides the sample counts by SMALL_FACTOR.
SEPARABLE_N, SEPARABLE_BATCH, SEPARABLE_WARMUP = 2048, 32, 64
MLP_N, MLP_BATCH, MLP_WARMUP = 60000, 128, 1024
GEMM_N = 1024
SMALL_FACTOR = 8
THREADS = 2


def data(small):
    """The inputs both frameworks predict: uniform [0, 1) float32, seeded as in Kiln."""
    sep_n = SEPARABLE_N // SMALL_FACTOR if small else SEPARABLE_N
    mlp_n = MLP_N // SMALL_FACTOR if small else MLP_N
    np.random.seed(0)
    images = np.random.rand(sep_n, 64, 64, 3).astype("float32")
    rows = np.random.rand(mlp_n, 784).astype("float32")
    return images, rows


def measure(prefix, name, predict, x, batch_size, warmup, runs):
    """One warm-up predict on x[:warmup], then `runs` timed predicts of all of x."""
    out = predict(x[:warmup], batch_size)
    assert out.shape == (warmup, 10), out.shape
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        predict(x, batch_size)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"{prefix} {name} samples_per_s={len(x) / median:.1f} median_s={median:.4f} "
        f"runs={runs} n={len(x)} batch_size={batch_size}",
        flush=True,
    )


def run_keras(runs, small):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.pop("TF_USE_LEGACY_KERAS", None)  # Keras 3, not tf_keras
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import tensorflow as tf

    # Before any TensorFlow op runs, or the settings are ignored.
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    from keras import layers
    from keras.models import Sequential

    assert keras.__version__.startswith("3."), keras.__version__
    assert keras.backend.backend() == "tensorflow", keras.backend.backend()
    keras.utils.set_random_seed(0)

    separable = Sequential()
    separable.add(keras.Input(shape=(64, 64, 3)))
    separable.add(layers.SeparableConv2D(32, 3, activation="relu"))
    separable.add(layers.SeparableConv2D(64, 3, activation="relu"))
    separable.add(layers.MaxPooling2D(2))
    separable.add(layers.SeparableConv2D(64, 3, activation="relu"))
    separable.add(layers.SeparableConv2D(128, 3, activation="relu"))
    separable.add(layers.MaxPooling2D(2))
    separable.add(layers.SeparableConv2D(64, 3, activation="relu"))
    separable.add(layers.SeparableConv2D(128, 3, activation="relu"))
    separable.add(layers.GlobalAveragePooling2D())
    separable.add(layers.Dense(32, activation="relu"))
    separable.add(layers.Dense(10, activation="softmax"))

    mlp = Sequential()
    mlp.add(keras.Input(shape=(784,)))
    mlp.add(layers.Dense(512, activation="relu"))
    mlp.add(layers.Dense(256, activation="relu"))
    mlp.add(layers.Dense(10, activation="softmax"))

    images, rows = data(small)
    measure("keras", "separable", lambda x, b: separable.predict(x, batch_size=b, verbose=0),
            images, SEPARABLE_BATCH, SEPARABLE_WARMUP, runs)
    measure("keras", "mlp", lambda x, b: mlp.predict(x, batch_size=b, verbose=0),
            rows, MLP_BATCH, MLP_WARMUP, runs)


def run_torch(runs, small):
    import torch
    from torch import nn

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)

    def separable_conv(cin, cout):
        # Keras' SeparableConv2D(cout, 3, activation='relu'): a 3x3 depthwise convolution
        # without bias (depth_multiplier 1, 'valid'), then a 1x1 convolution with bias.
        return [nn.Conv2d(cin, cin, 3, groups=cin, bias=False), nn.Conv2d(cin, cout, 1), nn.ReLU()]

    separable = nn.Sequential(
        *separable_conv(3, 32),
        *separable_conv(32, 64),
        nn.MaxPool2d(2),
        *separable_conv(64, 64),
        *separable_conv(64, 128),
        nn.MaxPool2d(2),
        *separable_conv(128, 64),
        *separable_conv(64, 128),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(128, 32),
        nn.ReLU(),
        nn.Linear(32, 10),
        nn.Softmax(dim=1),
    ).eval().to(memory_format=torch.channels_last)

    mlp = nn.Sequential(
        nn.Linear(784, 512),
        nn.ReLU(),
        nn.Linear(512, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
        nn.Softmax(dim=1),
    ).eval()

    # As model.predict does: batches in order, outputs gathered into one NumPy array.
    def predict_rows(x, batch_size):
        with torch.inference_mode():
            outputs = [mlp(torch.from_numpy(x[i:i + batch_size])) for i in range(0, len(x), batch_size)]
            return torch.cat(outputs).numpy()

    def predict_images(x, batch_size):
        # PyTorch's convolutions take NCHW; the NHWC batch viewed as NCHW is exactly its
        # channels_last memory format (no copy), which runs these convolutions about twice as
        # fast on CPU as the contiguous NCHW layout.
        with torch.inference_mode():
            outputs = [separable(torch.from_numpy(x[i:i + batch_size]).permute(0, 3, 1, 2))
                       for i in range(0, len(x), batch_size)]
            return torch.cat(outputs).numpy()

    images, rows = data(small)
    measure("torch", "separable", predict_images, images, SEPARABLE_BATCH, SEPARABLE_WARMUP, runs)
    measure("torch", "mlp", predict_rows, rows, MLP_BATCH, MLP_WARMUP, runs)


def run_gemm(runs, small):
    """NumPy float32 matmul, GEMM_N cubed: the BLAS speed Kiln's Dense and conv layers stand on."""
    np.random.seed(0)
    a = np.random.rand(GEMM_N, GEMM_N).astype("float32")
    b = np.random.rand(GEMM_N, GEMM_N).astype("float32")
    np.dot(a, b)
    times = []
    for _ in range(max(runs, 10)):
        start = time.perf_counter()
        np.dot(a, b)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    gflops = 2 * GEMM_N**3 / median / 1e9
    print(f"numpy gemm gflops={gflops:.1f} median_s={median:.5f} runs={len(times)} n={GEMM_N}", flush=True)


FRAMEWORKS = {"keras": run_keras, "torch": run_torch, "gemm": run_gemm}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="keras, torch and/or gemm (default: all three, each in its own process)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "5")),
                        help="timed runs per model (default: $RUNS or 5)")
    parser.add_argument("--small", action="store_true",
                        help=f"divide the sample counts by {SMALL_FACTOR}, for a quick check")
    args = parser.parse_args()
    for framework in args.frameworks:
        if framework not in FRAMEWORKS:
            parser.error(f"unknown framework {framework!r}; choose from {', '.join(FRAMEWORKS)}")
    if len(args.frameworks) == 1:
        FRAMEWORKS[args.frameworks[0]](args.runs, args.small)
        return
    # TensorFlow and PyTorch each bring their own thread pools (and OpenMP); keep them apart.
    status = 0
    for framework in args.frameworks or list(FRAMEWORKS):
        command = [sys.executable, __file__, framework, "--runs", str(args.runs)] + (["--small"] if args.small else [])
        status = subprocess.call(command) or status
    sys.exit(status)


if __name__ == "__main__":
    main()
