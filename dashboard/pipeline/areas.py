"""Area names and hierarchy for the data build, read from the committed geodata/."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.core.errors import InputError
from dashboard.core.geography import (
    EAST_OF_ENGLAND_CODE,
    EAST_OF_ENGLAND_NAME,
    ENGLAND_CODE,
    ENGLAND_NAME,
    AreaLevel,
    normalise_area_name,
)
from dashboard.data.boundaries import Boundaries, load_boundaries


@dataclass(frozen=True)
class AreaIndex:
    """Names, parents and name aliases of every area the data may use."""

    areas: pd.DataFrame  # one row per sub-ICB: codes and names of every level above it
    aliases: pd.DataFrame
    names: dict[str, str]  # code -> current name, every level

    @classmethod
    def from_boundaries(cls, boundaries: Boundaries) -> AreaIndex:
        names = {ENGLAND_CODE: ENGLAND_NAME, EAST_OF_ENGLAND_CODE: EAST_OF_ENGLAND_NAME}
        for level in boundaries.layers:
            names.update(boundaries.names(level))
        return cls(areas=boundaries.areas, aliases=boundaries.aliases, names=names)

    @classmethod
    def load(cls, geodata_dir: Path) -> AreaIndex:
        return cls.from_boundaries(load_boundaries(geodata_dir))

    def codes_for_names(self, level: AreaLevel, names: pd.Series, *, file: str, column: str) -> pd.Series:
        """Codes for published area names; any name that does not map stops the build."""
        table = self.aliases[self.aliases["area_level"] == level.value]
        lookup = dict(zip(table["alias_key"], table["area_code"], strict=True))
        codes = names.map(lambda name: lookup.get(normalise_area_name(str(name))))
        unmatched = sorted(set(names[codes.isna()].astype(str)))
        if unmatched:
            raise InputError(
                f"{file}, column {column}: {level.value} name(s) {unmatched} do not map to a code through "
                "geodata/area_aliases.csv; add the spelling to the manual aliases in dashboard/pipeline/geodata.py"
            )
        return codes

    def parent_map(self, level: AreaLevel, parent: AreaLevel) -> dict[str, str]:
        """Child code -> parent code, e.g. ICB -> alliance."""
        child_col, parent_col = f"{level.value}_code", f"{parent.value}_code"
        pairs = self.areas[[child_col, parent_col]].drop_duplicates()
        return dict(zip(pairs[child_col], pairs[parent_col], strict=True))

    def alliance_of(self, level: AreaLevel, codes: Iterable[str]) -> list[str | None]:
        """The alliance an area belongs to (itself for an alliance; none for England or a region)."""
        if level == AreaLevel.ALLIANCE:
            return list(codes)
        if level in (AreaLevel.ICB, AreaLevel.SUBICB):
            mapping = self.parent_map(level, AreaLevel.ALLIANCE)
            return [mapping.get(code) for code in codes]
        return [None for _ in codes]

    def name_of(self, code: str | None) -> str | None:
        return None if code is None else self.names[code]
