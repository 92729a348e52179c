"""The disclosure model: every linear relation that holds between the numbers the app serves.

Declared here and nowhere else. An attacker who sees every shown number can combine them
through these relations; `dashboard.stats.disclosure` chooses what to withhold so that no
count of 1 to 4 people can be pinned down, and `audit` proves it with linear programming.

Cells are the counts of people a row serves: its numerator (deaths, patients treated in
time, diagnoses) and, for percentages, its denominator. A rate's denominator is a
population estimate, served by the population indicator anyway: it is a known constant,
not a cell. Indicators that do not count people (population, deprivation share) have no
cells.

Relations (each applied to numerators, and to denominators where both are counts):
- areas: sub-ICB -> ICB -> alliance -> England, within one indicator, period, cancer type
  and group; an area with one child is an identity (a single-child chain);
- periods: months -> quarters -> financial years and multi-month spans; a month with no
  row is a known zero;
- groups: the values of a group dimension -> the all-patients row (deprivation quintiles
  by sex -> that sex);
- cancer types: the sites -> the "All ..." row;
- across indicators, where two share a count: the early-stage denominator (patients with
  a known stage) is the completeness numerator; crude incidence's numerator (diagnoses) is
  the completeness denominator; the age-specific deaths add up to the age-standardised
  rate's deaths;
- within a row: numerator <= denominator.
Whether a sum is exact (==) or the total also covers people in no listed part (>=, e.g.
activity at providers no alliance is attributed) is read from the data, family by family:
the attacker is assumed to know whichever holds. A family whose parts exceed its total
is not a sum and is counted in `Model.not_sums` (the audit report shows the count).

An age-standardised rate for persons is a weighted sum of its served age bands' counts, so
its value (and its interval) would give further equations; instead it is withheld whenever
one of those counts is withheld (`Model.inputs`). A modelled figure splits its area's
published total by a stated model: it shows no counts, and is withheld with that total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.core import cancers
from dashboard.core.measures import Unit
from dashboard.data.registry import Registry
from dashboard.stats.linear_audit import TOLERANCE, Relations

NUMERATOR, DENOMINATOR = 0, 1
GROUP_TOTALS: dict[str, tuple[str, str]] = {  # group dimension -> the (dimension, value) row its values add up to
    "imd_quintile_males": ("sex", "Males"),
    "imd_quintile_females": ("sex", "Females"),
}
# (total indicator, total field) == sum of (part indicator, part field), same area, period and cancer type, all patients
SHARED_COUNTS: tuple[tuple[str, int, str, int, str], ...] = (
    ("early_stage", DENOMINATOR, "stage_completeness", NUMERATOR, "patients with a known stage"),
    ("incidence_crude", NUMERATOR, "stage_completeness", DENOMINATOR, "diagnoses"),
    ("mortality_asr", NUMERATOR, "mortality_age_specific", NUMERATOR, "deaths (age bands add up to all ages)"),
)
RATE_FROM_BANDS = ("mortality_asr", "mortality_age_specific")  # an age-standardised rate and the bands it is computed from


@dataclass(frozen=True)
class Model:
    """Cells are numbered row (numerator) and n_rows + row (denominator)."""

    values: np.ndarray  # per cell; NaN where the row has no such count
    is_cell: np.ndarray  # per cell: a count of people that is served
    relations: Relations
    names: tuple[str, ...]  # per relation: which family kind it came from
    inputs: tuple[np.ndarray, np.ndarray]  # (dependent row, input row): withhold the first when the second is withheld
    not_sums: dict[str, int]  # family kind -> families whose parts exceed their total (left out)

    @property
    def rows(self) -> int:
        return len(self.values) // 2

    def cells_of(self, rows: np.ndarray) -> np.ndarray:
        return np.concatenate([rows, rows + self.rows])


Keys = pd.DataFrame  # a "row" column (positions in the table) plus key columns shared by parts and totals


@dataclass(frozen=True)
class FamilyKind:
    name: str
    members: Callable[[pd.DataFrame, dict[str, str]], Iterator[tuple[Keys, Keys]]]  # (parts, totals)
    fields: tuple[tuple[int, int], ...] = ((NUMERATOR, NUMERATOR), (DENOMINATOR, DENOMINATOR))  # (total field, part field)


def _text(table: pd.DataFrame, column: str) -> pd.Series:
    return table[column].astype(str)


def _keyed(table: pd.DataFrame, mask: np.ndarray, **columns: pd.Series) -> Keys:
    rows = np.flatnonzero(mask)
    return pd.DataFrame({"row": rows, **{k: np.asarray(v)[rows] for k, v in columns.items()}})


def _base(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {c: _text(table, c) for c in ("indicator_id", "period", "cancer_type", "area_code", "group_dimension", "group_value")}


def area_families(table: pd.DataFrame, parents: dict[str, str]) -> Iterator[tuple[Keys, Keys]]:
    base = _base(table)
    area = base.pop("area_code")
    parent = area.map(parents)
    yield _keyed(table, parent.notna().to_numpy(), **base, area=parent), _keyed(table, np.ones(len(table), bool), **base, area=area)


def period_families(table: pd.DataFrame, _: dict[str, str]) -> Iterator[tuple[Keys, Keys]]:
    base = _base(table)
    periods = table[["indicator_id", "period", "period_start", "period_end", "period_type"]].astype({"indicator_id": str, "period": str, "period_type": str})
    periods = periods.drop_duplicates(["indicator_id", "period"])
    pairs = periods.merge(periods, on="indicator_id", suffixes=("", "_parent"))
    inside = (pairs["period_start_parent"] <= pairs["period_start"]) & (pairs["period_end"] <= pairs["period_end_parent"]) & (pairs["period"] != pairs["period_parent"])
    pairs = pairs[inside]
    lookup = pd.DataFrame({"indicator_id": base["indicator_id"].to_numpy(), "period": base["period"].to_numpy()})
    # One family per (longer period, kind of shorter period): months in a quarter, quarters in a
    # year, ...; and one per longer period tiled by the longest pieces that fit, the gaps filled
    # with shorter ones ("mixed": April to October is two quarters and October).
    pairs = pd.concat([pairs, _mixed_tilings(pairs)], ignore_index=True)
    for kind, group in pairs.groupby("period_type"):
        for _, ranked in group.assign(k=group.groupby(["indicator_id", "period"]).cumcount()).groupby("k"):
            parent = lookup.merge(ranked[["indicator_id", "period", "period_parent"]], on=["indicator_id", "period"], how="left")["period_parent"]
            fields = {k: v for k, v in base.items() if k != "period"}
            yield (
                _keyed(table, parent.notna().to_numpy(), **fields, period=parent, kind=np.full(len(table), kind)),
                _keyed(table, np.ones(len(table), bool), **fields, period=base["period"], kind=np.full(len(table), kind)),
            )


def _mixed_tilings(pairs: pd.DataFrame) -> pd.DataFrame:
    """(child, parent) pairs of each parent's coarsest tiling, where it mixes kinds of period."""
    out = []
    pairs = pairs.assign(length=(pairs["period_end"] - pairs["period_start"]))
    for _, children in pairs.sort_values(["length", "period_start"], ascending=[False, True]).groupby(["indicator_id", "period_parent"], sort=False):
        chosen: list[int] = []
        taken: list[tuple[object, object]] = []
        for index, child in children.iterrows():
            if not any(child["period_start"] <= end and start <= child["period_end"] for start, end in taken):
                chosen.append(index)
                taken.append((child["period_start"], child["period_end"]))
        tiling = children.loc[chosen]
        if tiling["period_type"].nunique() > 1:
            out.append(tiling.assign(period_type="mixed"))
    return pd.concat(out, ignore_index=True).drop(columns="length") if out else pairs.iloc[:0].drop(columns="length")


