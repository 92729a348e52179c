"""Reading a CSV download back as a spreadsheet and pandas read it (dashboard/figures/exports.py):
a byte-order mark, notes one quoted cell each, a blank line, then the table."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pandas as pd


def read_download(text: str, **read_csv: Any) -> tuple[list[str], pd.DataFrame, list[str]]:
    """(the notes, as the cells of column A; the table, read with the `skiprows` the first note
    gives; the table's lines as written, header first)."""
    assert text.startswith("\ufeff"), "no UTF-8 byte-order mark: Excel would misread non-ASCII text"
    lines = text[1:].split("\n")
    blank = lines.index("")
    rows = list(csv.reader(lines[:blank]))
    assert all(len(row) == 1 for row in rows), [row for row in rows if len(row) != 1]  # one cell a note
    notes = [row[0] for row in rows]
    assert all(note.startswith("# ") for note in notes)
    skip = int(re.search(r"skiprows=(\d+)", notes[0]).group(1))
    assert skip == blank + 1 == len(notes) + 1
    table = pd.read_csv(io.StringIO(text), skiprows=skip, **read_csv)
    return notes, table, [line for line in lines[blank + 1:] if line]
