"""Every Dash component id, once."""

HEADER = "page-header"
MAP = "alliance-map"
ATTRIBUTION = "attribution"