def group_families(table: pd.DataFrame, _: dict[str, str]) -> Iterator[tuple[Keys, Keys]]:
    base = _base(table)
    dim, value = base.pop("group_dimension"), base.pop("group_value")
    total_dim = dim.map(lambda d: GROUP_TOTALS.get(d, ("all", "All"))[0])
    total_value = dim.map(lambda d: GROUP_TOTALS.get(d, ("all", "All"))[1])
    parts = _keyed(table, (dim != "all").to_numpy(), **base, dim=dim, total=total_dim + "/" + total_value)
    # A total row is the total of every dimension that adds up to it: one key per (total row, dimension).
    totals = []
    for part_dim in sorted(set(dim) - {"all"}):
        target = GROUP_TOTALS.get(part_dim, ("all", "All"))
        mask = ((dim == target[0]) & (value == target[1])).to_numpy()
        totals.append(_keyed(table, mask, **base, dim=np.full(len(table), part_dim), total=np.full(len(table), "/".join(target))))
    yield parts, pd.concat(totals, ignore_index=True) if totals else parts.iloc[:0]


def cancer_families(table: pd.DataFrame, _: dict[str, str]) -> Iterator[tuple[Keys, Keys]]:
    base = _base(table)
    cancer = base.pop("cancer_type")
    is_total = cancer.map(cancers.is_total).to_numpy(dtype=bool)
    applicable = (cancer != cancers.NOT_APPLICABLE).to_numpy()
    yield _keyed(table, ~is_total & applicable, **base), _keyed(table, is_total, **base)


