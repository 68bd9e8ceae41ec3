"""Fixtures for the service tests: a real database file in tmp_path and a fixed clinic date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database
from tests.kaatsu_desktop.clinical.builders import screening

TODAY = date(2026, 3, 2)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    # Beside the files the exports write: a test checks that a refused export leaves none.
    return tmp_path / "kaatsu.sqlite3"


@pytest.fixture
def services(db: Database) -> Services:
    return Services.create(db)


def screening_today(**overrides: Any) -> dict[str, Any]:
    """The clinical builder's healthy screening, dated on the fixture's clinic date."""
    values = {"assessed_on": TODAY.isoformat(), "date_of_birth": "1970-05-01", **overrides}
    return screening(**values)
