"""The exact callback requests a browser sends for a filter change, read from the app itself.

Why: hand-written bodies stop matching the app as soon as its callbacks are rewired (ten per
change, or one). The page is simulated as Dash's renderer holds it: props from /_dash-layout,
callbacks from /_dash-dependencies. Changing a control's `value` fires every server callback
with {id: control, property: "value"} among its Inputs, with the body dash-renderer's
executeCallback builds (output, outputs (a list when multi-output), inputs and state with the
page's current values, changedPropIds, parsedChangedPropsIds); the response's props are written
back, and the callbacks taking any of them as Input fire next (e.g. cards reading the
`selection` store), round after round, each callback once per change. The bodies were answered
by the app, so they can be replayed (bench/locustfile.py) or timed as sent (bench/growth.py).
Pattern-matching outputs (`ALL`) are sent as the renderer sends them: one entry per component
of the page whose id matches, components made by a response included. Not simulated:
clientside callbacks (counted), Patch outputs (the old value is kept), page-load callbacks (the
layout stands for the loaded page; dcc.Location's props are filled as the browser fills them).

Run: .venv/bin/python bench/dash_payloads.py [--changes 60] [--out FILE.json] [--data DIR]
(every Cancer type of the first indicator, then a varied walk; checks every response is 200
with a JSON "response"; prints a summary; exit 1 if any is not).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import statistics
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transports import FlaskTransport, HttpTransport, Transport  # bench/transports.py

UPDATE = "_dash-update-component"
MAX_ROUNDS = 8  # a change that still fires callbacks after this many rounds is a loop
WALK_FIELDS = ("level", "period", "cancer", "group", "group_value", "compare", "colour", "confidence", "alliance", "overdispersion")
PropKey = tuple[str, str]


@dataclass(frozen=True)
class Callback:
    """One server callback as /_dash-dependencies lists it."""

    output: str  # the key Dash dispatches on ("id.prop", or "..id.prop...id2.prop2.." for several)
    outputs: tuple[PropKey, ...]
    inputs: tuple[PropKey, ...]
    state: tuple[PropKey, ...]
    clientside: bool

    @property
    def multi(self) -> bool:
        return self.output.startswith("..")

    @classmethod
    def from_dependency(cls, item: Mapping[str, Any]) -> Callback:
        output = item["output"]
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        return cls(
            output=output,
            outputs=tuple(tuple(part.rsplit(".", 1)) for part in parts),  # type: ignore[misc]
            inputs=tuple((d["id"], d["property"]) for d in item["inputs"]),
            state=tuple((d["id"], d["property"]) for d in item.get("state", [])),
            clientside=bool(item.get("clientside_function")),
        )


@dataclass
class FilterChange:
    """Every request one filter change sends, by round, and how each was answered."""

    label: str
    control: str
    value: Any
    rounds: list[list[dict[str, Any]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    wire_bytes: list[int] = field(default_factory=list)
    answered: list[bool] = field(default_factory=list)  # 200 with a JSON {"response": ...}
    clientside_skipped: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.answered) and all(self.answered)

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "rounds": self.rounds, "ok": self.ok, "statuses": self.statuses, "seconds": self.seconds}


def id_key(component_id: Any) -> str:
    """A component id as Dash writes it in a response: a dict id as sorted, compact JSON."""
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def component_props(layout: Any, base_url: str, prefix: str) -> dict[str, dict[str, Any]]:
    """id (`id_key`) -> props of every component in the layout tree (a copy: the page changes them)."""
    found: dict[str, dict[str, Any]] = {}
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props") if "type" in node and "namespace" in node else None
            if isinstance(props, dict):
                if isinstance(props.get("id"), (str, dict)):
                    key = id_key(props["id"])
                    found[key] = dict(props)
                    if node["type"] == "Location":  # what dcc.Location sets from window.location on mount
                        browser = {"pathname": prefix, "search": "", "hash": "", "href": base_url + prefix}
                        found[key] = browser | found[key]
                stack.extend(props.values())
            else:
                stack.extend(node.values())
    return copy.deepcopy(found)


def option_values(options: Any) -> list[Any]:
    """The enabled values of a control's `options` (list of dicts or strings, or a dict)."""
    if isinstance(options, dict):
        return list(options)
    return [o.get("value") if isinstance(o, dict) else o for o in options or [] if not (isinstance(o, dict) and o.get("disabled"))]


