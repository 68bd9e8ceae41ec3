"""Fixtures of the accounts UI tests: users with cheap Argon2 parameters, a movable monotonic."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QApplication

from kaatsu_desktop.accounts import Authenticator, create_account, create_first_administrator
from kaatsu_desktop.storage import Database, User
from tests.kaatsu_desktop.accounts.conftest import (
    ADMIN_PASSWORD,
    CHEAP,
    CLINICIAN_PASSWORD,
    TRAINER_PASSWORD,
)
from tests.ui.session.conftest import FakePlayer
from ui.session.noneguard import guard_none_refcount
from ui.session.tone import AlarmTone

__all__ = ["ADMIN_PASSWORD", "CLINICIAN_PASSWORD", "TRAINER_PASSWORD", "Monotonic"]


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
def hasher() -> PasswordHasher:
    return CHEAP.hasher()


@pytest.fixture
def auth(db: Database, hasher: PasswordHasher) -> Authenticator:
    return Authenticator(db, hasher=hasher)


@pytest.fixture
def admin(db: Database, hasher: PasswordHasher) -> User:
    return create_first_administrator(db, "Admin Ana", ADMIN_PASSWORD, hasher=hasher)


@pytest.fixture
def clinician(db: Database, hasher: PasswordHasher, admin: User) -> User:
    return create_account(
        db, "Dr Aiko Tanaka", "clinician", CLINICIAN_PASSWORD, by=admin, hasher=hasher
    )


@pytest.fixture
def trainer(db: Database, hasher: PasswordHasher, admin: User) -> User:
    return create_account(db, "Tom Trainer", "trainer", TRAINER_PASSWORD, by=admin, hasher=hasher)


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def tone(qapp: QApplication) -> AlarmTone:
    """An alarm tone whose players are fakes (tests never make a sound)."""
    return AlarmTone(player_factory=FakePlayer)
