"""The CSV download: the table's rows, after notes that say what they are.

Made to open cleanly in a spreadsheet (issue 12) and to read back exactly:
- UTF-8 with a byte-order mark, so Excel reads "©" and "–" as written;
- each note is one quoted cell in column A (its commas stay inside it), starting "# ";
- a blank line, then the table's header row, whole;
- the first note says how many lines come before the header, for pandas' `skiprows`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pandas as pd

from dashboard.core.selection import Selection
from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.data.registry import Indicator
from dashboard.data.schema import GROUP_LABELS, DataStatus, GroupDimension
from dashboard.figures.formatting import VALUE_DECIMALS
from dashboard.figures.tables import rounded_rows
from dashboard.core.disclosure_rule import RULE_TEXT


BYTE_ORDER_MARK = "\ufeff"
NOTE_PREFIX = "# "
FILE_NAME_LIMIT = 180  # characters before ".csv": well within every file system's limit
# Characters no file name may hold on Windows, macOS or Linux, and control characters.
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# The areas a download lists, in a file's name: an alliance's ICB and sub-ICB downloads of one
# period had the same name.
LEVEL_IN_FILE_NAMES = {"alliance": "alliances", "icb": "ICBs", "subicb": "sub-ICBs"}


def download_filename(sel: Selection, *, indicator_name: str, area_name: str) -> str:
    """The indicator, cancer type, group, area, the level of the areas listed, and period in words,
    for example "Diagnosed at stage 1 or 2 - Lung - all patients - Lancashire and South Cumbria - ICBs - 2022.csv"."""
    group = "all patients" if sel.group == GroupDimension.ALL.value else f"{GROUP_LABELS[GroupDimension(sel.group)]} {sel.group_value}"
    level = LEVEL_IN_FILE_NAMES.get(sel.level, "")
    rest = " - ".join(_file_words(part) for part in (sel.cancer, group, area_name, level, sel.period) if part)
    # A long indicator name (a Fingertips one, with "(from FILE.csv)") is cut, not the period
    # at the end: files of two periods once had the same name (a new-user trial).
    room = max(FILE_NAME_LIMIT - len(rest) - len(" - "), 20)
    indicator = _file_words(indicator_name)
    if len(indicator) > room:
        indicator = indicator[: room - 1].rstrip(" .-") + "…"
    stem = " - ".join(part for part in (indicator, rest) if part)[:FILE_NAME_LIMIT].rstrip(" .")
    return f"{stem}.csv"


def _file_words(text: str) -> str:
    """`text` with no character a file name may not hold, its spaces single, no dot or space at its ends."""
    return re.sub(r"\s+", " ", UNSAFE_IN_FILE_NAMES.sub(" ", text)).strip(" .")


def data_status_line(modelled: bool) -> str:
    """What the figures are, in the download's words (and the board pack's)."""
    if modelled:
        return "includes MODELLED rows (data_status = modelled): estimates from the project's stated model, not published figures"
    return "published (taken, or computed directly, from published sources)"


# What a spreadsheet may read as a formula at the start of a cell (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    """A text cell that a spreadsheet would read as a formula, with a "'" before it, so that it is
    shown as the text it is; every other cell (numbers stay numbers, missing stays empty) as it is."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def notes_and_table(notes: list[str], table_csv: str) -> str:
    """The download's text: a note saying how to read it, the notes one quoted cell each, a
    blank line, the table. Line breaks inside a note become spaces (one note, one line)."""
    lines = [" ".join(note.split()) for note in notes]  # each starts "# " when written: never a formula
    before_header = len(lines) + 2  # the lead note, the notes, the blank line
    lead = (
        f"{PRODUCT_NAME} download: {before_header - 1} lines of notes like this one, then a blank line, "
        f"then the table (to read it with pandas: read_csv(file, skiprows={before_header}))"
    )
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for line in (lead, *lines):
        writer.writerow([NOTE_PREFIX + line])
    return BYTE_ORDER_MARK + out.getvalue() + "\n" + table_csv


def csv_text(
    rows: pd.DataFrame,
    *,
    sel: Selection,
    indicator: Indicator,
    permalink: str,
    generated: datetime,
    benchmark_name: str = "England",
    listing: str = "",
) -> str:
    """The download's text. `listing` says which areas the rows are, when not every area at the level."""
    table = rounded_rows(rows)
    statuses = sorted(set(table["data_status"].dropna()))
    text_columns = [column for column in table.columns if table[column].map(lambda cell: isinstance(cell, str)).any()]
    table[text_columns] = table[text_columns].map(neutralised)
    modelled = DataStatus.MODELLED.value in statuses
    status_line = data_status_line(modelled)
    filters = "; ".join(f"{key}={value}" for key, value in sel.as_dict().items() if value)
    header = [
        f"Indicator: {indicator.name} ({indicator.id})",
        f"Definition: {indicator.definition}",
        f"Numerator: {indicator.numerator}",
        f"Denominator: {indicator.denominator}",
        f"Unit: {indicator.unit}; polarity: {indicator.polarity}; confidence intervals: {indicator.ci_description}"
        + ("; none for MODELLED rows (an interval from sampling alone would leave out the model's uncertainty)" if modelled else ""),
        f"Data status: {status_line}",
        f"Filters: {filters}",
        *([f"Areas: {listing}"] if listing else []),
        f"Rows: {len(table)}; values, limits and benchmarks rounded to {VALUE_DECIMALS} decimal place as on screen",
        f"Comparison: with {benchmark_name} at the {sel.confidence}% level (whole interval above or below the benchmark)"
        + ("; MODELLED rows are not compared (their gaps are the model's assumptions)" if modelled else ""),
        f"Disclosure control: {RULE_TEXT} The suppression column says why a row is empty.",
        f"Source: {indicator.source}",
        f"Attribution: {indicator.attribution} {BOUNDARY_ATTRIBUTION}",
        f"Licence: {indicator.licence}",
        f"Caveats: {indicator.caveats}",
        f"Generated: {generated.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Permalink: {permalink}",
    ]
    return notes_and_table(header, table.to_csv(index=False, lineterminator="\n"))
