"""The trend card of a monthly indicator, on a small monthly dataset built here by hand.

The geography is the tiny dataset's (tests/app/conftest.py). One indicator, a share where
higher is better, with a 75% standard in force from October 2022, has 24 months, April 2021
to March 2023, and the two financial years summed from them. Every sub-ICB sees 250 people a
month; within 28 days:

    April 2021 - March 2022   175, 180, 175, 180, ...  (70%, 72%, ...: mean 71%)
    April 2022 - March 2023   200, 205, 200, 205, ...  (80%, 82%, ...: mean 81%)

so every area (sums of sub-ICBs) has the same percentages. By hand: over 24 months the mean is
76%, the first 12 months are below it and the last 12 above (a run of 12 starting 12 months
in): limits are recalculated from April 2022 (the rule in docs/statistics.md). Within each
year every moving range is 2 points, so the limits are the year's mean ± 2.66 × 2 = ± 5.32:
65.68% to 76.32%, then 75.68% to 86.32%. The 75% standard is below 75.68%: met every month
(assurance "pass"); the latest year alternates about its mean: common cause.

A second indicator, like the 62-day waiting time, has only 7 months, April to October 2023,
and their sum ("2023-04 to 2023-10", a span of months), with an 85% standard from October
2023: too few months for limits, so a run chart.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pandas as pd
import pytest

from dashboard.core.measures import CiMethod, Polarity, Unit
from dashboard.core.selection import Selection
from dashboard.data.loading import Dataset, compact, withhold
from dashboard.data.registry import Indicator, Standard
from dashboard.data.schema import COLUMNS
from dashboard.data.validation import coerce_types
from dashboard.pipeline.derived import derive
from dashboard.query.explorer import Explorer
from tiny_values import card_view  # tests/tiny_values.py

Z95 = 1.959963984540054
ENGLAND, NORTH, SOUTH = "E92000001", "E56000022", "E56000023"
NORFOLK, CAMBS, ESSEX = "E54000022", "E54000056", "E54000026"
SUBICBS = {"E38000239": (NORFOLK, NORTH), "E38000260": (CAMBS, NORTH), "E38000007": (ESSEX, SOUTH), "E38000030": (ESSEX, SOUTH)}
CANCER = "All suspected cancers"
PEOPLE = 250  # per sub-ICB per month
STANDARD = Standard(75.0, "Test standard (75%)", "Test fixture", applies_from=date(2022, 10, 1))
INDICATOR = Indicator(
    id="fds_test", name="Told outcome within 28 days (test)", definition="Test fixture.", numerator="Told within 28 days",
    denominator="Told their outcome", unit=Unit.PERCENT, polarity=Polarity.HIGHER_IS_BETTER, ci_method=CiMethod.WILSON,
    ci_description="Wilson score 95%", source="Test fixture (made-up counts)", attribution="Test", caveats="Made up.",
    standards=(STANDARD,), group_dimensions=("all",), group_values=MappingProxyType({"all": ("All",)}),
)
MONTHS = [date(2021 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(24)]  # April 2021 to March 2023
SHORT_STANDARD = Standard(85.0, "Test 62-day standard (85%)", "Test fixture", applies_from=date(2023, 10, 1))
SHORT = replace(INDICATOR, id="cwt_test", name="Treated within 62 days (test)", standards=(SHORT_STANDARD,))
SHORT_MONTHS = [date(2023, m, 1) for m in range(4, 11)]  # April to October 2023


def within(month: int) -> int:
    """Told within 28 days in one sub-ICB in month `month` (0 = April 2021)."""
    return (175 if month < 12 else 200) + 5 * (month % 2)


def wilson_percent(x: float, n: float) -> tuple[float, float]:
    spread = Z95 * math.sqrt(Z95 * Z95 + 4 * x * (1 - x / n))
    return 100 * (2 * x + Z95 * Z95 - spread) / (2 * (n + Z95 * Z95)), 100 * (2 * x + Z95 * Z95 + spread) / (2 * (n + Z95 * Z95))


def areas() -> dict[str, tuple[str, str | None, int]]:
    """code -> (level, alliance, number of sub-ICBs it sums)."""
    found: dict[str, tuple[str, str | None, int]] = {ENGLAND: ("country", None, 4)}
    for code, (icb, alliance) in SUBICBS.items():
        found[code] = ("subicb", alliance, 1)
        found[icb] = ("icb", alliance, sum(1 for i, _ in SUBICBS.values() if i == icb))
        found[alliance] = ("alliance", alliance, sum(1 for _, a in SUBICBS.values() if a == alliance))
    return found


def row(code: str, level: str, alliance: str | None, period: str, period_type: str, start: date, end: date, x: int, n: int, names: dict,
        indicator: Indicator = INDICATOR) -> dict:
    lower, upper = wilson_percent(x, n)
    return {
        "indicator_id": indicator.id, "indicator_name": indicator.name, "area_level": level, "area_code": code, "area_name": names[code],
        "alliance_code": alliance, "alliance_name": names[alliance] if alliance else None, "period": period,
        "period_start": start.isoformat(), "period_end": end.isoformat(), "cancer_type": CANCER, "group_dimension": "all",
        "group_value": "All", "numerator": float(x), "denominator": float(n), "value": 100 * x / n, "lower_ci": lower,
        "upper_ci": upper, "ci_method": "Wilson score 95%", "unit": "%", "data_status": "published", "source": INDICATOR.source,
        "period_type": period_type,
    }


def monthly_table(names: dict) -> pd.DataFrame:
    rows = []
    for code, (level, alliance, parts) in areas().items():
        for i, start in enumerate(MONTHS):
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            rows.append(row(code, level, alliance, start.strftime("%Y-%m"), "month", start, end, parts * within(i), parts * PEOPLE, names))
        for year in (0, 1):
            x = parts * sum(within(i) for i in range(12 * year, 12 * year + 12))
            rows.append(row(code, level, alliance, f"{2021 + year}-{22 + year}", "financial_year", MONTHS[12 * year],
                            date(2022 + year, 3, 31), x, 12 * parts * PEOPLE, names))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def short_table(names: dict) -> pd.DataFrame:
    """SHORT's 7 months (the same counts as April to October of a year above) and their sum."""
    rows = []
    for code, (level, alliance, parts) in areas().items():
        for i, start in enumerate(SHORT_MONTHS):
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            rows.append(row(code, level, alliance, start.strftime("%Y-%m"), "month", start, end, parts * within(i), parts * PEOPLE, names, SHORT))
        x = parts * sum(within(i) for i in range(7))
        rows.append(row(code, level, alliance, "2023-04 to 2023-10", "multi_month", SHORT_MONTHS[0], date(2023, 10, 31), x, 7 * parts * PEOPLE, names, SHORT))
    return pd.DataFrame(rows, columns=list(COLUMNS))


