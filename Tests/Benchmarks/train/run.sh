#!/usr/bin/env bash
# Training benchmark: model.fit throughput (samples/s, after a warm-up epoch) and peak memory
# of three models -- the chapter's separable convnet, a 784-512-256-10 MLP and a small MNIST
# convnet -- under Kiln (release build), Keras 3 (TensorFlow backend) and PyTorch (CPU). Each
# (framework, model) pair runs in its own process, one after another, under /usr/bin/time for
# its peak resident memory. See README.md.
#
#     bash Tests/Benchmarks/train/run.sh                  # RUNS=3 timed epochs per model
#     RUNS=1 SMALL=1 bash Tests/Benchmarks/train/run.sh   # quick check: 1/8 of the samples
#     KILN=/path/to/kiln bash Tests/Benchmarks/train/run.sh    # a kiln built elsewhere
#     PYTHON=/path/to/python bash Tests/Benchmarks/train/run.sh # default /work/venv-ref/bin/python
#     MODELS="mlp conv" bash Tests/Benchmarks/train/run.sh     # a subset of separable mlp conv
#
# This is not a test: timings vary with the machine and its load; compare ratios, not seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${RUNS:-3}"
small="${SMALL:-}"
models="${MODELS:-separable mlp conv}"
timer=/usr/bin/time  # GNU time: -f %M is the peak resident set size in KiB

# shellcheck source=../common.sh
source "$here/../common.sh"

failed=0
load_before="$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?')"
# bench NAME COMMAND...: runs COMMAND under $timer, its lines to $scratch/NAME.out (and echoed
# to stderr as progress), its errors to $scratch/NAME.err, its peak RSS (KiB) to
# $scratch/NAME.rss; on failure says so and carries on.
bench() {
    local name="$1"
    shift
    echo "running $name..." >&2
    local status=0
    (cd "$scratch" && "$timer" -f %M -o "$scratch/$name.rss" "$@") >"$scratch/$name.out" 2>"$scratch/$name.err" || status=$?
    if ((status != 0)); then
        echo "$name failed (exit $status): $(grep -v '^\s*$' "$scratch/$name.err" | tail -n 5)" >&2
        rm -f "$scratch/$name.rss"
        failed=1
    fi
    sed "s/^/  $name: /" "$scratch/$name.out" >&2
}

for model in $models; do
    # The Kiln program with RUNS, SMALL and this one model set; run from the scratch directory
    # so that anything kiln writes (its database) stays out of the repository.
    sed -e "s/^RUNS = .*/RUNS = $runs/" \
        -e "s/^SMALL = False/SMALL = $([[ -n "$small" ]] && echo True || echo False)/" \
        -e "s/^MODELS = .*/MODELS = ['$model']/" \
        "$here/kiln_train.kiln" >"$scratch/kiln_$model.kiln"
    bench "kiln_$model" "${clean[@]}" "$kiln" run "$scratch/kiln_$model.kiln"
    bench "keras_$model" "${clean[@]}" TF_CPP_MIN_LOG_LEVEL=3 "$python" "$here/reference.py" keras \
        --model "$model" --runs "$runs" "${small_flag[@]}"
    bench "torch_$model" "${clean[@]}" OMP_WAIT_POLICY=PASSIVE "$python" "$here/reference.py" torch \
        --model "$model" --runs "$runs" "${small_flag[@]}"
done

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

# rss NAME: NAME's peak resident memory in MiB, or "-" if it failed.
rss() {
    if [[ -s "$scratch/$1.rss" ]]; then
        awk '/^[0-9]+$/ { v = $1 } END { if (v == "") print "-"; else printf "%.0f\n", v / 1024 }' "$scratch/$1.rss"
    else
        echo "-"
    fi
}

echo
printf '%-10s %11s %11s %11s %10s %10s   %9s %9s %9s\n' model "kiln (/s)" "keras (/s)" "torch (/s)" \
    kiln/keras kiln/torch "kiln MiB" "keras MiB" "torch MiB"
for model in $models; do
    k="$(value "kiln_$model" "$model" samples_per_s)"
    t="$(value "keras_$model" "$model" samples_per_s)"
    p="$(value "torch_$model" "$model" samples_per_s)"
    printf '%-10s %11s %11s %11s %10s %10s   %9s %9s %9s\n' "$model" "$k" "$t" "$p" \
        "$(ratio "$k" "$t")" "$(ratio "$k" "$p")" "$(rss "kiln_$model")" "$(rss "keras_$model")" "$(rss "torch_$model")"
done
echo "(training samples/s, higher is better: median of $runs timed epochs after a warm-up epoch$([[ -n "$small" ]] && echo ", SMALL: 1/8 of the samples");" \
    "MiB: peak RSS of the whole process, lower is better;" \
    "load average before: $load_before, after: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?'))"
exit "$failed"
