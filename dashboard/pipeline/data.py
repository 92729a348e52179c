"""Build data/ (the indicator table, its metadata and a manifest) from the published sources."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.core.checksums import sha256_bytes, sha256_of
from dashboard.data.boundaries import load_boundaries
from dashboard.data.schema import (
    COLUMNS,
    DATA_MANIFEST_FILE,
    DERIVED_FILE,
    KEY,
)
from dashboard.data.validation import DataValidationError
from dashboard.pipeline import modelled, mortality, population, stage, waiting_times
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.derived import STORED_DECIMALS, served_products
from dashboard.pipeline.indicators import INDICATORS
from dashboard.pipeline.io import pretty_json, replace_directory


@dataclass(frozen=True)
class DataBuild:
    files: dict[str, bytes]
    table: pd.DataFrame
    manifest: dict[str, Any]


def build_data(sources: Path, geodata_dir: Path, out: Path, fresh: bool = False) -> DataBuild:
    """Build the served data into `out`; the disclosure decision already there is reused when it
    was made for the very table built now, unless `fresh`."""
    result = make_data(sources, geodata_dir, previous=None if fresh else out / DERIVED_FILE)
    replace_directory(out, result.files)
    return result


def make_data(sources: Path, geodata_dir: Path, previous: Path | None = None) -> DataBuild:
    index = AreaIndex.load(geodata_dir)
    # Quick, failure-prone reads first, so a bad source is reported in seconds.
    stage_read = stage.read_stage_counts(sources, index)
    stage_counts = stage_read.counts
    waiting, attribution_report = waiting_times.waiting_time_rows(sources, index)
    lsoa = population.read_lsoa_lookup(sources, index)
    people = population.read_population(sources, lsoa["subicb_code"])
    imd = population.read_imd_quintiles(sources)
    parts = {
        "stage": stage.stage_rows(stage_counts, index),
        "stage_modelled": modelled.modelled_rows(stage_counts, index, sources=sources, population=people, imd=imd, lsoa=lsoa),
        "waiting_times": waiting,
        "mortality": mortality.mortality_rows(sources, index, people),
        "population": population.population_rows(people, imd, index),
    }
    parts["incidence"] = stage.incidence_rows(stage_counts, parts["population"], index)
    table = sort_table(pd.concat(parts.values(), ignore_index=True)).astype(COLUMNS)
    table[["value", "lower_ci", "upper_ci"]] = table[["value", "lower_ci", "upper_ci"]].round(STORED_DECIMALS)  # see derived.py
    check_built_table(table, geodata_dir)
    definitions = stage.with_footprint_caveat(INDICATORS, stage_read.footprint, index.names)
    definitions["early_stage"] = replace(definitions["early_stage"], modelled_statement=modelled.modelled_statement())
    files = served_products(table, definitions, load_boundaries(geodata_dir), previous)
    manifest = make_manifest(sources, files, table, attribution_report)
    manifest["alliance_footprint"] = footprint_record(stage_read.footprint, index.names)
    files[DATA_MANIFEST_FILE] = pretty_json(manifest)
    return DataBuild(files=files, table=table, manifest=manifest)


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values([*KEY, "period_start"], ignore_index=True, kind="stable")


def check_built_table(table: pd.DataFrame, geodata_dir: Path) -> None:
    """The build must pass the same checks the app runs at start-up."""
    from dashboard.data.loading import area_codes_by_level, check_frame

    problems = check_frame(table, file="(built table)", area_codes=area_codes_by_level(load_boundaries(geodata_dir)), indicator_ids=INDICATORS)
    if problems:
        raise DataValidationError(problems)



SOURCE_FILES = (
    stage.STAGE_FILE,
    waiting_times.TRUST_ATTRIBUTION,
    *waiting_times.PROVIDER_EXTRACTS,
    waiting_times.SUBICB_EXTRACT,
    mortality.TABLE_4,
    mortality.TABLE_3,
    mortality.WORKBOOK,
    mortality.ESP_FILE,
    population.POPULATION_FILE,
    population.IMD_FILE,
    population.LSOA_LOOKUP,
    population.ETHNICITY_FILE,
)


def footprint_record(footprint: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """NDRS's alliances whose footprint differs from 2022: published and recomputed counts, 2013-2022, all sites."""
    return [
        {
            "area_code": row.area_code,
            "name": names.get(row.area_code, row.area_code),
            "reason": row.reason,
            **{f"{count}_{kind}": int(getattr(row, f"{count}_{kind}")) for count in stage.COUNTS for kind in ("published", "recomputed")},
            "diagnosed_difference": int(row.diagnosed_difference),
        }
        for row in footprint.sort_values("area_code").itertuples(index=False)
    ]


def make_manifest(sources: Path, files: dict[str, bytes], table: pd.DataFrame, attribution: dict[str, Any]) -> dict[str, Any]:
    fds_files = sorted((sources / waiting_times.FDS_FOLDER).glob("data_*.csv"))
    source_list = [{"file": f, "sha256": sha256_of(sources / f)} for f in SOURCE_FILES]
    source_list += [{"file": f"{waiting_times.FDS_FOLDER}/{p.name}", "sha256": sha256_of(p)} for p in fds_files]
    source_list.append({"file": "dashboard/pipeline/reference/provider_attribution.csv", "sha256": sha256_of(waiting_times.PROJECT_ATTRIBUTION)})
    summary = (
        table.groupby("indicator_id")
        .agg(rows=("area_code", "size"), areas=("area_code", "nunique"), periods=("period", "nunique"), cancer_types=("cancer_type", "nunique"))
        .astype(int)
        .to_dict("index")
    )
    for indicator_id, info in summary.items():
        subset = table[table["indicator_id"] == indicator_id]
        info["levels"] = sorted(subset["area_level"].unique().tolist())
        info["group_dimensions"] = sorted(subset["group_dimension"].unique().tolist())
        info["data_status"] = sorted(subset["data_status"].unique().tolist())
        info["first_period"], info["last_period"] = str(subset["period_start"].min().date()), str(subset["period_end"].max().date())
    return {
        "builder": "python -m dashboard build-data",
        "products": {
            name: {"file": name, "bytes": len(data), "sha256": sha256_bytes(data)} for name, data in files.items()
        },
        "rows": int(len(table)),
        "indicators": summary,
        "provider_attribution": {
            "fds_unattributed_share": round(attribution["fds_unattributed_share"], 6),
            "fds_unattributed_providers": attribution["fds_unattributed_providers"],
            "cwt_extract_unattributed_share": round(attribution["cwt_extract_unattributed_share"], 6),
            "commissioner_extract_unmatched_share": round(attribution["commissioner_extract_unmatched_share"], 6),
        },
        "model_parameters": {
            "imd_min_age": modelled.MODEL_PARAMETERS.imd_min_age,
            "imd_relative": modelled.MODEL_PARAMETERS.imd_relative,
            "ethnic_relative": modelled.MODEL_PARAMETERS.ethnic_relative,
        },
        "sources": source_list,
    }
