"""Demo mode never reaches the clinic's records (issue 7).

`--demo` starts without sign-in, on its own database of invented patients beside the clinic's
(never the clinic file, which is not even opened); a trainer who signs in gets the same demo
database, and a trainer's role cannot open a clinic patient at all.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kaatsu_desktop.accounts import PermissionDenied
from kaatsu_desktop.app import start_signed_in
from kaatsu_desktop.cli import main
from kaatsu_desktop.services import Services
from kaatsu_desktop.services.demo import DEMO_FILENAME, DEMO_MARKER_KEY
from kaatsu_desktop.storage import (
    create_patient,
    default_database_path,
    get_setting,
    list_patients,
    open_database,
)
from tests.kaatsu_desktop.storage.helpers import fields
from ui.accounts.signin import FirstAdministratorDialog, SignInDialog
from ui.main_window import MainWindow

CLINIC_FAMILY_NAME = "Realclinicperson"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clinic database in the (temporary) user data folder, with one real patient."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    path = default_database_path()
    assert tmp_path in path.parents
    path.parent.mkdir(parents=True)
    with open_database(path, auto_backup=False) as db:
        create_patient(db, fields(family_name=CLINIC_FAMILY_NAME), by=None)
    return path


def no_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    for dialog in (SignInDialog, FirstAdministratorDialog):
        monkeypatch.setattr(dialog, "exec", lambda self: pytest.fail("the sandbox asks nobody"))


def test_demo_mode_opens_without_sign_in_on_a_demo_database_of_its_own(
    qtbot, clinic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_sign_in(monkeypatch)
    before = digest(clinic)
    seen: dict[str, object] = {}

    def look() -> None:
        try:
            (win,) = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ]
            patients = win.services.patients
            seen["demo"] = win.demo and "DEMO" in win.windowTitle()
            seen["path"] = patients.database.path
            seen["signed in"] = hasattr(win, "account_label")
            seen["refusal"] = win.patient_refusal
            seen["names"] = {p.family_name for p in patients.search("").patients}
            seen["clinic name found"] = patients.search(CLINIC_FAMILY_NAME).patients
        finally:
            QApplication.instance().exit(0)

    QTimer.singleShot(0, look)
    assert main(["--demo"]) == 0
    assert seen["demo"] and not seen["signed in"]
    assert seen["path"] == clinic.with_name(DEMO_FILENAME) != clinic
    assert seen["refusal"] is None  # the invented patients are open to all: nobody is real
    assert seen["names"] and CLINIC_FAMILY_NAME not in seen["names"]
    assert seen["clinic name found"] == ()
    # The clinic file was never opened: same bytes, no lock file left beside it.
    assert digest(clinic) == before
    assert not clinic.with_name(clinic.name + ".lock").exists()
    with open_database(clinic.with_name(DEMO_FILENAME), auto_backup=False) as demo:
        assert get_setting(demo, DEMO_MARKER_KEY, False) is True
        assert CLINIC_FAMILY_NAME not in {p.family_name for p in list_patients(demo)}


def test_demo_mode_refuses_the_clinic_database_even_when_named(
    qtbot, clinic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_sign_in(monkeypatch)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    before = digest(clinic)
    assert main(["--demo", "--db", str(clinic)]) == 1
    assert len(said) == 1 and "demo mode never" in said[0].lower()
    assert digest(clinic) == before


def test_a_trainer_gets_the_demo_and_cannot_open_a_clinic_patient(
    qtbot, db, auth, hasher, trainer, monotonic
) -> None:
    real = create_patient(db, fields(family_name=CLINIC_FAMILY_NAME), by=None)
    clinic_services = Services.create(db, user_id=trainer.id)
    with pytest.raises(PermissionDenied):
        clinic_services.patients.get(real.id)
    with pytest.raises(PermissionDenied):
        clinic_services.patients.search(CLINIC_FAMILY_NAME)

    session = start_signed_in(
        db, auth, trainer, argparse.Namespace(demo=False, db=db.path), hasher=hasher,
        monotonic=monotonic,
    )  # fmt: skip
    try:
        window = session.workstation.window
        qtbot.addWidget(window)
        demo = window.services.patients
        assert demo.database.path == db.path.with_name(DEMO_FILENAME)
        assert demo.search(CLINIC_FAMILY_NAME).patients == ()
        opened = demo.get(real.id)  # the same number in the demo file is an invented patient
        assert opened.family_name != CLINIC_FAMILY_NAME
    finally:
        session.close("manual")
