# Golden progress-bar output (Tests/KilnLibraryTests/Fixtures/progbar/cases.json) from tf_keras 2.21
# Progbar with a mocked clock: /work/venv-ref/bin/python Fixtures/generate/progbar.py > Fixtures/progbar/cases.json
import os, sys, io, json; os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"
from unittest import mock
from tf_keras.src.utils import generic_utils, io_utils
out = []
def capture(message, line_break=True):
    out.append(message + ("\n" if line_break else ""))
cases = []
for verbose, target, times, values in [
    (1, 57, [0.0, 0.4, 0.5, 0.9, 3.2], [(1, [("loss", 0.5), ("accuracy", 0.25)]), (2, [("loss", 0.4), ("accuracy", 0.5)]), (45, [("loss", 0.31214), ("accuracy", 0.90524)]), (57, [("loss", 0.0002), ("accuracy", 0.95), ("val_loss", 0.25), ("val_accuracy", 0.9)])]),
    (1, 3, [0.0, 70.0, 200.0, 400.0], [(1, [("loss", 2.0)]), (2, [("loss", 1.5)]), (3, [("loss", 1.25)])]),
    (1, 1000, [0.0, 5.0, 4000.0], [(1, [("loss", 2.0)]), (2, [("loss", 1.5)])]),
    (2, 57, [0.0, 0.4, 0.5, 1.7], [(1, [("loss", 0.5)]), (2, [("loss", 0.4)]), (57, [("loss", 0.0005), ("mae", 0.125)])]),
]:
    out.clear()
    clock = iter(times)
    with mock.patch("time.time", lambda: next(clock)), mock.patch.object(io_utils, "print_msg", capture):
        bar = generic_utils.Progbar(target, verbose=verbose, stateful_metrics=["loss", "accuracy", "val_loss", "val_accuracy", "mae"])
        bar._dynamic_display = True
        for current, vals in values:
            bar.update(current, vals)
    cases.append({"verbose": verbose, "target": target, "times": times, "updates": [[c, v] for c, v in values], "output": "".join(out)})
json.dump(cases, sys.stdout, indent=1)
