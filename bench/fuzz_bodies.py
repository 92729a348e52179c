"""The probes that mutate recorded callback bodies (POST /_dash-update-component), for bench/fuzz.py.

`CallbackProbes` holds the recorded bodies and the helpers every probe maker uses (a copy of a
recorded body, a POST probe, a value outside the catalogue, a bad URL search, an input set in a
body) and makes the categories replay, value, drop-key, add-key, output, selection, search,
control, click, changed, deep, invalid-json and content-type. bench/fuzz_probes.py's `Fuzzer`
adds the other routes and the big bodies.
"""

from __future__ import annotations

import copy
import json
import random
import re
from typing import Any, Callable
from urllib.parse import quote_plus

from fuzz_values import FORMULAE, NAN_ISH, UNICODE, Probe, Raw, cut, dumps, get_at, hostile_value, long_text, path_name, paths_in, section_of, set_at, shown, truncated  # bench/
from live_server import JSON_HEADERS, UPDATE, Recorded  # bench/

FIELDS_IN_LINKS = ("indicator", "cancer", "period", "level", "alliance", "group", "group_value", "compare", "area", "colour",
                   "confidence", "overdispersion", "listing", "chart", "present")


class CallbackProbes:
    """Probes made from the recorded bodies: the helpers every category uses, and the categories
    that mutate a callback body (bench/fuzz_probes.py's Fuzzer adds the rest)."""

    def __init__(self, recorded: Recorded, seed: int):
        self.recorded, self.seed = recorded, seed
        self.page_bodies = [b for _, b in recorded.bodies if any(i.get("id") == "url" for i in b.get("inputs", []))] or [b for _, b in recorded.bodies]
        self.with_state = [b for _, b in recorded.bodies if b.get("state")]
        from dashboard.web import ids

        self.controls = {f: c for f, c in ids.CONTROLS.items() if f in recorded.options}

    # helpers ----------------------------------------------------------------------------------

    def body(self, rng: random.Random, pool: list[dict] | None = None) -> dict[str, Any]:
        return copy.deepcopy(rng.choice(pool or [b for _, b in self.recorded.bodies]))

    def post(self, category: str, kind: str, detail: str, body: Any, headers: dict[str, str] | None = None,
             path: str = UPDATE, ensure_ascii: bool = True) -> Probe:
        data = body if isinstance(body, bytes) else dumps(body, ensure_ascii)
        return Probe(category, kind, detail, "POST", path.encode(), JSON_HEADERS if headers is None else headers, data)

    def wrong_value(self, rng: random.Random, name: str) -> tuple[str, Any]:
        """(label, value) for a selection field: outside the catalogue, or of the wrong type."""
        valid = [v for v in self.recorded.options.get(name, []) if isinstance(v, str)] or ["x"]
        others = [v for f, vs in self.recorded.options.items() if f != name for v in vs if isinstance(v, str) and v not in valid] or ["E92000001"]
        v = rng.choice(valid)
        choice = rng.randrange(16)
        return [
            lambda: ("unknown", rng.choice(["zzz", "nope", "early_stage_x", "E99999999", "icb2"])),
            lambda: ("empty", ""),
            lambda: ("padded", f" {v} "),
            lambda: ("case", v.swapcase() if v.swapcase() != v else v + "X"),
            lambda: ("another field's value", rng.choice(others)),
            lambda: ("number text", rng.choice(["12345", "-1", "2022.5", "1e309", "0"])),
            lambda: ("NaN-ish", rng.choice(NAN_ISH)),
            lambda: ("long", long_text(rng, rng.choice([1_000, 10_000, 100_000]))),
            lambda: ("unicode", rng.choice(UNICODE)),
            lambda: ("formula", rng.choice(FORMULAE)),
            lambda: ("traversal", "../../../../etc/passwd"),
            lambda: ("list", [v]),
            lambda: ("dict", {"value": v}),
            lambda: ("null", None),
            lambda: ("int", rng.choice([2022, 0, -1, 10**30])),
            lambda: ("bool", rng.choice([True, False])),
        ][choice]()

    def input_index(self, body: dict, component: str, prop: str) -> int | None:
        for index, item in enumerate(body.get("inputs", [])):
            if isinstance(item, dict) and item.get("id") == component and item.get("property") == prop:
                return index
        return None

    def set_input(self, body: dict, component: str, prop: str, value: Any, changed: bool = True) -> None:
        index = self.input_index(body, component, prop)
        if index is None:
            body.setdefault("inputs", []).append({"id": component, "property": prop, "value": value})
        else:
            body["inputs"][index]["value"] = value
        if changed:
            body["changedPropIds"] = body["parsedChangedPropsIds"] = [f"{component}.{prop}"]

    def bad_search(self, rng: random.Random) -> tuple[str, str]:
        """(label, query string with its '?'): the recorded search with something wrong in it."""
        params = [p.split("=", 1) for p in self.recorded.search.lstrip("?").split("&") if "=" in p] or [["indicator", "x"]]
        choice = rng.randrange(10)
        if choice < 4:
            name = rng.choice(FIELDS_IN_LINKS)
            label, value = self.wrong_value(rng, name)
            text = value if isinstance(value, str) else json.dumps(value)
            encoded = quote_plus(text.encode("utf-8", "surrogatepass"), safe="") if rng.random() < 0.7 else text
            kept = [p for p in params if p[0] != name]
            return f"{name}={label}", "?" + "&".join([*(f"{k}={v}" for k, v in kept), f"{name}={encoded}"])
        if choice == 4:
            name = rng.choice(FIELDS_IN_LINKS)
            return "repeated parameter", "?" + "&".join(f"{name}={rng.choice(['a', '1', '', 'early_stage'])}" for _ in range(rng.choice([2, 100, 2000])))
        if choice == 5:
            return "unknown parameter", self.recorded.search + "&" + rng.choice(["zzz=1", "__proto__=1", "=", "&&&", "a[b]=c", "x" * 5000 + "=1"])
        if choice == 6:
            return "percent garbage", rng.choice(["?%zz=%", "?indicator=%ff%fe", "?=&&&=", "?" + "&" * 10_000, "?%00=%00", "?indicator=%", "?%E2%80%AE=1"])
        if choice == 7:
            return "no question mark", rng.choice([self.recorded.search.lstrip("?"), "#indicator=x", "indicator", "/x,=2*3"])
        if choice == 8:
            return "long", "?indicator=" + long_text(rng, rng.choice([10_000, 100_000]))
        return "raw unicode", "?" + "&".join(f"{k}={rng.choice(UNICODE)}" for k, _ in params)
    # POST /_dash-update-component ------------------------------------------------------------

    def make_replay(self, rng: random.Random) -> Probe:
        label, body = rng.choice(self.recorded.bodies)
        return self.post("replay", "replay", label, body)

    def make_value(self, rng: random.Random) -> Probe:
        body = self.body(rng)
        sections = [s for s in ("output", "outputs", "inputs", "state", "changedPropIds") if s in body]
        section = rng.choice([*sections, "(the body)", "(anywhere)"])
        candidates = [()] if section == "(the body)" else [p for p in paths_in(body) if p and (section == "(anywhere)" or p[0] == section)]
        path = rng.choice(candidates)
        where = path_name(body, path)
        label, value = hostile_value(rng)
        body = set_at(body, path, value)
        return self.post("value", f"{section_of(path)} := {label}", f"{where} := {label} {shown(value, 40)}", body, ensure_ascii=rng.random() < 0.8)

    def make_drop_key(self, rng: random.Random) -> Probe:
        body = self.body(rng)
        paths = [p for p in paths_in(body) if p and isinstance(p[-1], str)]
        path = rng.choice(paths)
        where = path_name(body, path)
        del get_at(body, path[:-1])[path[-1]]
        coarse = re.sub(r"\[[^\]]*\]", "[]", where)
        return self.post("drop-key", f"drop {coarse}", f"drop {where}", body)

    def make_add_key(self, rng: random.Random) -> Probe:
        body = self.body(rng)
        dicts = [p for p in paths_in(body) if isinstance(get_at(body, p), dict)]
        path = rng.choice(dicts)
        key = rng.choice(["__proto__", "constructor", "output", "value", "id", "property", "extra", "", "\u202e", "k" * 10_000])
        label, value = hostile_value(rng)
        where = path_name(body, path)
        get_at(body, path)[key] = value
        return self.post("add-key", f"add key := {label}", f"{where}[{cut(key, 20)!r}] := {label} {shown(value, 40)}", body)

    def make_output(self, rng: random.Random) -> Probe:
        body = self.body(rng)
        others = [b["output"] for _, b in self.recorded.bodies if b.get("output") != body.get("output")]
        choice = rng.randrange(8)
        if choice == 0:
            label, value = "unknown", rng.choice(["nope.children", "url.search", "..a.b...c.d..", "..url.search..", ".", "....", "x" * 100_000, "\u202e.x"])
            body["output"] = value
        elif choice == 1:
            label = "another callback's"
            body["output"] = rng.choice(others) if others else "download.data"
        elif choice == 2:
            label = "empty"
            body["output"] = ""
        elif choice == 3:
            label, value = hostile_value(rng)
            label = f"wrong type ({label})"
            body["output"] = value
        elif choice == 4:
            label = "missing"
            body.pop("output", None)
        elif choice == 5:
            label = "outputs truncated"
            if isinstance(body.get("outputs"), list):
                body["outputs"] = body["outputs"][: rng.randrange(len(body["outputs"]))]
            else:
                body["outputs"] = []
        elif choice == 6:
            label = "outputs of unknown property"
            outputs = body.get("outputs")
            target = rng.choice(outputs) if isinstance(outputs, list) and outputs else outputs
            if isinstance(target, dict):
                target["property"] = rng.choice(["nope", "", "__class__", "figure"])
        else:
            label = "outputs missing"
            body.pop("outputs", None)
        return self.post("output", f"output: {label}", f"output: {label}; output={cut(str(body.get('output')), 60)}", body)

    def make_selection(self, rng: random.Random) -> Probe:
        body = self.body(rng, self.with_state)
        index = next((i for i, s in enumerate(body.get("state", [])) if isinstance(s, dict) and s.get("id") == "selection"), None)
        stored = dict(self.recorded.selection) or {"indicator": "early_stage"}
        choice = rng.randrange(10)
        if choice < 3:
            label, value = hostile_value(rng)
            kind = f"selection := {label}"
        elif choice < 8:
            name = rng.choice(list(stored))
            label, wrong = self.wrong_value(rng, name)
            value = stored | {name: wrong}
            kind = f"selection.{name} := {label}"
        elif choice == 8:
            value = {name: self.wrong_value(rng, name)[1] for name in stored}
            kind = "selection: every field wrong"
        else:
            value = {k: v for k, v in stored.items() if rng.random() < 0.5} | ({"__class__": "x", "extra": [1]} if rng.random() < 0.5 else {})
            kind = "selection: fields missing or added"
        if index is None:
            body["state"] = [{"id": "selection", "property": "data", "value": value}]
        else:
            body["state"][index]["value"] = value
        if str(body.get("output", "")).startswith(".."):  # the page callback: trigger a control, so the store is read
            name = rng.choice(list(self.controls))
            body["changedPropIds"] = body["parsedChangedPropsIds"] = [f"{self.controls[name]}.value"]
        return self.post("selection", kind, f"{kind}: {shown(value, 80)}", body)

    def make_search(self, rng: random.Random) -> Probe:
        body = self.body(rng, self.page_bodies)
        if rng.random() < 0.2:
            label, value = hostile_value(rng)
            kind = f"search := {label} (not a string)"
        else:
            label, value = self.bad_search(rng)
            kind = f"search {label}"
        self.set_input(body, "url", "search", value)
        return self.post("search", kind, f"search = {shown(value, 100)}", body)

    def make_control(self, rng: random.Random) -> Probe:
        body = self.body(rng, self.page_bodies)
        extra = {"chart": "control-chart", "present": "present-toggle"}
        name = rng.choice([*self.controls, *extra])
        component = self.controls.get(name) or extra[name]
        prop = "n_clicks" if name == "present" else "value"
        label, value = self.wrong_value(rng, name) if rng.random() < 0.7 else hostile_value(rng)
        self.set_input(body, component, prop, value)
        return self.post("control", f"control {name} := {label}", f"{component}.{prop} := {shown(value, 80)}", body)

    def make_click(self, rng: random.Random) -> Probe:
        body = self.body(rng, self.page_bodies)
        graph = rng.choice(["map", "ranked"])
        area = rng.choice([v for v in self.recorded.options.get("area", []) if isinstance(v, str)] or ["E54000008"])
        shapes: list[tuple[str, Callable[[], Any]]] = [
            ("string", lambda: area), ("list", lambda: [{"location": area}]), ("number", lambda: 5), ("points string", lambda: {"points": "x"}),
            ("points dict", lambda: {"points": {"0": {"location": area}}}), ("points [int]", lambda: {"points": [1]}), ("points []", lambda: {"points": []}),
            ("location int", lambda: {"points": [{"location": 5}]}), ("location unknown", lambda: {"points": [{"location": "E99999999"}]}),
            ("location long", lambda: {"points": [{"location": "E" * 100_000}]}), ("customdata dict", lambda: {"points": [{"customdata": {"a": 1}}]}),
            ("customdata [null]", lambda: {"points": [{"customdata": [None]}]}), ("customdata string", lambda: {"points": [{"customdata": area}]}),
            ("location list", lambda: {"points": [{"location": [area]}]}), ("points nested", lambda: {"points": [[{"location": area}]]}),
            ("points null", lambda: {"points": None}), ("location formula", lambda: {"points": [{"location": "=2*3"}]}),
            ("hostile", lambda: hostile_value(rng)[1]),
        ]
        label, make = rng.choice(shapes)
        value = make()
        self.set_input(body, graph, "clickData", value)
        return self.post("click", f"click: {label}", f"{graph}.clickData := {shown(value, 80)}", body)

    def make_changed(self, rng: random.Random) -> Probe:
        body = self.body(rng, self.page_bodies)
        every = [f"{i['id']}.{i['property']}" for i in body.get("inputs", []) if isinstance(i, dict)]
        options: list[tuple[str, Any]] = [
            ("[]", []), ("unknown id", ["nope.value"]), ("a string", "url.search"), ("[null]", [None]), ("[dict]", [{"id": "url"}]),
            ("every input", every), ("null", None), ("number", 5), ("unknown property", ["url.nope"]), ("long", ["x" * 100_000]),
        ]
        label, value = rng.choice(options)
        body["changedPropIds"] = value
        if rng.random() < 0.5:
            body["parsedChangedPropsIds"] = value
        return self.post("changed", f"changedPropIds := {label}", f"changedPropIds := {label}", body)

    def make_deep(self, rng: random.Random) -> Probe:
        depth = rng.choice([1_000, 10_000, 10_000, 100_000])
        kind = rng.choice(["list body", "dict body", "in an input", "in the store"])
        as_list, as_dict = "[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth
        deep = as_list if rng.random() < 0.5 else as_dict
        if kind == "list body":
            data = as_list.encode()
        elif kind == "dict body":
            data = as_dict.encode()
        elif kind == "in an input":
            body = self.body(rng, self.page_bodies)
            component = rng.choice([i for i in body.get("inputs", []) if isinstance(i, dict)])
            self.set_input(body, component["id"], component["property"], Raw(deep))
            data = dumps(body)
        else:
            body = self.body(rng, self.with_state)
            body["state"][0]["value"] = Raw(deep)
            data = dumps(body)
        return self.post("deep", f"{kind}, {depth:,} levels", f"{kind}, {depth:,} levels", data)

    def make_invalid_json(self, rng: random.Random) -> Probe:
        text = dumps(self.body(rng))
        options: list[tuple[str, Callable[[], bytes]]] = [
            ("truncated", lambda: text[: rng.randrange(1, len(text))]),
            ("empty", lambda: b""),
            ("null", lambda: b"null"),
            ("a string", lambda: b'"x"'),
            ("a number", lambda: b"5"),
            ("an array", lambda: b"[]"),
            ("random bytes", lambda: bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))),
            ("latin-1", lambda: json.dumps(json.loads(text) | {"x": "caf\u00e9"}, ensure_ascii=False).encode("latin-1", "replace")),
            ("UTF-8 BOM", lambda: b"\xef\xbb\xbf" + text),
            ("UTF-16", lambda: text.decode().encode("utf-16")),
            ("trailing garbage", lambda: text + b"}}}garbage"),
            ("single quotes", lambda: repr(json.loads(text)).encode()),
            ("bad tokens", lambda: rng.choice([b"NaN", b"Infinity", b"[1,]", b'{"a":}', b"{'a':1}", b"[01]", b'{"a" 1}', b"\x00"])),
            ("duplicate keys", lambda: b'{"output":"a.b",' + text[1:]),
            ("lone surrogate bytes", lambda: text.replace(b'"inputs"', b'"\xed\xa0\x80inputs"', 1)),
        ]
        label, make = rng.choice(options)
        data = make()
        return self.post("invalid-json", f"invalid JSON: {label}", f"{label}: {truncated(data, 60)}", data)

    def make_content_type(self, rng: random.Random) -> Probe:
        body = dumps(self.body(rng))
        label, value = rng.choice([
            ("text/plain", "text/plain"), ("form", "application/x-www-form-urlencoded"), ("multipart", "multipart/form-data; boundary=zz"),
            ("none", None), ("charset utf-16", "application/json; charset=utf-16"), ("charset latin-1", "application/json; charset=latin-1"),
            ("javascript", "application/javascript"), ("*/*", "*/*"), ("garbage", "x" * 1000), ("two types", "application/json, text/html"),
        ])
        headers = {"Accept": "application/json"} | ({"Content-Type": value} if value is not None else {})
        if label == "form" and rng.random() < 0.5:
            body = b"output=a.b&inputs=1"
        return self.post("content-type", f"Content-Type {label}", f"Content-Type: {truncated(str(value), 40)}", body, headers)
