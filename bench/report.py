"""BENCHMARKS.md is written in sections, each between markers, so make bench and make lighthouse each replace their
own and leave the other's figures in place."""
from __future__ import annotations

from pathlib import Path

HEADER = ("# Benchmarks\n\nWritten by `make bench` (bench/run.py) and `make lighthouse` (bench/lighthouse.py); "
          "each replaces its own sections. Figures are measured, never asserted: the machine is shared and noisy.\n")


def replace_section(path: Path, name: str, heading: str, body: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{heading}\n\n{body.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
