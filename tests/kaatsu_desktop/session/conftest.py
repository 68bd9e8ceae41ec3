"""Fixtures of the session engine tests."""

from __future__ import annotations

import pytest

from kaatsu_desktop.session import SessionEngine
from tests.kaatsu_desktop.session.helpers import make_engine


@pytest.fixture
def engine() -> SessionEngine:
    """A new-user Cycle session on four channels, link up, all bands at 0."""
    return make_engine()
