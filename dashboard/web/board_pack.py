"""The board pack's two routes (docs/presentation.md, "Board pack").

1. `GET /board-pack/view?<permalink's query>`: the view's map and chart as figures, with the
   size to draw each at. The browser that asked draws them with plotly.js (assets/board_pack.js),
   one view after another, and shows its progress.
2. `POST /board-pack` with `{"format": "pdf" | "pptx", "views": [{"search", "map", "chart"}]}`,
   the pictures as base64 PNG: the pack, as a file to save.

Every text in the pack is made here from the view's validated selection (the link is read as
the page reads it, `urlstate.decode`), and its permalink is rebuilt from that selection, never
copied from what was sent. Only the pictures come from the browser, and each is checked to be a
PNG no larger than was asked for before anything reads it (`pack_pages.checked_picture`). A
pack that cannot be made is answered 400 or 413 with a message naming the view and the part.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
import unicodedata
from datetime import datetime, timezone
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from dash import Dash
from flask import Response, request

from dashboard.core.selection import Selection
from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.figures.exports import UNSAFE_IN_FILE_NAMES
from dashboard.figures.maps import MapGeometry, map_figure
from dashboard.figures.pack_pages import MAX_VIEWS, PICTURE_PX, BoardPack, LegendItem, PackView, PictureError, checked_picture, decodes, picture_scale
from dashboard.figures.pack_pdf import board_pack_pdf
from dashboard.figures.pack_pptx import board_pack_pptx
from dashboard.figures.presentation import for_presentation, with_whole_legend
from dashboard.presenters.board_pack import data_status_note, suppression_note, view_title
from dashboard.query.explorer import Explorer
from dashboard.web import serving
from dashboard.web.callbacks.page import ResultCache, card_contents
from dashboard.web.callbacks.presented import presented_annotations
from dashboard.web.charts import FIXED_HEADINGS
from dashboard.web.urlstate import decode, decode_chart, encode, shortest

log = logging.getLogger(__name__)

VIEW_ROUTE = "/board-pack/view"
PACK_ROUTE = "/board-pack"
# 100 views of 106 sub-ICBs (a map of 320 KB and a ranked chart of 520 KB, in base64) come to
# 84 MB; most views are half that. The browser stops before sending more (assets/board_pack.js).
MAX_PACK_BYTES = 100_000_000
MAX_SEARCH_CHARS = 4000
MAX_TITLE_CHARS = 120
MAX_CORRECTIONS = 5
DEFAULT_TITLE = "Board pack"
TALLEST_CHART_PX = 2000  # a ranked chart of 106 sub-ICBs, at 28 px a row
FORMATS = {
    "pdf": ("application/pdf", board_pack_pdf),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", board_pack_pptx),
}


class PackRequestError(ValueError):
    """What is wrong with a pack request, in words for its maker; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def pack_chart(chart: str) -> str:
    """The chart a view's page shows: the table's rows are shown as the ranked chart (its CSV
    download holds them as a table)."""
    return "ranked" if chart == "table" else chart


def pack_figures(explorer: Explorer, geometry: MapGeometry, sel: Selection, chart: str, cache: ResultCache | None) -> dict[str, Any]:
    """The view's map and chart at presentation sizes, each with the CSS pixels to draw it at."""
    shown = pack_chart(chart)
    contents = card_contents(explorer, geometry, sel, cache, {"map", shown})
    drawn_map = for_presentation(map_figure(contents["map"][0], geometry))
    drawn_map["layout"]["annotations"] = presented_annotations(drawn_map["layout"].get("annotations") or [], True)
    drawn_chart, legend_px = with_whole_legend(for_presentation(contents[shown][0]))  # paper cannot scroll a legend
    width, height = PICTURE_PX["chart"]
    tall = drawn_chart.get("layout", {}).get("height")
    chart_height = int(min(max(height, tall if isinstance(tall, int | float) else height) + legend_px, TALLEST_CHART_PX))
    map_width, map_height = PICTURE_PX["map"]
    return {
        "map": {"figure": drawn_map, "width": map_width, "height": map_height, "scale": picture_scale(map_height)},
        "chart": {"figure": drawn_chart, "width": width, "height": chart_height, "scale": picture_scale(chart_height)},
        "max_bytes": MAX_PACK_BYTES,
    }


