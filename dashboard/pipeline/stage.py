"""Early stage at diagnosis and stage completeness, from the NDRS stage file (2013-2022).

The file names areas but gives no codes: names are mapped through geodata's alias
table, and any name that does not map stops the build.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.cancers import ALL_CANCERS
from dashboard.core.errors import InputError
from dashboard.core.geography import AreaLevel
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source
from dashboard.pipeline.periods import calendar_year
from dashboard.pipeline.rows import (
    all_groups,
    finish,
    period_series,
    proportion_rows,
    with_period,
)

STAGE_FILE = "outcomes/ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv"
SOURCE_LABEL = "ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv"

GEOGRAPHY_LEVELS = {
    "Country": AreaLevel.COUNTRY,
    "Cancer Alliance": AreaLevel.ALLIANCE,
    "Integrated Care Board": AreaLevel.ICB,
}
EARLY = ["Stage 1", "Stage 2", "Staged - other early"]
LATE = ["Stage 3", "Stage 4", "Staged - other advanced"]
UNSTAGED = ["Unstageable", "Missing stage"]
COUNT_COLUMNS = EARLY + LATE + UNSTAGED
# NDRS rounds completeness to one decimal place.
COMPLETENESS_TOLERANCE = 0.05 + 1e-9


def read_stage_counts(sources: Path, index: AreaIndex) -> pd.DataFrame:
    """One row per area × year × site (plus 'All cancers'): early, staged, diagnosed counts."""
    raw = read_csv_source(
        sources,
        STAGE_FILE,
        columns=["Geography Type", "Geography Name", "Year", "Site", *COUNT_COLUMNS, "Percentage completeness"],
    )
    path = sources / STAGE_FILE
    unknown_types = sorted(set(raw["Geography Type"]) - set(GEOGRAPHY_LEVELS))
    if unknown_types:
        raise InputError(f"{path}, column Geography Type: unexpected value(s) {unknown_types}")
    numbers = raw[COUNT_COLUMNS + ["Year", "Percentage completeness"]].apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        column = numbers.columns[numbers.iloc[row - 1].isna()][0]
        raise InputError(f"{path}: row {row}, column {column}: not a number ({raw.iloc[row - 1][column]!r})")
    frame = pd.DataFrame(
        {
            "area_level": raw["Geography Type"].map(lambda t: GEOGRAPHY_LEVELS[t].value),
            "year": numbers["Year"].astype(int),
            "cancer_type": raw["Site"].str.strip(),
            "early": numbers[EARLY].sum(axis=1),
            "staged": numbers[EARLY + LATE].sum(axis=1),
            "diagnosed": numbers[COUNT_COLUMNS].sum(axis=1),
            "published_completeness": numbers["Percentage completeness"],
        }
    )
    codes = pd.Series(index=raw.index, dtype="object")
    for level_name, level in GEOGRAPHY_LEVELS.items():
        rows = raw["Geography Type"] == level_name
        codes[rows] = index.codes_for_names(level, raw.loc[rows, "Geography Name"], file=str(path), column="Geography Name")
    frame["area_code"] = codes
    check_completeness_reproduced(frame, path)
    all_sites = frame.groupby(["area_level", "area_code", "year"], as_index=False)[["early", "staged", "diagnosed"]].sum()
    return pd.concat([frame.drop(columns="published_completeness"), all_sites.assign(cancer_type=ALL_CANCERS)], ignore_index=True)


def check_completeness_reproduced(frame: pd.DataFrame, path: Path) -> None:
    """Our staged ÷ diagnosed must reproduce NDRS's published completeness (to its rounding)."""
    ours = np.where(frame["diagnosed"] > 0, frame["staged"] / frame["diagnosed"] * 100, 0.0)
    off = np.abs(ours - frame["published_completeness"]) > COMPLETENESS_TOLERANCE
    if off.any():
        row = int(np.flatnonzero(off)[0]) + 1
        raise InputError(
            f"{path}: row {row}, column Percentage completeness: published {frame['published_completeness'].iloc[row - 1]} "
            f"but the stage counts give {ours[row - 1]:.2f} ({int(off.sum())} rows differ)"
        )


def stage_rows(counts: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """Early-stage share and stage completeness rows, published."""
    periods = period_series(counts, calendar_year, "year")
    base = with_period(all_groups(counts), periods)
    early = base.assign(indicator_id="early_stage", numerator=base["early"], denominator=base["staged"])
    complete = base.assign(indicator_id="stage_completeness", numerator=base["staged"], denominator=base["diagnosed"])
    rows = proportion_rows(pd.concat([early, complete], ignore_index=True))
    return finish(rows, index, source=SOURCE_LABEL)
