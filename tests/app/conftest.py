"""A tiny Dataset built in memory, so the app and its callbacks can be tested on numbers worked by hand.

The geography is a corner of the real one, with real codes and names: England (E92000001), the
East of England region (E40000007), two Cancer Alliances (East of England - North E56000022 and
South E56000023), three ICBs and four sub-ICBs:

    alliance E56000022 (North)
        ICB E54000022 Norfolk and Waveney             sub-ICB E38000239 (26A)
        ICB E54000056 Cambridgeshire and Peterborough sub-ICB E38000260 (06H)
    alliance E56000023 (South)
        ICB E54000026 Mid and South Essex             sub-ICBs E38000007 (99E), E38000030 (99F)

Each sub-ICB is a 0.5 degree square; every other level is the union of its sub-ICBs, as in the
real build. Two indicators, with made-up counts chosen so that every result can be worked by hand:

early_stage (%, higher is better, Wilson), Lung, 2021 and 2022; numerator / denominator:

    area                 2021        2022
    26A, N&W ICB         230 / 500   240 / 500   (48.0%)
    06H, C&P ICB         130 / 300   140 / 300   (46.7%)
    99E                  110 / 400   120 / 400
    99F                    6 / 12      3 / 10    (3 is a count of 1 to 4: withheld)
    M&SE ICB             116 / 412   123 / 410   (30.0%)
    North alliance       360 / 800   380 / 800   (47.5%)
    South alliance       116 / 412   123 / 410
    England              476 / 1212  503 / 1210  (41.57%)

mortality_crude (per 100,000, lower is better, Poisson), All cancers, 2020; deaths / residents:

    26A, N&W ICB         1500 / 500,000 (300.0)
    06H, C&P ICB          800 / 400,000 (200.0)
    99E                   760 / 300,000 (253.3)
    99F                   600 / 200,000 (300.0)
    M&SE ICB             1360 / 500,000 (272.0)
    North alliance       2300 / 900,000 (255.6)
    South alliance       1360 / 500,000
    England              3660 / 1,400,000 (261.4)

early_stage by deprivation quintile (group dimension imd_quintile, ordered), Lung, 2022 only, at
ICB and England level; each ICB's five groups add up to its all-patients row, and England's to
the sum of the ICBs':

    quintile             Norfolk & Waveney  Cambs & Peterborough  Mid & South Essex       England
    1 - most deprived    40 / 100 (40.0%)   32 / 60 (53.3%)       30 / 100 (30.0%)        102 / 260 (39.2%)
    2                    44 / 100 (44.0%)   30 / 60 (50.0%)       30 /  90 (33.3%)        104 / 250 (41.6%)
    3                    48 / 100 (48.0%)   28 / 60 (46.7%)       28 /  80 (withheld: 2)  104 / 240 (43.3%)
    4                    52 / 100 (52.0%)   26 / 60 (43.3%)       32 /  80 (40.0%)        110 / 240 (45.8%)
    5 - least deprived   56 / 100 (56.0%)   24 / 60 (40.0%)        3 /  60 (withheld: 1)   83 / 220 (37.7%)
    all (as above)       240 / 500          140 / 300             123 / 410               503 / 1210

Norfolk's and Cambridgeshire's groups are equal in size, so their relative ranks are the
midpoints 0.1, 0.3, 0.5, 0.7, 0.9, and their values are exactly linear in them: Norfolk
38 + 20x (slope index 20 points), Cambridgeshire 55 - 16.67x (slope index -16.67 points).
Essex's 3 early-stage cancers in quintile 5 are a count of 1 to 4 (withheld: 1); its smallest
other group (quintile 3, 28) is then withheld too (withheld: 2), or 123 minus the four shown
would give the 3 back.

The published columns carry 95% limits by the textbook formulas (written out below, not taken
from dashboard.stats). The derived columns (99.8% limits, disclosure decisions) are made by the
build's own step, dashboard.pipeline.derived.derive, and the table then goes through
dashboard.data.loading.compact and withhold exactly as the loader does.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import pandas as pd
import pytest

from dashboard.core.geography import AreaLevel
from dashboard.core.measures import CiMethod, Polarity, Unit
from dashboard.core.sources import CANCER_DATA_ATTRIBUTION
from dashboard.data.boundaries import Boundaries
from dashboard.data.loading import Dataset, area_codes_by_level, compact, withhold
from dashboard.data.registry import Indicator, Phrases
from dashboard.data.schema import COLUMNS
from dashboard.data.validation import check_table, coerce_types
from dashboard.pipeline.derived import derive
from dashboard.figures.maps import MapGeometry
from dashboard.query.explorer import Explorer

Z95 = 1.959963984540054  # standard normal quantile at 0.975

ENGLAND = "E92000001"
REGION = "E40000007"
NORTH, SOUTH = "E56000022", "E56000023"
NORFOLK, CAMBS, ESSEX = "E54000022", "E54000056", "E54000026"
SUB_26A, SUB_06H, SUB_99E, SUB_99F = "E38000239", "E38000260", "E38000007", "E38000030"

NAMES = {
    ENGLAND: "England",
    REGION: "East of England",
    NORTH: "East of England - North Cancer Alliance",
    SOUTH: "East of England - South Cancer Alliance",
    NORFOLK: "NHS Norfolk and Waveney Integrated Care Board",
    CAMBS: "NHS Cambridgeshire and Peterborough Integrated Care Board",
    ESSEX: "NHS Mid and South Essex Integrated Care Board",
    SUB_26A: "NHS Norfolk and Waveney ICB - 26A",
    SUB_06H: "NHS Cambridgeshire and Peterborough ICB - 06H",
    SUB_99E: "NHS Mid and South Essex ICB - 99E",
    SUB_99F: "NHS Mid and South Essex ICB - 99F",
}
# sub-ICB -> (ODS code, ICB, ICB ODS code, alliance), as in geodata/areas.csv
SUBICBS = {
    SUB_26A: ("26A", NORFOLK, "QMM", NORTH),
    SUB_06H: ("06H", CAMBS, "QUE", NORTH),
    SUB_99E: ("99E", ESSEX, "QH8", SOUTH),
    SUB_99F: ("99F", ESSEX, "QH8", SOUTH),
}
# sub-ICB -> south-west corner (lon, lat) of its 0.5 degree square
SQUARES = {
    SUB_26A: (1.0, 52.5),
    SUB_06H: (0.5, 52.5),
    SUB_99E: (0.5, 52.0),
    SUB_99F: (1.0, 52.0),
}
SIDE = 0.5
PARENT = {SUB_26A: NORFOLK, SUB_06H: CAMBS, SUB_99E: ESSEX, SUB_99F: ESSEX, NORFOLK: NORTH, CAMBS: NORTH, ESSEX: SOUTH}

EARLY_STAGE = {  # code -> {period: (numerator, denominator)}; parents are the sums of their parts
    SUB_26A: {"2021": (230, 500), "2022": (240, 500)},
    SUB_06H: {"2021": (130, 300), "2022": (140, 300)},
    SUB_99E: {"2021": (110, 400), "2022": (120, 400)},
    SUB_99F: {"2021": (6, 12), "2022": (3, 10)},
}
QUINTILES = ("1 - most deprived", "2", "3", "4", "5 - least deprived")
IMD_2022 = {  # ICB -> the five quintiles' (numerator, denominator), most deprived first
    NORFOLK: [(40, 100), (44, 100), (48, 100), (52, 100), (56, 100)],
    CAMBS: [(32, 60), (30, 60), (28, 60), (26, 60), (24, 60)],
    ESSEX: [(30, 100), (30, 90), (28, 80), (32, 80), (3, 60)],
}
MORTALITY = {SUB_26A: (1500, 500_000), SUB_06H: (800, 400_000), SUB_99E: (760, 300_000), SUB_99F: (600, 200_000)}


def rectangle(west: float, south: float, east: float, north: float) -> list[list[float]]:
    """A closed ring, clockwise (the d3-geo convention the real layers follow)."""
    return [[west, south], [west, north], [east, north], [east, south], [west, south]]


def _feature(code: str, subicbs: list[str]) -> dict:
    corners = [SQUARES[s] for s in subicbs]
    west, south = min(c[0] for c in corners), min(c[1] for c in corners)
    east, north = max(c[0] for c in corners) + SIDE, max(c[1] for c in corners) + SIDE
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, "name": NAMES[code]},
        "geometry": {"type": "Polygon", "coordinates": [rectangle(west, south, east, north)]},
    }


def members_of(code: str) -> list[str]:
    """The sub-ICBs inside an area."""
    if code in (ENGLAND, REGION):
        return list(SUBICBS)
    return [s for s in SUBICBS if code in (s, PARENT[s], PARENT[PARENT[s]])]


def _collection(codes: list[str]) -> dict:
    # Every area here is a rectangle of whole squares (Norfolk's and Cambridgeshire's squares sit
    # side by side, as do Essex's two), so the union is its bounding box.
    return {"type": "FeatureCollection", "features": [_feature(code, members_of(code)) for code in codes]}


def fixture_boundaries() -> Boundaries:
    layers = {
        AreaLevel.REGION: _collection([REGION]),
        AreaLevel.ALLIANCE: _collection([NORTH, SOUTH]),
        AreaLevel.ICB: _collection([NORFOLK, CAMBS, ESSEX]),
        AreaLevel.SUBICB: _collection(list(SUBICBS)),
    }
    areas = pd.DataFrame(
        [
            {
                "subicb_code": code, "subicb_ods": ods, "subicb_name": NAMES[code],
                "icb_code": icb, "icb_ods": icb_ods, "icb_name": NAMES[icb],
                "alliance_code": alliance, "alliance_name": NAMES[alliance],
                "region_code": REGION, "region_name": NAMES[REGION],
            }
            for code, (ods, icb, icb_ods, alliance) in SUBICBS.items()
        ],
        dtype=str,
    )
    aliases = pd.DataFrame(
        [{"area_level": "icb", "alias_key": "mid and south essex", "alias": NAMES[ESSEX], "area_code": ESSEX, "source": "fixture"}],
        dtype=str,
    )
    return Boundaries(
        layers=MappingProxyType(layers),
        groupings={"type": "FeatureCollection", "features": []},
        areas=areas,
        aliases=aliases,
        manifest=MappingProxyType({"products": {}}),
    )


def wilson_percent(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval in percent: (2x + z² ∓ z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²))."""
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return 100 * (2 * x + z * z - spread) / (2 * (n + z * z)), 100 * (2 * x + z * z + spread) / (2 * (n + z * z))