def shared_count_families(total_id: str, part_id: str) -> Callable[[pd.DataFrame, dict[str, str]], Iterator[tuple[Keys, Keys]]]:
    def members(table: pd.DataFrame, _: dict[str, str]) -> Iterator[tuple[Keys, Keys]]:
        base = _base(table)
        indicator, dim = base.pop("indicator_id"), base.pop("group_dimension")
        base.pop("group_value")
        if part_id == RATE_FROM_BANDS[1]:  # the bands are a group dimension of their own indicator
            part_mask = (indicator == part_id).to_numpy()
        else:
            part_mask = ((indicator == part_id) & (dim == "all")).to_numpy()
        yield _keyed(table, part_mask, **base), _keyed(table, ((indicator == total_id) & (dim == "all")).to_numpy(), **base)
    return members


FAMILY_KINDS: tuple[FamilyKind, ...] = (
    FamilyKind("areas within their parent area", area_families),
    FamilyKind("shorter periods within a longer one", period_families),
    FamilyKind("groups within their total", group_families),
    FamilyKind("cancer types within their total", cancer_families),
    *(FamilyKind(f"shared count: {name}", shared_count_families(total_id, part_id), ((total_field, part_field),))
      for total_id, total_field, part_id, part_field, name in SHARED_COUNTS),
)


def _family_ids(parts: Keys, totals: Keys) -> tuple[np.ndarray, np.ndarray]:
    keys = [c for c in parts.columns if c != "row"]
    both = pd.concat([parts[keys], totals[keys]], ignore_index=True)
    ids = both.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    return ids[: len(parts)], ids[len(parts):]


def _cells(table: pd.DataFrame, registry: Registry) -> tuple[np.ndarray, np.ndarray]:
    numerator = table["numerator"].to_numpy(dtype=float)
    denominator = table["denominator"].to_numpy(dtype=float)
    indicator = _text(table, "indicator_id")
    exempt = {i for i, ind in registry.items() if not ind.counts_people}
    # Modelled rows are not counts of people: they serve a modelled percentage only (their
    # counts are never shown) and are withheld with the published totals they come from.
    counts = (~indicator.isin(exempt) & (_text(table, "data_status") != "modelled")).to_numpy()
    percent = indicator.map(lambda i: i in registry and registry[i].unit == Unit.PERCENT).to_numpy(dtype=bool)
    values = np.concatenate([numerator, denominator])
    is_cell = np.concatenate([counts & ~np.isnan(numerator), counts & percent & ~np.isnan(denominator)])
    return values, is_cell


def build_model(table: pd.DataFrame, registry: Registry, parents: dict[str, str]) -> Model:
    """Every relation among the table's cells (positions are the table's row positions)."""
    table = table.reset_index(drop=True)
    n = len(table)
    values, is_cell = _cells(table, registry)
    blocks, names, equality, not_sums = [], [], [], {}
    for kind in FAMILY_KINDS:
        for parts, totals in kind.members(table, parents):
            part_family, total_family = _family_ids(parts, totals)
            for total_field, part_field in kind.fields:
                rel = _relations(parts["row"].to_numpy() + part_field * n, part_family, totals["row"].to_numpy() + total_field * n, total_family, values, is_cell)
                if rel is None:
                    continue
                matrix, exact, bad = rel
                blocks.append(matrix)
                equality.append(exact)
                names.extend([kind.name] * matrix.shape[0])
                not_sums[kind.name] = not_sums.get(kind.name, 0) + bad
    blocks.append(_within_rows(n, values, is_cell))
    equality.append(np.zeros(blocks[-1].shape[0], dtype=bool))
    names.extend(["numerator within its denominator"] * blocks[-1].shape[0])
    matrix = sparse.vstack(blocks).tocsr()
    return Model(
        values=values, is_cell=is_cell, relations=Relations(matrix, np.concatenate(equality)),
        names=tuple(names), inputs=_joined(_rate_inputs(table), _modelled_inputs(table)), not_sums=not_sums,
    )


