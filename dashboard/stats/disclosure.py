"""Disclosure control: one rule, applied once, before anything reaches a view or a download.

Primary rule: a row is suppressed when it rests on a count of 1 to 4 people, either
shown (numerator or denominator) or derivable from what is shown (denominator minus
numerator). Its numerator, denominator, value and limits are withheld.

Secondary rule: within every family of rows that add up to a shown total (an area's
groups and its all-patients row; an alliance's ICBs; an ICB's sub-ICBs; England's
alliances; the cancer types and their "All" row; the months, quarters and years that
nest in a longer period), no family may have exactly one row withheld, or subtracting the shown rows
from the total would recover it. The smallest other row of such a family is withheld
too, repeatedly, until no family has a single withheld row.

Indicators whose numbers are not counts of patients (population estimates) are exempt:
the caller names them, from the indicator registry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core import cancers

SMALL_COUNT_MIN, SMALL_COUNT_MAX = 1, 4
PRIMARY = "Suppressed: based on a count of 1 to 4 people"
SECONDARY = "Suppressed: would reveal another suppressed count by subtraction"
RULE_TEXT = (
    "Counts of 1 to 4 people, and any value, interval or count derived from them (including a "
    "denominator minus its numerator), are suppressed; so is the smallest other figure wherever a "
    "single suppressed figure could be recovered by subtraction from a shown total (an area and its "
    "groups; an alliance and its ICBs; an ICB and its sub-ICBs; England and its alliances; cancer types "
    "and their 'All' row; months, quarters and years within a longer period)."
)
MAX_ROUNDS = 20


def is_small(count: pd.Series) -> pd.Series:
    return count.between(SMALL_COUNT_MIN, SMALL_COUNT_MAX)


def primary_mask(table: pd.DataFrame, exempt: frozenset[str]) -> pd.Series:
    counts = ~table["indicator_id"].isin(exempt)
    small = is_small(table["numerator"]) | is_small(table["denominator"]) | is_small(table["denominator"] - table["numerator"])
    return counts & small


def _codes(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the columns' values; -1 where any is missing.

    Integer keys instead of joined strings: the same families for a fraction of the
    memory and time on a table of 370,000 rows.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    missing = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        if isinstance(column.dtype, pd.CategoricalDtype):  # the loaded table's text columns: codes are free
            codes, size = column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories)
        else:
            codes, uniques = pd.factorize(column.astype("object"), use_na_sentinel=True)
            size = len(uniques)
        missing |= codes < 0
        combined, _ = pd.factorize(combined * (size + 1) + codes)
    return np.where(missing, -1, combined)


Family = tuple[np.ndarray, np.ndarray]  # (family code per row, -1 = not in one; is-total per row)


def _families(table: pd.DataFrame, parents: dict[str, str]) -> list[Family]:
    """Families of groups within an area, and of areas within their parent area."""
    indicator, period, cancer = table["indicator_id"], table["period"], table["cancer_type"]
    dims = table["group_dimension"].astype(str)
    is_all = (dims == "all").to_numpy()
    families = []
    # An area's groups add up to its all-patients row.
    for dim in sorted(set(dims) - {"all"}):
        in_family = pd.Series(np.where(is_all | (dims == dim).to_numpy(), dim, None), index=table.index)
        families.append((_codes(indicator, period, cancer, table["area_code"], in_family), is_all))
    # Areas add up to their parent area, within one group.
    area = table["area_code"].astype(str)
    parent = area.map(parents)
    group = [table["group_dimension"], table["group_value"]]
    families.append((_codes(indicator, period, cancer, *group, parent), np.zeros(len(table), dtype=bool)))
    own = area.where(area.isin(set(parents.values())))
    families.append((_codes(indicator, period, cancer, *group, own), np.ones(len(table), dtype=bool)))
    return families


def _cancer_type_families(table: pd.DataFrame) -> list[Family]:
    """Cancer types add up to their 'All …' row (conservative where a source's do not)."""
    is_all = table["cancer_type"].astype(str).map(cancers.is_total).to_numpy(dtype=bool)
    key = _codes(table["indicator_id"], table["period"], table["area_code"], table["group_dimension"], table["group_value"])
    return [(key, is_all)]


def _period_families(table: pd.DataFrame) -> list[Family]:
    """Shorter periods add up to each longer period that contains them (month -> quarter -> year)."""
    periods = table[["indicator_id", "period", "period_start", "period_end"]].drop_duplicates(["indicator_id", "period"])
    pairs = periods.merge(periods, on="indicator_id", suffixes=("", "_parent"))
    inside = (pairs["period_start_parent"] <= pairs["period_start"]) & (pairs["period_end"] <= pairs["period_end_parent"]) & (pairs["period"] != pairs["period_parent"])
    pairs = pairs[inside][["indicator_id", "period", "period_parent"]].astype(str)
    if pairs.empty:
        return []
    rest = [table["cancer_type"], table["area_code"], table["group_dimension"], table["group_value"]]
    lookup = pd.DataFrame({"indicator_id": table["indicator_id"].astype(str).to_numpy(), "period": table["period"].astype(str).to_numpy()})
    families = []
    ranked = pairs.assign(k=pairs.groupby(["indicator_id", "period"]).cumcount())
    for _, group in ranked.groupby("k"):
        parent = lookup.merge(group[["indicator_id", "period", "period_parent"]], on=["indicator_id", "period"], how="left")["period_parent"]
        parent.index = table.index
        families.append((_codes(table["indicator_id"], parent, *rest), np.zeros(len(table), dtype=bool)))
    own = table["period"].astype(str).where(table["period"].astype(str).isin(set(pairs["period_parent"])))
    families.append((_codes(table["indicator_id"], own, *rest), np.ones(len(table), dtype=bool)))
    return families


def _membership(table: pd.DataFrame, parents: dict[str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (row, family, is-total) triple, with families numbered 0..n-1 across all kinds."""
    rows, keys, totals = [], [], []
    for index, (key, is_total) in enumerate([*_families(table, parents), *_cancer_type_families(table), *_period_families(table)]):
        present = key >= 0
        rows.append(np.flatnonzero(present))
        keys.append(key[present] + (np.int64(index) << 32))  # keep each list's families apart
        totals.append(is_total[present])
    codes, _ = pd.factorize(np.concatenate(keys))
    return np.concatenate(rows), codes, np.concatenate(totals)


def secondary_mask(table: pd.DataFrame, withheld: pd.Series, parents: dict[str, str], exempt_indicators: frozenset[str]) -> pd.Series:
    """Rows to withhold so that no family has exactly one withheld part."""
    withheld_rows = withheld.to_numpy().copy()
    exempt = table["indicator_id"].isin(exempt_indicators).to_numpy()
    size = table["numerator"].fillna(np.inf).to_numpy()
    row, family, total = _membership(table, parents)
    keep = ~exempt[row]
    row, family, total = row[keep], family[keep], total[keep]
    part_row, part_family = row[~total], family[~total]
    total_row, total_family = row[total], family[total]
    n_families = int(family.max()) + 1 if len(family) else 0
    for _ in range(MAX_ROUNDS):
        hidden_parts = np.bincount(part_family, weights=withheld_rows[part_row], minlength=n_families)
        exposed = hidden_parts == 1
        if not exposed.any():
            break
        # In each exposed family, withhold the smallest part still shown ...
        candidate = exposed[part_family] & ~withheld_rows[part_row]
        order = np.lexsort((size[part_row[candidate]], part_family[candidate]))
        fam_sorted = part_family[candidate][order]
        first = np.ones(len(fam_sorted), dtype=bool)
        first[1:] = fam_sorted[1:] != fam_sorted[:-1]
        chosen = part_row[candidate][order][first]
        # ... or, where none is left, the total itself.
        served = np.zeros(n_families, dtype=bool)
        served[fam_sorted[first]] = True
        lonely = exposed & ~served
        chosen_totals = total_row[lonely[total_family] & ~withheld_rows[total_row]]
        new = np.concatenate([chosen, chosen_totals])
        new = new[~withheld_rows[new]]
        if len(new) == 0:
            break
        withheld_rows[new] = True
    return pd.Series(withheld_rows, index=table.index)


def suppression_reasons(table: pd.DataFrame, parents: dict[str, str], exempt: frozenset[str]) -> pd.Series:
    """Why each row is withheld: PRIMARY, SECONDARY or "" (shown). Same index as `table`.

    `parents` maps each area code to the area its figures add up to; `exempt` names the
    indicators that are not counts of people. Withholding the numbers is the data layer's
    job (`dashboard.data.loading.withhold`), so the rule and the table's columns stay apart.
    """
    primary = primary_mask(table, exempt)
    everything = secondary_mask(table.reset_index(drop=True), primary.reset_index(drop=True), parents, exempt)
    reason = np.where(primary.to_numpy(), PRIMARY, np.where(everything.to_numpy(), SECONDARY, ""))
    return pd.Series(reason, index=table.index, dtype="object")
