"""Real-browser fixtures: the dashboard on a local port, driven by Debian's chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

from dashboard.core.settings import PROJECT_ROOT
from dashboard.web.app import create_app

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = PROJECT_ROOT / "screenshots"
# Without the background-networking flags chromium tries to reach Google at start-up.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        # `make test` installs it; failing (not skipping) keeps CI honest.
        pytest.fail(f"{CHROMIUM} not found: run `make test`, which installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}, "accept_downloads": True}


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    app = create_app()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@dataclass
class Watch:
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def watched(page: Page) -> Iterator[Page]:
    """The page, recording every request and console error; asserts none at the end."""
    watch = Watch()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("console", lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    yield page
    hosts = {urlparse(url).hostname for url in watch.requests if not url.startswith(("data:", "blob:"))}
    assert hosts <= {"127.0.0.1"}, [u for u in watch.requests if urlparse(u).hostname != "127.0.0.1"]
    assert watch.errors == []
