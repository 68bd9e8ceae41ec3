"""Render the workstation's screens offscreen into docs/screenshots/ (1440 x 900).

Usage: python scripts/screenshots.py [OUT_DIR]. Uses a fresh demo database in a temporary folder
and a fixed clinic date, so the pictures are the same on every run.
"""

from __future__ import annotations

import argparse
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


def add_history(ws, patient_id: int) -> None:
    """A clearance and two finished demo sessions, so the patient page shows its history."""
    db = ws.db
    ws.services.screenings.record_clearance(
        patient_id,
        physician="Dr Ines Moreau",
        issued_on=NOW.date() - timedelta(days=1),
        note="Home readings below 150/90 on treatment; cleared for low pressure.",
        rules=["S-BP-2", "S-REL-1"],
        expires_on=NOW.date() + timedelta(days=89),
    )
    protocol = {"id": "cycle-mmhg", "name": "Cycle (mmHg), low"}
    for minutes, status, reason in ((11.5, SessionStatus.COMPLETED, None),
                                    (6.0, SessionStatus.ABORTED, "dizziness")):  # fmt: skip
        record = create_session(db, NewSession(patient_id, protocol, demo=True), by=None)
        add_session_events(db, record.id, [SessionEvent(60_000, "alarm", "leak", priority="low")])
        summary = {"restriction_s": {"arms": minutes * 60, "legs": minutes * 50}}
        finish_session(db, record.id, status, by=None, summary=summary, end_reason=reason)


def render(ws: Workstation, app: QApplication, out_dir: Path) -> None:
    """Every screen of the workstation, one PNG each."""
    window: MainWindow = ws.window
    window.resize(*SIZE)
    window.show()
    save(window, app, out_dir, "registry.png")

    berg = ws.services.patients.search("Berg").patients[0]
    add_history(ws, berg.id)
    window.open_patient(berg.id)
    save(window, app, out_dir, "patient.png")

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
    db = open_for(args, clock=lambda: NOW)
    try:
        render(build_workstation(db, demo=True), app, out_dir)
    finally:
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
