"""The board pack's routes on the tiny dataset (issue 13): what each page says, worked out by hand
from the fixture's counts (tests/app/conftest.py), read back from the PDF with poppler's pdftotext
and pdfinfo (not with the library that wrote it); and every bad request refused with a message
naming the view and the part, never a 500."""

from __future__ import annotations

import base64
import io
import json
import math
import shutil
import struct
import subprocess
import zlib
from itertools import product
from pathlib import Path

import pytest
from PIL import Image

from dashboard.core.selection import Selection
from dashboard.web import board_pack
from dashboard.web.app import create_app
from dashboard.web.urlstate import decode, decode_chart, encode, shortest
from tiny_values import ICB_2022, Z95  # tests/tiny_values.py

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed: `make test` installs it")
ICB_VIEW = "?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked"
SUBICB_TABLE_VIEW = "?indicator=early_stage&cancer=Lung&period=2022&level=subicb&chart=table"


@pytest.fixture(scope="module")
def client(tiny_dataset):
    return create_app(dataset=tiny_dataset, warm_in_background=False).server.test_client()


def png(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#E8EDEE").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


def flat(text: str) -> str:
    return " ".join(text.split())


@NEEDS_POPPLER
def test_each_page_says_what_the_fixture_gives(client, tmp_path: Path) -> None:
    views = [{"search": ICB_VIEW, "map": png(40, 30), "chart": png(40, 30)}, {"search": SUBICB_TABLE_VIEW, "map": png(40, 30), "chart": None}]
    response = client.post("/board-pack", json={"format": "pdf", "views": views})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Board pack - ')
    assert ' - 2 views.pdf"; filename*=UTF-8' in response.headers["Content-Disposition"]
    title, icb, subicb = (flat(page) for page in pdf_pages(response.data, tmp_path))
    assert "Board pack" in title and "2 views" in title and "Page 1 of 3" in title
    assert "Some views hold MODELLED" not in title  # the fixture's figures are all published
    # England's 503 of 1,210 is 41.57%, with Wilson's 95% interval worked out here.
    spread = Z95 * math.sqrt(Z95**2 + 4 * 503 * (1 - 503 / 1210))
    low, high = (100 * (2 * 503 + Z95**2 + sign * spread) / (2 * (1210 + Z95**2)) for sign in (-1, 1))
    for page in (icb, subicb):
        assert "Diagnosed at stage 1 or 2 (%), Lung, 2022" in page
        assert f"41.6% of staged lung cancers in England were diagnosed at stage 1 or 2 (95% CI {low:.1f}% to {high:.1f}%)" in page
        assert "Source: Test fixture (made-up counts)" in page
        assert "Data status: Published" in page
    assert "Page 2 of 3" in icb and "Page 3 of 3" in subicb
    # The three ICBs: Norfolk 240/500 = 48.0% the highest, Essex 123/410 = 30.0% the lowest; none withheld.
    assert "highest Norfolk and Waveney (48.0%), lowest Mid and South Essex (30.0%)" in icb
    assert "Nothing is withheld among the 3 areas listed" in icb
    assert "Permalink: http://localhost/?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked" in icb
    # Sub-ICBs: 99F's 3 is a count of 1 to 4; 99E's 120 is withheld too (Essex's 123 less 120 would give the 3).
    assert "2 of the 4 areas listed have figures withheld" in subicb
    assert "a count of 1 to 4 people (1)" in subicb and "would let a withheld count of 1 to 4 be worked out from other figures (1)" in subicb
    assert "The view's chart is its table" in subicb and "No picture for this view" in subicb
    assert "Permalink: http://localhost/?indicator=early_stage&cancer=Lung&period=2022&level=subicb&chart=table" in subicb


@NEEDS_POPPLER
def test_a_corrected_link_is_said_and_its_permalink_rebuilt(client, tmp_path: Path) -> None:
    views = [{"search": "?indicator==2*3&cancer=@SUM(1)&level=icb&chart=ranked", "map": None, "chart": None}]
    response = client.post("/board-pack", json={"format": "pdf", "views": views})
    page = flat(pdf_pages(response.data, tmp_path)[1])
    assert "The link was corrected: indicator='=2*3' is not available here" in page
    # The permalink is the view shown, rebuilt from it: nothing of what was sent.
    assert "Permalink: http://localhost/?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked" in page


def test_the_powerpoint_file_has_a_slide_per_view(client) -> None:
    from pptx import Presentation

    views = [{"search": ICB_VIEW, "map": png(40, 30), "chart": png(40, 30)}] * 3
    response = client.post("/board-pack", json={"format": "pptx", "views": views})
    assert response.status_code == 200
    deck = Presentation(io.BytesIO(response.data))
    slides = list(deck.slides)
    assert len(slides) == 4
    texts = [" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame) for slide in slides]
    assert "3 views" in texts[0] and "1 of 4" in texts[0]
    assert "Diagnosed at stage 1 or 2 (%), Lung, 2022" in texts[1] and "4 of 4" in texts[3]
    assert "Permalink: http://localhost/?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked" in texts[1]
    assert "Source: Test fixture (made-up counts)" in slides[1].notes_slide.notes_text_frame.text


def test_the_figures_for_a_view_are_at_presentation_sizes(client) -> None:
    body = client.get("/board-pack/view" + ICB_VIEW).get_json()
    assert body["search"] == encode(Selection.from_dict(ICB_2022), "ranked")
    assert body["map"]["figure"]["data"][0]["geojson"].endswith("/geo/icb.json")
    assert body["map"]["figure"]["layout"]["font"]["size"] >= 18
    assert body["chart"]["figure"]["layout"]["font"]["size"] >= 18
    assert (body["map"]["width"], body["map"]["height"], body["chart"]["width"], body["scale"]) == (760, 700, 1100, 2)


def forged_png(width: int, height: int) -> str:
    """A PNG header claiming `width` x `height` pixels, with nothing behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


@pytest.mark.parametrize(("body", "message"), [
    (None, "must be a JSON object"),
    ([], "must be a JSON object"),
    ({"format": "docx", "views": [{"search": ""}]}, "format: 'docx' is not one of pdf, pptx"),
    ({"format": "pdf"}, "views: a list of at least one view is needed"),
    ({"format": "pdf", "views": [{"search": ""}] * 101}, "views: 101 views; a pack holds at most 100"),
    ({"format": "pdf", "views": [{"search": ""}, {"map": "x"}]}, "view 2: needs 'search'"),
    ({"format": "pdf", "views": [{"search": "?" + "a" * 5000}]}, "view 1: search is 5,001 characters"),
    ({"format": "pdf", "views": [{"search": "", "map": 7}]}, "view 1, map: must be a base64 PNG or null"),
    ({"format": "pdf", "views": [{"search": "", "chart": "not base64!"}]}, "view 1, chart picture: is not base64 text"),
    ({"format": "pdf", "views": [{"search": "", "map": base64.b64encode(b"GIF89a" * 10).decode()}]}, "view 1, map picture: is not a PNG image"),
    ({"format": "pdf", "views": [{"search": "", "map": forged_png(100_000, 100_000)}]}, "view 1, map picture: is 100000x100000 pixels; at most 1520x1400"),
])
def test_a_bad_request_is_refused_with_its_reason(client, body, message: str) -> None:
    response = client.post("/board-pack", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_broken_png_within_the_limits_is_refused_not_a_500(client) -> None:
    response = client.post("/board-pack", json={"format": "pdf", "views": [{"search": "", "map": forged_png(100, 100)}]})
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("The board pack could not be made:")


def test_not_json_and_too_large_are_refused(client, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.post("/board-pack", data="{", content_type="application/json").status_code == 400
    monkeypatch.setattr(board_pack, "MAX_PACK_BYTES", 1_000)  # the limit, as if 60 MB were 1 KB
    huge = client.post("/board-pack", json={"format": "pdf", "views": [{"search": "", "map": png(400, 300)}]})
    assert huge.status_code == 413 and "fewer views" in huge.get_data(as_text=True)


def test_every_short_link_opens_the_same_view(tiny_explorer) -> None:
    """`shortest` leaves out only what the link would be given anyway: across the fixture's views,
    the short link opens the very view, and keeps what the view is of."""
    fields = product(
        ("early_stage", "mortality_crude"), ("icb", "subicb", "alliance"), ("", "E56000022"), ("value", "comparison"),
        ("95", "99.8"), ("england", "peers"), ("ranked", "funnel", "table"),
    )
    for indicator, level, alliance, colour, confidence, compare, chart in fields:
        query = f"?indicator={indicator}&level={level}&alliance={alliance}&colour={colour}&confidence={confidence}&compare={compare}&chart={chart}"
        sel, _ = decode(query, tiny_explorer)
        short = shortest(sel, chart, tiny_explorer)
        assert decode(short, tiny_explorer) == (sel, [])
        assert decode_chart(short)[0] == chart
        for kept in ("indicator=", "cancer=", "period=", "level=", "chart="):
            assert kept in short
        assert len(short) <= len(encode(sel, chart))


@NEEDS_POPPLER
def test_the_makers_title_names_the_pack_and_its_file(client, tmp_path: Path) -> None:
    title = "Lung cancer board \u2013 December\x07 2026"  # an en dash, and a bell the title must not keep
    response = client.post("/board-pack", json={"format": "pdf", "title": title, "views": [{"search": ICB_VIEW}]})
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="Lung cancer board December 2026 - ')  # the plain name drops the dash
    assert "filename*=UTF-8''Lung%20cancer%20board%20%E2%80%93%20December%202026%20-%20" in header
    first = flat(pdf_pages(response.data, tmp_path)[0])
    assert "Lung cancer board \u2013 December 2026" in first
    # The links are this computer's: the title page says they open only there.
    assert "Its links point at localhost, the computer the pack was made on" in first
    too_long = client.post("/board-pack", json={"format": "pdf", "title": "x" * 121, "views": [{"search": ICB_VIEW}]})
    assert too_long.status_code == 400 and "title: 121 characters; at most 120" in too_long.get_data(as_text=True)
