"""Fixtures for the accounts tests: a fake clock, a real database, cheap Argon2 parameters."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from kaatsu_desktop.accounts import (
    Authenticator,
    HashParameters,
    KdfParameters,
    create_account,
    create_first_administrator,
)
from kaatsu_desktop.storage import Database, User

# Production parameters cost about 0.2 s a hash; one test uses them, the others these.
CHEAP = HashParameters(time_cost=1, memory_cost=8, parallelism=1)
CHEAP_KDF = KdfParameters(time_cost=1, memory_cost=8, parallelism=1)
ADMIN_PASSWORD = "correct horse battery"
CLINICIAN_PASSWORD = "tourniquet-lantern-42"
TRAINER_PASSWORD = "demo cuffs on a tuesday"


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
