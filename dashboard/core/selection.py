"""What the user has chosen: one frozen, hashable value that every view and download takes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum

from dashboard.core.geography import AreaLevel


class Comparator(StrEnum):
    ENGLAND = "england"
    ALLIANCE = "alliance"
    PEERS = "peers"


class Overdispersion(StrEnum):
    OFF = "off"  # chance variation only
    ON = "on"  # widen the funnel's limits by the overdispersion found


DEFAULT_CONFIDENCE = "95"  # the level of the stored limits; the other ("99.8") is derived at build


class ColourBy(StrEnum):
    VALUE = "value"
    COMPARISON = "comparison"


class Listing(StrEnum):
    """Which areas the ranked chart, the table and the download list when an alliance is chosen."""

    ALLIANCE = "alliance"  # the alliance's own areas, with the alliance and England as reference rows
    ALL = "all"  # every area at the level


LISTING_LABELS = {Listing.ALLIANCE.value: "The alliance's areas", Listing.ALL.value: "Every area"}

COMPARATOR_LABELS = {
    Comparator.ENGLAND: "England",
    Comparator.ALLIANCE: "The selected alliance",
    Comparator.PEERS: "Peers of similar deprivation",
}
COLOUR_LABELS = {ColourBy.VALUE: "Value", ColourBy.COMPARISON: "Comparison with benchmark"}

# Levels a user can map; England and regions are benchmarks, not map levels.
MAP_LEVELS = ("alliance", "icb", "subicb")
ALL_ENGLAND = "E92000001"  # the "Alliance" control's value for All England: England's own code


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    disabled: bool = False


@dataclass(frozen=True)
class Notice:
    parameter: str
    message: str


@dataclass(frozen=True)
class Selection:
    indicator: str
    cancer: str
    period: str
    level: str
    alliance: str = ALL_ENGLAND
    group: str = "all"
    group_value: str = "All"
    compare: str = Comparator.ENGLAND.value
    area: str = ""
    colour: str = ColourBy.VALUE.value
    confidence: str = DEFAULT_CONFIDENCE
    overdispersion: str = Overdispersion.OFF.value
    listing: str = Listing.ALLIANCE.value

    @property
    def widens_for_overdispersion(self) -> bool:
        return self.overdispersion == Overdispersion.ON.value

    @property
    def has_alliance(self) -> bool:
        return self.alliance not in (ALL_ENGLAND, "")

    @property
    def alliance_has_areas(self) -> bool:
        """An alliance is chosen at a level finer than alliances: it has areas of its own to list."""
        return self.has_alliance and self.level != AreaLevel.ALLIANCE.value

    @property
    def lists_alliance_areas(self) -> bool:
        """The alliance's own view: its areas are the ones listed, and the only ones to select."""
        return self.alliance_has_areas and self.listing == Listing.ALLIANCE.value

    def with_(self, **changes: str) -> Selection:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, str]) -> Selection:
        return cls(**{f.name: str(values[f.name]) for f in fields(cls) if f.name in values})


# URL query parameter for each field (the permalink format; keep stable).
URL_PARAMETERS: dict[str, str] = {
    "indicator": "indicator",
    "cancer": "cancer",
    "period": "period",
    "level": "level",
    "alliance": "alliance",
    "group": "group",
    "group_value": "group_value",
    "compare": "compare",
    "area": "area",
    "colour": "colour",
    "confidence": "confidence",
    "overdispersion": "overdispersion",
    "listing": "listing",
}
OVERDISPERSION_LABELS = {Overdispersion.OFF.value: "Chance variation only", Overdispersion.ON.value: "Allow for overdispersion"}
CONFIDENCE_LABELS = {"95": "95% (about 1 in 20 false alarms)", "99.8": "99.8% (about 1 in 500)"}

# Two- or three-way switches: field -> (its values, the default). Any other value falls back.
SWITCHES: dict[str, tuple[tuple[str, ...], str]] = {
    "colour": (tuple(c.value for c in COLOUR_LABELS), ColourBy.VALUE.value),
    "confidence": (tuple(CONFIDENCE_LABELS), DEFAULT_CONFIDENCE),
    "overdispersion": (tuple(OVERDISPERSION_LABELS), Overdispersion.OFF.value),
    "listing": (tuple(LISTING_LABELS), Listing.ALLIANCE.value),
}
