"""The board pack's PDF writer on made-up pages: one page per view whatever its texts hold, the
permalink always whole, a title page that stays one page for 100 views, and a machine without
DejaVu or Liberation fonts still gets a readable PDF. Read back with poppler's pdftotext."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from dashboard.figures import pack_pdf
from dashboard.figures.pack_pages import BoardPack, LegendItem, PackView, PictureError, checked_picture, picture_scale, png_size

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed: `make test` installs it")
LINK = "http://127.0.0.1:8050/?indicator=early_stage&cancer=Lung&period=2022&level=icb&chart=ranked"


def picture(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#005EB8").save(out, "PNG")
    return out.getvalue()


def view(notes: tuple[str, ...] = ("The map's caption.",), title: str = "Diagnosed at stage 1 or 2 (%), Lung, 2022") -> PackView:
    return PackView(
        title=title, headline="England: 55.3% ≥ 55.0% – similar", key_figure="55.3%", chart_name="Ranked",
        legend=(LegendItem("Better", "#005EB8"), LegendItem("Not a colour", "red")), notes=notes, caveats="95% intervals",
        data_status="Published.", suppression="Nothing is withheld.", source="NDRS", permalink=LINK, modelled=False,
        pictures={"map": picture(60, 50), "chart": picture(80, 50)},
    )


def pages_of(pack: BoardPack, tmp_path: Path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_pdf.board_pack_pdf(pack))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def pack_of(*views: PackView) -> BoardPack:
    return BoardPack(title="Board pack", made=datetime(2026, 12, 6, 9, 30), product="Cancer Variation Explorer", views=views)


def test_long_notes_stay_on_their_page_and_the_permalink_stays_whole(tmp_path: Path) -> None:
    long_notes = tuple(f"Note {n}: " + "the variation is wide " * 40 for n in range(12))
    pages = pages_of(pack_of(view(long_notes), view()), tmp_path)
    assert len(pages) == 3
    assert LINK in pages[1] and LINK in pages[2]
    assert "Page 2 of 3" in pages[1]
    assert "…" in pages[1]  # what did not fit is cut, and says so


def test_a_hundred_views_keep_the_title_page_to_one_page(tmp_path: Path) -> None:
    views = [view(title=f"View number {n}") for n in range(1, 101)]
    pages = pages_of(pack_of(*views), tmp_path)
    assert len(pages) == 101
    assert "100 views" in pages[0] and "Page 2: View number 1" in pages[0]
    assert "more" in pages[0] and "Page 1 of 101" in pages[0]


def test_without_unicode_fonts_the_symbols_are_written_in_plain_letters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack_pdf, "FONT_CANDIDATES", ())
    monkeypatch.delenv("DASHBOARD_PDF_FONT", raising=False)
    page = pages_of(pack_of(view()), tmp_path)[1]
    assert "England: 55.3% >= 55.0% - similar" in page


def test_with_the_machine_fonts_the_symbols_are_kept(tmp_path: Path) -> None:
    if pack_pdf.font_files() is None:
        pytest.skip("neither DejaVu nor Liberation fonts on this machine")
    assert "England: 55.3% ≥ 55.0% – similar" in pages_of(pack_of(view()), tmp_path)[1]


def test_pictures_are_checked_before_anything_reads_them() -> None:
    assert png_size(picture(30, 20)) == (30, 20)
    # 1.5 device pixels a CSS pixel: the map 760x700 is at most 1140x1050; a chart at most 1650
    # wide and 2100 high (a long ranked chart is drawn at a smaller scale: picture_scale).
    assert checked_picture(picture(1140, 1050), "map") is not None
    with pytest.raises(PictureError, match="1141x1050 pixels; at most 1140x1050"):
        checked_picture(picture(1141, 1050), "map")
    assert checked_picture(picture(1650, 2100), "chart") is not None
    with pytest.raises(PictureError, match="at most 1650x2100"):
        checked_picture(picture(1650, 2101), "chart")
    assert picture_scale(700) == 1.5 and picture_scale(2000) == 2098 / 2000
    with pytest.raises(PictureError, match="not a PNG"):
        checked_picture(b"%PDF-1.7", "map")
