#!/usr/bin/env bash
# Language benchmark: runs each program here under `kiln run` (release build) and under
# python3, RUNS times each (default 5), checks both print the same output, and prints
# the median wall time of each and their ratio.
#
#     bash Tests/Benchmarks/language/run.sh            # all programs
#     RUNS=3 bash Tests/Benchmarks/language/run.sh fib # some of them
#     KILN=/path/to/kiln bash Tests/Benchmarks/language/run.sh  # a kiln built elsewhere
#
# Every program is valid Python 3 and Kiln. This is not a test: timings vary with the
# machine; compare ratios, not seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
runs="${RUNS:-5}"
python="${PYTHON:-python3}"

if (($# > 0)); then
    programs=("$@")
else
    programs=()
    for file in "$here"/*.kiln; do
        programs+=("$(basename "$file" .kiln)")
    done
fi

if [[ -n "${KILN:-}" ]]; then
    kiln="$KILN"
else
    echo "building kiln (release)..." >&2
    (cd "$root" && swift build -c release --product kiln >&2)
    kiln="$(cd "$root" && swift build -c release --show-bin-path)/kiln"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# seconds COMMAND...: runs COMMAND with stdout to $scratch/out and stderr to $scratch/err,
# prints its wall time in seconds; returns COMMAND's status.
seconds() {
    local start end status=0
    start="$(date +%s.%N)"
    "$@" >"$scratch/out" 2>"$scratch/err" || status=$?
    end="$(date +%s.%N)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
    return "$status"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

failed=0
printf '%-10s %12s %12s %12s\n' program "kiln (s)" "python (s)" kiln/python
for program in "${programs[@]}"; do
    file="$here/$program.kiln"
    kiln_times=()
    python_times=()
    status="ok"
    for ((i = 0; i < runs; i++)); do
        if ! t="$(seconds "$python" "$file")"; then
            status="python failed: $(head -n 1 "$scratch/err")"
            break
        fi
        python_times+=("$t")
        cp "$scratch/out" "$scratch/python.out"

        if ! t="$(cd "$scratch" && seconds "$kiln" run "$file")"; then
            status="kiln failed: $(grep -v '^\s*$' "$scratch/err" | tail -n 1)"
            break
        fi
        kiln_times+=("$t")
        if ! cmp -s "$scratch/out" "$scratch/python.out"; then
            status="outputs differ: kiln printed '$(head -c 80 "$scratch/out" | tr '\n' ' ')', python '$(head -c 80 "$scratch/python.out" | tr '\n' ' ')'"
            break
        fi
    done
    if [[ "$status" != "ok" ]]; then
        printf '%-10s %s\n' "$program" "$status"
        failed=1
        continue
    fi
    kiln_median="$(printf '%s\n' "${kiln_times[@]}" | median)"
    python_median="$(printf '%s\n' "${python_times[@]}" | median)"
    ratio="$(awk -v k="$kiln_median" -v p="$python_median" 'BEGIN { printf "%.2f", k / p }')"
    printf '%-10s %12s %12s %12s\n' "$program" "$kiln_median" "$python_median" "$ratio"
done
exit "$failed"
