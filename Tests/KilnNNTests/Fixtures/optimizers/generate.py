"""Writes optimizers.json: Keras 3 optimizers run for three steps on fixed weights and gradients.

Run with the reference venv (keras 3, TensorFlow backend):
    /work/venv-ref/bin/python Tests/KilnNNTests/Fixtures/optimizers/generate.py
Each case records the initial weights, the gradients of each of the three steps, the weights
after one step and after three, and the learning rate the optimizer reports before each step.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import keras
import tensorflow as tf

SHAPES = [(2, 3), (3,)]
STEPS = 3

CASES = [
    ("sgd", "SGD", {}, None),
    ("sgd_lr", "SGD", {"learning_rate": 0.1}, None),
    ("sgd_momentum", "SGD", {"learning_rate": 0.1, "momentum": 0.9}, None),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"learning_rate": 0.1, "weight_decay": 0.05}, None),
    ("sgd_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 0.5}, None),
    ("sgd_clipvalue", "SGD", {"learning_rate": 0.1, "clipvalue": 0.2}, None),
    ("sgd_global_clipnorm", "SGD", {"learning_rate": 0.1, "global_clipnorm": 0.5}, None),
    ("sgd_exponential_decay", "SGD", {}, ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5})),
    ("sgd_exponential_staircase", "SGD", {"momentum": 0.5},
     ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5, "staircase": True})),
    ("rmsprop", "RMSprop", {}, None),
    ("rmsprop_lr_rho", "RMSprop", {"learning_rate": 0.01, "rho": 0.8}, None),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.9}, None),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True}, None),
    ("rmsprop_centered_momentum", "RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5, "epsilon": 1e-3}, None),
    ("rmsprop_clipnorm", "RMSprop", {"clipnorm": 0.3}, None),
    ("adam", "Adam", {}, None),
    ("adam_options", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}, None),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True}, None),
    ("adam_clipvalue", "Adam", {"clipvalue": 0.1}, None),
    ("adam_global_clipnorm", "Adam", {"global_clipnorm": 0.4}, None),
    ("adam_cosine_decay", "Adam", {}, ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 2, "alpha": 0.1})),
    ("adam_cosine_warmup", "Adam", {},
     ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 3, "warmup_target": 0.01, "warmup_steps": 2})),
    ("adamw", "AdamW", {}, None),
    ("adamw_options", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}, None),
    ("adamw_clipnorm_schedule", "AdamW", {"clipnorm": 0.5},
     ("ExponentialDecay", {"initial_learning_rate": 0.01, "decay_steps": 1, "decay_rate": 0.9})),
]


def values(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def main():
    rng = np.random.default_rng(7)
    weights = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    gradients = [[(rng.normal(size=s) * 0.5).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    # One gradient entry exactly zero, one large, to exercise clipping and the epsilons.
    gradients[0][1][0] = 0.0
    gradients[1][0][0, 0] = 3.0
    cases = []
    for name, cls, args, schedule in CASES:
        kwargs = dict(args)
        if schedule:
            kwargs["learning_rate"] = getattr(keras.optimizers.schedules, schedule[0])(**schedule[1])
        opt = getattr(keras.optimizers, cls)(**kwargs)
        variables = [keras.Variable(w) for w in weights]
        after, rates = [], []
        for step in range(STEPS):
            rates.append(float(np.asarray(opt.learning_rate)))
            opt.apply([tf.constant(g) for g in gradients[step]], variables)
            after.append([values(v.numpy()) for v in variables])
        case = {"name": name, "optimizer": cls, "args": args,
                "learning_rates": rates, "after_1": after[0], "after_3": after[2]}
        if schedule:
            case["schedule"] = {"class": schedule[0], "args": schedule[1]}
        cases.append(case)
    fixture = {
        "generated_by": f"generate.py with keras {keras.__version__}, tensorflow {tf.__version__}, numpy {np.__version__}",
        "shapes": [list(s) for s in SHAPES],
        "weights": [values(w) for w in weights],
        "gradients": [[values(g) for g in step] for step in gradients],
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    # One line per field and per case, so a diff shows which case changed.
    lines = [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in fixture.items() if k != "cases"]
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + json.dumps(c) for c in cases))
    lines.append(" ]")
    with open(path, "w") as f:
        f.write("{\n" + "\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
