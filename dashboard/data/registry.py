"""The indicator registry: every fact about an indicator, typed, in one place.

The pipeline defines the indicators (`dashboard/pipeline/indicators.py`) and writes
them, with the group dimensions found in the built table, into
`data/indicator_metadata.json`. Everything that runs reads them back from there
through `read_registry`; nothing branches on an indicator's id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dashboard.core.cancers import is_all_suspected, is_suspected_site, is_total
from dashboard.core.errors import InputError
from dashboard.core.measures import CiMethod, Polarity, Unit

OGL = "Open Government Licence v3.0"
TEXT_FIELDS = ("id", "name", "definition", "numerator", "denominator", "ci_description", "source", "attribution", "caveats", "licence", "base")


@dataclass(frozen=True)
class Standard:
    """A national standard or target, and the periods it applies to (inclusive start, exclusive end)."""

    value: float
    name: str
    source: str
    applies_from: date
    applies_until: date | None = None  # None: still in force

    def applies_to(self, period_start: date) -> bool:
        return self.applies_from <= period_start and (self.applies_until is None or period_start < self.applies_until)


@dataclass(frozen=True)
class Phrases:
    """Words for the headline sentence and the opportunity sentence.

    `{site}` in a template is the cancer type in lower case.
    """

    predicate: str  # "were diagnosed at stage 1 or 2"
    outcome: str  # "diagnosed at stage 1 or 2" (as in "would have been …")
    all_cancers: str  # "of staged cancers"
    one_site: str  # "of staged {site} cancers"
    all_suspected: str = ""  # for referral-based indicators: "of people referred with suspected cancer"
    suspected_site: str = ""  # "of people referred with {site}"

    def subject(self, cancer: str) -> str:
        site = cancer.lower()
        if self.all_suspected and is_all_suspected(cancer):
            return self.all_suspected
        if self.suspected_site and is_suspected_site(cancer):
            return self.suspected_site.format(site=site)
        return self.all_cancers if is_total(cancer) else self.one_site.format(site=site)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: Unit
    polarity: Polarity
    ci_method: CiMethod
    ci_description: str  # the method in words, as the download header gives it
    source: str
    attribution: str
    caveats: str
    licence: str = OGL
    base: str = ""  # the indicator this is a variant of (commissioner-based waiting times); "" = itself
    phrases: Phrases | None = None  # None: the headline names the measure instead
    standards: tuple[Standard, ...] = ()
    age_standardised: bool = False  # a rate standardised to a reference population, not a crude rate
    counts_people: bool = True  # its numbers are counts of patients, so disclosure control applies
    opens_first: bool = False  # the indicator a first visit shows
    groups_peers: bool = False  # areas are put in peer groups by fifths of this indicator's value
    modelled_statement: str = ""  # one line carried by every chart of its modelled rows: what the model assumed
    group_dimensions: tuple[str, ...] = ()  # filled by the build from the table, in schema order
    group_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # dimension -> values in display order

    def standard_for(self, period_start: date) -> Standard | None:
        """The standard in force for a period starting on `period_start`, if any."""
        return next((s for s in self.standards if s.applies_to(period_start)), None)

    def as_json(self) -> dict[str, Any]:
        document = {f.name: getattr(self, f.name) for f in fields(self)}
        document["phrases"] = asdict(self.phrases) if self.phrases else None
        document["standards"] = [{**asdict(s), "applies_from": s.applies_from.isoformat(),
                                  "applies_until": s.applies_until.isoformat() if s.applies_until else None} for s in self.standards]
        document["group_values"] = {k: list(v) for k, v in self.group_values.items()}
        document["group_dimensions"] = list(self.group_dimensions)
        return document

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Indicator:
        standards = tuple(
            Standard(
                value=float(s["value"]), name=s["name"], source=s["source"],
                applies_from=date.fromisoformat(s["applies_from"]),
                applies_until=date.fromisoformat(s["applies_until"]) if s.get("applies_until") else None,
            )
            for s in item.get("standards", ())
        )
        wrong = [key for key in TEXT_FIELDS if not isinstance(item[key], str)]
        if wrong:  # a number or list where text belongs would fail only later, in a page or a figure
            raise TypeError(f"{wrong[0]} is {type(item[wrong[0]]).__name__} {str(item[wrong[0]])[:40]!r}, not text")
        if item.get("phrases") and not all(isinstance(v, str) for v in dict(item["phrases"]).values()):
            raise TypeError("phrases: each phrase must be text")
        phrases = Phrases(**item["phrases"]) if item.get("phrases") else None
        return cls(
            **{key: item[key] for key in TEXT_FIELDS},
            unit=Unit(item["unit"]),
            polarity=Polarity(item["polarity"]),
            ci_method=CiMethod(item["ci_method"]),
            phrases=phrases,
            standards=standards,
            age_standardised=bool(item["age_standardised"]),
            counts_people=bool(item["counts_people"]),
            opens_first=bool(item["opens_first"]),
            groups_peers=bool(item["groups_peers"]),
            modelled_statement=str(item["modelled_statement"]),
            group_dimensions=tuple(item["group_dimensions"]),
            group_values=MappingProxyType({k: tuple(v) for k, v in item["group_values"].items()}),
        )


Registry = Mapping[str, Indicator]


def registry_document(indicators: Registry) -> dict[str, Any]:
    return {"indicators": [indicator.as_json() for indicator in indicators.values()]}


def read_registry(path: Path) -> Registry:
    """The indicators in a metadata file, in file order; a clear error naming the file and entry if malformed."""
    if not path.is_file():
        raise InputError(f"no such file: {path}: run `python -m dashboard build-data` first")
    try:
        document = json.loads(path.read_text())
        items = document["indicators"]
        if not isinstance(items, list):
            raise TypeError(f"'indicators' is {type(items).__name__}, not a list")
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not an indicator metadata file ({exc})") from exc
    except RecursionError:  # arrays or objects nested thousands deep: no metadata file is
        raise InputError(f"{path}: not an indicator metadata file (nested too deeply to read)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from exc
    indicators: dict[str, Indicator] = {}
    for number, item in enumerate(items, start=1):
        try:
            indicator = Indicator.from_json(item)
        except (KeyError, TypeError, ValueError) as exc:
            said = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else str(exc)  # words, not a Python repr
            raise InputError(f"{path}: indicator {number} ({item.get('id', '?') if isinstance(item, dict) else '?'}): {said}") from exc
        indicators[indicator.id] = indicator
    return MappingProxyType(indicators)
