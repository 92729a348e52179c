"""The board pack's pages as plain data, shared by its PDF and its PPTX (docs/presentation.md).

A pack is a title page, then one page per view: the view's headline, its map and chosen chart
(pictures drawn by plotly.js in the browser that asked, at the sizes below), the statistical
notes, the data status, the suppression note, the source and the permalink. Every text is made
on the server from the view's validated selection; only the two pictures come from the browser,
and those are checked to be PNGs of the sizes asked for (`png_size`).
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass, field
from datetime import datetime

from PIL import Image

MAX_VIEWS = 100  # the storyboard's own limit (assets/storyboard.js)
# The pictures' sizes in CSS pixels, drawn at PICTURE_SCALE for print: the map a little taller
# than wide (England is), the chart wider. Their ratios are the boxes the PDF and PPTX give them.
PICTURE_PX: dict[str, tuple[int, int]] = {"map": (760, 700), "chart": (1100, 700)}
# 1.5 device pixels a CSS pixel: about 290 dots an inch in the PDF's boxes. At 2, a storyboard of
# 100 long ranked charts came to 102 MB, and each picture took fpdf2 0.11 s to embed.
PICTURE_SCALE = 1.5
MOST_PIXELS_HIGH = 2100  # a taller chart (106 sub-ICBs ranked) is drawn at a smaller scale
MAX_PICTURE_BYTES = 3_000_000  # a 1650x1050 PNG of a chart is about 150 KB
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STATISTICAL = "Statistical notes"  # the one block of notes a crowded page cuts
DRAWN_MODES = frozenset({"RGB", "RGBA"})  # what plotly.js draws: 8 bits a channel, no palette


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str  # "#RRGGBB"


@dataclass(frozen=True)
class PackView:
    """One view's page. `pictures` maps "map" and "chart" to PNG bytes; a view may lack either."""

    title: str  # what is shown: indicator (unit), cancer type, period; "MODELLED · " first when modelled
    headline: str
    key_figure: str
    chart_name: str  # the chosen chart's heading
    legend: tuple[LegendItem, ...]
    notes: tuple[str, ...]  # the statistical notes: the map's caption, the chart's notes and sentence
    caveats: str
    data_status: str
    suppression: str
    source: str
    permalink: str
    modelled: bool
    pictures: dict[str, bytes] = field(default_factory=dict)

    def note_blocks(self) -> list[tuple[str, str]]:
        """The notes, labelled, in the order both files give them, leaving out empty ones (the permalink follows)."""
        blocks = [
            (STATISTICAL, " ".join(_sentence(note) for note in self.notes if note.strip())),
            ("Caveats", self.caveats),
            ("Data status", self.data_status),
            ("Withheld", self.suppression),
            ("Source", self.source),
        ]
        return [(label, text) for label, text in blocks if text]


@dataclass(frozen=True)
class BoardPack:
    title: str  # the maker's, or "Board pack"
    made: datetime
    product: str
    views: tuple[PackView, ...]
    about: tuple[str, ...] = ()  # the title page's notes: which data, where the links open

    def contents(self, page_word: str = "page") -> list[str]:
        """The title page's list: each view's page first, so that cutting a long title never hides it."""
        return [f"{page_word.capitalize()} {number + 1}: {view.title}" for number, view in enumerate(self.views, start=1)]

    @property
    def pages(self) -> int:
        return 1 + len(self.views)

    @property
    def any_modelled(self) -> bool:
        return any(view.modelled for view in self.views)


def _sentence(note: str) -> str:
    """`note` ending in one full stop (a caption joined to the next ran on; one ending ".." read as a slip)."""
    text = note.strip()
    while text.endswith(".."):
        text = text[:-1]
    return text if text.endswith((".", "?", "!")) else text + "."


def hex_rgb(colour: str) -> tuple[int, int, int] | None:
    """(red, green, blue) of "#RRGGBB", or None for anything else (a legend colour is the server's own, but checked)."""
    text = colour.lstrip("#")
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        return None
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


class PictureError(ValueError):
    """A picture sent for the pack is not a PNG of the size asked for."""


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from a PNG's header, or PictureError. Read before any image library
    sees the bytes, so that a forged file (a bomb of a billion pixels) is refused unread."""
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":  # the signature and the whole header chunk
        raise PictureError("is not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def picture_scale(height_px: int) -> float:
    """The scale a picture `height_px` CSS pixels high is drawn at: PICTURE_SCALE, less for a
    picture that would be more than MOST_PIXELS_HIGH device pixels high."""
    return min(PICTURE_SCALE, (MOST_PIXELS_HIGH - 2) / max(height_px, 1))  # 2 pixels spare for the browser's rounding


def largest_picture(kind: str) -> tuple[int, int]:
    """The most device pixels a `kind` picture may have, wide and high."""
    width, height = PICTURE_PX[kind]
    return math.ceil(width * PICTURE_SCALE), max(math.ceil(height * PICTURE_SCALE), MOST_PIXELS_HIGH if kind == "chart" else 0)


def decodes(data: bytes) -> bool:
    """Whether a checked picture's pixels decode: fpdf2 decodes them anyway (and a failure there is
    caught); python-pptx embeds the bytes as they come, so the PowerPoint pack asks first."""
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
    except Exception:  # a damaged zlib stream behind intact chunk checksums, in Pillow's many words
        return False
    return True


def checked_picture(data: bytes, kind: str) -> bytes:
    """`data` if it is a PNG as plotly.js draws one (RGB or RGBA, whole, its chunks intact), no
    larger than `largest_picture(kind)` and MAX_PICTURE_BYTES; else PictureError saying why.
    Its size is read from its header before Pillow opens it, and Pillow only checks its chunks
    (`verify`, no pixels decoded): a palette without its colours, or a broken chunk, had reached
    fpdf2 and ended in a server error."""
    if len(data) > MAX_PICTURE_BYTES:
        raise PictureError(f"is {len(data):,} bytes; at most {MAX_PICTURE_BYTES:,}")
    width, height = png_size(data)
    if data[24] != 8:  # the header's bit depth: plotly.js draws 8 bits a channel
        raise PictureError(f"has {data[24]} bits a channel; a picture drawn by the page has 8")
    most_w, most_h = largest_picture(kind)
    if not (0 < width <= most_w and 0 < height <= most_h):
        raise PictureError(f"is {width}x{height} pixels; at most {most_w}x{most_h}")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            mode = image.mode
            image.verify()
    except Exception:  # Pillow's many ways of saying a file is damaged; none is the server's fault
        raise PictureError("could not be read as a PNG image (damaged or cut short)") from None
    if mode not in DRAWN_MODES:
        raise PictureError(f"is a {mode} PNG; a picture drawn by the page is RGB or RGBA")
    return data
