"""Fixtures of the exchange tests: a database on the clinic's clock with one stored demo session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaatsu_desktop.storage import Database, open_database
from tests.kaatsu_desktop.reports.stored import StoredSession, clinic_clock, store_session
from tests.kaatsu_desktop.storage.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return clinic_clock()


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = open_database(tmp_path / "kaatsu.sqlite3", clock=clock, auto_backup=False)
    yield database
    database.close()


@pytest.fixture
def stored(db: Database, clock: FakeClock) -> StoredSession:
    return store_session(db, clock)
