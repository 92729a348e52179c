"""The edge: what every request is checked against before the app reads it, and what every
response carries.

A probe of the running app (issue 14) found 392 answers of 500 from callback bodies Dash
trusts as they come (`null`, a list, a missing or unknown `output`, inputs of the wrong
shape, JSON nested 100,000 deep), a path outside the app's files answered 500, the page
served at any path, and bad values written whole into the log. Here each callback body is
checked against the callback it names (its inputs, state and outputs, as registered) and
each value against the type its property holds, before Dash reads it; a bad one gets 400
and one short line in the log. Values of the right type are then checked against the
catalogue by the callbacks themselves (web/callbacks/state.py: a selection is normalised,
never trusted).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from dashboard.core.errors import InputError

log = logging.getLogger(__name__)

# Every callback body the page sends is under 20 KB (a change sends the controls' values and
# the selection store, never a figure); 1 MB leaves room and keeps a 50 MB body from being read
# (Flask answers 413 before reading it). The board pack's POST sets its own (web/board_pack.py).
MAX_REQUEST_BYTES = 1_000_000
DEEPEST = 16  # levels of JSON nesting; plotly's click data, the deepest value sent, has 5
LONGEST_TEXT = 10_000  # characters in any one string; a link of every parameter has under 600
LOGGED_CHARS = 300  # of any refused value, in the log
# What each property a callback takes holds (None is always allowed: not yet set).
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "search": (str,),
    "value": (str,),
    "n_clicks": (int,),
    "clickData": (dict,),
    "data": (dict,),
}
# Only the page itself: the catch-all Dash adds would serve it at any path
# (/x,=2*3 once wrote that path into a download).
CATCH_ALL = "<path:path>"


class BadCallbackRequest(ValueError):
    """A callback body that does not match the callback it names."""


def shortened(text: str, limit: int = LOGGED_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def nesting_depth(value: Any, limit: int = DEEPEST) -> int:
    """How deep `value` nests (a scalar: 0), counted without recursion; stops past `limit`."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def longest_text(value: Any) -> int:
    """The length of the longest string (key or value) in `value`."""
    longest, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            longest = max(longest, len(item))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return longest


def declared_outputs(output: str) -> list[dict[str, str]]:
    """The outputs a callback's key names: '..a.b...c.d..' (several) or 'a.b' (one)."""
    names = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return [{"id": name.rpartition(".")[0], "property": name.rpartition(".")[2]} for name in names]


@functools.lru_cache(maxsize=64)  # only ever called with a registered callback's key
def _declared_outputs(output: str) -> list[tuple[str, str]]:
    return [(o["id"], o["property"]) for o in declared_outputs(output)]


def _check_size(value: Any, where: str) -> None:
    if nesting_depth(value) > DEEPEST:
        raise BadCallbackRequest(f"{where} nests deeper than {DEEPEST} levels")
    if longest_text(value) > LONGEST_TEXT:
        raise BadCallbackRequest(f"a text in {where} is longer than {LONGEST_TEXT} characters")


# Keys whose every part is compared with the callback's registered names and types (values
# of inputs and state are size-checked one by one in _check_values).
CHECKED_BY_NAME = frozenset({"output", "outputs", "inputs", "state", "changedPropIds"})


