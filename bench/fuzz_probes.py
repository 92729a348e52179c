"""Every probe category of bench/fuzz.py: CATEGORIES (weights), and `Fuzzer`, which makes probe
`index` of a category (the same probe for the same seed).

`Fuzzer` is bench/fuzz_bodies.py's `CallbackProbes` (the mutated callback bodies) with the
other routes added here: hostile GET paths and queries, /geo/, the board pack's view and POST,
unexpected methods, and the big bodies sent one at a time after the main run.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote

from fuzz_bodies import CallbackProbes  # bench/
from fuzz_values import MB, UNICODE, Probe, cut, dumps, hostile_value, long_text, path_name, paths_in, section_of, set_at, shown, truncated  # bench/
from live_server import JSON_HEADERS, UPDATE  # bench/

# category -> (weight, what it sends). Weights are shares of --requests (largest remainder).
CATEGORIES: dict[str, tuple[int, str]] = {
    "replay": (4, "recorded callback bodies, unchanged (must be 200)"),
    "value": (16, "one JSON value anywhere replaced by a hostile one"),
    "drop-key": (5, "one key removed anywhere"),
    "add-key": (4, "one key added anywhere"),
    "output": (4, "`output` unknown / wrong type / missing; `outputs` mismatched"),
    "selection": (9, "the selection store: not an object, non-catalogue fields"),
    "search": (8, "the URL search input: bad parameters, or not a string"),
    "control": (6, "a control's value: non-catalogue or wrong type"),
    "click": (5, "map / ranked click payloads of the wrong shape"),
    "changed": (3, "changedPropIds unknown / empty / wrong type"),
    "deep": (3, "JSON nested 1,000-100,000 levels"),
    "invalid-json": (4, "bodies that are not JSON"),
    "content-type": (3, "a valid body with the wrong Content-Type"),
    "get-path": (9, "traversal, formula, long and odd paths"),
    "get-query": (5, "random query strings on /"),
    "geo": (3, "/geo/<name>.json"),
    "board-pack-view": (2, "/board-pack/view?<query>"),
    "board-pack-post": (4, "POST /board-pack with garbage"),
    "method": (2, "unexpected methods on the app's routes"),
}
BIG = "big-body"

TRAVERSALS = [
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/%252e%252e/%252e%252e/%252e%252e/etc/passwd",
    "/_dash-component-suites/dash/..%5c..%5c..%5c..%5cetc%5cpasswd",
    "/_dash-component-suites/dash/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/_dash-component-suites/../../../../etc/passwd",
    "/_dash-component-suites/dash/deps/../../../../../../etc/passwd",
    "/_dash-component-suites/dash/dcc/../../../../../../pyproject.toml",
    "/_dash-component-suites/dash/dcc/..%2f..%2f..%2f..%2fpyproject.toml",
    "/_dash-component-suites/nope/x.js",
    "/_dash-component-suites/dash/nope.js",
    "/_dash-component-suites/dash/deps/react@18.v9_9_9m1.js",
    "/_dash-component-suites/dash/dcc/dash_core_components.v0m0.js",
    "/_dash-component-suites/dash",
    "/_dash-component-suites/",
    "/assets/../../../../etc/passwd",
    "/assets/%2e%2e/%2e%2e/pyproject.toml",
    "/assets/..%2f..%2fpyproject.toml",
    "/geo/../../../etc/passwd.json",
    "/geo/..%2f..%2fmanifest.json",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
]
ODD_PATHS = [
    "/x,=2*3", "/x,=2*3,@SUM(1+1),+1+1?indicator=early_stage&cancer=Lung&period=2022&level=icb", "/.env", "/.git/config",
    "/wp-login.php", "/admin", "/server-status", "/%00", "/a%00b", "/%", "/%zz", "//", "///etc/passwd", "/./", "/;", "/_dash-layout",
    "/_dash-dependencies", "/_reload-hash", "/_favicon.ico", "/_alive_", UPDATE, "/board-pack", "/geo/", "/geo/.json", "/assets/",
    "/assets/nope.js", "/board-pack/view/extra", "/index.html", "/?", "/#frag",
]
METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "PROPFIND", "FOO", "CONNECT"]
METHOD_PATHS = ["/", UPDATE, "/board-pack", "/board-pack/view", "/geo/icb.json", "/_dash-layout", "/_dash-component-suites/dash/nope.js"]


class Fuzzer(CallbackProbes):
    """Makes probe `index` of `category` from the recorded bodies: the same probe for the same seed."""

    def probe(self, category: str, index: int) -> Probe:
        rng = random.Random(f"{self.seed}:{category}:{index}")
        return getattr(self, "make_" + category.replace("-", "_"))(rng)

    def get(self, category: str, kind: str, target: str | bytes, headers: dict[str, str] | None = None) -> Probe:
        raw = target if isinstance(target, bytes) else target.encode("latin-1", "replace")
        return Probe(category, kind, truncated(raw, 120), "GET", raw, headers or {"Accept-Encoding": "gzip"}, None)

    # GET and the other routes ------------------------------------------------------------------

    def make_get_path(self, rng: random.Random) -> Probe:
        choice = rng.randrange(10)
        if choice < 4:
            path = rng.choice(TRAVERSALS)
            return self.get("get-path", f"traversal {cut(path, 70)}", path)
        if choice < 7:
            path = rng.choice(ODD_PATHS)
            return self.get("get-path", f"odd path {cut(path, 70)}", path)
        if choice == 7:
            size = rng.choice([1_000, 4_000, 8_000, 100_000])
            return self.get("get-path", f"long path {size:,}", "/" + long_text(rng, size).replace(" ", "%20").replace("\\", "/").replace('"', "%22"))
        if choice == 8:
            prefix = rng.choice(["/", "/_dash-component-suites/dash/", "/assets/", "/geo/"])
            tail = "".join(rng.choice(UNICODE) for _ in range(3))
            if rng.random() < 0.5:
                return self.get("get-path", "unicode path, percent-encoded", prefix + quote(tail.encode("utf-8", "surrogatepass"), safe=""))
            return self.get("get-path", "unicode path, raw bytes", prefix.encode() + tail.replace(" ", "").replace("\r\n\t", "").encode("utf-8", "surrogatepass"))
        prefix = rng.choice(["/", "/_dash-component-suites/", "/_dash-component-suites/dash/deps/", "/assets/", "/board-pack/"])
        segment = "".join(rng.choice("abcXYZ019._-~!$&'()*+,;=:@%/") for _ in range(rng.randint(1, 60)))
        return self.get("get-path", f"random path under {prefix}", prefix + segment)

    def make_get_query(self, rng: random.Random) -> Probe:
        label, search = self.bad_search(rng)
        target = "/" + (search if search.startswith(("?", "#")) else "?" + search)
        return self.get("get-query", f"query {label}", quote(target.encode("utf-8", "surrogatepass"), safe="/?&=%#+,:;@$!*'()~"))

    def make_geo(self, rng: random.Random) -> Probe:
        names = self.recorded.geo_names
        label, name = rng.choice([
            ("real", rng.choice(names)), ("real", rng.choice(names)), ("unknown", "nope"), ("empty", ""), ("upper case", rng.choice(names).upper()),
            ("traversal", "..%2f..%2fmanifest"), ("NUL", rng.choice(names) + "%00"), ("long", "a" * rng.choice([1_000, 3_000])),
            ("unicode", quote(rng.choice(UNICODE).encode("utf-8", "surrogatepass"), safe="")), ("dots", "..."), ("query", rng.choice(names) + ".json?x=1&"),
        ])
        headers = {"Accept-Encoding": "gzip"}
        etag = rng.choice([None, None, "*", 'W/"x"', '"' + "x" * 5000 + '"', "garbage,,,", '"\u00e9"'])
        if etag is not None:
            headers["If-None-Match"] = etag
        return self.get("geo", f"geo {label}" + (", If-None-Match" if etag else ""), f"/geo/{name}.json", headers)

    def make_board_pack_view(self, rng: random.Random) -> Probe:
        if rng.random() < 0.2:
            return self.get("board-pack-view", "board-pack view, recorded link", "/board-pack/view" + self.recorded.search)
        label, search = self.bad_search(rng)
        target = "/board-pack/view" + (search if search.startswith("?") else "?" + search)
        return self.get("board-pack-view", f"board-pack view {label}", quote(target.encode("utf-8", "surrogatepass"), safe="/?&=%#+,:;@$!*'()~"))

    def make_board_pack_post(self, rng: random.Random) -> Probe:
        template: dict[str, Any] = {"format": rng.choice(["pdf", "pptx"]), "title": "Fuzz", "views": [{"search": self.recorded.search, "map": None, "chart": None}]}
        choice = rng.randrange(8)
        headers = {"Content-Type": "application/json"}
        if choice < 3:
            paths = [p for p in paths_in(template) if p]
            path = rng.choice(paths)
            label, value = hostile_value(rng)
            where = path_name(template, path)
            set_at(template, path, value)
            if template.get("format") in ("pdf", "pptx") and path[-1] not in ("format", "views", "search") and rng.random() < 0.7:
                template["format"] = "doc"  # keep most of these from making a whole pack (a second of a worker each)
            return self.post("board-pack-post", f"board-pack {section_of(path)} := {label}", f"{where} := {label} {shown(value, 40)}", template, headers, "/board-pack")
        if choice == 3:
            label, picture = rng.choice([
                ("not base64", "***"), ("PNG signature then junk", "iVBORw0KGgo" + "A" * 100), ("data URL of a GIF", "data:image/gif;base64,R0lGODlhAQABAAAAACw="),
                ("number", 5), ("huge base64", "A" * 1_000_000),
            ])
            template["views"][0][rng.choice(["map", "chart"])] = picture
            return self.post("board-pack-post", f"board-pack picture: {label}", label, template, headers, "/board-pack")
        if choice == 4:
            template["views"] = [{"search": ""}] * rng.choice([101, 1000]) if rng.random() < 0.5 else rng.choice([[], {}, "x", [None], [5]])
            return self.post("board-pack-post", "board-pack views wrong", shown(template["views"], 60), template, headers, "/board-pack")
        if choice == 5:
            data = rng.choice([b"", b"null", b"{", b"[" * 10_000 + b"]" * 10_000, bytes(rng.randrange(256) for _ in range(100))])
            return self.post("board-pack-post", "board-pack body not JSON or deep", truncated(data, 60), data, headers, "/board-pack")
        if choice == 6:
            ctype = rng.choice(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz"])
            return self.post("board-pack-post", "board-pack Content-Type", ctype, template | {"format": "doc"}, {"Content-Type": ctype}, "/board-pack")
        template["views"][0]["search"] = self.bad_search(rng)[1]
        template["format"] = "doc" if rng.random() < 0.7 else template["format"]
        return self.post("board-pack-post", "board-pack search bad", truncated(template["views"][0]["search"], 60), template, headers, "/board-pack")

    def make_method(self, rng: random.Random) -> Probe:
        method, path = rng.choice(METHODS), rng.choice(METHOD_PATHS)
        body = dumps(self.body(rng)) if rng.random() < 0.5 else None
        headers = JSON_HEADERS if body is not None else {}
        return Probe("method", f"{method} {path}", f"{method} {path}", method, path.encode(), headers, body)

    # the big bodies ----------------------------------------------------------------------------

    def big(self, index: int, megabytes: float) -> Probe:
        rng = random.Random(f"{self.seed}:{BIG}:{index}")
        size = int(megabytes * MB)
        shape = index % 5
        if shape == 0:
            body = self.body(rng, self.page_bodies)
            self.set_input(body, "url", "search", "?indicator=" + "A" * size)
            return self.post(BIG, f"{megabytes:g} MB search", f"{megabytes:g} MB: url.search = '?indicator=AAAA...'", body)
        if shape == 1:
            body = self.body(rng, self.with_state)
            body["state"][0]["value"] = dict(self.recorded.selection) | {"cancer": "C" * size}
            return self.post(BIG, f"{megabytes:g} MB store value", f"{megabytes:g} MB: selection.cancer = 'CCCC...'", body)
        if shape == 2:
            return self.post(BIG, f"{megabytes:g} MB garbage", f"{megabytes:g} MB of non-JSON bytes", bytes(rng.randrange(32, 127) for _ in range(1024)) * (size // 1024))
        if shape == 3:
            return self.post(BIG, f"{megabytes:g} MB JSON array", f"{megabytes:g} MB: [1,1,1,...]", b"[" + b"1," * (size // 2) + b"1]")
        body = self.body(rng, self.page_bodies)
        self.set_input(body, "control-indicator", "value", "I" * size)
        return self.post(BIG, f"{megabytes:g} MB control value", f"{megabytes:g} MB: control-indicator.value = 'IIII...'", body)

