"""Fixtures of the report tests: a database on the clinic's clock with one stored demo session."""

from __future__ import annotations

import pytest

from kaatsu_desktop.storage import Database
from tests.kaatsu_desktop.reports.stored import StoredSession, clinic_clock, store_session
from tests.kaatsu_desktop.storage.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return clinic_clock()


@pytest.fixture
def stored(db: Database, clock: FakeClock) -> StoredSession:
    return store_session(db, clock)