@pytest.fixture(scope="module")
def monthly_explorer(tiny_dataset: Dataset) -> Explorer:
    names = {code: name for layer in tiny_dataset.boundaries.layers for code, name in tiny_dataset.boundaries.names(layer).items()}
    names[ENGLAND] = "England"
    typed, problems = coerce_types(pd.concat([monthly_table(names), short_table(names)], ignore_index=True), "monthly fixture")
    assert problems == []
    registry = MappingProxyType({INDICATOR.id: INDICATOR, SHORT.id: SHORT})
    derived = derive(typed, registry, tiny_dataset.boundaries)
    table = withhold(compact(pd.concat([typed, derived], axis=1)))
    return Explorer.from_dataset(Dataset(boundaries=tiny_dataset.boundaries, indicators=table, registry=registry))


def trend(explorer: Explorer, indicator: str = INDICATOR.id, **choices: str) -> tuple:
    sel, _ = explorer.normalise(Selection(indicator=indicator, cancer="", period="", level="alliance").with_(**choices))
    return sel, card_view("trend", explorer, sel.as_dict())[:4]


def traces(figure: dict) -> dict[str, dict]:
    return {t["name"]: t for t in figure["data"]}


def test_a_monthly_indicator_opens_on_a_financial_year_and_shows_its_months_with_spc(monthly_explorer: Explorer) -> None:
    sel, (figure, title, note, badges) = trend(monthly_explorer)
    assert sel.period == "2022-23"  # the Period control's first choice: the latest financial year
    assert title == "England: monthly statistical process control chart, April 2021 to March 2023"
    # At most three short sentences, then the key to the icons shown. The latest month, March 2023,
    # is 205 / 250 = 82.0%; the latest limits 75.68 to 86.32 print 75.7% to 86.3%.
    assert note == (
        "Since April 2022 (limits recalculated after a lasting shift), none of the 12 months has been unusual: only the usual ups and downs. "
        "The latest month, March 2023 (82.0%), is within the process limits (75.7% to 86.3%): no sign of change. "
        "The 75% target is below the process limits, on the good side, so it will be met every month unless the process changes. "
        "Variation icon: grey means usual variation; blue, orange or purple means an unusual month that is better, worse or neither, "
        "with H or L for high or low. Assurance icon: P means the target is met every month, F that it is missed every month, "
        "a question mark that it is hit and miss."
    )
    assert "XmR" not in title
    drawn = traces(figure)
    assert len(drawn["England, monthly"]["x"]) == 24
    assert drawn["Mean"]["y"] == [71, 71, None, 81, 81]
    assert drawn["Mean"]["x"] == ["2021-04-01", "2022-03-01", None, "2022-04-01", "2023-03-01"]
    limits = drawn["Process limits: the range of usual variation"]["y"]
    assert limits == pytest.approx([76.32, 76.32, None, 65.68, 65.68, None, 86.32, 86.32, None, 75.68, 75.68])
    # The financial year chosen is shaded and named.
    band = figure["layout"]["shapes"][0]
    assert (band["x0"], band["x1"]) == ("2022-03-17", "2023-03-16")  # half a month either side of April 2022 to March 2023
    assert "Shaded: the period chosen: 2022-23 (financial year)" in drawn


