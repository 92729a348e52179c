"""A person opens the dashboard: England's alliances appear, offline, without errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import ConsoleMessage, Page, Request, expect

from dashboard import PRODUCT_NAME
from dashboard.sources import BOUNDARY_ATTRIBUTION


def test_first_page_draws_alliances_over_icbs_offline(page: Page, live_server: str, screenshots: Path) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server)

    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT_NAME)
    areas = page.locator(".choroplethlayer path.choroplethlocation")
    expect(areas).to_have_count(42 + 21, timeout=15_000)
    expect(page.get_by_text(BOUNDARY_ATTRIBUTION)).to_be_visible()

    # Every area has a real outline (a path with many points), not an empty shape.
    lengths = areas.evaluate_all("paths => paths.map(p => (p.getAttribute('d') || '').length)")
    assert min(lengths) > 50
    # The map fills its box: England is drawn, not a dot in a world map.
    box = page.locator(".choroplethlayer").bounding_box()
    assert box is not None and box["height"] > 300
    # No area is drawn inside out (wrong ring winding fills the whole globe instead).
    widths = areas.evaluate_all("paths => paths.map(p => p.getBBox().width)")
    assert max(widths) < 0.8 * box["width"]

    page.screenshot(path=str(screenshots / "first-page.png"), full_page=True)
    hosts = {urlparse(url).hostname for url in requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, requests
    assert errors == []