def pack_view(
    explorer: Explorer, geometry: MapGeometry, sel: Selection, chart: str, cache: ResultCache | None, *,
    permalink: str, pictures: dict[str, bytes], corrections: tuple[str, ...] = (),
) -> PackView:
    """A view's page: its texts from the cards the page shows for it, and the pictures given.
    `corrections` say what in the view's link was not valid, and what is shown instead."""
    shown = pack_chart(chart)
    contents = card_contents(explorer, geometry, sel, cache, {"map", "headline", "variation", shown})
    _properties, legend, caption, map_sentence = contents["map"]
    headline, badge_hidden, no_data, _no_data_hidden, key, caveats = contents["headline"]
    chart_parts = contents[shown]
    chart_texts = [part for part in chart_parts[1:] if isinstance(part, str) and part]
    chart_name = FIXED_HEADINGS.get(shown) or (chart_texts[0] if chart_texts else shown.title())
    if shown in FIXED_HEADINGS:
        chart_texts.insert(0, chart_name + ".")
    if chart == "table":
        chart_texts.append("The view's chart is its table: the pack shows the same rows ranked, and the CSV download holds them as a table.")
    variation = "; ".join(f"{term}: {text}" for term, text in contents["variation"][0])
    indicator = explorer.indicator(sel)
    modelled = not badge_hidden
    return PackView(
        title=("MODELLED · " if modelled else "") + view_title(explorer, sel),
        headline=headline or no_data,
        key_figure=key,
        chart_name=chart_name,
        legend=tuple(LegendItem(label, colour) for _key, label, colour in legend),
        notes=(
            *(f"The link was corrected: {text}." for text in corrections),
            caption, map_sentence, *chart_texts, f"Variation between areas: {variation}." if variation else "",
        ),
        caveats=caveats,
        data_status=data_status_note(explorer, sel),
        suppression=suppression_note(explorer, sel),
        source=f"{indicator.source}. {indicator.attribution} {BOUNDARY_ATTRIBUTION}",
        permalink=permalink,
        modelled=modelled,
        pictures=pictures,
    )


def pack_title(given: Any) -> str:
    """The maker's title for the pack, one line of at most MAX_TITLE_CHARS printable characters;
    "Board pack" when none is given."""
    if given is None:
        return DEFAULT_TITLE
    if not isinstance(given, str):
        raise PackRequestError("title: must be text")
    title = " ".join("".join(ch for ch in given if ch.isprintable()).split())
    if len(title) > MAX_TITLE_CHARS:
        raise PackRequestError(f"title: {len(title)} characters; at most {MAX_TITLE_CHARS}")
    unset = next((ch for ch in title if not _in_pack_font(ch)), None)
    if unset is not None:
        raise PackRequestError(f"title: {unset!r} is not in the pack's font; use Latin, Greek or Cyrillic letters, digits and punctuation")
    return title or DEFAULT_TITLE


# What DejaVu Sans (the PDF's font) sets, and sets left to right: Latin, Greek, Cyrillic, general
# punctuation, currency, letter-like symbols, arrows, mathematical operators, geometric shapes. A
# title in Chinese or Devanagari had come out blank, and one in Arabic unjoined and backwards.
PACK_FONT_RANGES = ((0x20, 0x52F), (0x1E00, 0x1FFF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF))


def _in_pack_font(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in PACK_FONT_RANGES) and unicodedata.bidirectional(ch) not in ("R", "AL")


def _is_loopback(host: str) -> bool:
    """Whether `host` names this computer: localhost, 127.0.0.0/8 or ::1 (not "127.evil.example")."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def about_lines(data_version: str, link_base: str) -> tuple[str, ...]:
    """The title page's notes: which data the pack was made from, and where its links open."""
    lines = []
    if data_version:
        lines.append(f"Data: the dashboard's tables with fingerprint {data_version[:12]} (SHA-256 of the table and its metadata); each page names its source and period.")
    if _is_loopback(urlsplit(link_base).hostname or ""):
        lines.append(f"Its links point at {urlsplit(link_base).netloc}, the computer the pack was made on: they open only there.")
    return tuple(lines)


def corrections_said(messages: Iterable[str]) -> tuple[str, ...]:
    """What a view's page says was corrected in its link: the first MAX_CORRECTIONS, then how many
    more. A link of 1,200 unknown parameters had filled a page with them, and took 5 s a view."""
    said = list(messages)
    if len(said) <= MAX_CORRECTIONS:
        return tuple(said)
    return (*said[:MAX_CORRECTIONS], f"{len(said) - MAX_CORRECTIONS} more values were not valid either")


def read_pack_request(body: Any) -> tuple[str, str, list[tuple[str, dict[str, bytes]]]]:
    """(format, title, [(the view's query, its checked pictures)]) from a POSTed body, or PackRequestError."""
    if not isinstance(body, dict):
        raise PackRequestError("the request must be a JSON object with 'format' and 'views'")
    title = pack_title(body.get("title"))
    format_ = body.get("format")
    if not isinstance(format_, str) or format_ not in FORMATS:
        raise PackRequestError(f"format: {str(format_)[:20]!r} is not one of {', '.join(FORMATS)}")
    views = body.get("views")
    if not isinstance(views, list) or not views:
        raise PackRequestError("views: a list of at least one view is needed")
    if len(views) > MAX_VIEWS:
        raise PackRequestError(f"views: {len(views)} views; a pack holds at most {MAX_VIEWS}")
    read = []
    for number, view in enumerate(views, start=1):
        if not isinstance(view, dict) or not isinstance(view.get("search"), str):
            raise PackRequestError(f"view {number}: needs 'search', the view's permalink query")
        if len(view["search"]) > MAX_SEARCH_CHARS:
            raise PackRequestError(f"view {number}: search is {len(view['search']):,} characters; at most {MAX_SEARCH_CHARS:,}")
        pictures = {}
        for kind in ("map", "chart"):
            given = view.pop(kind, None)  # its base64 text freed once read: a 100 MB request is not held twice
            if given is None:
                continue
            if not isinstance(given, str):
                raise PackRequestError(f"view {number}, {kind}: must be a base64 PNG or null")
            try:
                data = base64.b64decode(given.removeprefix("data:image/png;base64,"), validate=True)
                pictures[kind] = checked_picture(data, kind)
                if format_ == "pptx" and not decodes(data):
                    raise PictureError("could not be read as a PNG image (its pixels are damaged)")
            except PictureError as error:
                raise PackRequestError(f"view {number}, {kind} picture: {error}") from None
            except (binascii.Error, ValueError):  # ValueError: text that is not ASCII ('é'; bench/fuzz.py)
                raise PackRequestError(f"view {number}, {kind} picture: is not base64 text") from None
        read.append((view["search"], pictures))
    return format_, title, read


