"""What bench/fuzz.py counts and prints: the answers tallied by category (`Tally`, `Results`),
the table of statuses, the 5xx and dropped connections grouped by what the probe did, and the
server's log (`LogWatch`: its growth; `log_figures`: its lines, tracebacks, exception types).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz_probes import BIG, CATEGORIES  # bench/
from fuzz_values import MB, Probe, cut, truncated  # bench/


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    dropped: int = 0
    max_seconds: float = 0.0
    bad_input_bytes: int = 0


@dataclass
class Results:
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_kind: dict[str, list] = field(default_factory=dict)  # kind of a 5xx or drop -> [count, category, an example]
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    fuzzer_errors: list[str] = field(default_factory=list)  # probes the fuzzer itself failed to make

    def add(self, probe: Probe, answer: Any, keep: int) -> None:
        failed = answer.status is None or answer.status >= 500
        with self.lock:
            tally = self.by_category[probe.category]
            tally.requests += 1
            tally.statuses[answer.status if answer.status is not None else "drop"] += 1
            tally.max_seconds = max(tally.max_seconds, answer.seconds)
            tally.bad_input_bytes += probe.size if probe.category != "replay" else 0
            if not failed:
                return
            tally.server_errors += answer.status is not None
            tally.dropped += answer.status is None
            entry = self.by_kind.setdefault(probe.kind, [0, probe.category, probe.detail])
            entry[0] += 1
            if len(self.examples[probe.category]) < keep:
                said = f"HTTP {answer.status}" if answer.status is not None else f"no answer ({answer.error})"
                self.examples[probe.category].append(
                    f"{probe.detail}\n      {probe.method} {truncated(probe.target, 100)}"
                    + (f"  body: {truncated(probe.body, 200)}" if probe.body is not None else "")
                    + f"\n      -> {said}: {truncated(answer.body, 160)}")

    def total(self) -> Tally:
        out = Tally()
        for tally in self.by_category.values():
            out.requests += tally.requests
            out.statuses.update(tally.statuses)
            out.server_errors += tally.server_errors
            out.dropped += tally.dropped
            out.max_seconds = max(out.max_seconds, tally.max_seconds)
            out.bad_input_bytes += tally.bad_input_bytes
        return out


def statuses_text(statuses: Counter) -> str:
    return " ".join(f"{status}:{count}" for status, count in sorted(statuses.items(), key=lambda kv: (str(kv[0]) == "drop", str(kv[0]))))


def print_table(results: Results) -> None:
    rows = [(name, results.by_category[name]) for name in [*CATEGORIES, BIG] if name in results.by_category]
    width = max(48, *(len(statuses_text(t.statuses)) for _, t in rows))
    print(f"\n{'category':17} {'requests':>8}  {'status counts':{width}} {'5xx':>5} {'drops':>5} {'max ms':>8}")
    for name, tally in [*rows, ("total", results.total())]:
        if name == "total":
            print("-" * (17 + 10 + width + 23))
        print(f"{name:17} {tally.requests:8,}  {statuses_text(tally.statuses):{width}} {tally.server_errors:5,} {tally.dropped:5,} {1000 * tally.max_seconds:8.0f}")


def print_failures(results: Results, keep: int) -> None:
    """The 5xx and dropped connections grouped by what the probe did, and up to `keep` example
    requests per category; nothing when there were none."""
    if results.by_kind:
        print(f"\n5xx and dropped connections by what the probe did ({len(results.by_kind)} kinds; count, category, an example):")
        for kind, (count, category, example) in sorted(results.by_kind.items(), key=lambda kv: (-kv[1][0], kv[0]))[:40]:
            print(f"  {count:5,}  {category:15} {cut(kind, 60):60}  e.g. {cut(example, 90)}")
        if len(results.by_kind) > 40:
            rest = sorted(results.by_kind.values(), key=lambda v: -v[0])[40:]
            print(f"  ... and {len(rest)} more kinds ({sum(v[0] for v in rest):,} responses)")
        print(f"\nExample requests that caused them (at most {keep} per category, truncated):")
        for category, examples in results.examples.items():
            for example in examples:
                print(f"  [{category}] {example}")


def log_figures(text: str) -> tuple[int, int, Counter]:
    """(lines, tracebacks, exception types) in a log's text."""
    exceptions: Counter = Counter()
    for match in re.finditer(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning))(?::|$)", text, re.M):
        exceptions[match.group(1)] += 1
    return text.count("\n"), text.count("Traceback (most recent call last)"), exceptions


class LogWatch:
    """The server's log file(s): size now, and what was written since a mark."""

    def __init__(self, paths: list[Path]):
        self.paths = paths

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.paths if p.is_file())

    def since(self, mark: int) -> str:
        out, offset = [], 0
        for path in self.paths:
            if not path.is_file():
                continue
            size = path.stat().st_size
            with path.open("rb") as handle:  # the log is one file in practice: read from the mark (at most 8 MB of it)
                start = max(0, mark - offset)
                handle.seek(start)
                out.append(handle.read(min(size - start, 8 * MB)).decode("utf-8", "replace") if size > start else "")
            offset += size
        return "".join(out)
