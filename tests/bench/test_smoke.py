"""Every benchmark runs at a tiny size and reports what it promises (figures, never timings)."""

from __future__ import annotations

import json
import math

import pytest
from PySide6.QtWidgets import QApplication

from bench import (
    auto_release,
    core_throughput,
    live_plot,
    memory,
    registry,
    release_latency,
    startup,
)
from bench.common import BenchResult, main


def check(result: BenchResult, bench: str, targets: set[str]) -> None:
    """Named as expected, every figure a finite number, the targets of the issue present."""
    assert result.bench == bench
    assert result.figures
    for figure in result.figures:
        assert math.isfinite(figure.value), figure
        assert figure.unit
    with_target = {f.name for f in result.figures if f.target is not None}
    assert with_target == targets
    assert BenchResult.from_json(json.loads(json.dumps(result.as_json()))) == result


def test_core_throughput() -> None:
    result = core_throughput.run(core_throughput.TINY)
    check(result, "core_throughput", {"decode + engine + ring + recorder to SQLite"})
    assert result.figures[0].compare == ">=" and result.figures[0].target == 50_000
    assert "0 dropped" in result.notes[0]


def test_registry(qapp: QApplication) -> None:
    result = registry.run(registry.TINY)
    check(
        result,
        "registry",
        {"search as you type p95 (page)", "open patient with 5 sessions p95"},
    )
    assert "page listed 5 sessions" in result.notes[2]
    assert len(registry.keystrokes(("ab", "c"))) == 3


def test_startup_reports_the_first_paint_of_the_real_app() -> None:
    result = startup.run(startup.TINY)
    check(result, "startup", {"start to first paint, median"})
    paint = result.figures[0].value
    sign_in = next(f.value for f in result.figures if f.name.startswith("start to sign-in"))
    assert 0 < sign_in < paint


def test_release_latency_clicks_the_button_and_presses_esc(qapp: QApplication) -> None:
    result = release_latency.run(release_latency.TINY)
    check(result, "release_latency", {"click -> cuff p99", "Esc -> cuff p99"})
    assert "3 clicks and 3 Esc presses measured, 0 without" in result.notes[0]
    assert "0 joined" in result.notes[0]


def test_auto_release_with_the_ui_asleep_and_busy(qapp: QApplication) -> None:
    result = auto_release.run(auto_release.TINY)
    check(
        result,
        "auto_release",
        {
            "UI sleep: limit -> release at the cuff, real time, max",
            "UI busy: limit -> release at the cuff, real time, max",
        },
    )
    loop = [f.value for f in result.figures if "loop clock" in f.name]
    assert all(0 <= v <= 100 for v in loop)  # on the loop clock: at or after the limit


def test_live_plot(qapp: QApplication) -> None:
    result = live_plot.run(live_plot.TINY)
    check(
        result,
        "live_plot",
        {"frame time p95, all measured minutes", "frame time at minute 1 / minute 1 (medians)"},
    )


def test_memory(qapp: QApplication) -> None:
    result = memory.run(memory.TINY)
    check(result, "memory", {"RSS growth over 1 min"})
    assert result.figures[-1].value > 10  # the RSS of a whole workstation, in MB


def test_command_line_writes_json(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    assert main("core_throughput", core_throughput.run, None, core_throughput.TINY,
                ["--tiny", "--json", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "target >= 50,000 samples/s" in printed and "anchor: 125 x the live rate" in printed
    data = json.loads(out.read_text())
    assert data["bench"] == "core_throughput" and data["seconds"] > 0
