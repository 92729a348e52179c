"""The indicator table: its columns, types and allowed values. The public download format.

Column names are stable: analysts' scripts depend on them. Add columns at the end;
never rename or drop one without a major version.
"""

from __future__ import annotations

from enum import StrEnum

from dashboard.core.geography import AreaLevel


class DataStatus(StrEnum):
    PUBLISHED = "published"  # taken, or computed directly, from a published source
    MODELLED = "modelled"  # estimated by this project's stated model; never a published figure


class PeriodType(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    FINANCIAL_YEAR = "financial_year"
    QUARTER = "quarter"
    MONTH = "month"
    MULTI_MONTH = "multi_month"


class GroupDimension(StrEnum):
    ALL = "all"
    SEX = "sex"
    AGE_BAND = "age_band"
    REFERRAL_ROUTE = "referral_route"
    IMD_QUINTILE = "imd_quintile"
    ETHNIC_GROUP = "ethnic_group"
    TREATMENT_STAGE = "treatment_stage"
    SEX_AND_AGE_BAND = "sex_and_age_band"
    IMD_QUINTILE_MALES = "imd_quintile_males"
    IMD_QUINTILE_FEMALES = "imd_quintile_females"


GROUP_LABELS: dict[GroupDimension, str] = {
    GroupDimension.ALL: "All patients",
    GroupDimension.SEX: "Sex",
    GroupDimension.AGE_BAND: "Age band",
    GroupDimension.REFERRAL_ROUTE: "Referral route",
    GroupDimension.IMD_QUINTILE: "Deprivation quintile (IMD 2019)",
    GroupDimension.ETHNIC_GROUP: "Ethnic group (Census 2021)",
    GroupDimension.TREATMENT_STAGE: "First or subsequent treatment",
    GroupDimension.SEX_AND_AGE_BAND: "Sex and age band",
    GroupDimension.IMD_QUINTILE_MALES: "Deprivation quintile (IMD), males",
    GroupDimension.IMD_QUINTILE_FEMALES: "Deprivation quintile (IMD), females",
}

# Groups the cancer plan names for which no area-level data exists, published or
# modelled. The app says so where they would appear; docs/data.md explains how an
# alliance loads its own extract in this format.
GROUPS_WITHOUT_DATA: dict[str, str] = {
    "learning_disability": "People with a learning disability",
    "severe_mental_illness": "People with a severe mental illness",
}

# Outcomes the cancer plan names for which the sources hold no area-level data. The
# Indicator list shows each, unavailable, with the reason; the Help says the same.
OUTCOMES_WITHOUT_DATA: dict[str, tuple[str, str]] = {
    "survival": ("Survival", "no area-level survival is published in the sources (the sarcoma file is England only)"),
    "incidence_by_age": ("Incidence by age", "the stage file, the only source of diagnoses by area, has no age breakdown"),
    "patient_experience": ("Patient experience", "no survey results are in the sources"),
}

# Column name -> pandas dtype, in download order.
COLUMNS: dict[str, str] = {
    "indicator_id": "string",
    "indicator_name": "string",
    "area_level": "string",
    "area_code": "string",
    "area_name": "string",
    "alliance_code": "string",
    "alliance_name": "string",
    "period": "string",
    "period_start": "datetime64[ms]",
    "period_end": "datetime64[ms]",
    "cancer_type": "string",
    "group_dimension": "string",
    "group_value": "string",
    "numerator": "float64",
    "denominator": "float64",
    "value": "float64",
    "lower_ci": "float64",
    "upper_ci": "float64",
    "ci_method": "string",
    "unit": "string",
    "data_status": "string",
    "source": "string",
    "period_type": "string",
}

KEY: tuple[str, ...] = (
    "indicator_id",
    "area_level",
    "area_code",
    "period",
    "cancer_type",
    "group_dimension",
    "group_value",
)

REQUIRED_VALUES: tuple[str, ...] = (
    "indicator_id",
    "indicator_name",
    "area_level",
    "area_code",
    "area_name",
    "period",
    "period_start",
    "period_end",
    "cancer_type",
    "group_dimension",
    "group_value",
    "unit",
    "data_status",
    "source",
    "period_type",
)

ALLOWED_VALUES: dict[str, frozenset[str]] = {
    "area_level": frozenset(level.value for level in AreaLevel),
    "data_status": frozenset(status.value for status in DataStatus),
    "group_dimension": frozenset(dim.value for dim in GroupDimension),
    "period_type": frozenset(kind.value for kind in PeriodType),
}

# Per-row figures the build derives from the table, stored beside it in the same row order so
# that start-up only reads: limits at 99.8% and the disclosure-control decision.
DERIVED_COLUMNS: dict[str, str] = {
    "lower_ci_998": "float64",
    "upper_ci_998": "float64",
    "suppression": "string",  # why the row's numerator, value and interval are withheld; "" when shown
    "denominator_withheld": "bool",  # its denominator is withheld too (else a withheld row still shows it)
}
# What a withheld row loses (its suppression reason says why); its denominator only when denominator_withheld.
WITHHELD_COLUMNS: tuple[str, ...] = ("numerator", "value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998")

# Group dimensions whose values have a natural order (the slope index of inequality needs one).
ORDERED_DIMENSIONS: frozenset[str] = frozenset(
    {GroupDimension.IMD_QUINTILE, GroupDimension.IMD_QUINTILE_MALES, GroupDimension.IMD_QUINTILE_FEMALES, GroupDimension.AGE_BAND}
)

INDICATORS_FILE = "indicators.parquet"
DERIVED_FILE = "derived.parquet"
DERIVED_FROM_KEY = "derived_from_sha256"  # derived.parquet metadata: SHA-256 of the indicators.parquet it belongs to
METADATA_FILE = "indicator_metadata.json"
DATA_MANIFEST_FILE = "manifest.json"
