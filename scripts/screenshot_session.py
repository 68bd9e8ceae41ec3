"""Render the session screens mid-session, offscreen, into docs/screenshots/ (1440 x 900).

Usage: python scripts/screenshot_session.py [OUT_DIR]. A fresh demo database and the simulated
cuff behind bleak on a virtual clock: the same code as a demo session, stepped to a fixed moment
(arm phase, 10 min 24 s of restriction, the T-TIME-1 warning raised), so the pictures are the
same on every run. The patient has one completed session, so three sets per limb are allowed
(T-SETS-1): the clinician starts each set when the previous one ends, and at 10 min 24 s the
third set of the arms is inflated. Writes session-setup.png and session-panel.png.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from devices.link import CuffLink  # noqa: E402
from devices.protocol.types import Site  # noqa: E402
from devices.runtime import DeviceRuntime  # noqa: E402
from devices.sim.registry import CuffRegistry, demo_cuffs  # noqa: E402
from kaatsu_desktop.app import build_workstation, open_for  # noqa: E402
from kaatsu_desktop.cli import build_parser  # noqa: E402
from kaatsu_desktop.session import Control  # noqa: E402
from kaatsu_desktop.session.demo import simulated_backends, virtual_runtime  # noqa: E402
from kaatsu_desktop.storage import (  # noqa: E402
    NewSession,
    SessionStatus,
    create_session,
    finish_session,
)
from ui.main_window import Page  # noqa: E402
from ui.session.mount import SessionMount, mount_session  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

log = logging.getLogger("screenshot_session")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SIZE = tuple(int(v) for v in os.environ.get("SCREENSHOT_SIZE", "1440x900").split("x"))
ARMS_ELAPSED_S = 624.0  # 10:24: past the 10-minute warning (T-TIME-1), mid-cycle
SET_STARTS_S = (0.0, 290.0, 580.0)  # a Cycle set lasts 8 x (30 s + 5 s) = 4 min 40 s


def settle(app: QApplication, widget: QWidget) -> None:
    """Let layouts, timers and style polish finish."""
    for _ in range(5):
        app.processEvents()
    widget.repaint()
    app.processEvents()


def save(widget: QWidget, app: QApplication, out: Path, name: str) -> Path:
    """Grab ``widget`` into ``out/name``."""
    settle(app, widget)
    path = out / name
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(f"wrote {path}")
    return path


def pump(rt: DeviceRuntime, app: QApplication, until: Callable[[], bool], limit_s: float) -> None:
    """Step the virtual clock, letting the UI follow, until ``until()`` (loop seconds limit)."""
    waited = 0.0
    while not until():
        if waited > limit_s:
            raise RuntimeError(f"the demo did not get there within {limit_s} s of loop time")
        rt.advance(0.05)
        app.processEvents()
        waited += 0.05
    app.processEvents()


def run(rt: DeviceRuntime, app: QApplication, seconds: float, step: float = 2.0) -> None:
    """Let ``seconds`` of virtual time pass with the UI following."""
    done = 0.0
    while done < seconds - 1e-9:
        dt = min(step, seconds - done)
        rt.advance(dt)
        app.processEvents()
        done += dt


def render(ws, mount: SessionMount, rt: DeviceRuntime, app: QApplication, out: Path) -> None:
    """Set up a session for a demo patient, run the arms to past the warning, grab both views."""
    window = ws.window
    patient = ws.services.patients.search("Okafor").patients[0]
    earlier = create_session(
        ws.db, NewSession(patient.id, {"id": "cycle-mmhg"}, demo=True), by=None
    )
    summary = {"restriction_s": {"arms": 560.0, "legs": 840.0}}
    finish_session(ws.db, earlier.id, SessionStatus.COMPLETED, by=None, summary=summary)
    window.resize(*SIZE)
    window.show()
    window.open_patient(patient.id)
    window.patient_page.session_button.click()
    setup, picker = mount.setup, mount.setup.picker
    picker.scan.click()
    pump(rt, app, lambda: picker.found.count() > 0, 10.0)
    picker.connect_button.click()
    pump(rt, app, lambda: setup.cuff is not None, 10.0)
    checklist = setup.checklist
    assert checklist is not None
    checklist.protocol.sets.setValue(3)  # T-SETS-1: up to three after the first session
    checklist.systolic.setValue(126)
    checklist.diastolic.setValue(79)
    checklist.unwell.set_value("no")
    checklist.hydrated.set_value("yes")
    checklist.aed.set_value("yes")
    for site in (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG):
        checklist.in_use[site].setChecked(True)
        checklist.fit[site].setChecked(site is not Site.RIGHT_LEG)
    save(window, app, out, "session-setup.png")  # P-FIT-1: the right leg band is not checked

    checklist.fit[Site.RIGHT_LEG].setChecked(True)
    if not checklist.start.isEnabled():
        raise RuntimeError(f"the checklist still blocks: {checklist.reason.text()}")
    checklist.start.click()
    live = mount.page.live
    start_arms = live.controls.buttons[Control.START_ARMS]
    pump(rt, app, lambda: mount.page.stack.currentWidget() is live, 10.0)
    pump(rt, app, start_arms.isEnabled, 10.0)
    started = 0.0
    for set_start in SET_STARTS_S:  # the clinician starts each set when the last one ended
        run(rt, app, set_start - started)
        pump(rt, app, start_arms.isEnabled, 10.0)
        start_arms.click()
        app.processEvents()
        started = set_start
    run(rt, app, ARMS_ELAPSED_S - started)
    window.show_page(Page.SESSION)
    live.refresh_plots()
    # The banner flashes (medium: 0.5 Hz); grab it in its bright half, as the eye catches it.
    deadline = time.monotonic() + 3.0
    while live.banner.property("flash") != "on" and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    save(window, app, out, "session-panel.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    out_dir = parser.parse_args(argv).out
    out_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.WARNING)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app)  # type: ignore[arg-type]
    tmp = Path(tempfile.gettempdir()) / "kaatsu-session-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    args = build_parser().parse_args(["--demo", "--db", str(tmp / "kaatsu-demo.sqlite3")])
    db = open_for(args, clock=lambda: NOW)
    rt = virtual_runtime("screenshot-runtime")
    mount = None
    try:
        ws = build_workstation(db, demo=True)
        registry = CuffRegistry()
        for host in demo_cuffs(registry, seed=7):
            rt.call(host.attach).result(5)
        client, scanner = simulated_backends(registry)
        link = CuffLink(backend=client, scanner_backend=scanner, random=random.Random(7).random)
        rt.add_shutdown_hook(registry.close)
        rt.add_shutdown_hook(link.close)
        mount = mount_session(
            ws.window, ws.services, runtime=rt, link=link, clock=lambda: NOW, demo_registry=registry
        )
        render(ws, mount, rt, app, out_dir)
    finally:
        if mount is not None:
            mount.close()
        rt.stop()
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
