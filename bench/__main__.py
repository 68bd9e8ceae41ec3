"""Run every benchmark, each in its own process; write the JSON results and the Markdown figures.

``python -m bench`` (``make bench``) runs them in order and writes ``bench/results-<host>.json``,
the figures of ``docs/benchmarks.md`` and the README's benchmark table. ``--only a,b`` runs some,
``--tiny`` runs all at a smoke size (nothing is written to the docs then).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.common import ROOT, BenchResult, host_name, machine, print_result
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
OPTIONAL = ("full_session",)  # run when present (kept by the session path's own work)


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
        return None, f"{name}: exit {done.returncode} after {seconds:.0f} s (output above)"


def merged(path: Path, results: list[BenchResult]) -> list[BenchResult]:
    """Earlier results of this host kept for the benchmarks not run this time, in order."""
    if not path.exists():
        return results
    try:
        earlier = json.loads(path.read_text(encoding="utf-8")).get("results", [])
        kept = {r["bench"]: BenchResult.from_json(r) for r in earlier}
    except (ValueError, KeyError, TypeError):
        return results
    kept.update({r.bench: r for r in results})
    order = {name: i for i, name in enumerate((*BENCHMARKS, *OPTIONAL))}
    return sorted(kept.values(), key=lambda r: order.get(r.bench, len(order)))


def write_outputs(
    results: list[BenchResult], failures: list[str], loads: list[str], docs: bool
) -> Path:
    """The JSON file always; the Markdown figures and the README table when ``docs``."""
    info = machine()
    taken = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    path = ROOT / "bench" / f"results-{host_name()}.json"
    results = merged(path, results)
    payload = {
        "machine": info,
        "taken": taken,
        "load_average_before_each": loads,
        "results": [r.as_json() for r in results],
        "failures": failures,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if docs:
        doc = ROOT / "docs" / "benchmarks.md"
        existing = doc.read_text(encoding="utf-8") if doc.exists() else None
        figures = figures_markdown(
            info, results, taken=taken, load=", ".join(loads), failures=failures
        )
        doc.write_text(benchmarks_doc(existing, figures), encoding="utf-8")
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        readme.write_text(replace_section(text, readme_section(info, results, taken)), "utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write their results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument(
        "--tiny", action="store_true", help="smoke sizes; the docs stay as they are"
    )
    parser.add_argument("--no-docs", action="store_true", help="write only the JSON file")
    args = parser.parse_args(argv)
    names = available()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in wanted]
    results: list[BenchResult] = []
    failures: list[str] = []
    loads: list[str] = []
    for name in names:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        loads.append(f"{name} {load:.2f}")
        print(f"\n== bench.{name} (load average {load:.2f}) ==", flush=True)
        result, failure = run_one(name, args.tiny)
        if result is not None:
            results.append(result)
        if failure is not None:
            failures.append(failure)
            print(failure, file=sys.stderr, flush=True)
    print("\n== summary ==")
    for result in results:
        print_result(result)
    docs = not (args.tiny or args.only or args.no_docs)
    path = write_outputs(results, failures, loads, docs)
    print(f"\nwrote {path}" + (" and docs/benchmarks.md, README.md" if docs else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
