"""Clinic settings stored in the database: read once, validated on save, announced on change."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.accounts.permissions import Permission, require_user_id
from kaatsu_desktop.clinical import ClinicSettings, SettingsError
from kaatsu_desktop.services.errors import FormError
from kaatsu_desktop.storage import Database, ValidationError, get_settings, set_settings

log = logging.getLogger(__name__)

KEY_PREFIX = "clinic."  # the settings table is shared; ClinicSettings keys carry this prefix
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ClinicSettings))


def settings_from_stored(stored: Mapping[str, Any]) -> ClinicSettings:
    """ClinicSettings from stored rows; a stored value now out of bounds falls back to default."""
    values = {name: stored[KEY_PREFIX + name] for name in FIELDS if KEY_PREFIX + name in stored}
    try:
        return ClinicSettings.from_dict(values)
    except SettingsError as exc:
        # Bounds may tighten in a newer version; a clinic must still start, on the safe defaults.
        bad = {e.key for e in exc.errors}
        log.warning("stored clinic settings refused, defaults used for %s: %s", sorted(bad), exc)
        return ClinicSettings.from_dict({k: v for k, v in values.items() if k not in bad})


class SettingsService(QObject):
    """Reads and writes ClinicSettings; ``settings_changed`` carries the new ClinicSettings."""

    settings_changed = Signal(object)  # ClinicSettings

    def __init__(
        self, db: Database, *, user_id: int | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.user_id = user_id
        self._current = settings_from_stored(get_settings(db))

    def current(self) -> ClinicSettings:
        """The settings in force."""
        return self._current

    def save(self, values: Mapping[str, Any]) -> ClinicSettings:
        """Validate and store every value given (others keep theirs); FormError names the fields.

        Administrators only (accounts.PermissionDenied otherwise; None, the program, may).
        """
        require_user_id(self._db, self.user_id, Permission.CHANGE_CLINIC_SETTINGS)
        merged = {**self._current.to_dict(), **values}
        try:
            settings = ClinicSettings.from_dict(merged)
        except SettingsError as exc:
            raise FormError.from_exception(exc) from None
        if settings == self._current:
            return settings
        try:
            set_settings(
                self._db,
                {KEY_PREFIX + k: v for k, v in settings.to_dict().items()},
                by=self.user_id,
            )
        except ValidationError as exc:
            raise FormError.from_exception(exc) from None
        self._current = settings
        log.info("clinic settings saved")
        self.settings_changed.emit(settings)
        return settings
