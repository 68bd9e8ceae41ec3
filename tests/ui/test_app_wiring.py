"""The composition root mounts the session page on a live device runtime and shuts it down clean."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
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


# What a clinic needs only later (an export, a report, an import) is not loaded at start-up:
# FHIR's models and pydantic alone took half a second (issue 8). Neither is what comes right
# after the first paint: the device link (bleak, D-Bus) and the plots (pyqtgraph).
_LATE = (
    "fhir.",
    "pydantic",
    "kaatsu_desktop.exchange.",
    "kaatsu_desktop.reports.",
    "ui.exchange.actions",
    "ui.exchange.import_dialog",
)
_AFTER_PAINT = ("bleak", "dbus_fast", "devices.link", "pyqtgraph", "ui.session.")
_START = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from kaatsu_desktop.app import build_device_side, build_workstation
from kaatsu_desktop.storage import open_database
db = open_database(Path(sys.argv[1]), auto_backup=False, full_check=False)
ws = build_workstation(db, demo=False)
painted = []
ws.window.first_painted.connect(lambda: painted.append(sorted(sys.modules)))
ws.window.show()
while not painted:
    app.processEvents()
print(" ".join(painted[0]))
print("--")
side = build_device_side(ws, demo=False)
print(" ".join(sorted(sys.modules)))
side.close()
db.close()
"""


def _modules_after(script: str, *args: str) -> list[str]:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True, text=True, env=env, cwd=root, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_start_up_leaves_reports_exports_and_fhir_unloaded(tmp_path: Path) -> None:
    out = _modules_after(_START, str(tmp_path / "kaatsu.sqlite3"))
    cut = out.index("--")
    painted, later = set(out[:cut]), set(out[cut + 1 :])
    assert {"ui.main_window", "ui.patients.page"} <= painted
    assert sorted(m for m in painted if m.startswith(_LATE + _AFTER_PAINT)) == []
    assert {"ui.session.mount", "devices.link", "pyqtgraph"} <= later
    assert sorted(m for m in later if m.startswith(_LATE)) == []


def test_lazy_packages_still_give_every_name() -> None:
    script = (
        "import sys, kaatsu_desktop.exchange as x, kaatsu_desktop.reports as r\n"
        "assert 'kaatsu_desktop.exchange.fhir' not in sys.modules\n"
        "for package in (x, r):\n"
        "    for name in package.__all__:\n"
        "        getattr(package, name)\n"
        "    assert set(package.__all__) <= set(dir(package))\n"
        "print('\\n'.join(sys.modules))\n"
    )
    loaded = set(_modules_after(script))
    assert {"kaatsu_desktop.exchange.fhir", "kaatsu_desktop.reports.render"} <= loaded


def test_check_and_backup_start_at_the_first_paint_and_the_backup_is_daily(
    qtbot, tmp_path: Path
) -> None:
    from kaatsu_desktop.app import attach_upkeep
    from kaatsu_desktop.services.upkeep import DatabaseUpkeep
    from kaatsu_desktop.storage import daily_backups, open_database
    from kaatsu_desktop.storage.upkeep import BackupState
    from tests.kaatsu_desktop.storage.helpers import FakeClock

    clock = FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    path = tmp_path / "kaatsu.sqlite3"
    states = []
    for _start in range(2):  # two starts on the same day
        db = open_database(path, clock=clock, auto_backup=False, full_check=False)
        upkeep = DatabaseUpkeep(db)
        try:
            ws = build_workstation(db, demo=False)
            qtbot.addWidget(ws.window)
            attach_upkeep(upkeep, ws.window)
            assert not upkeep.started  # nothing before the window is on screen
            assert ws.window.database_check_label.text() == "Checking the database…"
            with qtbot.waitSignal(upkeep.backed_up, timeout=20_000) as backed:
                ws.window.show()
            states.append(backed.args[0].state)
            assert ws.window.database_check_label.text() == "Database checked"
        finally:
            upkeep.close()
            db.close()
    assert states == [BackupState.WRITTEN, BackupState.EXISTS]
    assert len(daily_backups(tmp_path / "backups", "kaatsu")) == 1