def check_callback_body(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise BadCallbackRequest, saying what is wrong, unless `body` is what dash-renderer sends
    for one of the server's callbacks: its inputs and state in the order registered, each value
    of its property's type, its outputs those the callback has, `changedPropIds` among its inputs."""
    if not isinstance(body, dict):
        raise BadCallbackRequest(f"the body must be a JSON object, not {type(body).__name__}")
    # Sizes are checked on what the callback reads (and on keys Dash does not know): the rest
    # is compared with the registered callback's own names. About 40 µs for a page change.
    for key, value in body.items():
        if key not in CHECKED_BY_NAME:
            _check_size(value, f"'{shortened(key, 40)}'")
    output = body.get("output")
    callback = callback_map.get(output) if isinstance(output, str) else None
    if callback is None or "callback" not in callback:
        raise BadCallbackRequest(f"'output' {shortened(repr(output), 80)} names no callback of this server")
    for part in ("inputs", "state"):
        _check_values(body.get(part, []), callback.get(part) or [], part)
    expected_outputs = _declared_outputs(output)
    outputs = body.get("outputs")
    # dash-renderer sends one output as an object, several as a list: Dash answers the other
    # shape with an error of its own (a 500: an adversarial check).
    several = output.startswith("..")
    if several and not isinstance(outputs, list) or not several and not isinstance(outputs, dict):
        raise BadCallbackRequest(f"'outputs' must be {'a list' if several else 'an object'} for this callback")
    if [_id_and_property(o) for o in (outputs if several else [outputs])] != expected_outputs:
        raise BadCallbackRequest("'outputs' are not this callback's outputs")
    changed = body.get("changedPropIds", [])
    named = {f"{i['id']}.{i['property']}" for i in callback.get("inputs") or []}
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in named for c in changed):
        raise BadCallbackRequest("'changedPropIds' must list some of this callback's inputs")


def _id_and_property(item: Any) -> tuple[Any, Any] | None:
    return (item.get("id"), item.get("property")) if isinstance(item, dict) else None


def _check_values(given: Any, declared: list[dict[str, Any]], part: str) -> None:
    if not isinstance(given, list) or len(given) != len(declared):
        raise BadCallbackRequest(f"'{part}' must be a list of this callback's {len(declared)} {part}")
    for index, (item, wanted) in enumerate(zip(given, declared, strict=True)):
        if _id_and_property(item) != (wanted["id"], wanted["property"]):
            raise BadCallbackRequest(f"'{part}'[{index}] must be {wanted['id']}.{wanted['property']}")
        value, types = item.get("value"), PROPERTY_TYPES.get(wanted["property"])
        name = f"{wanted['id']}.{wanted['property']}"
        _check_size(value, name)
        if value is not None and types is not None and (not isinstance(value, types) or isinstance(value, bool)):
            kinds = " or ".join(t.__name__ for t in types)
            raise BadCallbackRequest(f"{name} must be {kinds} or null, not {type(value).__name__}")
        if wanted["property"] == "data" and isinstance(value, dict):
            _check_store(value, name)


STORE_KEYS = 40  # a store the page writes holds a selection: 15 fields, and the chart and mode
STORE_TEXT = 200  # characters of any one of its values (the longest option has 71)


def _check_store(store: dict[str, Any], name: str) -> None:
    """A store the server's callbacks read (the selection) holds a few short texts: lists of
    150,000 numbers in it once became memo keys of megabytes, 1.2 GB a worker (an adversarial check)."""
    if len(store) > STORE_KEYS:
        raise BadCallbackRequest(f"{name} holds more than {STORE_KEYS} entries")
    for key, value in store.items():
        if value is not None and not isinstance(value, str) or isinstance(value, str) and len(value) > STORE_TEXT:
            raise BadCallbackRequest(f"{name}[{shortened(repr(key), 40)}] must be a text of at most {STORE_TEXT} characters, or null")


def guard(app: Dash) -> None:
    """Check every request at the edge (see the module's docstring): bodies capped, callback
    bodies checked, the page served at its own path only, paths outside the app's files 404."""
    server: Flask = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    prefix = app.config.routes_pathname_prefix
    update_rule, catch_all = f"{prefix}_dash-update-component", f"{prefix}{CATCH_ALL}"
    # Dash's hot-reload poll, for its dev tools, which this app never turns on: it listed the
    # server's packages to anyone who asked (an adversarial check).
    unused = {f"{prefix}_reload-hash"}

    @server.before_request
    def checked() -> Response | None:
        rule = request.url_rule
        if rule is None:
            return None  # Flask answers 404 or 405 itself
        if rule.rule == catch_all or rule.rule in unused:
            raise NotFound()
        if rule.rule != update_rule:
            return None
        try:
            body = request.get_json(silent=False)  # parsed once; Dash reads the same object
        except RecursionError:
            return refused("the body nests too deep to read")
        except BadRequest:
            return refused("the body is not JSON")
        except HTTPException:
            raise  # 413 (too large), 415 (not JSON's type): Flask's own answers
        except Exception as error:  # noqa: BLE001 - the server could not read the body (gunicorn: a malformed chunk)
            return refused(f"the body could not be read ({type(error).__name__})")
        try:
            check_callback_body(body, app.callback_map)
        except BadCallbackRequest as problem:
            return refused(str(problem))
        return None

    @server.errorhandler(DependencyException)
    def not_a_file(_error: DependencyException) -> tuple[str, int]:
        # Dash raises this for a component-suites path it does not serve ('../../etc/passwd').
        return "Not found", 404


