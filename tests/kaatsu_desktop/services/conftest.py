"""Fixtures for the service tests: a real database file in tmp_path and a fixed clinic date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, open_database
from tests.kaatsu_desktop.clinical.builders import screening
from tests.kaatsu_desktop.storage.helpers import FakeClock

TODAY = date(2026, 3, 2)


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


def screening_today(**overrides: Any) -> dict[str, Any]:
    """The clinical builder's healthy screening, dated on the fixture's clinic date."""
    values = {"assessed_on": TODAY.isoformat(), "date_of_birth": "1970-05-01", **overrides}
    return screening(**values)
