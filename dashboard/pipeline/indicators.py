"""Indicator definitions: the one place they are written. The build stores them, with the
group dimensions found in the table, in data/indicator_metadata.json (see data/registry.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pandas as pd

from dashboard.core.measures import CiMethod, Polarity, Unit
from dashboard.core.sources import CANCER_DATA_ATTRIBUTION, POPULATION_ATTRIBUTION
from dashboard.data.registry import Indicator, Phrases, Registry, Standard
from dashboard.data.schema import GroupDimension

WILSON = "Wilson score 95%"
NONE = "none (a count, not an estimate)"

# Each standard applies only from the month it came into force: the trend card draws a target
# only over those months, and judges assurance by the one in force in the latest month.
FDS_STANDARD_SOURCE = (
    "NHS England, Cancer Waiting Times: the 28-day Faster Diagnosis Standard, measured from April 2021, "
    "with its 75% threshold in force from 1 October 2021"
)
# The 31- and 62-day figures here are NHS England's "combined" measures (31-day: first and
# subsequent treatments; 62-day: urgent suspected cancer, screening and consultant upgrade
# referrals), which became the national standards when the ten standards were consolidated
# into three on 1 October 2023. Before that, no single standard covered either combined
# measure (85% was the urgent-referral-only 62-day standard), so none is drawn for those months.
CONSOLIDATED_STANDARDS_SOURCE = (
    "NHS England, Cancer Waiting Times standards consolidated from 1 October 2023: "
    "28-day Faster Diagnosis Standard, 31-day combined and 62-day combined standards"
)
FDS_STANDARD = Standard(75.0, "Faster Diagnosis Standard (75%)", FDS_STANDARD_SOURCE, applies_from=date(2021, 10, 1))
STANDARD_31_DAY = Standard(96.0, "31-day combined standard (96%)", CONSOLIDATED_STANDARDS_SOURCE, applies_from=date(2023, 10, 1))
STANDARD_62_DAY = Standard(85.0, "62-day combined standard (85%)", CONSOLIDATED_STANDARDS_SOURCE, applies_from=date(2023, 10, 1))

# How the headline names the people counted by an indicator based on referrals and treatments.
REFERRAL_SUBJECTS = {
    "all_cancers": "of people with cancer",
    "one_site": "of people with {site} cancer",
    "all_suspected": "of people referred with suspected cancer",
    "suspected_site": "of people referred with {site}",
}

STAGE_SOURCE = "NDRS, Stage at diagnosis by cancer site in England, 2013-2022 (ndrs-stage/)"
FDS_SOURCE = "NHS England Cancer Waiting Times, 28-day Faster Diagnosis Standard, provider based, monthly (cwt-fds-monthly/)"
CWT_PROVIDER_SOURCE = "NHS England Cancer Waiting Times provider data extracts, April-October 2023 (cwt-extracts-2023/)"
CWT_COMMISSIONER_SOURCE = "NHS England Cancer Waiting Times Sub-ICB (commissioner) data extract, April-October 2023 (cwt-extracts-2023/)"
MORTALITY_SOURCE = "NDRS cancer mortality in England, 2020 (ndrs-mortality-2020/)"
POPULATION_SOURCE = "ONS mid-2019 population estimates by LSOA; English Indices of Deprivation 2019"

_PROVIDER_ATTRIBUTION_CAVEAT = (
    "Provider based: activity is counted where the patient was treated and attributed to "
    "an ICB and alliance through NHS England's trust-to-ICB attribution file, or the "
    "project's table for providers it lacks (dashboard/pipeline/reference/provider_attribution.csv). "
    "It is not the ICB of the patient's residence."
)

INDICATORS: dict[str, Indicator] = {
    indicator.id: indicator
    for indicator in (
        Indicator(
            id="early_stage",
            opens_first=True,
            phrases=Phrases(
                predicate="were diagnosed at stage 1 or 2", outcome="diagnosed at stage 1 or 2",
                all_cancers="of staged cancers", one_site="of staged {site} cancers",
            ),
            name="Diagnosed at stage 1 or 2",
            definition="Share of cancers with a recorded stage that were diagnosed at an early stage (1 or 2).",
            numerator="Stage 1 + stage 2 + staged 'other early' cancers",
            denominator="All staged cancers (stages 1-4 and staged other early or advanced)",
            unit=Unit.PERCENT,
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=CiMethod.WILSON,
            ci_description=WILSON,
            source=STAGE_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats="Unstageable and missing-stage cases are excluded from the denominator: read with stage "
            "completeness. 'All cancers' is the sum of the 17 published sites. Alliances are the 21 of "
            "the 2022 mapping, each the sum of its ICBs (see below). Breakdowns by deprivation and ethnic group are "
            "modelled, not published (data_status = modelled).",
        ),
        Indicator(
            id="incidence_crude",
            name="New diagnoses per 100,000 (crude incidence)",
            definition="New diagnoses of cancer per 100,000 residents of all ages and both sexes, in the year "
            "(crude: not age-standardised).",
            numerator="New diagnoses (every stage, unstageable and missing stage included)",
            denominator="Resident population, all ages, ONS mid-2019 estimate (used for every year)",
            unit=Unit.PER_100K,
            polarity=Polarity.NEITHER,
            ci_method=CiMethod.POISSON,
            ci_description="Byar's approximation 95% (exact Poisson below 10 diagnoses)",
            source=STAGE_SOURCE + "; ONS mid-2019 population estimates by LSOA",
            attribution=CANCER_DATA_ATTRIBUTION + " " + POPULATION_ATTRIBUTION,
            caveats="Crude, not age-standardised: the stage file gives no age breakdown, so an area with an older "
            "population has a higher rate without any greater risk; compare areas with care, and years within an area. "
            "The mid-2019 population is the denominator for every year (the only year the sources give for these "
            "areas), so rates away from 2019 are slightly off by population change. Sex-specific sites (e.g. prostate, "
            "cervix) are per 100,000 of all residents. No sex breakdown is published. Higher is neither better nor "
            "worse: more diagnoses can mean more disease or more finding of it.",
        ),
        Indicator(
            id="stage_completeness",
            phrases=Phrases(
                predicate="had a stage recorded", outcome="had their cancer's stage recorded",
                all_cancers="of cancers diagnosed", one_site="of {site} cancers diagnosed",
            ),
            name="Stage recorded",
            definition="Share of diagnosed cancers with a stage recorded (stage completeness).",
            numerator="Staged cancers",
            denominator="All diagnosed cancers (staged, unstageable and missing stage)",
            unit=Unit.PERCENT,
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=CiMethod.WILSON,
            ci_description=WILSON,
            source=STAGE_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats="Reproduces NDRS's published 'Percentage completeness' (checked at build).",
        ),
        Indicator(
            id="fds_28day",
            phrases=Phrases(
                predicate="were told their diagnosis within 28 days", outcome="told their diagnosis within 28 days",
                **REFERRAL_SUBJECTS,
            ),
            standards=(FDS_STANDARD,),
            name="Told outcome within 28 days (Faster Diagnosis Standard)",
            definition="Share of people referred urgently for suspected cancer (or breast symptoms, or from screening) "
            "told they have cancer, or that it is ruled out, within 28 days.",
            numerator="People told within 28 days",
            denominator="All people told the outcome of their referral in the period",
            unit=Unit.PERCENT,
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=CiMethod.WILSON,
            ci_description=WILSON,
            source=FDS_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats=_PROVIDER_ATTRIBUTION_CAVEAT + " The national standard is 75% (rising to 80% by March 2026).",
        ),
        Indicator(
            id="cwt_31day",
            phrases=Phrases(
                predicate="started treatment within 31 days of the decision to treat",
                outcome="treated within 31 days of the decision to treat",
                **REFERRAL_SUBJECTS,
            ),
            standards=(STANDARD_31_DAY,),
            name="Treated within 31 days of the decision to treat",
            definition="Share of people starting cancer treatment within 31 days of the decision to treat.",
            numerator="Treatments started within 31 days",
            denominator="All treatments started in the period",
            unit=Unit.PERCENT,
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=CiMethod.WILSON,
            ci_description=WILSON,
            source=CWT_PROVIDER_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats=_PROVIDER_ATTRIBUTION_CAVEAT + " The national standard is 96%.",
        ),
        Indicator(
            id="cwt_62day",
            phrases=Phrases(
                predicate="started a first treatment within 62 days of referral", outcome="treated within 62 days of referral",
                **REFERRAL_SUBJECTS,
            ),
            standards=(STANDARD_62_DAY,),
            name="Treated within 62 days of referral",
            definition="Share of people starting a first treatment within 62 days of an urgent referral, "
            "screening referral or consultant upgrade.",
            numerator="First treatments within 62 days",
            denominator="All first treatments after such a referral in the period",
            unit=Unit.PERCENT,
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=CiMethod.WILSON,
            ci_description=WILSON,
            source=CWT_PROVIDER_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats=_PROVIDER_ATTRIBUTION_CAVEAT + " The national standard is 85%.",
        ),
        Indicator(
            id="mortality_asr",
            name="Cancer mortality (age-standardised rate)",
            definition="Deaths from cancer per 100,000 people, directly age-standardised to the 2013 European "
            "Standard Population.",
            numerator="Deaths with cancer as the underlying cause",
            denominator="Resident population (ONS mid-year estimate)",
            unit=Unit.PER_100K,
            polarity=Polarity.LOWER_IS_BETTER,
            ci_method=CiMethod.DOBSON,
            ci_description="Dobson 95% (recomputed: 6 age bands on ESP2013, ONS mid-2019 population)",
            age_standardised=True,
            source=MORTALITY_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION + " " + POPULATION_ATTRIBUTION,
            caveats="Every rate for 2020, at every level (sub-ICB, ICB, alliance, England), persons and by sex, is "
            "made the same way, so each area is compared with a benchmark made like itself: NDRS's deaths in six "
            "age bands (24 and under, 25-49, 50-59, 60-69, 70-79, 80+), which fall on ESP2013 boundaries, each band "
            "weighted by the sum of its ESP2013 five-year weights, over ONS mid-2019 populations. NDRS's own rates "
            "(20 bands, 2020 populations) differ slightly: recomputed sub-ICB rates agree with NDRS's within 5%, median "
            "1.3% high. England's 2001-2019 points are NDRS's own (by sex), for the trend only: the step from them to "
            "the recomputed 2020 point is partly method (NDRS's own 2020 England rates are 303.1 for males and 214.1 "
            "for females). "
            "England by deprivation quintile and sex is NDRS's own (Table 3) and is compared only within itself. "
            "Rates on fewer than 10 deaths are not given.",
        ),
        Indicator(
            id="mortality_age_specific",
            name="Cancer mortality by age (age-specific rate)",
            definition="Deaths from cancer per 100,000 people in each age band.",
            numerator="Deaths with cancer as the underlying cause, in the age band",
            denominator="Resident population in the age band",
            unit=Unit.PER_100K,
            polarity=Polarity.LOWER_IS_BETTER,
            ci_method=CiMethod.POISSON,
            ci_description="Exact Poisson 95% below 10 deaths, Byar's approximation from 10",
            source=MORTALITY_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION + " " + POPULATION_ATTRIBUTION,
            caveats="Crude rates within each age band; compare bands within an area, not areas with different "
            "age structures across all ages.",
        ),
        Indicator(
            id="population",
            name="Resident population",
            definition="People living in the area, ONS mid-2019 estimate.",
            numerator="People",
            denominator="(none)",
            unit=Unit.PEOPLE,
            polarity=Polarity.NEITHER,
            ci_method=CiMethod.NONE,
            ci_description=NONE,
            counts_people=False,
            source=POPULATION_SOURCE,
            attribution=POPULATION_ATTRIBUTION,
            caveats="LSOA estimates summed to sub-ICB through the ONS LSOA 2011 to CCG 2021 lookup.",
        ),
        Indicator(
            id="most_deprived_share",
            groups_peers=True,
            name="Population in England's most deprived fifth",
            definition="Share of the area's residents living in neighbourhoods (LSOAs) in England's most deprived "
            "IMD 2019 quintile.",
            numerator="Residents of LSOAs in IMD 2019 deciles 1-2",
            denominator="All residents",
            unit=Unit.PERCENT,
            polarity=Polarity.NEITHER,
            ci_method=CiMethod.NONE,
            ci_description=NONE,
            counts_people=False,
            source=POPULATION_SOURCE,
            attribution=POPULATION_ATTRIBUTION,
            caveats="A description of the population, not an outcome.",
        ),
    )
}

_COMMISSIONER_CAVEAT = (
    "Commissioner based: counted by the patient's sub-ICB (GP registration), from NHS England's "
    "sub-ICB extract, April-October 2023 (provisional). England includes activity with no valid "
    "sub-ICB code. No cancer-type breakdown is published on this basis."
)


def _commissioner_variant(indicator: Indicator) -> Indicator:
    return replace(
        indicator,
        id=f"{indicator.id}_commissioner",
        name=f"{indicator.name}, by patients' sub-ICB",
        source=CWT_COMMISSIONER_SOURCE,
        caveats=_COMMISSIONER_CAVEAT,
        base=indicator.id,
    )


for _id in ("fds_28day", "cwt_31day", "cwt_62day"):
    _variant = _commissioner_variant(INDICATORS[_id])
    INDICATORS[_variant.id] = _variant


def with_groups(indicators: Registry, table: pd.DataFrame) -> Registry:
    """The definitions with each indicator's group dimensions and their values, as the table has them.

    Dimensions in schema order; values in their natural order (the published labels of the
    ordered dimensions, "1 - most deprived" … and "24 and under" …, sort correctly as text).
    """
    filled: dict[str, Indicator] = {}
    for indicator_id, indicator in indicators.items():
        rows = table[table["indicator_id"] == indicator_id]
        present = set(rows["group_dimension"].astype(str))
        dimensions = tuple(d.value for d in GroupDimension if d.value in present)
        values = {d: tuple(sorted(map(str, rows.loc[rows["group_dimension"] == d, "group_value"].unique()))) for d in dimensions}
        filled[indicator_id] = replace(indicator, group_dimensions=dimensions, group_values=MappingProxyType(values))
    return MappingProxyType(filled)
