"""Writes jupyter_outputs.ipynb with nbformat's own writer, as Jupyter saves a run notebook:
markdown, raw and code cells, tags and other cell metadata, and every output type (a stream
on each channel, a result with text and HTML, a PNG display with width metadata, SVG, JSON, an
error whose traceback carries IPython's ANSI colours). IpynbFormatTests reads it.

Run with nbformat installed (python3 -m venv /tmp/nbf && /tmp/nbf/bin/pip install nbformat):
    /tmp/nbf/bin/python make_jupyter_fixture.py
"""
import base64
import struct
import zlib

import nbformat
from nbformat.v4 import (new_code_cell, new_markdown_cell, new_notebook, new_output,
                         new_raw_cell)


def png(width, height, rgb):
    """A solid-colour PNG, built by hand so the fixture needs nothing but the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


cells = [
    new_markdown_cell("# Outputs\n\nEvery kind of output Jupyter saves.", id="intro"),
    new_code_cell("epochs = 3", id="params", metadata={"tags": ["parameters"]}),
    new_code_cell(
        "import sys\nprint('hello')\nprint('careful', file=sys.stderr)",
        id="streams", execution_count=2, metadata={"collapsed": False, "jupyter": {"source_hidden": False}},
        outputs=[new_output("stream", name="stdout", text="hello\n"),
                 new_output("stream", name="stderr", text="careful\n")]),
    new_code_cell(
        "df", id="table", execution_count=3,
        outputs=[new_output("execute_result", execution_count=3, data={
            "text/plain": "   a\n0  1\n1  2",
            "text/html": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"})]),
    new_code_cell(
        "plot()", id="plot", execution_count=4,
        outputs=[new_output("display_data",
                            data={"image/png": base64.b64encode(png(2, 2, (255, 0, 0))).decode(),
                                  "text/plain": "<Figure size 2x2 with 1 Axes>"},
                            metadata={"image/png": {"width": 2}}),
                 new_output("display_data", data={
                     "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">\n<rect width="4" height="4"/>\n</svg>',
                     "text/plain": "<SVG>"})]),
    new_code_cell(
        "config", id="config", execution_count=5,
        outputs=[new_output("execute_result", execution_count=5, data={
            "application/json": {"layers": [64, 10], "name": "mlp"},
            "text/plain": "{'layers': [64, 10], 'name': 'mlp'}"})]),
    new_code_cell(
        "1 / 0", id="fails", execution_count=6,
        outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[
            "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
            "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
            "Cell \x1b[0;32mIn[6], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241m1\x1b[39m \x1b[38;5;241m/\x1b[39m \x1b[38;5;241m0\x1b[39m\n",
            "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"])]),
    new_raw_cell("raw text, passed through", id="raw", metadata={"format": "text/plain"}),
    new_code_cell("", id="empty"),
]
nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.12.3", "file_extension": ".py"},
    "authors": [{"name": "Ada"}],
})
nbformat.validate(nb)
nbformat.write(nb, "jupyter_outputs.ipynb")
