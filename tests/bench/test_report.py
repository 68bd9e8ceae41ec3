"""Figures, percentiles and the Markdown written from them."""

from __future__ import annotations

import json
import math

from bench import __main__ as runner
from bench.common import BenchResult, Figure, machine, percentile
from bench.report import (
    BEGIN,
    END,
    benchmarks_doc,
    figures_markdown,
    readme_section,
    replace_section,
)

MACHINE = {"cpu": "Test CPU", "cores": 2, "python": "3.11.7", "qt": "Qt 6.11.3",
           "os": "Debian", "sqlite": "3.46.0"}  # fmt: skip
RESULTS = [
    BenchResult(
        "release_latency",
        "Release latency",
        (
            Figure("click -> cuff p99", 3.2, "ms", 5.0, anchor="one BLE interval is 7.5 ms"),
            Figure("click -> cuff p50", 1.1, "ms"),
        ),
        notes=("1000 clicks",),
        seconds=91.0,
    ),
    BenchResult(
        "core_throughput",
        "Core throughput",
        (Figure("samples", 42_000.0, "samples/s", 50_000.0, ">=", "125 x live"),),
    ),
]


def test_figures_meet_or_miss_their_targets() -> None:
    assert Figure("a", 5.0, "ms", 5.0).met is True
    assert Figure("a", 5.1, "ms", 5.0).met is False
    assert Figure("a", 60_000, "/s", 50_000, ">=").met is True
    assert Figure("a", math.nan, "ms", 5.0).met is False
    assert Figure("a", 1.0, "ms").met is None
    assert RESULTS[0].met and not RESULTS[1].met


def test_percentiles_interpolate_between_ranks() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50.5
    assert percentile(values, 99) == 99.01
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_markdown_lists_targets_the_machine_and_every_figure() -> None:
    text = figures_markdown(MACHINE, RESULTS, taken="2026-03-02 09:30 UTC", load="0.5")
    assert text.startswith(BEGIN) and text.endswith(END)
    assert "| CPU | Test CPU |" in text and "| Qt | Qt 6.11.3 |" in text
    assert "| `release_latency` | click -> cuff p99 | 3.20 ms | <= 5.00 ms | met |" in text
    assert (
        "| `core_throughput` | samples | 42,000 samples/s | >= 50,000 samples/s | **missed** |"
        in text
    )
    assert "| click -> cuff p50 | 1.10 ms |  |  |  |" in text  # every figure, below
    assert "- 1000 clicks" in text


def test_docs_keep_the_written_text_around_the_figures() -> None:
    first = benchmarks_doc(None, figures_markdown(MACHINE, RESULTS, taken="then"))
    assert first.startswith("# Benchmarks") and BEGIN in first
    edited = first + "\n## Where a target is missed\n\nWritten by hand.\n"
    again = benchmarks_doc(edited, figures_markdown(MACHINE, RESULTS[:1], taken="now"))
    assert "Written by hand." in again and "| Taken | now |" in again
    assert "core_throughput" not in again


def test_readme_section_is_replaced_between_its_markers_only() -> None:
    section = readme_section(MACHINE, RESULTS, "today")
    readme = f"# App\n\nintro\n\n## Benchmarks\n\n{BEGIN}\nold\n{END}\n\nafter\n"
    out = replace_section(readme, section)
    assert out.startswith("# App\n\nintro\n\n## Benchmarks\n\n") and out.endswith("\n\nafter\n")
    assert "old" not in out and "Test CPU, 2 cores" in out
    assert "| click -> cuff p99 (`release_latency`) | 3.20 ms | <= 5.00 ms | met |" in out
    assert replace_section("no markers", section) == "no markers"


def test_runner_knows_every_benchmark_and_keeps_earlier_results(tmp_path) -> None:
    assert runner.available()[: len(runner.BENCHMARKS)] == list(runner.BENCHMARKS)
    path = tmp_path / "results.json"
    earlier = {
        "results": [{**r.as_json(), "taken": "then"} for r in RESULTS],
        "failures": {"release_latency": "exit 1", "memory": "exit 2"},
    }
    path.write_text(json.dumps(earlier))
    newer = BenchResult("release_latency", "Release latency", (Figure("x", 1.0, "ms"),))
    entries, failures = runner.merged(
        path, {"release_latency": {**newer.as_json(), "taken": "now"}}, {"registry": "exit 3"}
    )
    assert [(e["bench"], e["taken"]) for e in entries] == [
        ("core_throughput", "then"),
        ("release_latency", "now"),
    ]
    assert BenchResult.from_json(entries[1]) == newer
    assert failures == {"registry": "exit 3", "memory": "exit 2"}  # in running order


def test_machine_names_what_the_figures_depend_on() -> None:
    info = machine()
    assert {"cpu", "cores", "python", "qt", "os", "sqlite", "host"} <= set(info)
    assert info["cores"] >= 1 and info["python"].startswith("3.")


def test_the_full_session_script_figures_are_read_from_its_output() -> None:
    out = (
        "run 1: 6.50 s wall, 6.20 s CPU, 420100 samples stored (within the 10 s target)\n"
        "run 2: 5.90 s wall, 5.70 s CPU, 420100 samples stored (within the 10 s target)\n"
    )
    result = runner.full_session_result(out, 13.0)
    assert result is not None and result.bench == "full_session"
    wall = result.figures[0]
    assert (wall.value, wall.target, wall.met) == (5.9, 10.0, True)
    assert runner.full_session_result("Traceback ...", 1.0) is None
