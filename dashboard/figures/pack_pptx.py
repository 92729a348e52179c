"""The board pack as a PowerPoint file (16:9), for a board secretary who edits the papers: the
same title slide and one slide per view as the PDF (pack_pages.py), in editable text boxes and
pictures, each slide numbered "k of n", with the view's notes in its speaker notes too.

PowerPoint and LibreOffice set the text in their own fonts; boxes shrink their text on
overflow (`MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE`), which they apply when the file is opened.
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from dashboard.figures.pack_pages import PICTURE_PX, BoardPack, PackView, hex_rgb

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.4)
TEXT = RGBColor(0x23, 0x1F, 0x20)
GREY = RGBColor(0x42, 0x54, 0x62)
MODELLED_RED = RGBColor(0xAE, 0x25, 0x73)
LINK = RGBColor(0x00, 0x5E, 0xB8)
PICTURE_TOP = Inches(1.75)
PICTURE_H = Inches(3.55)
BLANK_LAYOUT = 6


def _box(slide, left: int, top: int, width: int, height: int, paragraphs: list[tuple[str, float, bool, RGBColor]], *, link: str | None = None, shrink: bool = True):
    """A text box of `paragraphs` (text, size in points, bold, colour)."""
    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    if shrink:
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for index, (text, size, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = colour
        if link and index == len(paragraphs) - 1:
            run.hyperlink.address = link
    return frame


def _footer(slide, pack: BoardPack, number: int) -> None:
    made = pack.made.strftime("%d %B %Y, %H:%M UTC").lstrip("0")
    width = SLIDE_W - 2 * MARGIN
    _box(slide, MARGIN, SLIDE_H - Inches(0.4), width, Inches(0.3), [(f"{pack.title} · {pack.product} · made {made}    {number} of {pack.pages}", 9, False, GREY)], shrink=False)


def _title_slide(deck, pack: BoardPack) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    width = SLIDE_W - 2 * MARGIN
    made = pack.made.strftime("%d %B %Y at %H:%M UTC").lstrip("0")
    count = f"{len(pack.views)} view{'' if len(pack.views) == 1 else 's'}"
    lines = [
        (pack.product, 16, False, GREY),
        (pack.title, 36, True, TEXT),
        (f"{count}, one a slide, {'slide 2' if len(pack.views) == 1 else f'slides 2 to {pack.pages}'}. Made {made}.", 14, False, TEXT),
        *((line, 11, False, GREY) for line in pack.about),
    ]
    if pack.any_modelled:
        lines.append(("Some views hold MODELLED estimates, marked on their slides: the project's model, not published figures.", 14, True, MODELLED_RED))
    _box(slide, MARGIN, Inches(0.6), width, Inches(2.2), lines)
    contents = [(line, 12, False, TEXT) for line in pack.contents("slide")]
    _box(slide, MARGIN, Inches(3.0), width, Inches(3.8), [("Contents", 14, True, TEXT), *contents])
    _footer(slide, pack, 1)


def _view_slide(deck, pack: BoardPack, view: PackView, number: int) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    width = SLIDE_W - 2 * MARGIN
    _box(slide, MARGIN, Inches(0.25), width, Inches(0.5), [(view.title, 22, True, MODELLED_RED if view.modelled else TEXT)])
    headline_left = MARGIN
    if view.key_figure:
        _box(slide, MARGIN, Inches(0.8), Inches(2.3), Inches(0.8), [(view.key_figure, 32, True, TEXT)])
        headline_left = MARGIN + Inches(2.4)
    _box(slide, headline_left, Inches(0.8), SLIDE_W - MARGIN - headline_left, Inches(0.85), [(view.headline, 14, False, TEXT)])
    map_w = int(PICTURE_H * PICTURE_PX["map"][0] / PICTURE_PX["map"][1])
    chart_left = MARGIN + map_w + Inches(0.2)
    chart_w = min(SLIDE_W - MARGIN - chart_left, int(PICTURE_H * PICTURE_PX["chart"][0] / PICTURE_PX["chart"][1]))
    for kind, left, picture_w in (("map", MARGIN, map_w), ("chart", chart_left, chart_w)):
        picture = view.pictures.get(kind)
        if picture:
            slide.shapes.add_picture(io.BytesIO(picture), Emu(left), Emu(PICTURE_TOP), height=Emu(PICTURE_H))
        else:
            _box(slide, left, PICTURE_TOP, picture_w, PICTURE_H, [("No picture for this view: see its permalink.", 12, False, GREY)])
    _legend(slide, view, MARGIN, PICTURE_TOP + PICTURE_H + Inches(0.05), map_w)
    blocks = [f"{label}: {text}" for label, text in view.note_blocks()]
    size = notes_pt(sum(len(block) for block in blocks))
    notes = [(block, size, False, TEXT) for block in blocks]
    _box(slide, MARGIN, PICTURE_TOP + PICTURE_H + Inches(0.35), width, Inches(1.45), [*notes, ("Permalink: " + view.permalink, size, False, LINK)], link=view.permalink)
    slide.notes_slide.notes_text_frame.text = "\n".join([view.headline, *(f"{label}: {text}" for label, text in view.note_blocks()), "Permalink: " + view.permalink])
    _footer(slide, pack, number)


def _legend(slide, view: PackView, left: int, top: int, width: int) -> None:
    """The map's colour key: a swatch and a label each, in a row."""
    if not view.legend:
        return
    step = width // max(len(view.legend), 1)
    for index, item in enumerate(view.legend):
        x = left + index * step
        swatch = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(x), Emu(top + Inches(0.06)), Inches(0.14), Inches(0.14))
        swatch.fill.solid()
        swatch.fill.fore_color.rgb = RGBColor(*rgb) if (rgb := hex_rgb(item.colour)) else GREY
        swatch.line.fill.background()
        _box(slide, x + Inches(0.16), top, step - Inches(0.16), Inches(0.3), [(item.label, 9, False, TEXT)])


def notes_pt(characters: int) -> float:
    """The notes' size for their length: 10 pt, smaller as they grow, never under 6. Set here and
    not left to the box's shrink-to-fit, which PowerPoint applies only once the text is edited.
    The box holds about 1,100 characters at 10 pt; the count goes with the square of the size."""
    return max(6.0, min(10.0, round(10.0 * (1100 / max(characters, 1)) ** 0.5 * 2) / 2))


def board_pack_pptx(pack: BoardPack) -> bytes:
    """The pack as PPTX bytes: a title slide, then a slide per view, each numbered."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    deck.core_properties.title = pack.title
    deck.core_properties.author = pack.product
    _title_slide(deck, pack)
    for number, view in enumerate(pack.views, start=2):
        _view_slide(deck, pack, view, number)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
