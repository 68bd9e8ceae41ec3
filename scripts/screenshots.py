"""Render the workstation's screens offscreen into docs/screenshots/ (1440 x 900).

Usage: python scripts/screenshots.py [OUT_DIR]. Uses a fresh demo database in a temporary folder
and a fixed clinic date, so the pictures are the same on every run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from kaatsu_desktop.app import Workstation, build_workstation, open_for  # noqa: E402
from kaatsu_desktop.cli import build_parser  # noqa: E402
from kaatsu_desktop.services.demo import demo_patients  # noqa: E402
from kaatsu_desktop.storage import (  # noqa: E402
    NewSession,
    SessionEvent,
    SessionStatus,
    add_session_events,
    create_session,
    finish_session,
)
from ui.main_window import MainWindow, Page  # noqa: E402
from ui.patients.dialog import PatientDialog  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

log = logging.getLogger("screenshots")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SIZE = (1440, 900)


def settle(app: QApplication, window: QWidget) -> None:
    """Let layouts, debounce timers and style polish finish."""
    for _ in range(5):
        app.processEvents()
    window.repaint()
    app.processEvents()


def save(window: QWidget, app: QApplication, out: Path, name: str) -> Path:
    """Grab the window into ``out/name``."""
    settle(app, window)
    path = out / name
    if not window.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(f"wrote {path}")
    return path


class ScriptClock:
    """The database clock: fixed at NOW, moved back only while past sessions are stored."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


# Eight sessions over five weeks: (days before NOW, arm minutes, leg minutes, alarms, level,
# status, end reason). Arms and legs run under T-TIME-1/2 (15 and 20 min); the fourth session
# met the arm limit and released automatically; the sixth was stopped for dizziness (T-REL-2).
SESSIONS = (
    (33, 9.0, 12.0, 0, "low", SessionStatus.COMPLETED, None),
    (30, 10.5, 13.5, 1, "low", SessionStatus.COMPLETED, None),
    (26, 12.0, 15.0, 0, "low", SessionStatus.COMPLETED, None),
    (23, 15.0, 16.0, 2, "medium", SessionStatus.COMPLETED, None),
    (19, 13.0, 17.5, 0, "medium", SessionStatus.COMPLETED, None),
    (16, 8.5, 4.0, 3, "medium", SessionStatus.ABORTED, "dizziness"),
    (12, 12.5, 16.0, 1, "medium", SessionStatus.COMPLETED, None),
    (5, 13.5, 18.0, 0, "medium", SessionStatus.COMPLETED, None),
)


# A patients CSV with three mistakes, for the import dry run picture.
IMPORT_EXAMPLE = (
    "clinic_id,family_name,given_name,date_of_birth,sex,contact,notes\n"
    "KC-3001,Nakamura,Ren,1971-06-02,male,ren@example.org,\n"
    "KC-3002,O'Brien,Siobhan,30/11/1983,female,,knee pain\n"
    "DEMO-0001,Achebe,Ngozi,1990-01-15,f,,\n"
)


def add_history(ws, clock: ScriptClock, patient_id: int) -> None:
    """Earlier screenings, a clearance and eight finished demo sessions for the patient page."""
    db = ws.db
    berg = next(
        facts for fields, facts in demo_patients(NOW.date()) if fields.family_name == "Berg"
    )
    assert berg is not None
    for days, systolic in ((60, 184), (45, 166)):  # S-BP-3 at first, then S-BP-2 on treatment
        day = NOW.date() - timedelta(days=days)
        ws.services.screenings.save(
            patient_id, {**berg, "assessed_on": day.isoformat(), "systolic_mmhg": systolic}
        )
    ws.services.screenings.record_clearance(
        patient_id,
        physician="Dr Ines Moreau",
        issued_on=NOW.date() - timedelta(days=40),
        note="Home readings below 150/90 on treatment; cleared for low pressure.",
        rules=["S-BP-2", "S-REL-1"],
        expires_on=NOW.date() + timedelta(days=50),
    )
    preset = ROOT / "resources" / "protocols" / "cycle-mmhg.json"
    protocol = json.loads(preset.read_text(encoding="utf-8"))
    limits = {"arms": {"warning_s": 600.0, "limit_s": 900.0},
              "legs": {"warning_s": 900.0, "limit_s": 1200.0}}  # fmt: skip
    for days, arms, legs, alarms, level, status, reason in SESSIONS:
        clock.now = NOW - timedelta(days=days, hours=-1)
        record = create_session(db, NewSession(patient_id, {**protocol, "level": level}, demo=True),
                                by=None)  # fmt: skip
        events = [SessionEvent(60_000 * (i + 1), "alarm_raised", "Pressure off target on channel 1",
                               None, "medium") for i in range(alarms)]  # fmt: skip
        add_session_events(db, record.id, events)
        clock.now += timedelta(minutes=arms + legs + 5)
        groups = {
            "arms": {"status": "done", "restriction_s": arms * 60, "minutes": arms, "sets": 1},
            "legs": {"status": "done", "restriction_s": legs * 60, "minutes": legs, "sets": 1},
        }
        summary = {"state": status.value, "protocol": protocol["id"], "unit": "mmHg",
                   "groups": groups, "limits": limits, "alarms_raised": alarms}  # fmt: skip
        finish_session(db, record.id, status, by=None, summary=summary, end_reason=reason)
    clock.now = NOW


