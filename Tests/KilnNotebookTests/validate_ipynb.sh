#!/usr/bin/env bash
# Validates Kiln's .ipynb exports with Jupyter's own nbformat (schema, unique cell ids, and the
# exact layout nbformat.write produces), installed into a virtual environment from PyPI.
#
#   Tests/KilnNotebookTests/validate_ipynb.sh              export a set of notebooks (those in
#                                                          notebooks/ and the test fixtures) from
#                                                          the IpynbValidationTests test, validate them
#   Tests/KilnNotebookTests/validate_ipynb.sh FILE...      validate the given .ipynb files
#
# NBFORMAT_VENV (default /tmp/nbf) is where the environment goes; it is made once and reused.
# SWIFT_SCRATCH_PATH, if set, is passed to `swift test --scratch-path`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${NBFORMAT_VENV:-/tmp/nbf}"

if ! "$venv/bin/python" -c "import nbformat" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q nbformat
fi

if (($# > 0)); then
    exec "$venv/bin/python" "$here/validate_ipynb.py" "$@"
fi

cd "$here/../.."
scratch=()
if [[ -n "${SWIFT_SCRATCH_PATH:-}" ]]; then
    scratch=(--scratch-path "$SWIFT_SCRATCH_PATH")
fi
# KILN_REQUIRE_NBFORMAT makes the test fail, rather than skip, if it cannot run the validator.
KILN_NBFORMAT_PYTHON="$venv/bin/python" KILN_REQUIRE_NBFORMAT=1 \
    swift test "${scratch[@]}" --filter IpynbValidationTests
