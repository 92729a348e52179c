"""The board pack as a PDF: A4 landscape, a title page, then one page per view (pack_pages.py).

Each view keeps to its one page whatever its texts hold: the notes are set smaller until they
fit (down to MIN_NOTE_PT), and only then cut, with "…" and the permalink kept. Every page is
numbered "Page k of n". Made with fpdf2 from the pictures and texts given, offline.

The text is set in DejaVu Sans or Liberation Sans, from the machine's fonts (Debian's
fonts-dejavu-core, which Chromium brings), or a font named by DASHBOARD_PDF_FONT: they hold
every character the page writes ("≥", "–", "▲"). On a machine with neither, the PDF falls back
to Helvetica, whose Latin-1 lacks those, and writes them in plain letters (`latin1_text`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dashboard.figures.pack_pages import PICTURE_PX, STATISTICAL, BoardPack, PackView, hex_rgb, png_size

FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)
PLAIN_LETTERS = {"–": "-", "—": "-", "…": "...", "≥": ">=", "≤": "<=", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                 "▲": "^", "▼": "v", "△": "^", "▽": "v", "●": "*", "○": "o", "■": "#", "→": "->"}

PAGE_W, PAGE_H = 297.0, 210.0  # mm, A4 landscape
MARGIN = 12.0
TEXT = (35, 31, 32)  # NHS black
GREY = (66, 84, 98)  # NHS dark grey
MODELLED_RED = (174, 37, 115)  # NHS pink, the page's MODELLED badge
PICTURE_TOP = 52.0
PICTURE_H = 92.0
NOTES_TOP = PICTURE_TOP + PICTURE_H + 9.0
NOTES_BOTTOM = PAGE_H - 14.0
MIN_NOTE_PT = 6.5
KEY_FIGURE_W = 60.0
MAX_NOTE_CHARS = 4000  # more than a page's notes can hold at MIN_NOTE_PT: never measured beyond it
TALL_CHART_W = 128.0  # a tall chart's column, from under the title to the foot
NOTE_LINE = 0.42  # mm of line height per point of font size


def latin1_text(text: str) -> str:
    """`text` in Latin-1 (Helvetica's characters): known symbols in plain letters, others as "?"."""
    return "".join(PLAIN_LETTERS.get(ch, ch) for ch in text).encode("latin-1", "replace").decode("latin-1")


def font_files() -> tuple[str, str] | None:
    """(regular, bold) TrueType files to set the text in, or None (Helvetica)."""
    given = os.environ.get("DASHBOARD_PDF_FONT")
    if given and Path(given).is_file():
        return given, given
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


class _Pack(FPDF):
    def __init__(self, pack: BoardPack, fonts: tuple[str, str] | None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.pack = pack
        self.unicode_font = fonts is not None
        if fonts:
            self.add_font("Sans", "", fonts[0])
            self.add_font("Sans", "B", fonts[1])
        self.text_family = "Sans" if fonts else "helvetica"
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_title(pack.title)
        self.set_author(pack.product)
        self.set_creator(pack.product)
        self.set_lang("en-GB")
        self.set_creation_date(pack.made)

    def plain(self, text: str) -> str:
        return text if self.unicode_font else latin1_text(text)

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = TEXT) -> None:
        self.set_font(self.text_family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def footer(self) -> None:
        self.set_xy(MARGIN, PAGE_H - 10)
        self.style(8, colour=GREY)
        made = self.pack.made.strftime("%d %B %Y, %H:%M UTC").lstrip("0")
        self.cell(PAGE_W - 2 * MARGIN - 30, 4, self.plain(f"{self.pack.title} · {self.pack.product} · made {made}")[:150], align="L")
        self.set_x(MARGIN)
        self.cell(PAGE_W - 2 * MARGIN, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def lines(self, width: float, text: str) -> list[str]:
        return self.multi_cell(width, 1, self.plain(text), dry_run=True, output="LINES")  # type: ignore[return-value]

    def paragraph(self, x: float, y: float, width: float, text: str, size: float, *, bold: bool = False,
                  colour: tuple[int, int, int] = TEXT, max_lines: int | None = None, link: str | None = None) -> float:
        """Write `text` wrapped to `width` at (x, y); at most `max_lines` lines (the last ending "…").
        Returns the y below it."""
        self.style(size, bold, colour)
        lines = self.lines(width, text)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1].rstrip()[:-1] + ("…" if self.unicode_font else "...")
        height = size * NOTE_LINE
        for line in lines:
            self.set_xy(x, y)
            self.cell(width, height, line, link=link or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            y += height
        return y


def title_page(pdf: _Pack, pack: BoardPack) -> None:
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN
    y = pdf.paragraph(MARGIN, 20, width, pack.product, 14, colour=GREY)
    y = pdf.paragraph(MARGIN, y + 2, width, pack.title, 26, bold=True, max_lines=2)
    made = pack.made.strftime("%d %B %Y at %H:%M UTC").lstrip("0")
    count = f"{len(pack.views)} view{'' if len(pack.views) == 1 else 's'}"
    pages = "page 2" if len(pack.views) == 1 else f"pages 2 to {pack.pages}"
    y = pdf.paragraph(MARGIN, y + 3, width, f"{count}, one a page, {pages}. Made {made}.", 12)
    if pack.any_modelled:
        y = pdf.paragraph(MARGIN, y + 2, width, "Some views hold MODELLED estimates, marked on their pages: the project's model, not published figures.", 12, bold=True, colour=MODELLED_RED)
    for line in pack.about:
        y = pdf.paragraph(MARGIN, y + 1.5, width, line, 10, colour=GREY, max_lines=2)
    y = pdf.paragraph(MARGIN, y + 5, width, "Contents", 13, bold=True)
    _fit_list(pdf, pack.contents(), y + 1, width, NOTES_BOTTOM - 22)
    notes = (
        "Each page gives a view's headline, its map and chart, the statistical notes, the data status, what is withheld and why, the source, "
        "and its permalink: open the link to see the view live, with every figure's interval and definition. "
        "Figures are published data unless marked MODELLED; counts of 1 to 4 people are never shown."
    )
    pdf.paragraph(MARGIN, NOTES_BOTTOM - 14, width, notes, 9, colour=GREY, max_lines=3)


def _fit_list(pdf: _Pack, items: list[str], top: float, width: float, bottom: float) -> None:
    """The contents, one line each, in the largest size from 11 pt down to 7 pt that fits; at
    7 pt in two columns; what still does not fit is counted in a last line."""
    for size, columns in ((11, 1), (9, 1), (8, 1), (7, 1), (7, 2)):
        per_column = int((bottom - top) // (size * NOTE_LINE))
        if per_column * columns >= len(items):
            break
    shown = items if per_column * columns >= len(items) else [*items[: per_column * columns - 1], f"… and {len(items) - per_column * columns + 1} more"]
    column_width = (width - 6 * (columns - 1)) / columns
    for index, item in enumerate(shown):
        column, row = divmod(index, per_column)
        pdf.paragraph(MARGIN + column * (column_width + 6), top + row * size * NOTE_LINE, column_width, item, size, max_lines=1)


def view_page(pdf: _Pack, view: PackView) -> None:
    """A view's page. A chart taller than wide (a ranked chart of many areas) gets the page's
    right-hand side from top to foot, the map and notes the left; any other chart sits beside
    the map, the notes across the foot."""
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN
    colour = MODELLED_RED if view.modelled else TEXT
    y = pdf.paragraph(MARGIN, MARGIN, width, view.title, 15, bold=True, colour=colour, max_lines=2) + 1
    chart = view.pictures.get("chart")
    if chart and _is_tall(chart):
        chart_x = PAGE_W - MARGIN - TALL_CHART_W
        left_w = chart_x - 6 - MARGIN
        below = _headline(pdf, view, MARGIN, y, left_w, headline_lines=6)
        map_h = 72.0
        map_bottom = _picture(pdf, view, "map", "Map", MARGIN, below + 6, map_h * PICTURE_PX["map"][0] / PICTURE_PX["map"][1], map_h)
        legend_bottom = _legend(pdf, view.legend, MARGIN, map_bottom + 1.5, left_w)
        _picture(pdf, view, "chart", view.chart_name, chart_x, y + 9, TALL_CHART_W, NOTES_BOTTOM - y - 9)
        _notes(pdf, view, MARGIN, legend_bottom + 3, left_w)
        return
    _headline(pdf, view, MARGIN, y, width, headline_lines=4)
    map_w = PICTURE_H * PICTURE_PX["map"][0] / PICTURE_PX["map"][1]
    chart_x = MARGIN + map_w + 6
    chart_w = min(PAGE_W - MARGIN - chart_x, PICTURE_H * PICTURE_PX["chart"][0] / PICTURE_PX["chart"][1])
    _picture(pdf, view, "map", "Map", MARGIN, PICTURE_TOP, map_w, PICTURE_H)
    _picture(pdf, view, "chart", view.chart_name, chart_x, PICTURE_TOP, chart_w, PICTURE_H)
    _legend(pdf, view.legend, MARGIN, PICTURE_TOP + PICTURE_H + 1.5, chart_x - MARGIN)
    _notes(pdf, view, MARGIN, NOTES_TOP, width)


def _is_tall(picture: bytes) -> bool:
    width, height = png_size(picture)
    return height > width


def _headline(pdf: _Pack, view: PackView, x: float, y: float, width: float, *, headline_lines: int) -> float:
    """The key figure, large, with the headline beside it; the y below both."""
    bottom = y
    headline_x = x
    if view.key_figure:
        size = _key_figure_pt(pdf, view.key_figure)
        bottom = pdf.paragraph(x, y, KEY_FIGURE_W, view.key_figure, size, bold=True, max_lines=1)
        headline_x = x + KEY_FIGURE_W + 2
    return max(bottom, pdf.paragraph(headline_x, y + 0.5, x + width - headline_x, view.headline, 11, max_lines=headline_lines))


def _key_figure_pt(pdf: _Pack, text: str) -> float:
    """The largest size, from 24 pt down to 10, at which the key figure ("252.9 per 100,000") is one line in its box."""
    for size in range(24, 10, -2):
        pdf.style(size, bold=True)
        if len(pdf.lines(KEY_FIGURE_W, text)) == 1:
            return size
    return 10


def _picture(pdf: _Pack, view: PackView, kind: str, label: str, x: float, top: float, width: float, height: float) -> float:
    """The `kind` picture in the box (x, top, width, height), keeping its shape, under its label
    (up to two lines, above the box); a framed note where the view has none. Returns the box's foot."""
    pdf.style(9, bold=True)
    label_lines = min(2, len(pdf.lines(width, label)))
    pdf.paragraph(x, top - 1 - label_lines * 9 * NOTE_LINE, width, label, 9, bold=True, colour=GREY, max_lines=2)
    picture = view.pictures.get(kind)
    if picture:
        pdf.image(io.BytesIO(picture), x=x, y=top, w=width, h=height, keep_aspect_ratio=True, alt_text=pdf.plain(f"{label}: {view.title}"))
    else:
        pdf.set_draw_color(*GREY)
        pdf.rect(x, top, width, height)
        pdf.paragraph(x + 4, top + height / 2 - 3, width - 8, "No picture for this view: see its permalink.", 9, colour=GREY)
    return top + height


def _legend(pdf: _Pack, items: Iterable, x: float, y: float, width: float) -> float:
    """The map's colour key, one swatch and label after another, wrapping within `width`; the y below it."""
    pdf.style(7.5)
    left, top = x, y
    for item in items:
        label = pdf.plain(item.label)
        needed = 4 + pdf.get_string_width(label) + 3
        if left + needed > x + width and left > x:
            left, y = x, y + 3.6
        pdf.set_fill_color(*(hex_rgb(item.colour) or GREY))
        pdf.rect(left, y + 0.4, 2.6, 2.6, style="F")
        pdf.set_xy(left + 3.4, y)
        pdf.cell(needed - 4, 3.4, label)
        left += needed
    return y + 3.6 if left > x else top


def _notes(pdf: _Pack, view: PackView, x: float, top: float, width: float) -> None:
    """The notes in the largest size, from 8.5 pt down to MIN_NOTE_PT, that fits above the footer.
    The permalink is always whole; the caveats, data status, withheld note and source come next,
    and the statistical notes (first on the page) get the room left, cut with "…". A link of
    1,200 unknown parameters had filled the page with its corrections and pushed those off it."""
    blocks = [(label, text[:MAX_NOTE_CHARS]) for label, text in view.note_blocks()]
    link = "Permalink: " + view.permalink
    size = 8.5
    while True:
        pdf.style(size)
        counts = [len(pdf.lines(width, f"{label}: {text}")) for label, text in blocks]
        rows = int((NOTES_BOTTOM - top - len(blocks) * 0.8) // (size * NOTE_LINE)) - len(pdf.lines(width, link))
        if sum(counts) <= rows or size <= MIN_NOTE_PT:
            break
        size -= 0.5
    # Lines given out in order of need: every block but the statistical notes, then those.
    allowed: dict[str, int] = {}
    left = rows
    for (label, _text), count in sorted(zip(blocks, counts), key=lambda block: block[0][0] == STATISTICAL):
        allowed[label] = max(0, min(count, left))
        left -= allowed[label]
    y = top
    for label, text in blocks:
        if allowed[label]:
            y = pdf.paragraph(x, y, width, f"{label}: {text}", size, max_lines=allowed[label]) + 0.8
    pdf.paragraph(x, y, width, link, size, colour=(0, 94, 184), link=view.permalink)


def board_pack_pdf(pack: BoardPack) -> bytes:
    """The pack as PDF bytes: a title page, then a page per view, each numbered."""
    pdf = _Pack(pack, font_files())
    title_page(pdf, pack)
    for view in pack.views:
        view_page(pdf, view)
    return bytes(pdf.output())
