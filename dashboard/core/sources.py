"""Attribution texts, in one place: the app, every download and the manifests use them."""

BOUNDARY_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2022."
)
CANCER_DATA_ATTRIBUTION = (
    "Source: National Disease Registration Service (NDRS), NHS England; "
    "Cancer Waiting Times, NHS England. Open Government Licence v3.0."
)
POPULATION_ATTRIBUTION = (
    "Source: ONS mid-2019 population estimates; English Indices of Deprivation 2019 (MHCLG); "
    "Census 2021 (ONS). Open Government Licence v3.0."
)
