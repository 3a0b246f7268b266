#!/usr/bin/env bash
# Prediction benchmark: model.predict throughput (samples/s) of the chapter's separable
# convnet and of a 784-512-256-10 MLP under Kiln (release build), Keras 3 (TensorFlow
# backend) and PyTorch (CPU), one framework after another, plus float32 GEMM GFLOP/s under
# NumPy and under Kiln (a bias-free Dense layer's predict, and np.dot). See README.md.
#
#     bash Tests/Benchmarks/predict/run.sh                  # RUNS=5 timed runs per model
#     RUNS=2 SMALL=1 bash Tests/Benchmarks/predict/run.sh   # quick check: 1/8 of the samples
#     KILN=/path/to/kiln bash Tests/Benchmarks/predict/run.sh    # a kiln built elsewhere
#     PYTHON=/path/to/python bash Tests/Benchmarks/predict/run.sh # default /work/venv-ref/bin/python
#
# This is not a test: timings vary with the machine and its load; compare ratios, not seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${RUNS:-5}"
small="${SMALL:-}"

# shellcheck source=../common.sh
source "$here/../common.sh"

# The Kiln program with RUNS (and SMALL) set; run from the scratch directory so that
# anything kiln writes (its database) stays out of the repository.
sed -e "s/^RUNS = .*/RUNS = $runs/" \
    -e "s/^SMALL = False/SMALL = $([[ -n "$small" ]] && echo True || echo False)/" \
    "$here/kiln_predict.kiln" >"$scratch/kiln_predict.kiln"

failed=0
load_before="$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?')"
# bench NAME COMMAND...: runs COMMAND, its lines to $scratch/NAME.out (and echoed to stderr
# as progress), its errors to $scratch/NAME.err; on failure says so and carries on.
bench() {
    local name="$1"
    shift
    echo "running $name..." >&2
    local status=0
    (cd "$scratch" && "$@") >"$scratch/$name.out" 2>"$scratch/$name.err" || status=$?
    if ((status != 0)); then
        echo "$name failed (exit $status): $(grep -v '^\s*$' "$scratch/$name.err" | tail -n 5)" >&2
        failed=1
    fi
    sed "s/^/  $name: /" "$scratch/$name.out" >&2
}

bench kiln "${clean[@]}" "$kiln" run "$scratch/kiln_predict.kiln"
bench keras "${clean[@]}" TF_CPP_MIN_LOG_LEVEL=3 "$python" "$here/reference.py" keras --runs "$runs" "${small_flag[@]}"
bench torch "${clean[@]}" OMP_WAIT_POLICY=PASSIVE "$python" "$here/reference.py" torch --runs "$runs" "${small_flag[@]}"
bench numpy "${clean[@]}" "$python" "$here/reference.py" gemm --runs "$runs"

# value NAME MODEL KEY: KEY's value on the line starting with MODEL (after an optional
# framework prefix) in NAME's output, or "-" if there is none.
value() {
    awk -v model="$2" -v key="$3" '
        { if ($1 != model) $0 = substr($0, index($0, " ") + 1) }
        $1 == model { for (i = 2; i <= NF; i++) if (index($i, key "=") == 1) { print substr($i, length(key) + 2); found = 1; exit } }
        END { if (!found) print "-" }' "$scratch/$1.out"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}

echo
printf '%-10s %12s %12s %12s %11s %11s\n' model "kiln (/s)" "keras (/s)" "torch (/s)" kiln/keras kiln/torch
for model in separable mlp; do
    k="$(value kiln "$model" samples_per_s)"
    t="$(value keras "$model" samples_per_s)"
    p="$(value torch "$model" samples_per_s)"
    printf '%-10s %12s %12s %12s %11s %11s\n' "$model" "$k" "$t" "$p" "$(ratio "$k" "$t")" "$(ratio "$k" "$p")"
done
ng="$(value numpy gemm gflops)"
echo
printf '%-30s %9s %8s\n' "gemm 1024^3 float32" "GFLOP/s" "/numpy"
printf '%-30s %9s\n' "numpy np.dot" "$ng"
for line in "gemm_dense:kiln Dense predict" "gemm_npdot:kiln np.dot"; do
    g="$(value kiln "${line%%:*}" gflops)"
    printf '%-30s %9s %8s\n' "${line#*:}" "$g" "$(ratio "$g" "$ng")"
done
echo "(samples/s and GFLOP/s: higher is better; median of $runs runs$([[ -n "$small" ]] && echo ", SMALL: 1/8 of the samples");" \
    "load average before: $load_before, after: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?'))"
exit "$failed"
