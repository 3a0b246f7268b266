#!/usr/bin/env python3
"""Regenerate the golden model.summary() files under ../summary/.

For every NAME.kiln in ../summary/ (a program that is valid Python and valid Kiln,
ending with model.summary()):

  NAME.txt          exact stdout of `python NAME.kiln` with TF_USE_LEGACY_KERAS=1,
                    i.e. tf_keras (Keras 2) as installed in the reference venv.
  NAME.classic.txt  the same model printed by the *classic* print_summary of
                    Keras <= 2.6 (TF 2.0 .. 2.6): no leading space, names truncated
                    instead of wrapped, '_' rules between rows, thousands separators
                    in the totals, no byte sizes.  That function's source is taken
                    verbatim, at generation time, from the keras==2.6.0 wheel on PyPI
                    (keras/utils/layer_utils.py) and applied to the tf_keras model;
                    nothing of it is copied into this repository.

Each model runs in a fresh process so automatic layer names start at 0.

Usage:  /work/venv-ref/bin/python gen_summaries.py [--keras26-wheel PATH]
If --keras26-wheel (or $KERAS26_WHEEL) is not given, the wheel is fetched with
`pip download keras==2.6.0 --no-deps` into a temporary directory.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUMMARY_DIR = os.path.normpath(os.path.join(HERE, "..", "summary"))

# Runs inside the child process: load Keras 2.6's print_summary from the wheel,
# install it as Model.summary, then run the .kiln program.
CLASSIC_RUNNER = r'''
import ast, runpy, sys, zipfile
wheel, program = sys.argv[1], sys.argv[2]
src = zipfile.ZipFile(wheel).read("keras/utils/layer_utils.py").decode()
tree = ast.parse(src)
fn = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "print_summary"][0]
import tensorflow as tf
from tf_keras.src.utils.layer_utils import count_params
import tf_keras
ns = {"tf": tf, "count_params": count_params}
exec(compile(ast.Module(body=[fn], type_ignores=[]), "keras-2.6.0/keras/utils/layer_utils.py", "exec"), ns)
print_summary = ns["print_summary"]
def summary(self, line_length=None, positions=None, print_fn=None, **kw):
    print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)
tf_keras.Model.summary = summary
runpy.run_path(program, run_name="__main__")
'''


def child_env():
    env = dict(os.environ)
    env["TF_USE_LEGACY_KERAS"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONHASHSEED"] = "0"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, env=child_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode())
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return p.stdout


def get_wheel(path):
    path = path or os.environ.get("KERAS26_WHEEL")
    if path:
        return path
    d = tempfile.mkdtemp(prefix="keras26-")
    subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "keras==2.6.0",
                           "--no-deps", "-d", d])
    return glob.glob(os.path.join(d, "keras-2.6.0-*.whl"))[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keras26-wheel")
    ap.add_argument("names", nargs="*", help="only these models (default: all)")
    args = ap.parse_args()
    wheel = get_wheel(args.keras26_wheel)
    programs = sorted(glob.glob(os.path.join(SUMMARY_DIR, "*.kiln")))
    if args.names:
        programs = [p for p in programs if os.path.basename(p)[:-5] in args.names]
    for prog in programs:
        name = os.path.basename(prog)[:-5]
        out = run([sys.executable, prog], SUMMARY_DIR)
        with open(os.path.join(SUMMARY_DIR, name + ".txt"), "wb") as f:
            f.write(out)
        out = run([sys.executable, "-c", CLASSIC_RUNNER, wheel, prog], SUMMARY_DIR)
        with open(os.path.join(SUMMARY_DIR, name + ".classic.txt"), "wb") as f:
            f.write(out)
        print("wrote", name + ".txt", name + ".classic.txt")


if __name__ == "__main__":
    main()