class Page:
    """The page as the renderer holds it; `change` performs a filter change through the app."""

    def __init__(self, transport: Transport, props: dict[str, dict[str, Any]], callbacks: list[Callback], prefix: str = "/"):
        self.transport, self.props, self.callbacks, self.prefix = transport, props, callbacks, prefix

    @classmethod
    def load(cls, source: Any, prefix: str = "/") -> Page:
        """From a Flask test client or a base URL: GET the layout and the callbacks."""
        transport: Transport = HttpTransport(source) if isinstance(source, str) else FlaskTransport(source)
        base = source.rstrip("/") if isinstance(source, str) else "http://localhost"
        layout = transport.get_json(prefix + "_dash-layout")
        callbacks = [Callback.from_dependency(d) for d in transport.get_json(prefix + "_dash-dependencies")]
        return cls(transport, component_props(layout, base, prefix), callbacks, prefix)

    def copy(self) -> Page:
        return Page(self.transport, copy.deepcopy(self.props), self.callbacks, self.prefix)

    def value(self, control: str) -> Any:
        return self.props.get(control, {}).get("value")

    def options(self, control: str) -> list[Any]:
        return option_values(self.props.get(control, {}).get("options"))

    def _fill(self, keys: Iterable[PropKey]) -> list[dict[str, Any]]:
        """{id, property, value}; no "value" key when the prop is unset (JSON.stringify drops undefined)."""
        out = []
        for component, prop in keys:
            item: dict[str, Any] = {"id": component, "property": prop}
            if prop in self.props.get(component, {}):
                item["value"] = self.props[component][prop]
            out.append(item)
        return out

    def matching(self, pattern: str, prop: str) -> list[dict[str, Any]]:
        """{id, property} of each component of the page whose dict id matches an ALL pattern."""
        wanted = json.loads(pattern)
        out = []
        for key in self.props:
            if key.startswith("{"):
                found = json.loads(key)
                if found.keys() == wanted.keys() and all(v == ["ALL"] or found[k] == v for k, v in wanted.items()):
                    out.append({"id": found, "property": prop})
        return out

    def body(self, callback: Callback, changed: set[PropKey]) -> dict[str, Any]:
        """The JSON the renderer POSTs to /_dash-update-component for this callback."""
        if any(component.startswith("{") for component, _ in callback.inputs):
            raise NotImplementedError(f"pattern-matching inputs {callback.output}")
        outputs = [self.matching(component, prop) if component.startswith("{") else {"id": component, "property": prop}
                   for component, prop in callback.outputs]
        changed_ids = [f"{component}.{prop}" for component, prop in callback.inputs if (component, prop) in changed]
        body: dict[str, Any] = {
            "output": callback.output,
            "outputs": outputs if callback.multi else outputs[0],
            "inputs": self._fill(callback.inputs),
            "changedPropIds": changed_ids,
            "parsedChangedPropsIds": changed_ids,
        }
        if callback.state:
            body["state"] = self._fill(callback.state)
        return body

    def _apply(self, payload: Any) -> set[PropKey]:
        """Write a response's props into the page; the props it set."""
        changed = set()
        for component, values in (payload or {}).get("response", {}).items():
            for prop, value in values.items():
                changed.add((component, prop))
                if not (isinstance(value, dict) and "__dash_patch_update" in value):
                    self.props.setdefault(component, {})[prop] = value
                    if prop == "children":  # components the response made: the page now holds them
                        self.props.update(component_props(value, "", self.prefix))
        return changed

    def change(self, control: str, value: Any, label: str | None = None) -> FilterChange:
        """Set `control`'s value as the user would, send every request that follows, record them."""
        result = FilterChange(label or f"{control}={value}", control, value)
        self.props.setdefault(control, {})["value"] = value
        changed, fired = {(control, "value")}, set()
        while changed and len(result.rounds) < MAX_ROUNDS:
            triggered = [cb for cb in self.callbacks if cb.output not in fired and changed.intersection(cb.inputs)]
            result.clientside_skipped += sum(cb.clientside for cb in triggered)
            server = [cb for cb in triggered if not cb.clientside]
            if not server:
                break
            bodies = [self.body(cb, changed) for cb in server]  # fired together: all from the same page
            fired.update(cb.output for cb in server)
            changed = set()
            for body in bodies:
                reply = self.transport.post(self.prefix + UPDATE, json.dumps(body).encode())
                result.statuses.append(reply.status)
                result.seconds.append(reply.seconds)
                result.wire_bytes.append(reply.wire_bytes)
                result.answered.append(reply.status == 200 and isinstance(reply.payload, dict) and "response" in reply.payload)
                changed |= self._apply(reply.payload)
            result.rounds.append(bodies)
        return result

    def key(self, controls: Iterable[str], **override: Any) -> tuple:
        """The controls' values (one with `override` = {control: value}): a selection, hashable."""
        return tuple(json.dumps(override[c] if c in override else self.value(c), sort_keys=True) for c in controls)


def default_controls() -> dict[str, str]:
    """Selection field -> control id, from the app's own ids (imported only when asked)."""
    from dashboard.web import ids

    return dict(ids.CONTROLS)


def record_selections(page: Page, selections: Sequence[Mapping[str, Any]], controls: Mapping[str, str] | None = None) -> list[FilterChange]:
    """For each selection ({field or control id: value}, applied in order from the page as given),
    the requests of the change that lands on it (the last field's). The page is not changed."""
    controls = controls or default_controls()
    out = []
    for selection in filter(None, selections):
        scratch = page.copy()
        out += [[scratch.change(controls.get(name, name), value, f"{name}={value}") for name, value in selection.items()][-1]]
    return out


