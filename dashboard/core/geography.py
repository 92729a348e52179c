"""NHS geography: area levels, their codes, product file names and area-name matching.

One place for every fact about levels, so the build, the loader and the app agree.
"""

from __future__ import annotations

import re
from enum import StrEnum


class AreaLevel(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    ALLIANCE = "alliance"
    ICB = "icb"
    SUBICB = "subicb"


LEVEL_LABELS: dict[AreaLevel, str] = {
    AreaLevel.COUNTRY: "England",
    AreaLevel.REGION: "NHS region",
    AreaLevel.ALLIANCE: "Cancer Alliance",
    AreaLevel.ICB: "STP/ICB",
    AreaLevel.SUBICB: "Sub-ICB",
}

# ONS GSS code prefixes: E92 country, E40 NHS region, E56 Cancer Alliance,
# E54 STP/ICB, E38 CCG/sub-ICB location.
CODE_PREFIX: dict[AreaLevel, str] = {
    AreaLevel.COUNTRY: "E92",
    AreaLevel.REGION: "E40",
    AreaLevel.ALLIANCE: "E56",
    AreaLevel.ICB: "E54",
    AreaLevel.SUBICB: "E38",
}

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"

# NDRS publishes "East of England" as one alliance, while the 2022 mapping splits it
# into North (E56000022) and South (E56000023). ONS has no code for the pair, so the
# project gives it one that cannot be mistaken for a GSS code (it has letters where
# GSS codes have digits) but still starts with the alliance prefix.
EAST_OF_ENGLAND_CODE = "E56EOE"
EAST_OF_ENGLAND_NAME = "East of England"
EAST_OF_ENGLAND_MEMBERS = ("E56000022", "E56000023")

# Levels drawn as boundary layers; each is one GeoJSON file under geodata/.
BOUNDARY_LEVELS: tuple[AreaLevel, ...] = (
    AreaLevel.REGION,
    AreaLevel.ALLIANCE,
    AreaLevel.ICB,
    AreaLevel.SUBICB,
)
EXPECTED_FEATURE_COUNTS: dict[AreaLevel, int] = {
    AreaLevel.REGION: 7,
    AreaLevel.ALLIANCE: 21,
    AreaLevel.ICB: 42,
    AreaLevel.SUBICB: 106,
}


def boundary_file(level: AreaLevel) -> str:
    return f"{level.value}.geojson"


ALLIANCE_GROUPINGS_FILE = "alliance_groupings.geojson"
AREAS_FILE = "areas.csv"
ALIASES_FILE = "area_aliases.csv"
MANIFEST_FILE = "manifest.json"

_SUFFIXES = (" integrated care board", " cancer alliance", " icb", " ccg")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def short_name(name: str) -> str:
    """A name short enough for a chart label: "NHS Frimley Integrated Care Board" -> "Frimley".

    >>> short_name("NHS South Yorkshire ICB - 02P")
    'South Yorkshire 02P'
    """
    short = name.removeprefix("NHS ")
    for suffix in (" Integrated Care Board", " Cancer Alliance"):
        short = short.removesuffix(suffix)
    return short.replace(" ICB - ", " ")


def normalise_area_name(name: str) -> str:
    """A matching key for an area name as written in a published file.

    Publishers write the same area in different ways ("Lancashire & South Cumbria
    Cancer Alliance", "Lancashire and South Cumbria"); the key drops case,
    punctuation, a leading "NHS" and the organisation-type suffix.

    >>> normalise_area_name("NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board")
    'bath and north east somerset swindon and wiltshire'
    >>> normalise_area_name("Lancashire & South Cumbria Cancer Alliance")
    'lancashire and south cumbria'
    """
    key = name.strip().lower().replace("&", " and ")
    key = _NON_WORD.sub(" ", key).strip()
    if key.startswith("nhs "):
        key = key[4:]
    for suffix in _SUFFIXES:
        suffix_key = _NON_WORD.sub(" ", suffix).strip()
        if key.endswith(" " + suffix_key):
            key = key[: -len(suffix_key) - 1]
    return " ".join(key.split())