def test_a_window_after_a_new_sign_in_is_told_of_the_damage(qtbot, tmp_path: Path) -> None:
    from kaatsu_desktop.app import attach_upkeep
    from kaatsu_desktop.services.upkeep import DatabaseUpkeep
    from kaatsu_desktop.storage import open_database
    from tests.kaatsu_desktop.storage.helpers import FakeClock, damage_table, fill_patients

    clock = FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    path = tmp_path / "kaatsu.sqlite3"
    fill_patients(path, clock)
    damage_table(path, "audit_log")  # not read to build the window
    db = open_database(path, clock=clock, auto_backup=False, full_check=False)
    upkeep = DatabaseUpkeep(db)
    try:
        first = build_workstation(db, demo=False)
        qtbot.addWidget(first.window)
        attach_upkeep(upkeep, first.window)
        with qtbot.waitSignal(upkeep.damaged, timeout=20_000):
            first.window.show()
        assert first.window.database_damaged
        first.window.damage_box.close()
        second = build_workstation(db, demo=False)  # signed out, signed in again
        qtbot.addWidget(second.window)
        attach_upkeep(upkeep, second.window)
        assert second.window.database_damaged
        assert second.window.database_check_label.text() == "Database damaged"
        second.window.damage_box.close()
    finally:
        upkeep.close()
        db.close()


def test_damage_met_while_building_the_window_is_said_and_stops(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    import kaatsu_desktop.app as composition
    from kaatsu_desktop.storage import Role, create_user, get_user, open_database
    from tests.kaatsu_desktop.storage.helpers import FakeClock, damage_table, fill_patients

    clock = FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    path = tmp_path / "kaatsu.sqlite3"
    fill_patients(path, clock)
    with open_database(path, clock=clock, auto_backup=False) as db:
        user = create_user(db, "Dr Aiko Tanaka", Role.CLINICIAN, by=None)
    damage_table(path, "patients")  # the registry reads it to fill its first page
    monkeypatch.setattr(composition, "ask_user", lambda db, _auth, **_kw: get_user(db, user.id))
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    assert composition.run_app(argparse.Namespace(demo=False, db=path)) == 1
    assert len(said) == 1 and "integrity check" in said[0] and "restore" in said[0]
    assert not path.with_name("kaatsu.sqlite3.lock").exists()  # closed as on any exit


def test_device_side_comes_after_the_first_paint_and_a_damaged_file_still_closes(
    qtbot, tmp_path: Path
) -> None:
    from kaatsu_desktop.accounts import Authenticator, create_account, create_first_administrator
    from kaatsu_desktop.app import start_signed_in
    from kaatsu_desktop.storage import open_database
    from tests.kaatsu_desktop.accounts.conftest import (
        ADMIN_PASSWORD,
        CHEAP,
        CLINICIAN_PASSWORD,
    )
    from ui.main_window import SessionPlaceholder

    hasher = CHEAP.hasher()
    db = open_database(tmp_path / "kaatsu.sqlite3", auto_backup=False)
    try:
        admin = create_first_administrator(db, "Admin Ana", ADMIN_PASSWORD, hasher=hasher)
        clinician = create_account(db, "Dr Aiko Tanaka", "clinician", CLINICIAN_PASSWORD,
                                   by=admin, hasher=hasher)  # fmt: skip
        args = argparse.Namespace(demo=False, db=db.path)
        session = start_signed_in(db, Authenticator(db, hasher=hasher), clinician, args,
                                  hasher=hasher, device_after_paint=True)  # fmt: skip
        window = session.workstation.window
        qtbot.addWidget(window)
        assert session.device_side is None and isinstance(window.session_page, SessionPlaceholder)
        assert not window.pages_built
        with qtbot.waitSignal(window.first_painted, timeout=5000):
            window.show()
        qtbot.waitUntil(lambda: window.pages_built, timeout=5000)
        side = session.device_side
        assert side is not None and side.runtime.running
        assert not isinstance(window.session_page, SessionPlaceholder)
        db.mark_damaged("found by the test")
        session.close("closed")  # the sign-out is not written, and nothing raises
        assert not side.runtime.running
    finally:
        db.close()


def test_check_and_backup_start_anyway_when_the_window_is_never_painted(
    qtbot, tmp_path: Path
) -> None:
    from kaatsu_desktop.app import attach_upkeep
    from kaatsu_desktop.services.upkeep import DatabaseUpkeep
    from kaatsu_desktop.storage import open_database

    db = open_database(tmp_path / "kaatsu.sqlite3", auto_backup=False, full_check=False)
    upkeep = DatabaseUpkeep(db)
    try:
        ws = build_workstation(db, demo=False)
        qtbot.addWidget(ws.window)
        attach_upkeep(upkeep, ws.window, latest_ms=50)  # the window is never shown
        with qtbot.waitSignal(upkeep.backed_up, timeout=10_000):
            pass
        assert upkeep.started and upkeep.integrity is not None and upkeep.integrity.ok
    finally:
        upkeep.close()
        db.close()
