"""The app factory. Loading happens here, once, never at import time."""

from __future__ import annotations

from dash import Dash

from dashboard import PRODUCT_NAME
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.data.loading import Dataset, load_dataset
from dashboard.geography import AreaLevel
from dashboard.ui.layout import page
from dashboard.views.maps import alliance_overview_figure

ASSETS_DIR = PROJECT_ROOT / "assets"


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> Dash:
    """Build the app. Data are read and validated here, once; bad data stop it starting."""
    settings = settings or Settings()
    dataset = dataset or load_dataset(settings.data_dir, settings.geodata_dir)
    boundaries = dataset.boundaries
    app = Dash(
        __name__,
        title=PRODUCT_NAME,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        update_title=None,
    )
    icb_alliance = dict(boundaries.areas[["icb_code", "alliance_code"]].drop_duplicates().itertuples(index=False))
    figure = alliance_overview_figure(
        icb_layer=boundaries.layers[AreaLevel.ICB],
        alliance_layer=boundaries.layers[AreaLevel.ALLIANCE],
        icb_alliance=icb_alliance,
    )
    app.layout = page(
        overview_map=figure,
        topojson_url=app.get_asset_url("topojson/"),
        alliance_count=len(boundaries.layers[AreaLevel.ALLIANCE]["features"]),
        icb_count=len(boundaries.layers[AreaLevel.ICB]["features"]),
    )
    return app
