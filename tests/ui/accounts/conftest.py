"""Fixtures of the accounts UI tests: users with cheap Argon2 parameters, a movable monotonic."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

# The users and the cheap hasher are the core accounts tests' fixtures, used here as they are.
from tests.kaatsu_desktop.accounts.conftest import (
    ADMIN_PASSWORD,
    CLINICIAN_PASSWORD,
    TRAINER_PASSWORD,
    admin,
    auth,
    clinician,
    hasher,
    trainer,
)
from tests.ui.session.conftest import FakePlayer
from ui.session.noneguard import guard_none_refcount
from ui.session.tone import AlarmTone

__all__ = [
    "ADMIN_PASSWORD",
    "CLINICIAN_PASSWORD",
    "TRAINER_PASSWORD",
    "Monotonic",
    "admin",
    "auth",
    "clinician",
    "hasher",
    "trainer",
]


class Monotonic:
    """A monotonic clock in seconds that only moves when told to."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="session", autouse=True)
def none_guard(qapp: QApplication) -> None:
    """PySide6 6.12.0 on Python 3.11 drops references to None and bools (see noneguard)."""
    guard_none_refcount()


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def tone(qapp: QApplication) -> AlarmTone:
    """An alarm tone whose players are fakes (tests never make a sound)."""
    return AlarmTone(player_factory=FakePlayer)
