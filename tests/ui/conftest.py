"""Fixtures for the workstation tests: a real database file in tmp_path, services, the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, Patient, PatientFields, open_database
from tests.kaatsu_desktop.storage.helpers import FakeClock
from ui.main_window import MainWindow
from ui.theme import apply_theme

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="session", autouse=True)
def themed(qapp: QApplication) -> QApplication:
    apply_theme(qapp)
    return qapp


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = open_database(tmp_path / "kaatsu.sqlite3", clock=clock, auto_backup=False)
    yield database
    database.close()


@pytest.fixture
def services(db: Database) -> Services:
    return Services.create(db)


@pytest.fixture
def window(qtbot, services: Services, db: Database) -> MainWindow:
    win = MainWindow(services, database_path=db.path)
    qtbot.addWidget(win)
    return win


def add_patient(services: Services, **overrides: str) -> Patient:
    """A stored patient; a woman of 55 unless told otherwise."""
    values = {
        "clinic_id": "KC-0001",
        "given_name": "Hanna",
        "family_name": "Berg",
        "date_of_birth": "1970-05-01",
        "sex": "female",
    }
    values.update(overrides)
    return services.patients.create(PatientFields(**values))
