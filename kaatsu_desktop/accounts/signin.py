"""Sign-in, sign-out, screen lock and unlock, with lockout after repeated failures.

Time comes from the database's injected clock (`db.now()`), so tests move it by hand. Every
attempt is audited; no password, hash or typed user name ever reaches the log or the audit rows.

A database that failed its integrity check refuses every write (DatabaseDamaged). Then nobody
signs in (the pages that need a sign-in are disabled anyway, and nothing could be saved), and
lock and sign-out raise the error for the caller to log. Unlock is the exception: the signed-in
user's password is still checked against the stored hash, a right one unlocks without an audit
row (`SignedIn.recorded` False) and wrong ones count toward the lockout in memory, since the
count cannot be stored. The one at the workstation must be able to get back to it, close it
properly or run the session on; a lock they cannot lift helps nobody.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from argon2 import PasswordHasher

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import User, write_audit
from kaatsu_desktop.storage.users import (
    Credentials,
    find_user,
    get_credentials,
    replace_password_hash,
    set_lockout_state,
    user_state,
)

from .actions import USER_ENTITY, AuditAction
from .passwords import hash_password, needs_rehash, production_hasher, verify_password
from .settings import AccountSettings, load_account_settings

if TYPE_CHECKING:
    from kaatsu_desktop.storage import Database

log = logging.getLogger(__name__)

_T = "Accounts"


class FailureReason(enum.StrEnum):
    """Why a sign-in or unlock was refused."""

    BAD_CREDENTIALS = "bad_credentials"  # unknown name, no password set, or a wrong password
    LOCKED = "locked"  # too many failures: wait until `locked_until`
    DEACTIVATED = "deactivated"


class SignInFailed(Exception):
    """A refused sign-in or unlock; the message says what to do and never what was typed."""

    def __init__(self, reason: FailureReason, *, locked_until: datetime | None = None) -> None:
        self.reason = reason
        self.locked_until = locked_until
        if reason is FailureReason.LOCKED:
            text = translate(
                _T,
                "This account is locked after too many failed attempts. Try again after {time},"
                " or ask an administrator to unlock it.",
            ).format(time=locked_until.astimezone().strftime("%H:%M") if locked_until else "?")
        elif reason is FailureReason.DEACTIVATED:
            text = translate(_T, "This account is deactivated. Ask an administrator.")
        else:
            text = translate(_T, "Wrong user name or password.")
        super().__init__(text)


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in or unlock."""

    user: User
    at: datetime
    rehashed: bool  # the stored hash was renewed with the current (stronger) parameters
    recorded: bool = True  # False: the database is damaged, nothing of it was written


