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
