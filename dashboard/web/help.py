"""The page's Help card: every method in plain English (docs/statistics.md and docs/data.md say
the same at more length)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.data.schema import GROUPS_WITHOUT_DATA, OUTCOMES_WITHOUT_DATA


def help_text() -> list[Any]:
    """Every method in plain English (docs/statistics.md and docs/data.md say the same at more length)."""
    from dashboard.core.disclosure_rule import RULE_TEXT
    from dashboard.stats.variation import DEFINITIONS

    missing = " and ".join(label.lower() for label in GROUPS_WITHOUT_DATA.values())
    variation = [html.Li([html.B(f"{name}: "), text]) for name, text in _variation_items(DEFINITIONS)]
    return [
        html.H4("Presenting"),
        html.P(
            "Present (top right) shows the headline, its number, the map and the chosen chart large for a shared "
            "screen; Esc leaves. The Storyboard, under the controls, keeps views in this browser: add them, put "
            "them in order, export or import them as permalinks, and step through them with the arrow keys while "
            "presenting. Image: PNG or SVG saves the map or the chart with its title, legend, caveats, source and "
            "permalink in the picture."
        ),
        html.H4("Confidence intervals"),
        html.P(
            "Every published value has a 95% confidence interval, the range the true value probably lies in given chance "
            "alone. Shares use Wilson's score interval; counts and crude rates use the exact Poisson interval "
            "(Byar's approximation from 10 events); age-standardised rates use Dobson's method."
        ),
        html.H4("Comparison with a benchmark"),
        html.P(
            "An area is significantly better or worse than its benchmark only when its whole interval lies on "
            "one side of the benchmark value; otherwise it is similar. 'Significance level' sets the interval: "
            "95% (about 1 comparison in 20 flags by chance alone) or 99.8% (about 1 in 500, for many areas at "
            "once). Whether higher is better depends on the indicator; where neither is, areas are 'higher' or "
            "'lower'. Benchmarks: England; the selected alliance; or peers of similar deprivation (areas at the "
            "same level in the same fifth by share of residents in England's most deprived fifth of "
            "neighbourhoods, pooled). Colour is never the only cue: charts also use marker shapes "
            "(triangle up: better; circle: similar; triangle down: worse; open circle: not compared)."
        ),
        html.H4("Variation across areas"),
        html.Ul(variation),
        html.H4("Funnel plot"),
        html.P(
            "Each area's value against its size (the denominator). The funnel's lines are the 95% and 99.8% "
            "control limits around the England value: the range within which areas of that size would fall "
            "by chance alone (Wilson's method for shares, exact Poisson for rates). Outside the outer lines is "
            "unlikely to be chance. When areas vary more than chance allows (overdispersion), 'Allow for "
            "overdispersion' widens the limits by Spiegelhalter's additive random-effects method, so that only "
            "areas unusual even given that extra variation stand out."
        ),
        html.H4("Inequality between groups"),
        html.P(
            "For ordered groups (deprivation quintiles, age bands): the absolute gap (first group minus last), "
            "the relative gap (first ÷ last), and the slope and relative indices of inequality (SII, RII). "
            "The SII is the fitted difference between the two ends of the range, weighting each group by "
            "its size; the RII is the same as a ratio. Their 95% intervals come from simulation (PHE's method)."
        ),
        html.H4("Trends"),
        html.P(
            "Monthly series of 12 months or more are shown as a statistical process control chart of the XmR kind "
            "(X: each month's value; mR: the moving range, the change from one month to the next), as in NHS "
            "'Making Data Count'; with 2 to 11 months, the months are shown without limits. The chart shows "
            "the mean and the process limits (mean ± 2.66 × average moving range); special-cause variation is "
            "a point beyond a limit, 7 points in a row on one side of the mean, 7 points steadily rising or "
            "falling, or 2 of 3 points near a limit on the same side. The icons say whether the latest point "
            "shows common-cause or special-cause variation, and whether a target will be consistently met, "
            "consistently missed, or hit and miss. Annual series are tested for a linear trend over the last "
            "five points."
        ),
        html.H4("Opportunity"),
        html.P(
            "'If this area matched England (or the top quarter of its peers), about N more people a year would "
            "have …' is the benchmark share times the area's denominator, minus its numerator, scaled to a "
            "year. It is given only for shares where higher is better, for published figures below the target."
        ),
        html.H4("Small numbers"),
        html.P(RULE_TEXT),
        html.H4("Modelled figures and missing groups"),
        html.P(
            "MODELLED figures (early-stage diagnosis by deprivation quintile and ethnic group) are estimates "
            "from a stated model that adds up to the published totals; no source publishes these breakdowns "
            "for areas. Each chart of them carries the MODELLED mark and the model's assumption, and they have no "
            "confidence interval: one from sampling alone would leave out the model's own uncertainty. Because "
            "the gaps between their groups are what the model assumed, no comparison with a benchmark, funnel, "
            "ranking by inequality, slope index or trend test is computed on them."
        ),
        html.P(
            f"No data exist, published or modelled, for {missing}. This dashboard does not invent them; "
            "an alliance holding its own figures can load them (docs/data.md, 'Loading an alliance's own data')."
        ),
        html.P(
            "Outcomes with no area-level data in the sources, listed (unavailable) under Indicator: "
            + "; ".join(f"{name.lower()}: {reason}" for name, reason in OUTCOMES_WITHOUT_DATA.values()) + "."
        ),
        html.H4("One alliance geography"),
        html.P(
            "Alliances are the 21 of the 2022 sub-ICB to alliance mapping the map draws. NDRS publishes stage at "
            "diagnosis for 20 alliances on their 2020 footprint (South Yorkshire with Bassetlaw, Thames Valley with "
            "Swindon, East of England as one); the dashboard shows every alliance as the sum of its 2022 ICBs. The "
            "indicator's caveats, in the download header, give how far each differs from NDRS's figure, and such "
            "rows say 'recomputed' in their source."
        ),
        html.H4("Crude incidence"),
        html.P(
            "New diagnoses per 100,000 residents, from the stage file's counts of every diagnosis and the ONS "
            "mid-2019 population (used for every year). It is crude, not age-standardised, because the stage file "
            "has no age breakdown: an area with an older population has a higher rate without a higher risk."
        ),
    ]


def _variation_items(definitions: dict[str, str]) -> list[tuple[str, str]]:
    names = {"range": "Range", "fold": "Fold difference", "p90_p10": "90th ÷ 10th percentile", "cv": "Coefficient of variation", "scv": "Variation beyond chance (the systematic component of variation, SCV)"}
    return [(names.get(key, key), text) for key, text in definitions.items()]
