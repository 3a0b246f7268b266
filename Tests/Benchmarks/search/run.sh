#!/usr/bin/env bash
# Search benchmark: Kiln's random search and TPE (through its `hyperopt` module) beside
# hyperopt's rand / tpe and optuna's TPESampler, on Branin, Hartmann-6 and a conditional space,
# SEEDS seeds × EVALS evaluations; prints the median [interquartile range] of the regret after
# 25, 50 and 100 evaluations and the time per evaluation. See README.md.
#
#     bash Tests/Benchmarks/search/run.sh                  # SEEDS=20 EVALS=100
#     SEEDS=5 bash Tests/Benchmarks/search/run.sh          # quicker
#     KILN=/path/to/kiln PYTHON=/path/to/python bash Tests/Benchmarks/search/run.sh
#     REFERENCE=hyperopt,optuna,skopt bash Tests/Benchmarks/search/run.sh   # adds gp_minimize (slow)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seeds="${SEEDS:-20}"
evals="${EVALS:-100}"
# shellcheck source=../common.sh
source "$here/../common.sh"

sed -e "s/^SEEDS = .*/SEEDS = $seeds/" -e "s/^EVALS = .*/EVALS = $evals/" "$here/kiln_search.kiln" >"$scratch/kiln_search.kiln"
(cd "$scratch" && "${clean[@]}" "$kiln" run kiln_search.kiln --no-store 2>/dev/null)
if "$python" -c 'import hyperopt, optuna' 2>/dev/null; then
    "${clean[@]}" "$python" "$here/reference.py" --seeds "$seeds" --evals "$evals" --only "${REFERENCE:-hyperopt,optuna}"
else
    echo "(hyperopt and optuna are not installed in $python: pip install hyperopt optuna)"
fi