def cancer_selections(page: Page, controls: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every Cancer type of the page's indicator but the current one: one change each."""
    control = (controls or default_controls())["cancer"]
    return [{"cancer": v} for v in page.options(control) if v != page.value(control)]


def varied_walk(page: Page, changes: int, controls: Mapping[str, str] | None = None, cancers: int | None = None) -> list[FilterChange]:
    """A user's walk of `changes` filter changes, each from the page the last left: first some
    Cancer types, then every indicator in turn with its other controls (level, period, group, ...)
    between; a control value that would revisit a seen selection is skipped (each selection is
    requested once: cold). Changes `page`."""
    controls = {f: c for f, c in (controls or default_controls()).items() if c in page.props}
    ordered = [controls[f] for f in sorted(controls)]
    seen, walk = {page.key(ordered)}, []

    def step(name: str) -> bool:
        control = controls.get(name)
        if control is None:
            return False
        current = page.value(control)
        for value in page.options(control):
            if value == current or page.key(ordered, **{control: value}) in seen:
                continue
            walk.append(page.change(control, value, f"{name}={value}"))
            seen.add(page.key(ordered))
            return True
        return False

    for _ in range(min(cancers if cancers is not None else changes // 3, changes)):
        if not step("cancer"):
            break
    indicators = page.options(controls["indicator"]) if "indicator" in controls else []
    progress = True
    while len(walk) < changes and indicators and progress:  # passes over every indicator, until nothing new
        progress = False
        for indicator in indicators:
            budget = max(1, math.ceil((changes - len(walk)) / len(indicators)))
            if len(walk) >= changes:
                break
            if indicator != page.value(controls["indicator"]):
                walk.append(page.change(controls["indicator"], indicator, f"indicator={indicator}"))
                seen.add(page.key(ordered))
            done = 0
            for name in WALK_FIELDS * 2:
                if done >= budget or len(walk) >= changes:
                    break
                done += step(name)
            progress = progress or done > 0
    return walk[:changes]


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`; NaN if none."""
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else math.nan


def summarise(changes: Sequence[FilterChange]) -> str:
    """Requests per change, status codes, server time and bytes: one line per figure."""
    statuses = [s for c in changes for s in c.statuses]
    ms = sorted(1000 * s for c in changes for s in c.seconds)
    per_change = [1000 * sum(c.seconds) for c in changes]
    requests = [len(c.statuses) for c in changes]
    rounds = sorted({tuple(len(r) for r in c.rounds) for c in changes})

    return "\n".join([
        f"filter changes: {len(changes)}; requests: {len(statuses)} ({statistics.mean(requests):.1f} per change; requests per round: {rounds})",
        f"status codes: { {s: statuses.count(s) for s in sorted(set(statuses))} }",
        f"time per request: p50 {pct(ms, .5):.1f} ms, p95 {pct(ms, .95):.1f} ms, max {max(ms, default=math.nan):.1f} ms",
        f"time per change (its requests one after another): p50 {pct(per_change, .5):.1f} ms, p95 {pct(per_change, .95):.1f} ms",
        f"response bytes per change (as sent): median {statistics.median([sum(c.wire_bytes) for c in changes]) if changes else 0:,.0f}",
        f"clientside callbacks not simulated: {sum(c.clientside_skipped for c in changes)}",
    ])


def save(changes: Sequence[FilterChange], path: Path) -> None:
    path.write_text(json.dumps({"changes": [c.as_json() for c in changes]}, separators=(",", ":")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record and check the callback requests of filter changes.")
    parser.add_argument("--changes", type=int, default=60, help="length of the varied walk")
    parser.add_argument("--out", type=Path, help="write the recorded changes (JSON) here, for bench/locustfile.py")
    parser.add_argument("--data", type=Path, help="data folder (default: data/)")
    args = parser.parse_args(argv)
    from dashboard.core.settings import Settings
    from dashboard.web.app import create_app

    started = time.perf_counter()
    settings = Settings(data_dir=args.data) if args.data else Settings()
    client = create_app(settings).server.test_client()
    print(f"app built in {time.perf_counter() - started:.1f} s from {settings.data_dir}")
    page = Page.load(client)
    print(f"{len(page.callbacks)} callbacks; control-cancer value triggers "
          f"{sum(('control-cancer', 'value') in cb.inputs for cb in page.callbacks)}")
    cancers = record_selections(page, cancer_selections(page))
    walk = varied_walk(page.copy(), args.changes, cancers=0)
    changes = cancers + walk
    print(f"every Cancer type of the first indicator ({len(cancers)} changes, each from the first page), then a walk of {len(walk)}:")
    print(summarise(changes))
    if args.out:
        save(changes, args.out)
        print(f"wrote {args.out}")
    bad = [f"{c.label} (statuses {c.statuses})" for c in changes if not c.ok]
    print("all responses 200 with a JSON response" if not bad and changes else f"{len(bad)} changes FAILED: {bad[:10]}")
    return 0 if not bad and changes else 1


if __name__ == "__main__":
    sys.exit(main())