def test_the_target_is_drawn_from_the_month_it_applied_and_judges_the_latest_limits(monthly_explorer: Explorer) -> None:
    _, (figure, _title, note, badges) = trend(monthly_explorer)
    target = traces(figure)["Target: Test standard (75%), from Oct 2022"]
    assert target["x"] == ["2022-10-01", "2023-03-01"] and target["y"] == [75.0, 75.0]
    assert "so it will be met every month unless the process changes" in note
    assert [(b.className, b.children) for b in badges] == [
        ("spc-icon mdc-icon mdc-variation-common-cause", "Common cause: no significant change"),
        ("spc-icon mdc-icon mdc-assurance-pass", "Assurance: target met consistently"),
    ]
    assert not note.rstrip(".").endswith("(?)")


def test_a_month_chosen_shows_the_same_chart_with_that_month_shaded(monthly_explorer: Explorer) -> None:
    _, (figure, title, *_rest) = trend(monthly_explorer, period="2022-06")
    assert title.endswith("April 2021 to March 2023")
    assert "Shaded: the period chosen: June 2022" in traces(figure)


def test_an_area_clicked_gets_its_own_months(monthly_explorer: Explorer) -> None:
    _, (figure, title, *_rest) = trend(monthly_explorer, level="icb", area=ESSEX)
    assert title.startswith("Mid and South Essex: monthly")
    assert traces(figure)["Mean"]["y"] == [71, 71, None, 81, 81]  # 2 sub-ICBs: the same shares


# --- fewer than 12 months: a run chart --------------------------------------------------------------


def test_a_monthly_indicator_with_seven_months_opens_on_them_as_a_run_chart(monthly_explorer: Explorer) -> None:
    sel, (figure, title, note, badges) = trend(monthly_explorer, SHORT.id)
    assert sel.period == "2023-04 to 2023-10"  # the Period control's first choice: the span of months
    assert title == "England: monthly values, April 2023 to October 2023"
    assert note == (
        "Statistical process control limits need at least 12 months; this series has 7, so none are drawn. "
        "The Test 62-day standard (85%) target is drawn only for the months it applied to (October 2023 on)."
    )
    assert badges == []
    drawn = traces(figure)
    # 175, 180, ... of 250: 70%, 72%, 70%, 72%, 70%, 72%, 70%.
    assert drawn["England, monthly"]["y"] == [70, 72, 70, 72, 70, 72, 70]
    assert drawn["England, monthly"]["x"][0] == "2023-04-01" and drawn["England, monthly"]["x"][-1] == "2023-10-01"
    assert not any(name.startswith(("Mean", "Process limits", "Trial limits")) for name in drawn)
    # The standard applied to October 2023 only: drawn across that month, half a month either side
    # of its first day (1 October - 15 days = 16 September; + 15 days = 16 October).
    target = drawn["Target: Test 62-day standard (85%), from Oct 2023"]
    assert target["x"] == ["2023-09-16", "2023-10-16"] and target["y"] == [85.0, 85.0]
    assert "Shaded: the period chosen: April 2023 to October 2023" in drawn


def test_one_month_of_the_seven_chosen_gives_the_same_run_chart_with_it_shaded(monthly_explorer: Explorer) -> None:
    _, (figure, title, note, _badges) = trend(monthly_explorer, SHORT.id, period="2023-10")
    assert title == "England: monthly values, April 2023 to October 2023"
    assert "this series has 7" in note
    drawn = traces(figure)
    assert len(drawn["England, monthly"]["x"]) == 7 and "Target: Test 62-day standard (85%), from Oct 2023" in drawn
    assert "Shaded: the period chosen: October 2023" in drawn


def test_the_months_a_text_alternative_can_describe_are_the_charted_ones(monthly_explorer: Explorer) -> None:
    from dashboard.query.trend import chart_months, spc_months

    sel, _ = monthly_explorer.normalise(Selection(indicator=SHORT.id, cancer="", period="", level="alliance"))
    months = chart_months(monthly_explorer, sel, ENGLAND)
    assert months is not None and len(months.starts) == 7 and months.values[-1] == 70
    assert spc_months(monthly_explorer, sel, ENGLAND) is None  # 7 < 12: no limits
