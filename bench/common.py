"""What every benchmark shares: typed figures, percentiles, the machine, process counters, the CLI.

A benchmark module defines ``run(params) -> BenchResult`` and a ``FULL`` and a ``TINY`` parameter
set; ``main()`` here gives it a command line (``python -m bench.<name> [--tiny] [--json PATH]``)
that prints each figure next to its target and its physical anchor.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import platform
import resource
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
P = TypeVar("P")
Compare = Literal["<=", ">="]


@dataclass(frozen=True)
class Figure:
    """One measured figure with its target and the physical fact that makes the target matter."""

    name: str
    value: float
    unit: str
    target: float | None = None
    compare: Compare = "<="
    anchor: str = ""

    @property
    def met(self) -> bool | None:
        """True when the target is met, None when the figure has no target."""
        if self.target is None:
            return None
        if not math.isfinite(self.value):
            return False
        return self.value <= self.target if self.compare == "<=" else self.value >= self.target

    def target_text(self) -> str:
        """The target as people write it ("<= 5 ms"), or an empty string."""
        if self.target is None:
            return ""
        return f"{self.compare} {fmt(self.target)} {self.unit}".rstrip()

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**dataclasses.asdict(self), "met": self.met}


@dataclass(frozen=True)
class BenchResult:
    """A benchmark's figures, the parameters it ran with and what a reader should know."""

    bench: str
    title: str
    figures: tuple[Figure, ...]
    params: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def met(self) -> bool:
        """True when no figure misses its target."""
        return all(f.met is not False for f in self.figures)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "bench": self.bench,
            "title": self.title,
            "figures": [f.as_json() for f in self.figures],
            "params": self.params,
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
            "met": self.met,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchResult:
        """The inverse of :meth:`as_json`."""
        figures = tuple(
            Figure(f["name"], float(f["value"]), f["unit"], f["target"], f["compare"], f["anchor"])
            for f in data["figures"]
        )
        return cls(
            data["bench"],
            data["title"],
            figures,
            dict(data.get("params", {})),
            tuple(data.get("notes", ())),
            float(data.get("seconds", 0.0)),
        )


def fmt(value: float) -> str:
    """A figure with as many digits as it deserves."""
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(values, 50.0)


# -- the process and the machine -------------------------------------------------------------------


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux /proc; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """User plus system CPU time of this process (every thread) so far."""
    t = os.times()
    return t.user + t.system


class CpuMeter:
    """Process CPU over a stretch of wall time, as a percentage of one core."""

    def __init__(self) -> None:
        self._cpu = cpu_seconds()
        self._wall = time.perf_counter()

    def percent(self) -> float:
        """CPU used since creation divided by the wall time elapsed, in % of one core."""
        wall = time.perf_counter() - self._wall
        return 100.0 * (cpu_seconds() - self._cpu) / wall if wall > 0 else math.nan


def cpu_model() -> str:
    """The CPU's model name as the kernel reports it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def os_name() -> str:
    """The operating system's pretty name and kernel."""
    pretty = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    pretty = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    kernel = f"{platform.system()} {platform.release()}"
    return f"{pretty} ({kernel})" if pretty else kernel


def machine() -> dict[str, Any]:
    """The machine the figures were taken on: CPU, cores, Python, Qt, OS, SQLite."""
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()}, PySide6 {PySide6.__version__}"
    except ImportError:
        qt = "not installed"
    return {
        "host": host_name(),
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "qt": qt,
        "os": os_name(),
        "sqlite": sqlite3.sqlite_version,
    }


def host_name() -> str:
    """A file-name-safe host name."""
    name = socket.gethostname().split(".")[0] or "host"
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)


# -- output ---------------------------------------------------------------------------------


def report_lines(result: BenchResult) -> list[str]:
    """The figures as aligned text lines: value, target, verdict, anchor."""
    lines = [f"{result.title}  ({result.seconds:.1f} s)"]
    width = max((len(f.name) for f in result.figures), default=10)
    for f in result.figures:
        verdict = {True: "met", False: "MISSED", None: ""}[f.met]
        value = f"{fmt(f.value)} {f.unit}".strip()
        line = f"  {f.name:<{width}}  {value:>14}"
        if f.target is not None:
            line += f"   target {f.target_text():<14} {verdict:<6}"
        if f.anchor:
            line += f"   anchor: {f.anchor}"
        lines.append(line.rstrip())
    lines += [f"  note: {n}" for n in result.notes]
    return lines


def print_result(result: BenchResult) -> None:
    """Print the figures for a person."""
    print("\n".join(report_lines(result)), flush=True)


def main(
    name: str,
    run: Callable[[P], BenchResult],
    full: P,
    tiny: P,
    argv: Sequence[str] | None = None,
) -> int:
    """Command line of one benchmark: run it, print its figures, optionally write JSON."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=run.__doc__)
    parser.add_argument("--tiny", action="store_true", help="a tiny size (smoke test)")
    parser.add_argument("--json", type=Path, help="also write the result to this JSON file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    started = time.perf_counter()
    result = run(tiny if args.tiny else full)
    result = dataclasses.replace(result, seconds=time.perf_counter() - started)
    print_result(result)
    if args.json is not None:
        args.json.write_text(json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8")
    return 0


def qt_offscreen() -> None:
    """Headless Qt unless a display was asked for (set before any QApplication exists)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def python() -> str:
    """This interpreter, for subprocesses."""
    return sys.executable
