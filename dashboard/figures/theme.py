"""NHS identity colours and figure defaults, in one place.

Colours are from the NHS England identity guidelines' palette.
"""

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_BRIGHT_BLUE = "#0072CE"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_PALE_GREY = "#E8EDEE"
NHS_MID_GREY = "#768692"
NHS_DARK_GREY = "#425563"
NHS_BLACK = "#231F20"
NHS_WHITE = "#FFFFFF"

FONT_FAMILY = "Frutiger, Arial, sans-serif"
BASE_FONT_SIZE = 16  # legible when screen-shared to a meeting room

# plotly's default template adds ~6.5 KB to every figure; this one carries only what we use.
FIGURE_LAYOUT = {
    "template": "none",
    "font": {"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": NHS_BLACK},
    "paper_bgcolor": NHS_WHITE,
    "plot_bgcolor": NHS_WHITE,
    "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
}

# Sequential, single-hue scale (light to dark NHS blues): readable by people with any
# common colour-vision deficiency, and in greyscale.
# Its lightest end is a clear blue, not near-white, so that the lowest value never looks like an
# area faded outside the chosen alliance (FADED_OPACITY over white is paler than any value).
SEQUENTIAL_SCALE = [
    [0.0, "#9ECAE1"],
    [0.25, "#6BAED6"],
    [0.5, "#3182BD"],
    [0.75, "#1D5FA0"],
    [1.0, "#08306B"],
]
NO_DATA_FILL = "#F4F4F4"
FADED_OPACITY = 0.15  # areas outside the chosen alliance: clearly faded, still readable on hover

# Comparison colours from the Okabe-Ito palette (safe for colour-blind viewers); every
# chart also carries a marker shape, so colour is never the only cue.
COMPARISON_COLOURS = {
    "better": "#0072B2",
    "similar": "#F0E442",
    "worse": "#D55E00",
    "higher": "#56B4E9",
    "lower": "#CC79A7",
    "not compared": "#FFFFFF",
}
COMPARISON_SYMBOLS = {
    "better": "triangle-up",
    "similar": "circle",
    "worse": "triangle-down",
    "higher": "triangle-up-open",
    "lower": "triangle-down-open",
    "not compared": "circle-open",
}
COMPARISON_ORDER = ["better", "similar", "worse", "higher", "lower", "not compared"]
HIGHLIGHT = NHS_BLUE
MUTED = "#AEB7BD"
