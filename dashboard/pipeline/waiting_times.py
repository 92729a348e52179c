"""Cancer Waiting Times: Faster Diagnosis Standard (monthly, 2021-2024) and the 31- and
62-day standards (2023 extracts), as shares within the standard with Wilson intervals.

Provider-based figures are attributed to ICBs through NHS England's trust -> ICB
attribution file and, for providers it lacks, the project's own table
(dashboard/pipeline/reference/provider_attribution.csv, each row with its basis).
England totals include every provider, attributed or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.core.cancers import ALL_CANCERS, ALL_SUSPECTED
from dashboard.core.errors import InputError
from dashboard.core.geography import ENGLAND_CODE, AreaLevel
from dashboard.data.schema import GroupDimension
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source, require_file
from dashboard.pipeline.periods import (
    financial_quarter,
    financial_year,
    financial_year_of,
    month,
    month_span,
)
from dashboard.pipeline.rows import aggregate_up, finish, proportion_rows, with_period

FDS_FOLDER = "outcomes/cwt-fds-monthly"
FDS_FILE_PATTERN = re.compile(r"data_(\d{4})_(\d{2})\.csv$")
TRUST_ATTRIBUTION = "lookups/Trust-ICB-Attribution-File.csv"
PROJECT_ATTRIBUTION = Path(__file__).parent / "reference" / "provider_attribution.csv"
PROVIDER_EXTRACTS = (
    "outcomes/cwt-extracts-2023/CWT-CRS-Apr-2023-to-Sep-2023-Data-Extract-Provider-Provisional.xlsx",
    "outcomes/cwt-extracts-2023/CWT-CRS-Oct-2023-Data-Extract-Provider.xlsx",
)
SUBICB_EXTRACT = "outcomes/cwt-extracts-2023/CWT-CRS-Apr-23-to-Oct-23-Data-Extract-ICB-Sub-Location.xlsx"

MAX_UNATTRIBUTED_SHARE = 0.005
ALL = "All"

FDS_COLUMNS = {
    "ODS CODE (1)": "provider",
    "ACCOUNTABLE PROVIDER": "provider_name",
    "REFERRAL ROUTE": "route",
    "SUSPECTED CANCER OR BREAST SYMPTOMATIC": "cancer_type",
    "TOTAL": "total",
    "WITHIN 28 DAYS": "within",
}
ROUTE_LABELS = {
    "URGENT SUSPECTED CANCER": "Urgent suspected cancer",
    "NATIONAL SCREENING PROGRAMME": "Screening",
    "BREAST SYMPTOMATIC, CANCER NOT SUSPECTED": "Breast symptomatic, cancer not suspected",
    "Urgent Suspected Cancer": "Urgent suspected cancer",
    "Screening": "Screening",
    "Breast Symptomatic": "Breast symptomatic, cancer not suspected",
    "Consultant Upgrade": "Consultant upgrade",
    # The 31-day standard's "route" is the treatment stage; the commissioner extract writes it in sentence case.
    "First Treatment": "First treatment",
    "Subsequent Treatment": "Subsequent treatment",
}
# October 2023 split three tumour groups; the technical note maps them back to the
# groups used April-September, so the seven months add up.
OCTOBER_2023_CANCER_TYPES = {
    "Haematological - Lymphoma": "Haematological",
    "Haematological - Other (a)": "Haematological",
    "Upper Gastrointestinal - Hepatobiliary": "Upper Gastrointestinal",
    "Upper Gastrointestinal - Oesophagus & Stomach": "Upper Gastrointestinal",
    "Urological - Prostate": "Urological",
    "Urological - Other (a)": "Urological",
}
SUBICB_CATEGORIES = {
    "31-day (First)": ("treatment_stage", "First treatment"),
    "31-day Sub (Anti-cancer drug regimen)": ("treatment_stage", "Subsequent treatment"),
    "31-day Sub (Other)": ("treatment_stage", "Subsequent treatment"),
    "31-day Sub (Radiotherapy)": ("treatment_stage", "Subsequent treatment"),
    "31-day Sub (Surgery)": ("treatment_stage", "Subsequent treatment"),
    "62-day (Breast Symptomatic)": ("referral_route", "Breast symptomatic, cancer not suspected"),
    "62-day (Consultant Upgrade)": ("referral_route", "Consultant upgrade"),
    "62-day (Screening)": ("referral_route", "Screening"),
    "62-day (Urgent Suspected Cancer)": ("referral_route", "Urgent suspected cancer"),
}
STANDARD_IDS = {"28-day FDS": "fds_28day", "31-day Combined": "cwt_31day", "62-day Combined": "cwt_62day"}
KEYS = ["indicator_id", "year", "month", "cancer_type", "group_dimension", "group_value"]


@dataclass(frozen=True)
class AttributionReport:
    unattributed_share: float
    unattributed_providers: list[tuple[str, float]]


# --- reading -------------------------------------------------------------------------

def read_fds_months(sources: Path) -> pd.DataFrame:
    folder = sources / FDS_FOLDER
    files = sorted(p for p in folder.glob("data_*.csv") if FDS_FILE_PATTERN.search(p.name)) if folder.is_dir() else []
    if not files:
        raise InputError(f"missing source files: no data_YYYY_MM.csv in {folder}")
    return pd.concat([_read_fds_file(path) for path in files], ignore_index=True)


def _read_fds_file(path: Path) -> pd.DataFrame:
    """One monthly file. The header line moved (line 7, later line 9): find it by name."""
    year, month_number = (int(g) for g in FDS_FILE_PATTERN.search(path.name).groups())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = next((i for i, line in enumerate(lines[:20]) if "ODS CODE" in line), None)
    if header is None:
        raise InputError(f"{path}: no header line containing 'ODS CODE' in the first 20 lines")
    frame = pd.read_csv(path, skiprows=header, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [re.sub(r"\s*\(\d+\)$", "", c).strip() if "SUSPECTED" in c else c.strip() for c in frame.columns]
    missing = [c for c in FDS_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    frame = frame[list(FDS_COLUMNS)].rename(columns=FDS_COLUMNS)
    # Rows with no provider code are the blank line and "ALL ENGLISH PROVIDERS" totals.
    frame = frame[frame["provider"].str.strip() != ""].copy()
    for column in ("total", "within"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.isna().any():
            row = frame.index[numbers.isna()][0] + header + 2
            raise InputError(f"{path}: line {row}, column {column.upper()}: not a number")
        frame[column] = numbers.astype(float)
    unknown_routes = sorted(set(frame["route"]) - set(ROUTE_LABELS))
    if unknown_routes:
        raise InputError(f"{path}, column REFERRAL ROUTE: unexpected value(s) {unknown_routes}")
    return frame.assign(
        provider=frame["provider"].str.strip(),
        route=frame["route"].map(ROUTE_LABELS),
        cancer_type=frame["cancer_type"].str.strip(),
        year=year,
        month=month_number,
        indicator_id="fds_28day",
    )


def read_attribution(sources: Path, index: AreaIndex) -> dict[str, str]:
    """Provider ODS code -> ICB E54 code, from NHS England's file then the project's table."""
    path = require_file(sources, TRUST_ATTRIBUTION)
    nhse = read_csv_source(sources, TRUST_ATTRIBUTION, columns=["Code", "ICB Code"], skiprows=7)
    nhse = nhse[["Code", "ICB Code"]].apply(lambda c: c.str.strip()).drop_duplicates()
    clashes = sorted(set(nhse.loc[nhse["Code"].duplicated(), "Code"]))
    if clashes:
        raise InputError(f"{path}: provider code(s) {clashes} attributed to more than one ICB")
    project = pd.read_csv(PROJECT_ATTRIBUTION, dtype=str)
    overlap = sorted(set(project["provider_code"]) & set(nhse["Code"]))
    if overlap:
        raise InputError(f"{PROJECT_ATTRIBUTION}: provider(s) {overlap} are already in {path}; remove them here")
    icb_by_ods = dict(index.areas[["icb_ods", "icb_code"]].drop_duplicates().itertuples(index=False))
    attribution = {}
    for file, codes in ((path, nhse.rename(columns={"Code": "provider_code", "ICB Code": "icb_ods"})), (PROJECT_ATTRIBUTION, project)):
        unknown = sorted(set(codes["icb_ods"]) - set(icb_by_ods))
        if unknown:
            raise InputError(f"{file}: ICB code(s) {unknown} are not ICBs in geodata/areas.csv")
        attribution.update({p: icb_by_ods[q] for p, q in zip(codes["provider_code"], codes["icb_ods"], strict=True)})
    return attribution


def attribute(frame: pd.DataFrame, attribution: dict[str, str], *, label: str, weight: str = "total") -> tuple[pd.DataFrame, AttributionReport]:
    """Add the provider's ICB; fail if more than 0.5% of activity has none."""
    icb = frame["provider"].map(attribution)
    missing = frame[icb.isna()]
    share = float(missing[weight].sum() / frame[weight].sum())
    by_provider = missing.groupby("provider")[weight].sum().sort_values(ascending=False)
    report = AttributionReport(share, [(code, float(total)) for code, total in by_provider.items()])
    if share > MAX_UNATTRIBUTED_SHARE:
        raise InputError(
            f"{label}: {share:.2%} of activity is from providers with no ICB attribution (limit 0.5%): "
            f"{report.unattributed_providers[:15]}; add them to {PROJECT_ATTRIBUTION} with the basis"
        )
    return frame.assign(icb_code=icb), report