def byar_rate(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation to the Poisson limits (10 or more events), per 100,000 of n."""
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower * 100_000 / n, upper * 100_000 / n


PHRASES = Phrases(
    predicate="were diagnosed at stage 1 or 2",
    outcome="diagnosed at stage 1 or 2",
    all_cancers="of staged cancers",
    one_site="of staged {site} cancers",
)
ATTRIBUTION = CANCER_DATA_ATTRIBUTION
REGISTRY = MappingProxyType({
    "early_stage": Indicator(
        id="early_stage",
        name="Diagnosed at stage 1 or 2",
        definition="Share of staged cancers diagnosed at stage 1 or 2 (test fixture).",
        numerator="Stage 1 and 2 cancers",
        denominator="Staged cancers",
        unit=Unit.PERCENT,
        polarity=Polarity.HIGHER_IS_BETTER,
        ci_method=CiMethod.WILSON,
        ci_description="Wilson score 95%",
        source="Test fixture (made-up counts)",
        attribution=ATTRIBUTION,
        caveats="Made-up numbers for tests.",
        phrases=PHRASES,
        group_dimensions=("all", "imd_quintile"),
        group_values=MappingProxyType({"all": ("All",), "imd_quintile": QUINTILES}),
    ),
    "mortality_crude": Indicator(
        id="mortality_crude",
        name="Cancer deaths (crude rate)",
        definition="Deaths from cancer per 100,000 residents (test fixture).",
        numerator="Deaths from cancer",
        denominator="Residents",
        unit=Unit.PER_100K,
        polarity=Polarity.LOWER_IS_BETTER,
        ci_method=CiMethod.POISSON,
        ci_description="Byar's approximation to the exact Poisson 95% interval",
        source="Test fixture (made-up counts)",
        attribution=ATTRIBUTION,
        caveats="Made-up numbers for tests.",
        group_dimensions=("all",),
        group_values=MappingProxyType({"all": ("All",)}),
    ),
})

LEVEL_OF = {ENGLAND: "country", NORTH: "alliance", SOUTH: "alliance", NORFOLK: "icb", CAMBS: "icb", ESSEX: "icb", **dict.fromkeys(SUBICBS, "subicb")}


def _alliance_of(code: str) -> str | None:
    if code == ENGLAND:
        return None
    while LEVEL_OF[code] != "alliance":
        code = PARENT[code]
    return code


def _summed(counts: dict[str, tuple[int, int]], code: str) -> tuple[int, int]:
    parts = [counts[s] for s in members_of(code)]
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def _row(indicator: Indicator, code: str, period: str, cancer: str, x: int, n: int, group: tuple[str, str] = ("all", "All")) -> dict:
    if indicator.unit is Unit.PERCENT:
        value, (lower, upper), ci_method = 100 * x / n, wilson_percent(x, n), "Wilson score 95%"
    else:
        value, (lower, upper), ci_method = 100_000 * x / n, byar_rate(x, n), "Byar 95%"
    alliance = _alliance_of(code)
    return {
        "indicator_id": indicator.id, "indicator_name": indicator.name, "area_level": LEVEL_OF[code],
        "area_code": code, "area_name": NAMES[code],
        "alliance_code": alliance, "alliance_name": NAMES[alliance] if alliance else None,
        "period": period, "period_start": f"{period}-01-01", "period_end": f"{period}-12-31",
        "cancer_type": cancer, "group_dimension": group[0], "group_value": group[1],
        "numerator": float(x), "denominator": float(n), "value": value, "lower_ci": lower, "upper_ci": upper,
        "ci_method": ci_method, "unit": str(indicator.unit), "data_status": "published",
        "source": indicator.source, "period_type": "calendar_year",
    }


def fixture_table() -> pd.DataFrame:
    """The published columns, as the build writes them to indicators.parquet."""
    rows = []
    for period in ("2021", "2022"):
        counts = {code: by_period[period] for code, by_period in EARLY_STAGE.items()}
        for code in LEVEL_OF:
            rows.append(_row(REGISTRY["early_stage"], code, period, "Lung", *_summed(counts, code)))
    all_2022 = {code: by_period["2022"] for code, by_period in EARLY_STAGE.items()}
    for icb, groups in IMD_2022.items():  # each ICB's groups add up to its all-patients row
        assert tuple(map(sum, zip(*groups, strict=True))) == _summed(all_2022, icb)
    england = [tuple(map(sum, zip(*parts, strict=True))) for parts in zip(*IMD_2022.values(), strict=True)]
    assert tuple(map(sum, zip(*england, strict=True))) == _summed(all_2022, ENGLAND)
    for code, groups in [*IMD_2022.items(), (ENGLAND, england)]:
        for quintile, (x, n) in zip(QUINTILES, groups, strict=True):
            rows.append(_row(REGISTRY["early_stage"], code, "2022", "Lung", x, n, ("imd_quintile", quintile)))
    for code in LEVEL_OF:
        rows.append(_row(REGISTRY["mortality_crude"], code, "2020", "All cancers", *_summed(MORTALITY, code)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def build_fixture_dataset() -> Dataset:
    boundaries = fixture_boundaries()
    typed, problems = coerce_types(fixture_table(), "fixture")
    problems += check_table(typed, file="fixture", area_codes=area_codes_by_level(boundaries), indicator_ids=REGISTRY)
    assert problems == [], [str(p) for p in problems]
    derived = derive(typed, REGISTRY, boundaries)
    indicators = withhold(compact(pd.concat([typed, derived], axis=1)))
    return Dataset(boundaries=boundaries, indicators=indicators, registry=REGISTRY)


@pytest.fixture(scope="module")
def tiny_dataset() -> Dataset:
    return build_fixture_dataset()


@pytest.fixture(scope="module")
def tiny_explorer(tiny_dataset: Dataset) -> Explorer:
    return Explorer.from_dataset(tiny_dataset)


@pytest.fixture(scope="module")
def geometry(tiny_dataset: Dataset) -> MapGeometry:
    """The tiny dataset's map geometry, as the app makes it."""
    from dashboard.web.app import map_geometry, map_layers

    return map_geometry(map_layers(tiny_dataset))
