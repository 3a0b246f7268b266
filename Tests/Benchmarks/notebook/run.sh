#!/usr/bin/env bash
# Notebook benchmark: wall time of `kiln run` on a 3-cell notebook (a print, arithmetic, a
# 100k-iteration loop) including its store writes, against papermill running the same notebook
# as Python (.ipynb) in the same script; and the cost of recording, from a 200-cell notebook
# run with and without the store. Medians of RUNS runs. See README.md.
#
#     bash Tests/Benchmarks/notebook/run.sh          # RUNS=7
#     KILN=/path/to/kiln PYTHON=/path/to/python bash Tests/Benchmarks/notebook/run.sh
#
# papermill, ipykernel and nbformat must be installed in PYTHON's environment
# (pip install papermill ipykernel); without them only Kiln is measured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${RUNS:-7}"
# shellcheck source=../common.sh
source "$here/../common.sh"

cat >"$scratch/three.kiln" <<'KILN'
# %%
print("hello from a notebook")
# %%
6 * 7
# %%
total = 0
for i in range(100000):
    total += i
total
KILN
"$python" - "$scratch/three.ipynb" <<'PY'
import sys, nbformat
cells = ['print("hello from a notebook")', '6 * 7', 'total = 0\nfor i in range(100000):\n    total += i\ntotal']
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, sys.argv[1])
PY
for i in $(seq 200); do printf '# %%%%\nx = %d\n' "$i"; done >"$scratch/many.kiln"

# median_ms COMMAND...: the median wall time in ms of RUNS runs of COMMAND (output discarded).
median_ms() {
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        times+=($(((end - start) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}

cd "$scratch"
kiln_ms=$(median_ms "${clean[@]}" "$kiln" run three.kiln --db bench.db)
with_store=$(median_ms "${clean[@]}" "$kiln" run many.kiln --db many.db)
without_store=$(median_ms "${clean[@]}" "$kiln" run many.kiln --no-store)
papermill_ms=-
if "$python" -c 'import papermill' 2>/dev/null; then
    papermill_ms=$(median_ms "${clean[@]}" "$python" -m papermill three.ipynb three.out.ipynb --kernel python3)
fi
echo "3-cell notebook, median of $runs runs (wall time, ms):"
echo "  kiln run (with store):  $kiln_ms"
echo "  papermill:              $papermill_ms"
if [[ "$papermill_ms" != - ]]; then
    awk -v k="$kiln_ms" -v p="$papermill_ms" 'BEGIN { printf "  kiln/papermill:         %.3f\n", k / p }'
fi
awk -v w="$with_store" -v n="$without_store" 'BEGIN { printf "recording: %.3f ms per cell (200 cells: %s ms with the store, %s ms without)\n", (w - n) / 200, w, n }'