# On every response: no guessing a file's type from its bytes, no address of a page sent to
# another site, and a Content-Security-Policy that lets the page run only what this server
# sends: its own scripts (and Dash's one inline line, by its hash), its own data and pictures.
# Styles may be inline: plotly.js and AG Grid set them on the elements they draw. Pictures may
# be data: or blob: URLs: the chart downloads and the board pack draw them in the page.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def content_security_policy(script_hashes: list[str], frame_ancestors: str) -> str:
    """The policy: `script_hashes` of the page's inline scripts ('sha256-…', quoted), and the
    pages that may frame it (`frame_ancestors`: Settings, DASHBOARD_FRAME_ANCESTORS)."""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# A CSP source expression: 'self', 'none', a scheme ("https:") or a host with an optional scheme,
# port and path. Nothing else (a ";" once appended directives of its own to the policy).
FRAME_SOURCE = re.compile(r"'self'|'none'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+(?::(?:[0-9]+|\*))?(?:/[A-Za-z0-9._~%/-]*)?")


def checked_frame_ancestors(value: str) -> str:
    """DASHBOARD_FRAME_ANCESTORS, each source checked; InputError naming the first that is not one."""
    for source in value.split():
        if not FRAME_SOURCE.fullmatch(source):
            raise InputError(f"DASHBOARD_FRAME_ANCESTORS: {source[:80]!r} is not a source a page may be framed by "
                             "('self', 'none', https:, or an address such as https://intranet.example.nhs.uk)")
    return value


def secure(app: Dash, frame_ancestors: str) -> None:
    """SECURITY_HEADERS and the Content-Security-Policy on every response. The inline scripts'
    hashes are taken when the first response is sent: every callback is registered by then."""
    checked_frame_ancestors(frame_ancestors)
    policy: list[str] = []

    @app.server.after_request
    def secured(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(list(app.csp_hashes()), frame_ancestors))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", policy[0])
        return response


def refused(reason: str) -> Response:
    log.info("callback request refused: %s", shortened(reason))
    return Response(f"Bad callback request: {reason}.", status=400, mimetype="text/plain")


LOGGED_LINE_CHARS = 500  # of any one line of a logged message or traceback
LOGGED_TRACEBACK_CHARS = 8_000


class Truncated(logging.Filter):
    """Log records cut to a readable size: a 50 MB value in a request once became 50 MB of log
    (issue 14). Each line is cut at LOGGED_LINE_CHARS, a traceback at LOGGED_TRACEBACK_CHARS."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > LOGGED_LINE_CHARS or "\n" in message:
            record.msg, record.args = _cut_lines(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _cut_lines(logging.Formatter().formatException(record.exc_info))[-LOGGED_TRACEBACK_CHARS:]
        return True


def _cut_lines(text: str) -> str:
    return "\n".join(shortened(line, LOGGED_LINE_CHARS) for line in text.splitlines())


# The loggers a request's values can reach: Flask's (unhandled errors), Werkzeug's (the
# development server's request lines), gunicorn's and Dash's, and this app's.
TRUNCATED_LOGGERS = ("werkzeug", "gunicorn.error", "dash", "dash.dash", "dashboard", __name__, "dashboard.web.board_pack")


def truncate_logs(server: Flask) -> None:
    """Truncated on every logger a request's values can reach (a filter on a logger applies to
    records made on that logger alone, so each is named)."""
    for name in (*TRUNCATED_LOGGERS, server.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, Truncated) for f in logger.filters):
            logger.addFilter(Truncated())
