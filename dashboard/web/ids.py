"""Every Dash component id, once."""

from dashboard.web.charts import CHARTS

HEADER = "page-header"
CONTENT = "content"  # the page's main region: the skip link's target
CONTROLS_REGION = "controls"  # the controls' column: the footer's link back to them
ATTRIBUTION = "attribution"
URL = "url"
SELECTION = "selection"
LINKED_VIEW_SHOWN = "linked-view-shown"  # a clientside callback's (unused) output: see assets/linked_view.js
NOTICES = "notices"

INDICATOR = "control-indicator"
CANCER = "control-cancer"
PERIOD = "control-period"
LEVEL = "control-level"
ALLIANCE = "control-alliance"
AREA = "control-area"  # the area a map click chooses, as a list (for keyboards and screen readers)
GROUP = "control-group"
GROUP_VALUE = "control-group-value"
COMPARE = "control-compare"
CONFIDENCE = "control-confidence"
COLOUR = "control-colour"

HEADLINE = "headline"
MODELLED_BADGE = "modelled-badge"
NO_DATA = "no-data"
MAP = "map"
MAP_LEGEND = "map-legend"
MAP_CAPTION = "map-caption"
RANKED = "ranked"
TREND = "trend"
TREND_TITLE = "trend-title"
RANKED_TITLE = "ranked-title"
GROUPS = "groups"
GAP = "gap"
INEQUALITY_RANK = "inequality-rank"
INEQUALITY_NOTE = "inequality-note"
TREND_NOTE = "trend-note"
SPC_ICONS = "spc-icons"
VARIATION = "variation-summary"
FUNNEL = "funnel"
FUNNEL_NOTE = "funnel-note"
# Each chart graph but the ranked one (the first view's, and a click Input) is made in its slot
# when its chart is shown: mounted hidden, a graph draws an empty plot while the map is drawn.
GRAPH_SLOTS = {graph: f"{graph}-slot" for graph in (TREND, GROUPS, INEQUALITY_RANK, FUNNEL)}
OVERDISPERSION = "control-overdispersion"
LISTING = "control-listing"  # an alliance's own areas, or every area (ranked chart, table, download)
TABLE = "table"  # the table's panel slot: the grid is made in it, in the browser, when shown
TABLE_GRID = "table-grid"
TABLE_DATA = "table-data"  # the grid's properties, from the server (assets/table_grid.js makes the grid)
DOWNLOAD_BUTTON = "download-button"
DOWNLOAD = "download"
ADDRESS_CORRECTION = "address-correction"  # the corrected search of an invalid link, put in place by the browser
ADDRESS_CORRECTED = "address-corrected"  # the clientside callback's (unused) output
CHART = "control-chart"  # which chart is shown beside the map (web/charts.py)
PRESENT = "present-toggle"  # presentation mode's button (Esc presses it too: assets/presentation.js)
PRESENT_SHOWN = "present-shown"  # a clientside callback's (unused) output: see assets/presentation.js
KEY_FIGURE = "key-figure"  # the headline's number, large in presentation mode
CAVEATS = "caveats"  # the statistical caveats in one line, shown in presentation mode
STORYBOARD = "storyboard"  # the saved views' list: made by assets/storyboard.js, never by the server
STORY_STEPS = "story-steps"  # presentation mode's previous / "3 of 7" / next: made by assets/storyboard.js
PACK_PROGRESS = "pack-progress"  # the board pack's progress bar (assets/board_pack.js)
PACK_TITLE = "pack-title"  # the board pack's title (the maker's; "Board pack" when left empty)
PACK_STATUS = "pack-status"  # the board pack's messages: what is being drawn, what was saved
STORY_SHOWN = "story-shown"  # a clientside callback's (unused) output: see assets/storyboard.js
CHART_PANELS = {chart: f"panel-{chart}" for chart in CHARTS}  # each chart's panel, hidden unless chosen

# Each chart's one-sentence text alternative (its data are in the table), by chart.
SUMMARIES = {chart: f"summary-{chart}" for chart in ("map", *CHARTS) if chart != "table"}

# Selection field -> the control that sets it (colour is a radio group; area is also set by clicks).
CONTROLS = {
    "indicator": INDICATOR,
    "cancer": CANCER,
    "period": PERIOD,
    "level": LEVEL,
    "alliance": ALLIANCE,
    "area": AREA,
    "group": GROUP,
    "group_value": GROUP_VALUE,
    "compare": COMPARE,
    "confidence": CONFIDENCE,
    "colour": COLOUR,
    "overdispersion": OVERDISPERSION,
    "listing": LISTING,
}
