"""Reference side of the training benchmark (see README.md): the three models of
kiln_train.kiln trained under Keras 3 (TensorFlow backend) and PyTorch (CPU).

    python reference.py keras                      # all three models under Keras 3
    python reference.py torch --model mlp          # one model (run.sh runs one per process)
    python reference.py --runs 2 --small keras torch   # a quick check at reduced sizes

Prints one machine-readable line per model, prefixed by the framework, ending with the
process's peak resident memory so far (getrusage ru_maxrss, KiB):

    keras mlp samples_per_s=1234.5 median_s=1.6590 runs=3 n=60000 batch_size=128 maxrss_kib=...

Every framework gets 2 compute threads (the machine has 2 cores). The runs are not a test:
timings vary with the machine; compare ratios, not seconds.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

# The sizes of kiln_train.kiln: name -> (samples, per-sample shape, batch size);
# --small divides the sample counts by SMALL_FACTOR.
MODELS = {
    "separable": (2048, (64, 64, 3), 32),
    "mlp": (60000, (784,), 128),
    "conv": (4096, (28, 28, 1), 64),
}
CLASSES = 10
SMALL_FACTOR = 8
THREADS = 2


def data(name, small):
    """Uniform [0, 1) float32 inputs and random int labels in 0..9, made as kiln_train.kiln
    makes them (a float64 array cast to float32, so the peak memory counts the same copy)."""
    n, shape, _ = MODELS[name]
    if small:
        n //= SMALL_FACTOR
    np.random.seed(0)
    x = np.random.rand(n, *shape).astype("float32")
    y = np.random.randint(0, CLASSES, size=n)
    return x, y


def maxrss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def measure(prefix, name, epoch, n, batch_size, runs):
    """One warm-up epoch, then `runs` timed epochs; `epoch()` trains one epoch over all n samples."""
    epoch()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"{prefix} {name} samples_per_s={n / median:.1f} median_s={median:.4f} "
        f"runs={runs} n={n} batch_size={batch_size} maxrss_kib={maxrss_kib()}",
        flush=True,
    )


def run_keras(models, runs, small):
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

    def separable():
        model = Sequential()
        model.add(keras.Input(shape=(64, 64, 3)))
        model.add(layers.SeparableConv2D(32, 3, activation="relu"))
        model.add(layers.SeparableConv2D(64, 3, activation="relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.SeparableConv2D(64, 3, activation="relu"))
        model.add(layers.SeparableConv2D(128, 3, activation="relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.SeparableConv2D(64, 3, activation="relu"))
        model.add(layers.SeparableConv2D(128, 3, activation="relu"))
        model.add(layers.GlobalAveragePooling2D())
        model.add(layers.Dense(32, activation="relu"))
        model.add(layers.Dense(10, activation="softmax"))
        return model

    def mlp():
        model = Sequential()
        model.add(keras.Input(shape=(784,)))
        model.add(layers.Dense(512, activation="relu"))
        model.add(layers.Dense(256, activation="relu"))
        model.add(layers.Dense(10, activation="softmax"))
        return model

    def conv():
        model = Sequential()
        model.add(keras.Input(shape=(28, 28, 1)))
        model.add(layers.Conv2D(32, 3, activation="relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Conv2D(64, 3, activation="relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Flatten())
        model.add(layers.Dense(10, activation="softmax"))
        return model

    builders = {"separable": separable, "mlp": mlp, "conv": conv}
    for name in models:
        x, y = data(name, small)
        batch_size = MODELS[name][2]
        model = builders[name]()
        model.compile(optimizer=keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        measure("keras", name,
                lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True),
                len(x), batch_size, runs)


def run_torch(models, runs, small):
    import torch
    from torch import nn

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    # TensorFlow runs its kernels with denormals flushed to zero; PyTorch by default does not,
    # and RMSprop training on random labels drives values into the denormal range, where the
    # x86 floating-point unit is many times slower (the MLP trains at ~11k instead of ~20k
    # samples/s here without this).
    torch.set_flush_denormal(True)

    def separable_conv(cin, cout):
        # Keras' SeparableConv2D(cout, 3, activation='relu'): a 3x3 depthwise convolution
        # without bias (depth_multiplier 1, 'valid'), then a 1x1 convolution with bias.
        return [nn.Conv2d(cin, cin, 3, groups=cin, bias=False), nn.Conv2d(cin, cout, 1), nn.ReLU()]

    def separable():
        return nn.Sequential(
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
        )

    def mlp():
        return nn.Sequential(
            nn.Linear(784, 512),
            nn.ReLU(),
            nn.Linear(512, 256),
            nn.ReLU(),
            nn.Linear(256, 10),
            nn.Softmax(dim=1),
        )

    def conv():
        # Keras' Flatten of NHWC (5, 5, 64) and PyTorch's of NCHW differ only in the order of
        # the 1600 features, which changes nothing in speed.
        return nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1600, 10),
            nn.Softmax(dim=1),
        )

    builders = {"separable": separable, "mlp": mlp, "conv": conv}
    epsilon = 1e-7  # Keras' backend epsilon: its crossentropy clips probabilities to [eps, 1 - eps]

    for name in models:
        x, y = data(name, small)
        batch_size = MODELS[name][2]
        images = x.ndim == 4
        model = builders[name]()
        if images:
            model = model.to(memory_format=torch.channels_last)
        model.train()
        # Keras' RMSprop defaults: learning_rate 0.001, rho 0.9, epsilon 1e-7.
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        xt = torch.from_numpy(x)
        yt = torch.from_numpy(y)

        def epoch():
            # As model.fit(shuffle=True, metrics=['accuracy']) does: a fresh permutation per
            # epoch, a step per batch (last one partial), a running loss and accuracy.
            order = torch.randperm(len(xt))
            total_loss = torch.zeros(())
            correct = torch.zeros((), dtype=torch.int64)
            for i in range(0, len(xt), batch_size):
                index = order[i:i + batch_size]
                xb = xt[index]
                if images:
                    # NHWC viewed as NCHW is PyTorch's channels_last memory format (no copy).
                    xb = xb.permute(0, 3, 1, 2)
                yb = yt[index]
                probs = model(xb)
                # sparse_categorical_crossentropy on softmax outputs, as Keras computes it.
                loss = nn.functional.nll_loss(torch.log(probs.clamp(epsilon, 1 - epsilon)), yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    total_loss += loss.detach() * len(index)
                    correct += (probs.argmax(dim=1) == yb).sum()
            return (total_loss / len(xt)).item(), correct.item() / len(xt)

        measure("torch", name, epoch, len(x), batch_size, runs)


FRAMEWORKS = {"keras": run_keras, "torch": run_torch}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="keras and/or torch (default: both, each in its own process)")
    parser.add_argument("--model", action="append", choices=list(MODELS),
                        help="a model to train (repeatable; default: all three)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")),
                        help="timed epochs per model after the warm-up epoch (default: $RUNS or 3)")
    parser.add_argument("--small", action="store_true",
                        help=f"divide the sample counts by {SMALL_FACTOR}, for a quick check")
    args = parser.parse_args()
    models = args.model or list(MODELS)
    for framework in args.frameworks:
        if framework not in FRAMEWORKS:
            parser.error(f"unknown framework {framework!r}; choose from {', '.join(FRAMEWORKS)}")
    if len(args.frameworks) == 1:
        FRAMEWORKS[args.frameworks[0]](models, args.runs, args.small)
        return
    # TensorFlow and PyTorch each bring their own thread pools (and OpenMP); keep them apart.
    status = 0
    for framework in args.frameworks or list(FRAMEWORKS):
        command = [sys.executable, __file__, framework, "--runs", str(args.runs)]
        command += [f"--model={m}" for m in models] + (["--small"] if args.small else [])
        status = subprocess.call(command) or status
    sys.exit(status)


if __name__ == "__main__":
    main()