def _relations(
    part_cells: np.ndarray, part_family: np.ndarray, total_cells: np.ndarray, total_family: np.ndarray, values: np.ndarray, is_cell: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, int] | None:
    """One relation per family that has a served total and at least one part: total - sum(parts) (== or >=) 0."""
    keep_total = is_cell[total_cells]
    total_cells, total_family = total_cells[keep_total], total_family[keep_total]
    if len(total_cells) == 0:
        return None
    n_fam = int(max(part_family.max(initial=-1), total_family.max(initial=-1))) + 1
    has_total = np.zeros(n_fam, dtype=bool)
    has_total[total_family] = True
    # A part that is not served (no count in the source) makes the family a ">=" at most.
    unknown_part = np.zeros(n_fam, dtype=bool)
    unknown_part[part_family[~is_cell[part_cells]]] = True
    served = is_cell[part_cells]
    part_cells, part_family = part_cells[served], part_family[served]
    has_part = np.bincount(part_family, minlength=n_fam) > 0
    use = has_total & has_part
    slack = np.zeros(n_fam)
    np.add.at(slack, total_family, values[total_cells])
    np.subtract.at(slack, part_family, values[part_cells])
    not_sum = use & (slack < -TOLERANCE)
    use &= ~not_sum
    ids = np.cumsum(use) - 1
    rows = np.concatenate([ids[total_family[use[total_family]]], ids[part_family[use[part_family]]]])
    cols = np.concatenate([total_cells[use[total_family]], part_cells[use[part_family]]])
    data = np.concatenate([np.ones(int(use[total_family].sum())), -np.ones(int(use[part_family].sum()))])
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(int(use.sum()), len(values)))
    exact = (np.abs(slack) <= TOLERANCE) & ~unknown_part
    return matrix, exact[use], int(not_sum.sum())


def _within_rows(n: int, values: np.ndarray, is_cell: np.ndarray) -> sparse.csr_matrix:
    """denominator - numerator >= 0 for every row with both counts."""
    rows = np.flatnonzero(is_cell[:n] & is_cell[n:])
    k = len(rows)
    return sparse.csr_matrix(
        (np.concatenate([np.ones(k), -np.ones(k)]), (np.concatenate([np.arange(k), np.arange(k)]), np.concatenate([rows + n, rows]))),
        shape=(k, len(values)),
    )


def _rate_inputs(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(age-standardised rate row, age band row) pairs: the rate is computed from the band's count."""
    rate_id, band_id = RATE_FROM_BANDS
    base = _base(table)
    key = ["area_code", "period", "cancer_type"]
    frame = pd.DataFrame({k: base[k] for k in [*key, "indicator_id", "group_dimension"]})
    frame["row"] = np.arange(len(table))
    # Persons rates only: a persons rate is a weighted sum of these very band counts, so with two
    # bands withheld it and their sum would pin both. A rate by sex is computed from counts by
    # sex and age band, which are never served: it gives no equation in the served bands alone.
    rates = frame[(frame["indicator_id"] == rate_id) & (frame["group_dimension"] == "all")]
    bands = frame[frame["indicator_id"] == band_id]
    pairs = rates.merge(bands, on=key, suffixes=("_rate", "_band"))
    return pairs["row_rate"].to_numpy(), pairs["row_band"].to_numpy()



def _joined(*pairs: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def _modelled_inputs(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(modelled row, published total row) pairs: a modelled figure splits its own area's published
    all-patients total, so it is withheld with it. (Alliance and England figures are sums over
    their ICBs' models, whose coefficients are not served: the total is the link an attacker has.)"""
    base = _base(table)
    key = ["indicator_id", "period", "cancer_type", "area_code"]
    frame = pd.DataFrame({k: base[k] for k in [*key, "group_dimension"]})
    frame["row"] = np.arange(len(table))
    modelled = frame[(_text(table, "data_status") == "modelled").to_numpy()]
    totals = frame[(frame["group_dimension"] == "all").to_numpy()]
    pairs = modelled.merge(totals, on=key, suffixes=("", "_total"))
    return pairs["row"].to_numpy(), pairs["row_total"].to_numpy()