class Authenticator:
    """Checks passwords against the stored Argon2id hashes and keeps the lockout state."""

    def __init__(
        self,
        db: Database,
        *,
        hasher: PasswordHasher | None = None,
        settings: AccountSettings | None = None,
    ) -> None:
        """`settings` None: read the clinic's stored account settings at each attempt."""
        self._db = db
        self._hasher = hasher or production_hasher()
        self._settings = settings
        self._dummy: str | None = None
        # Unlock failures on a damaged database, by user id: (failed attempts, locked until).
        self._unstored: dict[int, tuple[int, datetime | None]] = {}

    @property
    def hasher(self) -> PasswordHasher:
        """The hasher in use (its parameters are the ones hashes are renewed to)."""
        return self._hasher

    def settings(self) -> AccountSettings:
        """The account settings in force."""
        return self._settings or load_account_settings(self._db)

    def sign_in(self, name: str, password: str) -> SignedIn:
        """Sign in by name and password; SignInFailed otherwise (audited either way).

        DatabaseDamaged, before any check, once the file failed its integrity check.
        """
        if self._db.damage is not None:
            raise self._db.damage
        user = find_user(self._db, name) if isinstance(name, str) else None
        if user is None:
            self._waste_time(password)
            self._audit(None, None, AuditAction.SIGN_IN_FAILED, {"reason": "unknown_user"})
            raise SignInFailed(FailureReason.BAD_CREDENTIALS)
        return self._check(user, password, AuditAction.SIGN_IN)

    def unlock(self, user: User, password: str) -> SignedIn:
        """Unlock the screen for the signed-in user; failures count toward the lockout.

        On a damaged database nothing is written: see the module's docstring.
        """
        if self._db.damage is not None:
            return self._unlock_unrecorded(user, password)
        return self._check(user, password, AuditAction.UNLOCK)

    def lock(self, user: User, *, reason: str = "inactivity") -> None:
        """Record that the screen locked (`reason`: "inactivity" or "manual")."""
        self._audit(user.id, user.id, AuditAction.LOCK, {"reason": reason})

    def sign_out(self, user: User, *, reason: str = "manual") -> None:
        """Record that the user signed out."""
        self._audit(user.id, user.id, AuditAction.SIGN_OUT, {"reason": reason})

    # -- internals -----------------------------------------------------------------------------

    def _check(self, user: User, password: str, action: AuditAction) -> SignedIn:
        db, now = self._db, self._db.now()
        creds = get_credentials(db, user.id)
        if not user_state(db, user.id).active:
            self._waste_time(password)
            self._audit(None, user.id, AuditAction.SIGN_IN_FAILED, {"reason": "deactivated"})
            raise SignInFailed(FailureReason.DEACTIVATED)
        if creds is None:
            self._waste_time(password)
            self._audit(None, user.id, AuditAction.SIGN_IN_FAILED, {"reason": "no_password"})
            raise SignInFailed(FailureReason.BAD_CREDENTIALS)
        if creds.locked_until is not None and now < creds.locked_until:
            # No password check while locked: a locked account cannot be guessed at.
            self._audit(None, user.id, AuditAction.SIGN_IN_FAILED, {"reason": "locked"})
            raise SignInFailed(FailureReason.LOCKED, locked_until=creds.locked_until)
        if not verify_password(self._hasher, creds.password_hash, password):
            self._failed(user, creds, now, action)
        rehashed = needs_rehash(self._hasher, creds.password_hash)
        new_hash = hash_password(self._hasher, password) if rehashed else None
        with db.transaction() as sdb:
            if creds.failed_attempts or creds.locked_until is not None:
                set_lockout_state(db, user.id, failed_attempts=0, locked_until=None)
            if new_hash is not None:
                replace_password_hash(db, user.id, new_hash)
                write_audit(
                    sdb,
                    at=now,
                    user_id=user.id,
                    action=AuditAction.PASSWORD_REHASHED.value,
                    entity=USER_ENTITY,
                    entity_id=user.id,
                    after={"parameters": _parameters(self._hasher)},
                )
            write_audit(
                sdb,
                at=now,
                user_id=user.id,
                action=action.value,
                entity=USER_ENTITY,
                entity_id=user.id,
            )
        log.info("user %d: %s", user.id, action.value)
        return SignedIn(user, now, rehashed)

    def _unlock_unrecorded(self, user: User, password: str) -> SignedIn:
        """Unlock on a damaged database: the same checks, the lockout counted in memory."""
        db, now = self._db, self._db.now()
        creds = get_credentials(db, user.id)
        if not user_state(db, user.id).active:
            self._waste_time(password)
            raise SignInFailed(FailureReason.DEACTIVATED)
        if creds is None:
            self._waste_time(password)
            raise SignInFailed(FailureReason.BAD_CREDENTIALS)
        attempts, until = self._unstored.get(user.id, (creds.failed_attempts, creds.locked_until))
        if until is not None and now < until:
            raise SignInFailed(FailureReason.LOCKED, locked_until=until)
        if not verify_password(self._hasher, creds.password_hash, password):
            settings = self.settings()
            attempts += 1
            locks = attempts >= settings.lockout_failures
            until = now + settings.lockout_period if locks else None
            self._unstored[user.id] = (0 if locks else attempts, until)
            log.warning(
                "user %d: failed unlock %d not recorded: the database is damaged", user.id, attempts
            )
            if until is not None:
                raise SignInFailed(FailureReason.LOCKED, locked_until=until)
            raise SignInFailed(FailureReason.BAD_CREDENTIALS)
        self._unstored.pop(user.id, None)
        log.warning("user %d unlocked; not recorded: the database is damaged", user.id)
        return SignedIn(user, now, rehashed=False, recorded=False)

    def _failed(self, user: User, creds: Credentials, now: datetime, action: AuditAction) -> None:
        settings = self.settings()
        attempts = creds.failed_attempts + 1
        locks = attempts >= settings.lockout_failures
        until = now + settings.lockout_period if locks else None
        with self._db.transaction() as sdb:
            # Locking starts the count afresh: after the period, five more tries.
            set_lockout_state(
                self._db, user.id, failed_attempts=0 if locks else attempts, locked_until=until
            )
            write_audit(
                sdb,
                at=now,
                user_id=None,
                action=AuditAction.SIGN_IN_FAILED.value,
                entity=USER_ENTITY,
                entity_id=user.id,
                after={"reason": "wrong_password", "during": action.value, "attempt": attempts},
            )
            if until is not None:
                write_audit(
                    sdb,
                    at=now,
                    user_id=None,
                    action=AuditAction.ACCOUNT_LOCKED.value,
                    entity=USER_ENTITY,
                    entity_id=user.id,
                    after={"failed_attempts": attempts, "locked_until": until},
                )
        if until is not None:
            log.warning("user %d locked after %d failed attempts", user.id, attempts)
            raise SignInFailed(FailureReason.LOCKED, locked_until=until)
        log.info("user %d: failed attempt %d", user.id, attempts)
        raise SignInFailed(FailureReason.BAD_CREDENTIALS)

    def _waste_time(self, password: str) -> None:
        # As long as a real check, so that timing does not tell which names exist.
        if self._dummy is None:
            self._dummy = hash_password(self._hasher, "not a password of anyone here")
        verify_password(self._hasher, self._dummy, password if isinstance(password, str) else "")

    def _audit(
        self, user_id: int | None, entity_id: int | None, action: AuditAction, after: object
    ) -> None:
        with self._db.transaction() as sdb:
            write_audit(
                sdb,
                at=self._db.now(),
                user_id=user_id,
                action=action.value,
                entity=USER_ENTITY,
                entity_id=entity_id,
                after=after,
            )


def _parameters(hasher: PasswordHasher) -> dict[str, int]:
    return {"m": hasher.memory_cost, "t": hasher.time_cost, "p": hasher.parallelism}
