"""The probe record and what probes are built from (bench/fuzz.py's building blocks).

- `Probe`: one request to send (method, target, headers, body) with its category and what it did;
- `Raw` and `dumps`: JSON with text spliced in as it is (deep nesting, huge numbers, bad tokens);
- hostile values: `hostile_value`, `long_text`, `nested`, and the UNICODE, FORMULAE and NAN_ISH
  strings;
- paths in a JSON body: `paths_in`, `get_at`, `set_at`, `path_name`, `section_of`;
- one-line previews for the report: `shown`, `cut`, `truncated`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

MB = 1_000_000

UNICODE = ["\u202eevil", "\u0000", "\ud800", "\udfff", "é", "\U0001d518\U0001d52b\U0001d526", "\U0001f600" * 100, "\u200b", "\ufeff",
           "ｅａｒｌｙ＿ｓｔａｇｅ", "İstanbul", "ß", "a\u0301\u0301\u0301", "\r\n\t", "\x7f\x1b[31m", "Ω≈ç√∫", "\u0644\u0627", "\u4e2d\u6587"]
FORMULAE = ["=2*3", "@SUM(1+1)", "+1+1", "-1+1", "=HYPERLINK(\"http://x\")", "\t=1", "\r=1"]
NAN_ISH = ["NaN", "nan", "Infinity", "-Infinity", "inf", "None", "null", "undefined", "1e309", "-0", "0x1F", "1_000", "true"]


@dataclass
class Probe:
    category: str
    kind: str  # what was done, coarse: the 5xx are grouped by it
    detail: str  # what exactly (where in the body, which value): to reproduce it
    method: str
    target: bytes
    headers: dict[str, str]
    body: bytes | None

    @property
    def size(self) -> int:
        return len(self.target) + len(self.body or b"")


class Raw:
    """Text spliced into the serialised JSON as it is: deep nesting, huge numbers, bad tokens."""

    def __init__(self, text: str) -> None:
        self.text = text


def dumps(obj: Any, ensure_ascii: bool = True) -> bytes:
    """JSON with every Raw spliced in; lone surrogates kept (as escapes, or as invalid UTF-8 bytes)."""
    raws: list[str] = []

    def walk(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node.text)
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    text = json.dumps(walk(obj), ensure_ascii=ensure_ascii)
    for number, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{number}@@"', raw, 1)
    return text.encode("utf-8", "surrogatepass")


def long_text(rng: random.Random, size: int) -> str:
    alphabet = rng.choice(["x", "abc def ", "0123456789", "é\u202e\U0001f600", "%&=?#/\\\"'<>"])
    return (alphabet * (size // len(alphabet) + 1))[:size]


def nested(rng: random.Random, depth: int) -> Any:
    if depth <= 0:
        return rng.choice([None, 1, "x", True, [], {}])
    if rng.random() < 0.5:
        return [nested(rng, depth - 1) for _ in range(rng.randint(1, 3))]
    return {rng.choice(["a", "id", "value", "points", "0", ""]): nested(rng, depth - 1) for _ in range(rng.randint(1, 3))}


def hostile_value(rng: random.Random) -> tuple[str, Any]:
    """(label, value): a JSON value a browser would never send."""
    choice = rng.randrange(22)
    return [
        lambda: ("null", None),
        lambda: ("[]", []),
        lambda: ("{}", {}),
        lambda: ("true", True),
        lambda: ("0", 0),
        lambda: ("-1", -1),
        lambda: ("float", rng.uniform(-1e6, 1e6)),
        lambda: ("1e308", 1e308),
        lambda: ("huge int", Raw("9" * rng.choice([20, 400, 5000]))),
        lambda: ("Infinity token", float(rng.choice(["inf", "-inf"]))),
        lambda: ("NaN token", float("nan")),
        lambda: ("NaN-ish string", rng.choice(NAN_ISH)),
        lambda: ("empty string", ""),
        lambda: ("long string", long_text(rng, rng.choice([1_000, 10_000, 100_000]))),
        lambda: ("unicode", rng.choice(UNICODE)),
        lambda: ("formula", rng.choice(FORMULAE)),
        lambda: ("nested", nested(rng, rng.randint(2, 8))),
        lambda: ("long list", [rng.randint(0, 9)] * rng.choice([1_000, 20_000])),
        lambda: ("many keys", {f"k{i}": i for i in range(2_000)}),
        lambda: ("1000-deep list", Raw("[" * 1000 + "]" * 1000)),
        lambda: ("path text", "../../../../etc/passwd"),
        lambda: ("html", "<script>alert(1)</script>"),
    ][choice]()


def paths_in(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) to a value in `node`, `node` itself (prefix) included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_in(value, (*prefix, index))
    return found


def get_at(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


def set_at(root: Any, path: tuple, value: Any) -> Any:
    """`root` with the value at `path` replaced (the root itself when the path is empty)."""
    if not path:
        return value
    get_at(root, path[:-1])[path[-1]] = value
    return root


def path_name(root: Any, path: tuple) -> str:
    """A path in words: list items of inputs/state/outputs named by their component, e.g.
    inputs[url.search].value."""
    out, node = "", root
    for step in path:
        child = node[step]
        if isinstance(step, int):
            named = isinstance(child, dict) and "id" in child and "property" in child
            out += f"[{child['id']}.{child['property']}]" if named else f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
        node = child
    return out or "(the body)"


def section_of(path: tuple) -> str:
    return str(path[0]) if path else "(the body)"


def shown(value: Any, size: int = 80) -> str:
    """A JSON value in a line, for a probe's detail: Raw text as its start and length."""
    return truncated(json.dumps(value, default=lambda o: f"<raw {len(o.text):,} chars: {o.text[:12]}...>" if isinstance(o, Raw) else str(o)), size)


def cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def truncated(data: bytes | str, size: int = 160) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text.replace("\n", "\\n")
    return text if len(text) <= size else f"{text[:size]}... ({len(data):,} bytes)"
