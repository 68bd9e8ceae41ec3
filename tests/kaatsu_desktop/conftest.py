"""The core tests' database: a real SQLite file on a fake clock (a folder may set its own clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kaatsu_desktop.storage import Database, open_database
from tests.kaatsu_desktop.storage.helpers import FakeClock


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
