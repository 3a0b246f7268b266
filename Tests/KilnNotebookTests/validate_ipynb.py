"""Checks .ipynb files with Jupyter's own nbformat: each must be nbformat 4.5, pass
nbformat.validate (the JSON schema plus unique cell ids), and be laid out byte for byte as
nbformat.write would write the same notebook. Prints one line per file; exits 1 if any fails.

    python validate_ipynb.py FILE.ipynb...
"""
import json
import sys
import warnings

import nbformat


def problems(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # nbformat repairs some faults (duplicate cell ids) with a warning: any warning is a fault.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ids = [cell.get("id") for cell in json.loads(text).get("cells", [])]
        if len(set(ids)) != len(ids):
            yield "cell ids are not unique"
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        if (nb.nbformat, nb.nbformat_minor) != (4, 5):
            yield f"nbformat {nb.nbformat}.{nb.nbformat_minor}, expected 4.5"
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as error:
            yield f"invalid: {error.message}"
        else:
            if nbformat.writes(nb) + "\n" != text:
                yield "laid out differently from nbformat.write"
    for warning in caught:
        yield f"nbformat warns: {warning.message}"


failed = 0
for path in sys.argv[1:]:
    try:
        found = list(problems(path))
    except Exception as error:  # a file nbformat cannot even read
        found = [f"unreadable: {error!r}"]
    print(f"{path}: " + ("; ".join(found) if found else "ok"))
    failed += bool(found)
sys.exit(1 if failed else 0)
