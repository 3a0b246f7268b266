#!/usr/bin/env bash
# Learn benchmark: Kiln's gradient boosting and random forest beside scikit-learn's (and
# LightGBM's when importable) on a 20,000 × 40 synthetic 3-class set (make_data.py); prints the
# median fit time of REPEATS fits and the test accuracy of each. See README.md.
#
#     bash Tests/Benchmarks/learn/run.sh                 # REPEATS=3
#     REPEATS=1 bash Tests/Benchmarks/learn/run.sh       # quicker
#     LIGHTGBM_PATH=/tmp/lgbm-site bash Tests/Benchmarks/learn/run.sh   # LightGBM installed with pip --target
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repeats="${REPEATS:-3}"
# shellcheck source=../common.sh
source "$here/../common.sh"

"$python" "$here/make_data.py" "$scratch"
sed -e "s/^REPEATS = .*/REPEATS = $repeats/" "$here/kiln_learn.kiln" >"$scratch/kiln_learn.kiln"
(cd "$scratch" && "${clean[@]}" "$kiln" run kiln_learn.kiln --no-store 2>/dev/null)
"${clean[@]}" PYTHONPATH="${LIGHTGBM_PATH:-}" "$python" "$here/reference.py" "$scratch" --repeats "$repeats"