def read_provider_extracts(sources: Path) -> pd.DataFrame:
    """31- and 62-day rows of the 2023 provider extracts: by cancer type, and all cancers.

    Each provider × month × stage/route is published twice: across all modalities by
    tumour group, and by treatment modality for "ALL CANCERS". The first gives the
    tumour groups; the second, summed over the four modalities, gives the published
    all-cancers total. The build checks that the tumour groups add up to that total
    (they are exhaustive, "Other (a)" included) and stops, naming the file and the
    difference, if they do not.
    """
    frames = []
    for relative in PROVIDER_EXTRACTS:
        path = require_file(sources, relative)
        try:
            frame = pd.read_excel(path, engine="calamine", sheet_name="CWT CRS Provider Extract", dtype={"ORG CODE": str})
        except Exception as exc:
            raise InputError(f"cannot read {path}: {exc}") from exc
        raw = frame[frame["STANDARD"].isin(["31-day Combined", "62-day Combined"])]
        frames.append(_provider_rows(raw, path))
    return pd.concat(frames, ignore_index=True)


def _provider_rows(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    by_type = raw["TREATMENT MODALITY"] == "ALL MODALITIES"
    is_31 = raw["STANDARD"] == "31-day Combined"
    frame = pd.DataFrame(
        {
            "indicator_id": raw["STANDARD"].map(STANDARD_IDS),
            "provider": raw["ORG CODE"].str.strip(),
            "year": raw["PERIOD"].dt.year,
            "month": raw["PERIOD"].dt.month,
            "cancer_type": raw["CANCER TYPE"].map(lambda c: OCTOBER_2023_CANCER_TYPES.get(c, c)).replace("ALL CANCERS", ALL_CANCERS),
            "group_dimension": is_31.map({True: GroupDimension.TREATMENT_STAGE.value, False: GroupDimension.REFERRAL_ROUTE.value}),
            "route": raw["STAGE/ROUTE"].map(lambda r: ROUTE_LABELS.get(r, r)),
            "total": raw["TOTAL TREATED"].astype(float),
            "within": raw["WITHIN STANDARD"].astype(float),
        }
    )
    sites, totals = frame[by_type.to_numpy()], frame[~by_type.to_numpy()]
    if set(totals["cancer_type"]) - {ALL_CANCERS}:
        raise InputError(f"{path}: rows by treatment modality for a cancer type other than ALL CANCERS: {sorted(set(totals['cancer_type']) - {ALL_CANCERS})}")
    keys = ["indicator_id", "provider", "year", "month", "group_dimension", "route"]
    published = totals.groupby(keys, as_index=False)[["total", "within"]].sum()
    summed = sites.groupby(keys, as_index=False)[["total", "within"]].sum()
    check = published.merge(summed, on=keys, how="outer", suffixes=("_published", "_sites")).fillna(0)
    off = (check["total_published"] != check["total_sites"]) | (check["within_published"] != check["within_sites"])
    if off.any():
        first = check[off].iloc[0]
        raise InputError(
            f"{path}: tumour groups do not add up to the ALL CANCERS total in {int(off.sum())} provider-months, "
            f"e.g. {first['provider']} {int(first['year'])}-{int(first['month']):02d} {first['route']}: "
            f"{first['total_sites']} treated by tumour group against {first['total_published']} published"
        )
    return pd.concat([sites, published.assign(cancer_type=ALL_CANCERS)], ignore_index=True)


def read_subicb_extract(sources: Path, index: AreaIndex) -> tuple[pd.DataFrame, float]:
    """The commissioner extract: sub-ICB (by ODS code) × month × standard × sub-category."""
    path = require_file(sources, SUBICB_EXTRACT)
    try:
        raw = pd.read_excel(path, engine="calamine", sheet_name="CWT CRS ICB SubLocation Extract", dtype={"ICB SUB LOCATION": str})
    except Exception as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    subicb_by_ods = dict(index.areas[["subicb_ods", "subicb_code"]].itertuples(index=False))
    code = raw["ICB SUB LOCATION"].str.strip().map(subicb_by_ods)
    unmatched_share = float(raw.loc[code.isna(), "TOTAL"].sum() / raw["TOTAL"].sum())
    category = raw["SUB-CATEGORY"].map(lambda c: SUBICB_CATEGORIES.get(c, (GroupDimension.ALL.value, ALL)))
    return (
        pd.DataFrame(
            {
                "indicator_id": raw["STANDARD"].map(STANDARD_IDS) + "_commissioner",
                "area_code": code,
                "year": raw["PERIOD"].dt.year,
                "month": raw["PERIOD"].dt.month,
                "cancer_type": ALL_CANCERS,
                "group_dimension": [c[0] for c in category],
                "group_value": [c[1] for c in category],
                "total": raw["TOTAL"].astype(float),
                "within": raw["WITHIN STANDARD"].astype(float),
            }
        ),
        unmatched_share,
    )


# --- shaping -------------------------------------------------------------------------

def fds_breakdowns(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cut the FDS files support: all, by cancer type, by route, by both."""
    keys = ["indicator_id", "icb_code", "year", "month"]
    base = frame.rename(columns={"route": "group_value"})
    cuts = []
    for by_type in (False, True):
        for by_route in (False, True):
            piece = base.copy()
            if not by_type:
                piece["cancer_type"] = ALL_SUSPECTED
            piece["group_dimension"] = GroupDimension.REFERRAL_ROUTE.value if by_route else GroupDimension.ALL.value
            if not by_route:
                piece["group_value"] = ALL
            cuts.append(piece.groupby(keys + ["cancer_type", "group_dimension", "group_value"], as_index=False, dropna=False)[["total", "within"]].sum())
    return pd.concat(cuts, ignore_index=True)


def extract_breakdowns(frame: pd.DataFrame) -> pd.DataFrame:
    """31/62-day: all groups and by route (62) or treatment stage (31), per cancer type."""
    keys = ["indicator_id", "icb_code", "year", "month", "cancer_type"]
    overall = frame.groupby(keys, as_index=False, dropna=False)[["total", "within"]].sum()
    overall = overall.assign(group_dimension=GroupDimension.ALL.value, group_value=ALL)
    grouped = frame.rename(columns={"route": "group_value"})
    grouped = grouped.groupby(keys + ["group_dimension", "group_value"], as_index=False, dropna=False)[["total", "within"]].sum()
    return pd.concat([overall, grouped], ignore_index=True)


def to_areas(frame: pd.DataFrame, index: AreaIndex, *, base_level: AreaLevel) -> pd.DataFrame:
    """Base-level rows (attributed) plus their parents; England from every row."""
    keys = KEYS
    attributed = frame[frame["area_code"].notna()]
    parents = (AreaLevel.ALLIANCE,) if base_level == AreaLevel.ICB else (AreaLevel.ICB, AreaLevel.ALLIANCE)
    up = aggregate_up(attributed, index, from_level=base_level, to_levels=parents, keys=keys, sums=["total", "within"])
    england = frame.groupby(keys, as_index=False, dropna=False)[["total", "within"]].sum()
    england = england.assign(area_code=ENGLAND_CODE, area_level=AreaLevel.COUNTRY.value)
    base = attributed.groupby(["area_code", *keys], as_index=False, dropna=False)[["total", "within"]].sum()
    return pd.concat([base.assign(area_level=base_level.value), up, england], ignore_index=True)


def add_periods(frame: pd.DataFrame, *, quarters: bool, years: bool, span: bool) -> pd.DataFrame:
    """Monthly rows plus complete financial quarters, complete financial years and the whole span."""
    keys = ["indicator_id", "area_level", "area_code", "cancer_type", "group_dimension", "group_value"]
    months = frame.assign(_period=[month(y, m) for y, m in zip(frame["year"], frame["month"], strict=True)])
    pieces = [months]
    all_months = sorted(set(zip(frame["year"], frame["month"], strict=True)))

    def rollup(make, size: int | None) -> pd.DataFrame:
        labels = {ym: make(*ym) for ym in all_months}
        counts = pd.Series([labels[ym].label for ym in all_months]).value_counts()
        complete = {ym: p for ym, p in labels.items() if size is None or counts[p.label] == size}
        rows = frame[[ym in complete for ym in zip(frame["year"], frame["month"], strict=True)]]
        period = pd.Series([complete[ym] for ym in zip(rows["year"], rows["month"], strict=True)], index=rows.index)
        grouped = rows.assign(_label=period.map(lambda p: p.label)).groupby(keys + ["_label"], as_index=False, dropna=False)[["total", "within"]].sum()
        by_label = {p.label: p for p in complete.values()}
        return grouped.assign(_period=grouped["_label"].map(by_label)).drop(columns="_label")

    if quarters:
        pieces.append(rollup(financial_quarter, 3))
    if years:
        pieces.append(rollup(lambda y, m: financial_year(financial_year_of(y, m)), 12))
    if span:
        first, last = month(*all_months[0]), month(*all_months[-1])
        pieces.append(rollup(lambda y, m: month_span(first, last), None))
    combined = pd.concat(pieces, ignore_index=True)
    return with_period(combined.drop(columns=["year", "month", "_period"], errors="ignore"), combined["_period"])


def waiting_time_rows(sources: Path, index: AreaIndex) -> tuple[pd.DataFrame, dict[str, object]]:
    attribution = read_attribution(sources, index)
    fds, fds_report = attribute(read_fds_months(sources), attribution, label=f"{sources / FDS_FOLDER}")
    extracts, extract_report = attribute(read_provider_extracts(sources), attribution, label="CWT 2023 provider extracts")
    subicb, subicb_unmatched = read_subicb_extract(sources, index)

    fds_rows = to_areas(fds_breakdowns(fds).rename(columns={"icb_code": "area_code"}), index, base_level=AreaLevel.ICB)
    fds_rows = add_periods(fds_rows, quarters=True, years=True, span=False)
    extract_rows = to_areas(extract_breakdowns(extracts).rename(columns={"icb_code": "area_code"}), index, base_level=AreaLevel.ICB)
    extract_rows = add_periods(extract_rows, quarters=True, years=False, span=True)
    subicb_all = subicb.groupby(["indicator_id", "area_code", "year", "month", "cancer_type"], as_index=False, dropna=False)[["total", "within"]].sum()
    subicb_all = subicb_all.assign(group_dimension=GroupDimension.ALL.value, group_value=ALL)
    subicb_groups = subicb[subicb["group_dimension"] != GroupDimension.ALL.value]
    subicb_groups = subicb_groups.groupby(["indicator_id", "area_code", "year", "month", "cancer_type", "group_dimension", "group_value"], as_index=False, dropna=False)[["total", "within"]].sum()
    subicb_rows = to_areas(pd.concat([subicb_all, subicb_groups], ignore_index=True), index, base_level=AreaLevel.SUBICB)
    subicb_rows = add_periods(subicb_rows, quarters=True, years=False, span=True)

    sources_by_id = {
        "fds_28day": f"{FDS_FOLDER.removeprefix('outcomes/')}/data_2021_04.csv ... data_2024_09.csv",
        "cwt_31day": "; ".join(p.removeprefix("outcomes/") for p in PROVIDER_EXTRACTS),
        "cwt_62day": "; ".join(p.removeprefix("outcomes/") for p in PROVIDER_EXTRACTS),
    }
    combined = pd.concat([fds_rows, extract_rows, subicb_rows], ignore_index=True)
    combined = combined.rename(columns={"within": "numerator", "total": "denominator"})
    combined["source"] = combined["indicator_id"].map(lambda i: sources_by_id.get(i, SUBICB_EXTRACT.removeprefix("outcomes/")))
    rows = finish(proportion_rows(combined), index, source="")
    report = {
        "fds_unattributed_share": fds_report.unattributed_share,
        "fds_unattributed_providers": fds_report.unattributed_providers,
        "cwt_extract_unattributed_share": extract_report.unattributed_share,
        "cwt_extract_unattributed_providers": extract_report.unattributed_providers,
        "commissioner_extract_unmatched_share": subicb_unmatched,
    }
    return rows, report
