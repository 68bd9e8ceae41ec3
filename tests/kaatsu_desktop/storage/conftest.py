"""Fixtures for the storage tests: a fake clock and a real database file in tmp_path."""

from __future__ import annotations

import pytest

from kaatsu_desktop.storage import Database, User, create_user


@pytest.fixture
def clinician(db: Database) -> User:
    return create_user(db, "Dr Aiko Tanaka", "clinician", by=None)
