"""A plain-Dash baseline: the first version of this dashboard an analyst would write.

One `dcc.Dropdown` ("Cancer type") and ONE `px.choropleth` of the 42 ICBs, coloured by the
share of cancers diagnosed at an early stage in the latest period, all patients, over the
same data the project serves (read with the project's own loader, so withheld values stay
withheld). Every change re-sends the whole figure, GeoJSON included, from a normal callback;
assets are served locally with Dash's default full plotly bundle and no compression (Dash's
defaults).

One departure from a first draft: plotly.js draws a geo subplot only after fetching a world
topojson, by default from cdn.plot.ly, which this offline machine cannot reach (the map would
never draw). The app serves the project's stub topology (assets/topojson/, 432 bytes, the one
the project's map uses) at /topojson/ and points the graph's `topojsonURL` there, so both apps
pay the same for the base map and the comparison is about everything else.

Why it is kept: bench/browser.py measures this app beside the project in the same run, on
the same machine and browser, so the project's browser figures (first load, first map,
filter-change latency, bytes per change) read against what plain Dash gives for free rather
than against absolute numbers that move with the machine.

Run: .venv/bin/python bench/baseline_app.py --port 8060
Without --port (as `make bench` runs every bench/*.py) it does not serve: it builds the app,
prints the size of one callback response (the whole figure, re-sent per change) and exits.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html
from flask import abort, send_from_directory

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.loading import load_dataset

ROOT = Path(__file__).resolve().parents[1]

INDICATOR = "early_stage"
LEVEL = "icb"
DEFAULT_CANCER = "All cancers"
GEOJSON = ROOT / "geodata" / "icb.geojson"  # each feature's top-level "id" is the ICB code
TOPOJSON_DIR = ROOT / "assets" / "topojson"
TOPOJSON_ROUTE = "/topojson/"
DROPDOWN_ID = "cancer"
MAP_ID = "map"


def early_stage_latest() -> pd.DataFrame:
    """Early-stage share per ICB and cancer type in the latest period, all patients.

    Read through the project's loader (the app's source of truth, withheld cells blanked),
    then narrowed the way an analyst would with pandas.
    """
    table = load_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR).indicators
    rows = table[
        (table["indicator_id"] == INDICATOR) & (table["area_level"] == LEVEL) & (table["group_dimension"] == "all")
    ]
    latest = rows["period_end"].max()
    rows = rows[rows["period_end"] == latest]
    columns = ["cancer_type", "area_code", "area_name", "period", "value"]
    frame = rows[columns].astype({c: str for c in columns if c != "value"})
    return frame.reset_index(drop=True)


def choropleth(frame: pd.DataFrame, geojson: dict, cancer: str):
    """The one figure: a plain px.choropleth, GeoJSON embedded (what px does by default)."""
    rows = frame[frame["cancer_type"] == cancer]
    period = rows["period"].iloc[0] if len(rows) else ""
    figure = px.choropleth(
        rows,
        geojson=geojson,
        locations="area_code",
        color="value",
        hover_name="area_name",
        color_continuous_scale="Viridis",
        labels={"value": "Early stage (%)"},
        title=f"Diagnosed at an early stage, {cancer}, {period}",
    )
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 40, "b": 0}, height=700)
    return figure


def create_app() -> Dash:
    """The app: data and GeoJSON read once at start-up, one callback per change."""
    frame = early_stage_latest()
    geojson = json.loads(GEOJSON.read_text())
    cancers = sorted(frame["cancer_type"].unique())
    app = Dash(__name__, title="Baseline: early-stage diagnosis by ICB", serve_locally=True, compress=False)
    app.layout = html.Div(
        [
            html.H1("Early-stage diagnosis by ICB"),
            html.Label("Cancer type", htmlFor=DROPDOWN_ID),
            dcc.Dropdown(id=DROPDOWN_ID, options=cancers, value=DEFAULT_CANCER, clearable=False),
            dcc.Graph(id=MAP_ID, config={"topojsonURL": TOPOJSON_ROUTE}),
        ]
    )

    @app.server.route(TOPOJSON_ROUTE + "<name>")
    def topojson(name: str):
        """Offline stand-in for plotly's CDN (see the module docstring)."""
        if not (TOPOJSON_DIR / name).is_file():
            abort(404)
        return send_from_directory(TOPOJSON_DIR, name)

    @app.callback(Output(MAP_ID, "figure"), Input(DROPDOWN_ID, "value"))
    def update_map(cancer: str):
        return choropleth(frame, geojson, cancer)

    return app


def print_response_size() -> None:
    """`make bench` runs every bench/*.py and must not block on a server: report what each
    change costs on the wire here (the figure as the callback returns it, uncompressed)."""
    frame = early_stage_latest()
    geojson = json.loads(GEOJSON.read_text())
    body = choropleth(frame, geojson, DEFAULT_CANCER).to_json()
    print("baseline app (served by bench/browser.py; `--port N` to serve it by hand)")
    print(f"  one callback response (figure JSON, uncompressed): {len(body) / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="serve on this port; without it, print one response's size and exit")
    args = parser.parse_args()
    if args.port is None:
        print_response_size()
        return
    create_app().run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
