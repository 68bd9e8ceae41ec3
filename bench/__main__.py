"""Run every benchmark, each in its own process; write the JSON results and the Markdown figures.

``python -m bench`` (``make bench``) runs them in order and writes ``bench/results-<host>.json``,
the figures of ``docs/benchmarks.md`` and the README's benchmark table. ``--only a,b`` runs some,
``--tiny`` runs all at a smoke size (nothing is written to the docs then).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import ROOT, BenchResult, Figure, host_name, machine, print_result
from bench.report import benchmarks_doc, figures_markdown, readme_section, replace_section

# Cheapest first, so a broken environment shows early.
BENCHMARKS = (
    "core_throughput",
    "registry",
    "startup",
    "release_latency",
    "auto_release",
    "live_plot",
    "memory",
)
# Scripts kept by the session path's own work, run when present through their own command line;
# their printed figures are read back.
OPTIONAL = ("full_session",)
_FULL_SESSION_RUN = re.compile(
    r"run \d+: (?P<wall>[\d.]+) s wall, (?P<cpu>[\d.]+) s CPU, (?P<samples>\d+) samples stored"
    r".*?the (?P<target>[\d.]+) s target"
)


def full_session_result(output: str, seconds: float) -> BenchResult | None:
    """The figures bench/full_session.py prints, as a result (None when it printed none)."""
    runs = [m.groupdict() for m in _FULL_SESSION_RUN.finditer(output)]
    if not runs:
        return None
    best = min(runs, key=lambda r: float(r["wall"]))
    figures = (
        Figure("35 min of virtual time, stored, wall", float(best["wall"]), "s",
               float(best["target"]), anchor="issue 4: a whole session in tests well under 10 s"),
        Figure("the same, process CPU", float(best["cpu"]), "s"),
    )  # fmt: skip
    notes = (f"{best['samples']} samples stored; printed by bench/full_session.py",)
    params = {"runs": len(runs), "command": "python bench/full_session.py"}
    return BenchResult("full_session", "Full session in virtual time, stored", figures,
                       params, notes, seconds)  # fmt: skip


def run_script(name: str) -> tuple[BenchResult | None, str | None]:
    """Run an optional benchmark script by its own command line and read its figures."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(done.stdout, end="", flush=True)
    print(done.stderr, end="", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    result = full_session_result(done.stdout, seconds) if done.returncode == 0 else None
    if result is None:
        return None, f"exit {done.returncode}, no figures read (output above)"
    return result, None


def available() -> list[str]:
    """Every benchmark module present, in running order."""
    here = Path(__file__).resolve().parent
    return [*BENCHMARKS, *(n for n in OPTIONAL if (here / f"{n}.py").exists())]


def run_one(name: str, tiny: bool) -> tuple[BenchResult | None, str | None]:
    """Run ``python -m bench.<name>`` in a child process; its result, or why there is none."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="kaatsu-bench-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", f"bench.{name}", "--json", str(out)]
        if tiny:
            cmd.append("--tiny")
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        if done.returncode == 0 and out.exists():
            return BenchResult.from_json(json.loads(out.read_text(encoding="utf-8"))), None
        seconds = time.perf_counter() - started
        return None, f"exit {done.returncode} after {seconds:.0f} s (output above)"


def _order(bench: str) -> int:
    names = (*BENCHMARKS, *OPTIONAL)
    return names.index(bench) if bench in names else len(names)


def merged(
    path: Path, entries: dict[str, dict[str, Any]], failures: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """This run's entries and failures over the earlier ones of this host, in running order.

    A benchmark run now replaces its earlier entry; one that failed now keeps its earlier
    figures with the failure beside them; the others stay as they were.
    """
    kept: dict[str, dict[str, Any]] = {}
    kept_failures: dict[str, str] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kept = {e["bench"]: e for e in data.get("results", [])}
            kept_failures = dict(data.get("failures", {}))
        except (ValueError, KeyError, TypeError, AttributeError):
            kept, kept_failures = {}, {}
    kept.update(entries)
    for bench in entries:
        kept_failures.pop(bench, None)
    kept_failures.update(failures)
    ordered = sorted(kept.values(), key=lambda e: _order(e["bench"]))
    return ordered, dict(sorted(kept_failures.items(), key=lambda kv: _order(kv[0])))


def write_outputs(
    results: list[BenchResult], failures: dict[str, str], loads: dict[str, float], docs: bool
) -> Path:
    """The JSON file always (merged with earlier runs); the Markdown figures when ``docs``."""
    taken = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    fresh = {
        r.bench: {**r.as_json(), "taken": taken, "load_average": round(loads.get(r.bench, 0), 2)}
        for r in results
    }
    path = ROOT / "bench" / f"results-{host_name()}.json"
    entries, all_failures = merged(path, fresh, failures)
    payload = {"machine": machine(), "results": entries, "failures": all_failures}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if docs:
        write_docs(payload)
    return path


def write_docs(payload: dict[str, Any]) -> None:
    """The figures of a results payload into docs/benchmarks.md and the README's table."""
    entries = payload["results"]
    results = [BenchResult.from_json(e) for e in entries]
    stamps = sorted({e.get("taken", "?") for e in entries})
    taken = stamps[0] if len(stamps) == 1 else f"{stamps[0]} to {stamps[-1]}"
    loads = ", ".join(f"{e['bench']} {e.get('load_average', '?')}" for e in entries)
    failures = [f"{k}: {v}" for k, v in payload.get("failures", {}).items()]
    info = payload["machine"]
    doc = ROOT / "docs" / "benchmarks.md"
    existing = doc.read_text(encoding="utf-8") if doc.exists() else None
    figures = figures_markdown(info, results, taken=taken, load=loads, failures=failures)
    doc.write_text(benchmarks_doc(existing, figures), encoding="utf-8")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(replace_section(text, readme_section(info, results, taken)), "utf-8")


def write_docs_from_json() -> int:
    """--docs-only: the docs from this host's results file as it is."""
    path = ROOT / "bench" / f"results-{host_name()}.json"
    if not path.exists():
        print(f"no results yet: {path}", file=sys.stderr)
        return 1
    write_docs(json.loads(path.read_text(encoding="utf-8")))
    print("wrote docs/benchmarks.md and README.md")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write their results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument(
        "--tiny", action="store_true", help="smoke sizes; the docs stay as they are"
    )
    parser.add_argument("--no-docs", action="store_true", help="write only the JSON file")
    parser.add_argument(
        "--docs-only", action="store_true", help="run nothing: write the docs from the JSON file"
    )
    args = parser.parse_args(argv)
    if args.docs_only:
        return write_docs_from_json()
    names = available()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in wanted]
    results: list[BenchResult] = []
    failures: dict[str, str] = {}
    loads: dict[str, float] = {}
    for name in names:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        loads[name] = load
        print(f"\n== bench.{name} (load average {load:.2f}) ==", flush=True)
        if name in OPTIONAL:
            if args.tiny:
                continue  # no smoke size: it runs its whole scenario
            result, failure = run_script(name)
        else:
            result, failure = run_one(name, args.tiny)
        if result is not None:
            results.append(result)
        if failure is not None:
            failures[name] = failure
            print(f"{name}: {failure}", file=sys.stderr, flush=True)
    print("\n== summary ==")
    for result in results:
        print_result(result)
    docs = not (args.tiny or args.only or args.no_docs)
    path = write_outputs(results, failures, loads, docs)
    print(f"\nwrote {path}" + (" and docs/benchmarks.md, README.md" if docs else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
