#!/bin/sh
# Regenerate every fixture under Tests/KilnLibraryTests/Fixtures/ (see README.md).
#   PY=/work/venv-ref/bin/python KERAS26_WHEEL=/path/keras-2.6.0-py2.py3-none-any.whl ./generate_all.sh
set -e
cd "$(dirname "$0")"
PY=${PY:-/work/venv-ref/bin/python}
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= PYTHONHASHSEED=0 KERAS_BACKEND=tensorflow

"$PY" - > versions.txt <<'PYEOF'
import sys, importlib.metadata as md
print("python", sys.version.split()[0])
for p in ["tensorflow", "tensorflow-cpu", "tf-keras", "keras", "numpy", "torch"]:
    print(p, md.version(p))
PYEOF

# 1. golden model.summary() files (tf_keras, plus the classic Keras <= 2.6 printer)
"$PY" gen_summaries.py
# 2. forward values with tf_keras
TF_USE_LEGACY_KERAS=1 "$PY" gen_forward.py > /dev/null
# 3. Keras 3 pass: training-mode BatchNormalization values + differences report
env -u TF_USE_LEGACY_KERAS "$PY" check_keras3.py > /dev/null
# 4. independent NumPy/PyTorch re-computation of every forward fixture
"$PY" verify_reference.py | tail -1
