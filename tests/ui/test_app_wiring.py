"""The composition root mounts the session page on a live device runtime and shuts it down clean."""

from __future__ import annotations

import argparse
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from kaatsu_desktop.app import build_device_side, build_workstation, open_for
from ui.main_window import Page


def test_demo_workstation_has_the_session_page_with_release_and_a_live_runtime(
    qtbot, tmp_path: Path
) -> None:
    args = argparse.Namespace(demo=True, db=tmp_path / "demo.sqlite3")
    db = open_for(args)
    try:
        ws = build_workstation(db, demo=True)
        qtbot.addWidget(ws.window)
        side = build_device_side(ws, demo=True)
        try:
            assert side.runtime.running
            ws.window.show_page(Page.SESSION)
            release = ws.window.findChild(QPushButton, "releaseAllButton")
            assert release is not None and release.isEnabled()
            assert "DEMO" in ws.window.windowTitle()
            host = side.mount.host
            assert host is not None
            with qtbot.waitSignal(host.scanned, timeout=15_000) as scanned:
                host.scan()
            names = {cuff.name for cuff in scanned.args[0]}
            assert {"KC-4 Demo", "KC-2 Demo"} <= names, "demo mode offers simulated cuffs"
        finally:
            side.close()
        assert not side.runtime.running
    finally:
        db.close()
