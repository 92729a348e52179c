"""Indicator definitions: one place, written to data/indicator_metadata.json by the build."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from dashboard.core.sources import CANCER_DATA_ATTRIBUTION, POPULATION_ATTRIBUTION

OGL = "Open Government Licence v3.0"
WILSON = "Wilson score 95%"
NONE = "none (a count, not an estimate)"


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    polarity: Polarity
    ci_method: str
    source: str
    attribution: str
    caveats: str
    licence: str = OGL

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


STAGE_SOURCE = "NDRS, Stage at diagnosis by cancer site in England, 2013-2022 (ndrs-stage/)"
FDS_SOURCE = "NHS England Cancer Waiting Times, 28-day Faster Diagnosis Standard, provider based, monthly (cwt-fds-monthly/)"
CWT_PROVIDER_SOURCE = "NHS England Cancer Waiting Times provider data extracts, April-October 2023 (cwt-extracts-2023/)"
CWT_COMMISSIONER_SOURCE = "NHS England Cancer Waiting Times Sub-ICB (commissioner) data extract, April-October 2023 (cwt-extracts-2023/)"
MORTALITY_SOURCE = "NDRS cancer mortality in England, 2020 (ndrs-mortality-2020/)"
POPULATION_SOURCE = "ONS mid-2019 population estimates by LSOA; English Indices of Deprivation 2019"

_PROVIDER_ATTRIBUTION_CAVEAT = (
    "Provider based: activity is counted where the patient was treated and attributed to "
    "an ICB and alliance through NHS England's trust-to-ICB attribution file, or the "
    "project's table for providers it lacks (data/provider_attribution.csv). "
    "It is not the ICB of the patient's residence."
)

INDICATORS: dict[str, Indicator] = {
    indicator.id: indicator
    for indicator in (
        Indicator(
            id="early_stage",
            name="Diagnosed at stage 1 or 2",
            definition="Share of cancers with a recorded stage that were diagnosed at an early stage (1 or 2).",
            numerator="Stage 1 + stage 2 + staged 'other early' cancers",
            denominator="All staged cancers (stages 1-4 and staged other early or advanced)",
            unit="%",
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=WILSON,
            source=STAGE_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats="Unstageable and missing-stage cases are excluded from the denominator: read with stage "
            "completeness. 'All cancers' is the sum of the 17 published sites. NDRS reports East of England "
            "as one alliance (code E56EOE in this project). Breakdowns by deprivation and ethnic group are "
            "modelled, not published (data_status = modelled).",
        ),
        Indicator(
            id="stage_completeness",
            name="Stage recorded",
            definition="Share of diagnosed cancers with a stage recorded (stage completeness).",
            numerator="Staged cancers",
            denominator="All diagnosed cancers (staged, unstageable and missing stage)",
            unit="%",
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=WILSON,
            source=STAGE_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats="Reproduces NDRS's published 'Percentage completeness' (checked at build).",
        ),
        Indicator(
            id="fds_28day",
            name="Told outcome within 28 days (Faster Diagnosis Standard)",
            definition="Share of people referred urgently for suspected cancer (or breast symptoms, or from screening) "
            "told they have cancer, or that it is ruled out, within 28 days.",
            numerator="People told within 28 days",
            denominator="All people told the outcome of their referral in the period",
            unit="%",
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=WILSON,
            source=FDS_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats=_PROVIDER_ATTRIBUTION_CAVEAT + " The national standard is 75% (rising to 80% by March 2026).",
        ),
        Indicator(
            id="cwt_31day",
            name="Treated within 31 days of the decision to treat",
            definition="Share of people starting cancer treatment within 31 days of the decision to treat.",
            numerator="Treatments started within 31 days",
            denominator="All treatments started in the period",
            unit="%",
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=WILSON,
            source=CWT_PROVIDER_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION,
            caveats=_PROVIDER_ATTRIBUTION_CAVEAT + " The national standard is 96%.",
        ),
        Indicator(
            id="cwt_62day",
            name="Treated within 62 days of referral",
            definition="Share of people starting a first treatment within 62 days of an urgent referral, "
            "screening referral or consultant upgrade.",
            numerator="First treatments within 62 days",
            denominator="All first treatments after such a referral in the period",
            unit="%",
            polarity=Polarity.HIGHER_IS_BETTER,
            ci_method=WILSON,
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
            unit="per 100,000",
            polarity=Polarity.LOWER_IS_BETTER,
            ci_method="Dobson 95% (as published by NDRS at sub-ICB level; recomputed above)",
            source=MORTALITY_SOURCE,
            attribution=CANCER_DATA_ATTRIBUTION + " " + POPULATION_ATTRIBUTION,
            caveats="Sub-ICB rates by sex, England by sex (2001-2020) and England by deprivation quintile are NDRS's "
            "own. Persons rates, and every ICB and alliance rate, are recomputed here: NDRS publishes deaths in six "
            "age bands (24 and under, 25-49, 50-59, 60-69, 70-79, 80+), which fall on ESP2013 boundaries, so each "
            "band is weighted by the sum of its ESP2013 five-year weights and divided by ONS mid-2019 populations "
            "(NDRS standardised on 20 bands with 2020 populations: recomputed sub-ICB rates agree with NDRS's within "
            "5%, median 1.3% high). Rates on fewer than 10 deaths are not given.",
        ),
        Indicator(
            id="mortality_age_specific",
            name="Cancer mortality by age (age-specific rate)",
            definition="Deaths from cancer per 100,000 people in each age band.",
            numerator="Deaths with cancer as the underlying cause, in the age band",
            denominator="Resident population in the age band",
            unit="per 100,000",
            polarity=Polarity.LOWER_IS_BETTER,
            ci_method="Exact Poisson 95% below 10 deaths, Byar's approximation from 10",
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
            unit="people",
            polarity=Polarity.NEITHER,
            ci_method=NONE,
            source=POPULATION_SOURCE,
            attribution=POPULATION_ATTRIBUTION,
            caveats="LSOA estimates summed to sub-ICB through the ONS LSOA 2011 to CCG 2021 lookup.",
        ),
        Indicator(
            id="most_deprived_share",
            name="Population in England's most deprived fifth",
            definition="Share of the area's residents living in neighbourhoods (LSOAs) in England's most deprived "
            "IMD 2019 quintile.",
            numerator="Residents of LSOAs in IMD 2019 deciles 1-2",
            denominator="All residents",
            unit="%",
            polarity=Polarity.NEITHER,
            ci_method=NONE,
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
    )


for _id in ("fds_28day", "cwt_31day", "cwt_62day"):
    _variant = _commissioner_variant(INDICATORS[_id])
    INDICATORS[_variant.id] = _variant


def metadata_document() -> dict[str, object]:
    return {"indicators": [indicator.as_dict() for indicator in INDICATORS.values()]}