def pack_file_name(title: str, count: int, made: datetime, format_: str) -> str:
    """"Board pack - 6 December 2026 - 3 views.pdf", or the maker's title in its place."""
    stem = re.sub(r"\s+", " ", UNSAFE_IN_FILE_NAMES.sub(" ", title)).strip(" .")[:120] or DEFAULT_TITLE
    return f"{stem} - {made.strftime('%d %B %Y').lstrip('0')} - {count} view{'' if count == 1 else 's'}.{format_}"


def attachment_header(name: str) -> str:
    """Content-Disposition for `name` in any script: a plain-ASCII `filename` for old clients and
    the exact name as `filename*` (RFC 6266). A header is Latin-1: "–" in a title broke it whole."""
    plain = " ".join(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace('"', "'").replace("\\", " ").split())
    return f'attachment; filename="{plain}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def register(
    app: Dash, explorer: Explorer, geometry: MapGeometry, cache: ResultCache | None = None, *,
    data_version: str = "", public_url: str | None = None,
) -> None:
    """The two routes. `public_url`: the address the pack's links are written with (Settings)."""
    def link_base() -> str:
        return serving.link_base(public_url, app.get_relative_path("/").rstrip("/"))

    def permalink(sel: Selection, chart: str) -> str:
        return link_base() + "/" + shortest(sel, chart, explorer)

    @app.server.route(VIEW_ROUTE, methods=["GET"])
    def board_pack_view() -> Response:
        search = "?" + request.query_string.decode("utf-8", "replace")[:MAX_SEARCH_CHARS]
        sel, _notices = decode(search, explorer)
        chart, _ = decode_chart(search)
        body = {"search": encode(sel, chart), "permalink": permalink(sel, chart), **pack_figures(explorer, geometry, sel, chart, cache)}
        return Response(json.dumps(body, separators=(",", ":"), default=str), mimetype="application/json")

    @app.server.route(PACK_ROUTE, methods=["POST"])
    def board_pack() -> Response:
        made = datetime.now(timezone.utc)
        request.max_content_length = MAX_PACK_BYTES  # the app's limit for every other request is 1 MB (web/edge.py)
        try:
            if request.mimetype != "application/json":
                # Only the page's own script sends JSON; a form on another site cannot (a browser
                # sends a cross-site JSON body only after asking, and this server never agrees).
                raise PackRequestError("the request must be sent as application/json", 415)
            if request.content_length is None or request.content_length > MAX_PACK_BYTES:
                raise PackRequestError(f"the request is larger than {MAX_PACK_BYTES // 1_000_000} MB, or gives no length: make a pack of fewer views", 413)
            try:
                body = json.loads(request.get_data(cache=False))
            except (ValueError, RecursionError):
                raise PackRequestError("the request is not JSON") from None
            format_, title, views = read_pack_request(body)
        except PackRequestError as error:
            return Response(f"The board pack could not be made: {error}.", status=error.status, mimetype="text/plain")
        pages = []
        for search, pictures in views:
            sel, notices = decode(search, explorer)
            chart, chart_notices = decode_chart(search)
            corrections = corrections_said(notice.message for notice in (*notices, *chart_notices))
            pages.append(pack_view(explorer, geometry, sel, chart, cache, permalink=permalink(sel, chart), pictures=pictures, corrections=corrections))
        pack = BoardPack(title=title, made=made, product=PRODUCT_NAME, views=tuple(pages), about=about_lines(data_version, link_base()))
        mimetype, write = FORMATS[format_]
        try:
            data = write(pack)
        except Exception as error:  # a picture whose pixels fpdf2 or Pillow could not read, though its chunks were whole
            log.warning("board pack not made: %s", type(error).__name__)
            return Response("The board pack could not be made: a picture could not be read; draw the pack again.", status=400, mimetype="text/plain")
        response = Response(data, mimetype=mimetype)
        response.headers["Content-Disposition"] = attachment_header(pack_file_name(title, len(pages), made, format_))
        return response
