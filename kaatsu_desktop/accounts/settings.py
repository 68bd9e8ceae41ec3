"""Clinic settings of the accounts: inactivity lock, lockout threshold and period."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import User, ValidationError, get_settings, set_settings

from .permissions import Permission, require

if TYPE_CHECKING:
    from kaatsu_desktop.storage import Database

log = logging.getLogger(__name__)

_T = "Accounts"
# Stored in the shared settings table under this prefix (the clinical settings use "clinic.").
KEY_PREFIX = "accounts."

# field -> (lowest, highest), both inclusive.
BOUNDS: Mapping[str, tuple[int, int]] = {
    "inactivity_lock_min": (1, 60),
    "lockout_failures": (3, 10),
    "lockout_min": (1, 24 * 60),
}


@dataclass(frozen=True)
class AccountSettings:
    """How the workstation protects itself; construction checks the bounds (ValidationError)."""

    inactivity_lock_min: int = 10  # the screen locks after this many idle minutes
    lockout_failures: int = 5  # failed sign-ins in a row that lock the account
    lockout_min: int = 15  # how long a locked account stays locked

    def __post_init__(self) -> None:
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(name, translate(_T, "must be an integer"))
            if not low <= value <= high:
                raise ValidationError(
                    name,
                    translate(_T, "must be between {low} and {high}").format(low=low, high=high),
                )

    @property
    def inactivity_timeout(self) -> timedelta:
        """The idle time after which the screen locks."""
        return timedelta(minutes=self.inactivity_lock_min)

    @property
    def lockout_period(self) -> timedelta:
        """How long an account stays locked after too many failures."""
        return timedelta(minutes=self.lockout_min)

    def to_dict(self) -> dict[str, int]:
        """Plain mapping of every setting."""
        return dataclasses.asdict(self)


FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(AccountSettings))


def load_account_settings(db: Database) -> AccountSettings:
    """The stored settings; a stored value now out of bounds falls back to its default."""
    stored = get_settings(db)
    values: dict[str, Any] = {}
    for name in FIELDS:
        if KEY_PREFIX + name in stored:
            candidate = {**values, name: stored[KEY_PREFIX + name]}
            try:
                AccountSettings(**candidate)
            except ValidationError as exc:
                log.warning("stored account setting %s refused, default used: %s", name, exc)
                continue
            values = candidate
    return AccountSettings(**values)


def save_account_settings(
    db: Database, values: Mapping[str, Any], *, by: User | None
) -> AccountSettings:
    """Validate and store the values given (others keep theirs); administrators only."""
    require(by, Permission.CHANGE_CLINIC_SETTINGS)
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        raise ValidationError(unknown[0], translate(_T, "unknown setting"))
    settings = AccountSettings(**{**load_account_settings(db).to_dict(), **values})
    set_settings(
        db,
        {KEY_PREFIX + k: v for k, v in settings.to_dict().items()},
        by=by.id if by is not None else None,
    )
    return settings
