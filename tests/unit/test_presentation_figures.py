"""Charts at presentation sizes (figures/presentation.py): every text 18 px and up, the data untouched."""

from __future__ import annotations

from dashboard.figures.presentation import for_presentation

FIGURE = {
    "data": [
        {"type": "scatter", "x": [1.0, 2.0], "y": ["A", "B"], "hoverlabel": {"font": {"size": 11}}},
        {"type": "choropleth", "z": [3.0], "colorbar": {"title": {"text": "%"}, "thickness": 14}},
    ],
    "layout": {
        "font": {"family": "Arial", "size": 16},
        "height": 400,
        "xaxis": {"title": {"text": "%"}, "tickfont": {"size": 12}},
        "yaxis": {"tickfont": {"size": 13}, "categoryarray": ["B", "A"] * 21},
        "yaxis2": {},
        "annotations": [{"text": "MODELLED", "font": {"size": 12, "color": "#231F20"}}],
        "legend": {"orientation": "h"},
    },
}


def test_every_font_is_at_least_18_px() -> None:
    shown = for_presentation(FIGURE)
    layout = shown["layout"]
    assert layout["font"] == {"family": "Arial", "size": 18}
    assert layout["xaxis"]["tickfont"]["size"] == 18 and layout["xaxis"]["title"]["font"]["size"] == 18
    assert layout["yaxis"]["tickfont"]["size"] == 18 and layout["yaxis2"]["tickfont"]["size"] == 18
    assert layout["annotations"][0]["font"] == {"size": 18, "color": "#231F20"}
    assert layout["legend"]["font"]["size"] == 18 and layout["legend"]["orientation"] == "h"
    assert shown["data"][0]["hoverlabel"]["font"]["size"] == 18
    assert shown["data"][1]["colorbar"]["tickfont"]["size"] == 18 and shown["data"][1]["colorbar"]["title"]["font"]["size"] == 18


def test_larger_fonts_stay_and_the_data_do_not_change() -> None:
    big = {**FIGURE, "layout": {**FIGURE["layout"], "font": {"size": 24}}}
    assert for_presentation(big)["layout"]["font"]["size"] == 24
    shown = for_presentation(FIGURE)
    assert shown["data"][0]["x"] == [1.0, 2.0] and shown["data"][1]["z"] == [3.0]
    assert FIGURE["layout"]["font"]["size"] == 16  # the figure given is not changed


def test_a_ranked_chart_gets_rows_tall_enough_for_its_labels() -> None:
    # 42 rows of 28 px, plus 110 px for the axis and margins: taller than the 400 px given.
    assert for_presentation(FIGURE)["layout"]["height"] == 28 * 42 + 110


def test_a_long_legend_below_shows_four_rows_and_scrolls_and_a_short_one_is_whole() -> None:
    def chart(entries: int) -> dict:
        data = [{"type": "scatter", "name": f"Entry {n}", "y": [n]} for n in range(entries)]
        data.append({"type": "scatter", "name": "Lower limit", "showlegend": False, "y": [0]})  # not listed
        return {"data": data, "layout": {"height": 340, "legend": {"orientation": "h", "y": -0.35}, "margin": {"b": 80}}}

    short = for_presentation(chart(6), fill=True)["layout"]
    assert short["legend"]["yref"] == "container" and "maxheight" not in short["legend"]
    assert short["margin"]["b"] == 90 + 2 * 30  # the axis's labels and title, then two rows
    long = for_presentation(chart(9), fill=True)["layout"]
    assert long["legend"]["maxheight"] == 4 * 30 and long["margin"]["b"] == 90 + 4 * 30
    assert "height" not in long and long["autosize"] is True


def test_a_picture_on_paper_shows_a_long_legend_whole() -> None:
    from dashboard.figures.presentation import with_whole_legend

    data = [{"type": "scatter", "name": f"Entry {n}", "y": [n]} for n in range(9)]
    presented = for_presentation({"data": data, "layout": {"height": 340, "legend": {"orientation": "h", "y": -0.35}}}, fill=True)
    whole, added = with_whole_legend(presented)
    assert "maxheight" not in whole["layout"]["legend"]
    assert whole["layout"]["margin"]["b"] == 90 + 9 * 30 and added == (9 - 4) * 30
    assert with_whole_legend(for_presentation({"data": data[:3], "layout": {"legend": {"orientation": "h", "y": -0.3}}}))[1] == 0