def render(ws: Workstation, clock: ScriptClock, app: QApplication, out_dir: Path) -> None:
    """Every screen of the workstation, one PNG each."""
    window: MainWindow = ws.window
    window.resize(*SIZE)
    window.show()
    save(window, app, out_dir, "registry.png")

    bad = Path(tempfile.gettempdir()) / "patients-to-import.csv"
    bad.write_text(IMPORT_EXAMPLE, encoding="utf-8")
    try:
        dialog = window.registry.import_dialog()
        dialog.resize(900, 560)
        dialog.show()
        dialog.check(bad)
        save(dialog, app, out_dir, "import-errors.png")
        dialog.close()
    finally:
        bad.unlink()

    berg = ws.services.patients.search("Berg").patients[0]
    add_history(ws, clock, berg.id)
    window.open_patient(berg.id)
    save(window, app, out_dir, "patient.png")
    patient_page = window.patient_page
    patient_page.tabs.setCurrentWidget(patient_page.screenings_tab)
    save(window, app, out_dir, "patient-screenings.png")
    patient_page.tabs.setCurrentWidget(patient_page.sessions_tab)

    duarte = ws.services.patients.search("Duarte").patients[0]
    window.start_screening(duarte.id)
    latest = ws.services.patients.history(duarte.id).screenings[0]
    window.screening_page.form.fill(latest.input)
    window.screening_page.recheck()
    save(window, app, out_dir, "screening.png")

    page = window.screening_page
    page.form.lists["thrombosis_factors"].set_values(["varicose_veins"])
    page.form.body.set_sites(["right_leg"])
    page.recheck()
    settle(app, window)
    bar = page.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    page.panel.verticalScrollBar().setValue(page.panel.verticalScrollBar().maximum())
    save(window, app, out_dir, "screening-wounds.png")

    dialog = window.patient_page.clearance_dialog()
    dialog.physician.setText("Dr Ines Moreau")
    dialog.show()
    dialog.save()  # refused: no note yet; the reason shows at the field
    save(dialog, app, out_dir, "clearance-refused.png")
    dialog.close()

    form = PatientDialog(ws.services.patients, parent=window)
    form.clinic_id.setText("demo-0001")  # taken: clinic ids ignore case
    form.given_name.setText("Ada")
    form.family_name.setText("Nakamura")
    form.date_of_birth.setText("1984-02-30")
    form.show()
    form.save()
    save(form, app, out_dir, "patient-refused.png")
    form.close()

    window.show_page(Page.SETTINGS)
    save(window, app, out_dir, "settings.png")
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    out_dir = parser.parse_args(argv).out
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app)  # type: ignore[arg-type]
    # A fixed folder, so the database path in the status bar is the same on every run.
    tmp = Path(tempfile.gettempdir()) / "kaatsu-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    args = build_parser().parse_args(["--demo", "--db", str(tmp / "kaatsu-demo.sqlite3")])
    clock = ScriptClock()
    db = open_for(args, clock=clock)
    try:
        render(build_workstation(db, demo=True), clock, app, out_dir)
    finally:
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
