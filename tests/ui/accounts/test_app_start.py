"""The start: the clinic database with its secret, and the workstation by role."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kaatsu_desktop.accounts import ClinicSecret, DatabaseState, database_state, view_audit
from kaatsu_desktop.app import open_clinic_database, start_signed_in, trainer_demo_path
from kaatsu_desktop.services.demo import DEMO_FILENAME
from tests.kaatsu_desktop.accounts.conftest import CHEAP_KDF
from ui.main_window import Page

SECRET = "our clinic's long secret"


def test_encryption_chosen_at_the_first_run_then_the_secret_is_asked_until_it_fits(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    db = open_clinic_database(
        path,
        choose_encryption=lambda: (ClinicSecret(SECRET), False),
        ask_secret=lambda reason: pytest.fail("no secret is asked for a new file"),
        kdf=CHEAP_KDF,
        auto_backup=False,
    )
    assert db is not None
    db.close()
    assert database_state(path) is DatabaseState.ENCRYPTED

    answers = [ClinicSecret("not the secret at all"), ClinicSecret(SECRET)]
    reasons: list[str] = []

    def ask(reason: str) -> ClinicSecret | None:
        reasons.append(reason)
        return answers.pop(0)

    db = open_clinic_database(path, choose_encryption=lambda: pytest.fail("not a first run"),
                              ask_secret=ask, kdf=CHEAP_KDF, auto_backup=False)  # fmt: skip
    assert db is not None
    db.close()
    assert len(reasons) == 2 and "encrypted" in reasons[0]
    assert SECRET not in " ".join(reasons) and "not the secret" not in " ".join(reasons)
    assert open_clinic_database(path, choose_encryption=lambda: None, ask_secret=lambda r: None,
                                kdf=CHEAP_KDF, auto_backup=False) is None  # fmt: skip


def test_a_plain_database_when_the_clinic_declines_and_quitting_creates_nothing(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    assert open_clinic_database(path, choose_encryption=lambda: None,
                                ask_secret=lambda r: None) is None  # fmt: skip
    assert database_state(path) is DatabaseState.MISSING
    db = open_clinic_database(path, choose_encryption=lambda: (None, False),
                              ask_secret=lambda r: None, auto_backup=False)  # fmt: skip
    assert db is not None
    db.close()
    assert database_state(path) is DatabaseState.PLAIN


def test_a_trainer_gets_demo_mode_and_a_clinician_the_clinic_as_themselves(
    qtbot, db, auth, hasher, trainer, clinician, monotonic, tmp_path: Path
):
    args = argparse.Namespace(demo=False, db=db.path)
    assert trainer_demo_path(args) == db.path.with_name(DEMO_FILENAME)
    session = start_signed_in(db, auth, trainer, args, hasher=hasher, monotonic=monotonic)
    try:
        window = session.workstation.window
        qtbot.addWidget(window)
        assert session.demo_db is not None and session.workstation.db is session.demo_db
        assert session.demo_db.path == db.path.with_name(DEMO_FILENAME)
        assert window.demo and "DEMO" in window.windowTitle()
        assert "Tom Trainer (Trainer)" in window.account_label.text()
        assert Page.ACCOUNTS not in window.nav_buttons
    finally:
        session.close("manual")
    assert view_audit(db, by=None, action="sign_out")[0].entry.user_id == trainer.id

    session = start_signed_in(db, auth, clinician, args, hasher=hasher, monotonic=monotonic)
    try:
        window = session.workstation.window
        qtbot.addWidget(window)
        assert session.demo_db is None and session.workstation.db is db
        assert not window.demo
        assert session.workstation.services.patients.user_id == clinician.id
        assert window.patient_refusal is None
        session.shell.set_session_live(True)
        monotonic.advance(600)
        assert session.shell.lock.tick() and window.current_page() is Page.SESSION
    finally:
        session.close("closed")
