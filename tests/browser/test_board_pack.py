"""The board pack (issue 13): one click makes a PDF of the storyboard, a title page then a page
per saved view, with progress shown while it builds. The PDF is read back with poppler's own
tools (pdfinfo, pdftotext, pdftoppm), not with the library that wrote it; its pages are saved as
pictures in screenshots/ to be looked at. A PowerPoint file of the same views, read back with
python-pptx, has the same slides."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pages import wait_chart, wait_ready  # tests/pages.py

# Three views a board secretary might save: an alliance's ICBs ranked, a modelled group view,
# and the 28-day standard's monthly series. What each page must say, worked out from the link.
VIEWS = [
    ("/?indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&chart=ranked", "ranked",
     ["Diagnosed at stage 1 or 2 (%), Lung, 2022", "Source: NDRS", "indicator=early_stage&cancer=Lung&period=2022&level=icb&alliance=E56000024&chart=ranked"]),
    ("/?indicator=early_stage&cancer=Lung&period=2022&level=icb&group=imd_quintile&group_value=1+-+most+deprived&chart=groups", "groups",
     ["MODELLED", "Groups of patients", "Data status: Includes MODELLED rows", "group=imd_quintile"]),
    ("/?indicator=fds_28day&level=alliance&chart=trend", "trend",
     ["Source: NHS England", "chart=trend", "indicator=fds_28day"]),
]
NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdftoppm) is not installed: `make test` installs it")


def add_views(page: Page, base: str) -> None:
    for index, (link, chart, _texts) in enumerate(VIEWS):
        page.goto(base + link)
        wait_ready(page)
        wait_chart(page, chart)
        page.get_by_role("button", name="Add this view to the storyboard").click()
        expect(page.locator("#storyboard-heading")).to_have_text(f"Storyboard: {index + 1} view" + ("s" if index else ""))


def pdf_text(path: Path, page_number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page_number), "-l", str(page_number), "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def make_pack(page: Page, name: str) -> Path:
    """Press a board pack button, see its progress, and return the file saved."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=name).click()
        expect(page.locator("#pack-progress")).to_be_visible()
    path = Path(download.value.path())
    expect(page.locator("#pack-status")).to_contain_text("Saved Board pack")
    return path


@NEEDS_POPPLER
def test_the_board_pack_pdf_has_a_title_page_and_a_page_per_view(watched: Page, live_server: str, screenshots: Path) -> None:
    page = watched
    page.set_viewport_size({"width": 1280, "height": 900})
    add_views(page, live_server)
    path = make_pack(page, "Make a PDF board pack of every view in the storyboard")
    assert path.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           4" in info  # the title page and three views
    title = pdf_text(path, 1)
    assert "Board pack" in title and "3 views" in title and "Page 1 of 4" in title
    assert "Some views hold MODELLED estimates" in title
    for number, (_link, _chart, texts) in enumerate(VIEWS, start=2):
        text = pdf_text(path, number)
        assert f"Page {number} of 4" in text
        for expected in texts:
            assert expected in text, (number, expected)
        # Every view page: the statistical notes, the data status, what is withheld, the caveats, a permalink.
        for label in ("Statistical notes:", "Data status:", "Withheld:", "Caveats:", "Permalink: http://127.0.0.1"):
            assert label in text, (number, label)
    # The pages as pictures, to be looked at (and each is a real picture, not an empty page).
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(screenshots / "17-board-pack-page")], check=True)
    pages = sorted(screenshots.glob("17-board-pack-page-*.png"))
    assert len(pages) == 4
    assert all(p.stat().st_size > 20_000 for p in pages[1:])  # a map and a chart drawn on each view's page


def test_a_board_pack_of_this_view_as_powerpoint(watched: Page, live_server: str) -> None:
    from pptx import Presentation

    page = watched
    page.goto(live_server + VIEWS[0][0])
    wait_ready(page)
    wait_chart(page, "ranked")
    path = make_pack(page, "Make a PowerPoint board pack of this view")
    deck = Presentation(str(path))
    slides = list(deck.slides)
    assert len(slides) == 2
    texts = " ".join(shape.text_frame.text for shape in slides[1].shapes if shape.has_text_frame)
    for expected in VIEWS[0][2]:
        assert expected in texts
    assert sum(1 for shape in slides[1].shapes if shape.shape_type == 13) == 2  # the map's and the chart's pictures


def test_an_empty_storyboard_says_so(watched: Page, live_server: str) -> None:
    page = watched
    page.goto(live_server + "/")
    wait_ready(page)
    page.get_by_role("button", name="Make a PDF board pack of every view in the storyboard").click()
    expect(page.locator("#pack-status")).to_contain_text("The storyboard is empty")


@NEEDS_POPPLER
def test_a_saved_link_that_was_corrected_says_so_in_the_pack(watched: Page, live_server: str) -> None:
    """The page sends each view's link as saved: the server's page for it says what was corrected
    (it had sent the corrected link, and no page ever said so)."""
    page = watched
    page.goto(live_server + "/")
    wait_ready(page)
    saved = [{"search": "?indicator=early_stage&cancer=Lung&period=1999&level=icb&chart=ranked", "key": None, "label": "an old link"}]
    page.evaluate("views => localStorage.setItem('cancer-variation-explorer.storyboard', JSON.stringify(views))", saved)
    page.reload()
    wait_ready(page)
    path = make_pack(page, "Make a PDF board pack of every view in the storyboard")
    text = " ".join(pdf_text(path, 2).split())
    assert "The link was corrected: period='1999'" in text
