"""Release latency: from the click on Release all, or the Esc key, to the bytes at the cuff.

The whole workstation on the real clock: a session with the arm bands inflated on the simulated
cuff streaming 4 channels at 100 Hz, the live plots refreshing on their timer. Each trial lets
the UI run for a random 40-120 ms, then clicks the real Release all button (``QTest.mouseClick``
on ``releaseAllButton``) or presses Esc (``QTest.keyClick`` on the focused widget) and, with the
UI thread's event loop still turning, waits until the simulated cuff backend's
``write_gatt_char`` received a RELEASE_ALL. The latency is that write's time stamp (taken on the
device thread, ``time.monotonic``) minus the time just before the click.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from bench.common import BenchResult, Figure, main, percentile
from bench.workstation import Options, SessionWorkstation
from kaatsu_desktop.session import Control

BLE_INTERVAL_MS = 7.5
ANCHOR = f"one BLE connection interval is at least {BLE_INTERVAL_MS} ms"


@dataclass(frozen=True)
class Params:
    """Trials per input and the pause between them."""

    trials: int = 1000
    pause_ms: tuple[float, float] = (40.0, 120.0)
    timeout_s: float = 2.0
    settle_s: float = 3.0  # after Start arm set: the bands inflate, the plots fill
    scan_s: float = 1.0  # the set-up's scan for the cuff, on the real clock


FULL = Params()
TINY = Params(trials=3, settle_s=0.2, scan_s=0.2)


class Trials:
    """Runs release trials on a live workstation."""

    def __init__(self, ws: SessionWorkstation, params: Params) -> None:
        self.ws = ws
        self.params = params
        self.rng = random.Random(7)
        self.missed = 0
        button = ws.page.release_bar.button
        assert button.objectName() == "releaseAllButton"
        self.button = button

    def _click(self) -> None:
        QTest.mouseClick(self.button, Qt.MouseButton.LeftButton)

    def _escape(self) -> None:
        target = QApplication.focusWidget() or self.ws.window
        QTest.keyClick(target, Qt.Key.Key_Escape)

    def run(self, how: str) -> list[float]:
        """Latencies in ms of ``params.trials`` releases by ``how`` ("click" or "esc")."""
        act = self._click if how == "click" else self._escape
        writes = self.ws.writes
        out: list[float] = []
        for _ in range(self.params.trials):
            self.ws.wait_real(self.rng.uniform(*self.params.pause_ms) / 1000.0)
            writes.release_written.clear()
            before = len(writes.releases)
            started = time.monotonic()
            act()
            deadline = started + self.params.timeout_s
            while not writes.release_written.wait(0.0005):
                self.ws.process()  # the UI thread keeps drawing meanwhile
                if time.monotonic() > deadline:
                    break
            if len(writes.releases) == before:
                self.missed += 1
                continue
            out.append((writes.releases[before].real - started) * 1000.0)
        return out


def run(params: Params) -> BenchResult:
    """Click and Esc releases on a live session, to the bytes at the simulated cuff."""
    # Every release is logged as a warning by the session page: 2,000 lines say nothing here.
    logging.getLogger("ui.session.page").setLevel(logging.ERROR)
    with SessionWorkstation(Options(virtual=False, scan_s=params.scan_s)) as ws:
        ws.start_session()
        ws.button(Control.START_ARMS).click()
        ws.pump(lambda: any(ch.commanded for ch in ws.live.snapshot.channels), 10.0)
        ws.wait_real(params.settle_s)
        ws.window.activateWindow()
        ws.pump(ws.window.isActiveWindow, 5.0)
        trials = Trials(ws, params)
        click = trials.run("click")
        esc = trials.run("esc")
        stats = ws.controller.stats()
        refreshes = sum(row.plot.refreshes for row in ws.live.rows.values())
    figures = []
    for name, values in (("click", click), ("Esc", esc)):
        figures += [
            Figure(f"{name} -> cuff p99", percentile(values, 99), "ms", 5.0, anchor=ANCHOR),
            Figure(f"{name} -> cuff p50", percentile(values, 50), "ms"),
            Figure(f"{name} -> cuff max", max(values, default=float("nan")), "ms"),
        ]
    notes = (
        f"{len(click)} clicks and {len(esc)} Esc presses measured, {trials.missed} without a "
        f"release write within {params.timeout_s:g} s; {stats.releases_sent} releases sent, "
        f"{stats.releases_joined} joined one in flight",
        f"the plots redrew {refreshes:,} times meanwhile; the arm bands were inflated for the "
        "first trial and released from then on (the release path is the same)",
    )
    params_json = {"trials": params.trials, "pause_ms": list(params.pause_ms)}
    return BenchResult(
        "release_latency", "Release latency: input to bytes at the cuff", tuple(figures),
        params_json, notes,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main("release_latency", run, FULL, TINY))
