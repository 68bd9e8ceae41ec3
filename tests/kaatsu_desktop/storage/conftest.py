"""Fixtures for the storage tests: a fake clock and a real database file in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kaatsu_desktop.storage import Database, User, create_user, open_database

from .helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kaatsu.sqlite3"


@pytest.fixture
def db(db_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = open_database(db_path, clock=clock, auto_backup=False)
    yield database
    database.close()


@pytest.fixture
def clinician(db: Database) -> User:
    return create_user(db, "Dr Aiko Tanaka", "clinician", by=None)
