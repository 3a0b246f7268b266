# Set-up shared by the framework benchmarks (predict/run.sh, train/run.sh), sourced after they
# set `here` to their own folder. Defines:
#   root        the repository
#   python      the reference venv's python (PYTHON, default /work/venv-ref/bin/python)
#   kiln        the kiln binary (KILN, or a release build made here)
#   scratch     a temporary folder, removed on exit
#   clean       the env prefix for every benchmarked command
#   small_flag  the reference scripts' --small when SMALL is set

root="$(cd "$here/../../.." && pwd)"
python="${PYTHON:-/work/venv-ref/bin/python}"

if [[ -n "${KILN:-}" ]]; then
    kiln="$KILN"
else
    echo "building kiln (release)..." >&2
    (cd "$root" && swift build -c release --product kiln >&2)
    kiln="$(cd "$root" && swift build -c release --show-bin-path)/kiln"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# The machine's quirks, for the benchmarked commands only:
# - OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set here and halve OpenBLAS's speed (Kiln's GEMM
#   and NumPy's both use OpenBLAS);
# - PyTorch's OpenMP pool spins while waiting and collapses on a busy 2-core machine;
# - TensorFlow's start-up logging.
clean=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

small_flag=()
if [[ -n "${SMALL:-}" ]]; then small_flag=(--small); fi
