"""The board pack's routes on the tiny dataset (issue 13): what each page says, worked out by hand
from the fixture's counts (tests/app/conftest.py), read back from the PDF with poppler's pdftotext
and pdfinfo (not with the library that wrote it); and every bad request refused with a message
naming the view and the part, never a 500."""

from __future__ import annotations

import base64
import io
import json
import math
import re
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
    assert (body["map"]["width"], body["map"]["height"], body["chart"]["width"]) == (760, 700, 1100)
    assert body["map"]["scale"] == body["chart"]["scale"] == 1.5  # about 290 dots an inch in the PDF
    assert body["max_bytes"] == 100_000_000


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
    ({"format": "pptx", "views": [{"search": "", "map": "é"}]}, "view 1, map picture: is not base64 text"),  # not ASCII: a 500 (bench/fuzz.py)
    ({"format": "pdf", "views": [{"search": "", "map": base64.b64encode(b"GIF89a" * 10).decode()}]}, "view 1, map picture: is not a PNG image"),
    ({"format": "pdf", "views": [{"search": "", "map": forged_png(100_000, 100_000)}]}, "view 1, map picture: is 100000x100000 pixels; at most 1140x1050"),
])
def test_a_bad_request_is_refused_with_its_reason(client, body, message: str) -> None:
    response = client.post("/board-pack", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def png_with_mode(mode: str) -> bytes:
    """A 30x20 picture in `mode`; a palette one of 200 colours, so that it keeps 8 bits a pixel."""
    out = io.BytesIO()
    image = Image.new("RGB", (30, 20))
    image.putdata([(i % 256, 255 - i % 256, (i * 7) % 256) for i in range(600)])
    (image.quantize(200) if mode == "P" else image.convert(mode)).save(out, "PNG")
    return out.getvalue()


def sixteen_bit_rgb() -> bytes:
    """An RGB PNG of 16 bits a channel, written out by hand (Pillow writes none)."""
    header = struct.pack(">IIBBBBB", 2, 2, 16, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x12\x34" * 6 for _ in range(2))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def damaged_pixels() -> bytes:
    """An RGB PNG whose compressed pixels are cut short, its chunk's checksum made right again:
    every chunk is whole, only decoding the pixels finds the damage."""
    data = png_with_mode("RGB")
    at = data.index(b"IDAT")
    length = struct.unpack(">I", data[at - 4:at])[0]
    body = data[at + 4:at + 4 + length][: length // 2]
    chunk = struct.pack(">I", len(body)) + b"IDAT" + body + struct.pack(">I", zlib.crc32(b"IDAT" + body))
    return data[:at - 4] + chunk + data[at + 8 + length:]


def palette_without_colours() -> bytes:
    """A palette PNG whose PLTE chunk is taken out (fpdf2 had failed on it with a TypeError: a 500)."""
    data = png_with_mode("P")
    at = data.index(b"PLTE") - 4
    length = struct.unpack(">I", data[at:at + 4])[0]
    return data[:at] + data[at + 12 + length:]


def broken_chunk() -> bytes:
    """An RGB PNG with its image data's checksum spoiled (Pillow had raised SyntaxError: a 500)."""
    data = bytearray(png_with_mode("RGB"))
    at = data.index(b"IDAT")
    length = struct.unpack(">I", data[at - 4:at])[0]
    data[at + 4 + length] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize("fmt", ["pdf", "pptx"])
@pytest.mark.parametrize(("picture", "message"), [
    (forged_png(100, 100), "could not be read as a PNG image"),
    (palette_without_colours(), "is a P PNG; a picture drawn by the page is RGB or RGBA"),
    (broken_chunk(), "could not be read as a PNG image"),
    (png_with_mode("P"), "is a P PNG; a picture drawn by the page is RGB or RGBA"),
    (png_with_mode("I;16"), "has 16 bits a channel; a picture drawn by the page has 8"),
    (sixteen_bit_rgb(), "has 16 bits a channel; a picture drawn by the page has 8"),
])
def test_a_damaged_picture_is_refused_by_either_format_not_a_500(client, fmt: str, picture, message: str) -> None:
    data = picture if isinstance(picture, bytes) else base64.b64decode(picture)
    response = client.post("/board-pack", json={"format": fmt, "views": [{"search": "", "chart": base64.b64encode(data).decode()}]})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("The board pack could not be made: view 1, chart picture: ") and message in text
    assert "0x" not in text  # no object's address


@pytest.mark.parametrize("fmt", ["pdf", "pptx"])
def test_pixels_damaged_behind_whole_chunks_are_refused_by_either_format(client, fmt: str) -> None:
    picture = base64.b64encode(damaged_pixels()).decode()
    response = client.post("/board-pack", json={"format": fmt, "views": [{"search": "", "map": picture}]})
    assert response.status_code == 400 and "could not be read" in response.get_data(as_text=True)


@pytest.mark.parametrize("title", ["董事会", "मंडल", "مجلس الإدارة", "Board 📊"])
def test_a_title_the_pdf_font_cannot_set_is_refused(client, title: str) -> None:
    response = client.post("/board-pack", json={"format": "pdf", "title": title, "views": [{"search": ICB_VIEW}]})
    assert response.status_code == 400 and "is not in the pack's font" in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", [[], {}, 1, None])
def test_a_format_of_the_wrong_type_is_refused(client, fmt) -> None:
    response = client.post("/board-pack", json={"format": fmt, "views": [{"search": "?"}]})
    assert response.status_code == 400 and "is not one of pdf, pptx" in response.get_data(as_text=True)


def test_a_form_from_another_site_is_refused(client) -> None:
    """Only the page's script sends JSON: a cross-site form (text/plain) can make no pack."""
    response = client.post("/board-pack", data='{"format": "pdf", "views": [{"search": "?"}]}', content_type="text/plain")
    assert response.status_code == 415


@NEEDS_POPPLER
def test_a_link_of_many_unknown_parameters_keeps_the_pages_notes(client, tmp_path: Path) -> None:
    """1,200 unknown parameters: five corrections said and the rest counted, the caveats, data
    status, withheld and source lines all on the page (they had been pushed off it, 5 s a view)."""
    search = ("?" + "&".join(f"{i:x}=" for i in range(1200)))[:4000]
    response = client.post("/board-pack", json={"format": "pdf", "views": [{"search": search}] * 3})
    assert response.status_code == 200
    page = flat(pdf_pages(response.data, tmp_path)[1])
    assert page.count("The link was corrected") == 6 and re.search(r"The link was corrected: \d{3} more values were not valid either", page)
    for label in ("Caveats:", "Data status:", "Withheld:", "Source:", "Permalink: http://localhost/?indicator=early_stage"):
        assert label in page


@NEEDS_POPPLER
@pytest.mark.parametrize("host", ["evil.example/phish?x=", "=HYPERLINK(1)", "a b"])
def test_a_host_that_is_not_a_host_name_gives_a_relative_link(client, tmp_path: Path, host: str) -> None:
    response = client.post("/board-pack", json={"format": "pdf", "views": [{"search": ICB_VIEW}]}, headers={"Host": host})
    page = flat(pdf_pages(response.data, tmp_path)[1])
    assert "Permalink: /?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked" in page
    assert "evil" not in page and "HYPERLINK" not in page


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


def test_brackets_round_what_is_not_an_ipv6_address_give_a_relative_link(client) -> None:
    """Host "[1:2]" had made Werkzeug's host_url raise: a 500. (Flask's test client cannot send it,
    so the route is called within a request made by hand.)"""
    server = client.application
    with server.test_request_context("/board-pack/view" + ICB_VIEW, environ_overrides={"HTTP_HOST": "[1:2]"}):
        response = server.view_functions["board_pack_view"]()
    assert response.status_code == 200
    assert json.loads(response.get_data())["permalink"] == "/" + ICB_VIEW
