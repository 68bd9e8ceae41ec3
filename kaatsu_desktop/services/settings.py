"""Clinic settings stored in the database: read once, validated on save, announced on change."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.accounts.permissions import Permission, require_user_id
from kaatsu_desktop.clinical import ClinicSettings, FieldError, SettingsError
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.services.errors import FormError
from kaatsu_desktop.storage import Database, ValidationError, get_settings, set_settings

log = logging.getLogger(__name__)

CLINIC_NAME_KEY = "report.clinic_name"  # printed on reports; they say "Clinic" without it
CLINIC_NAME_MAX = 120  # one line of a report's heading
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

    def clinic_name(self) -> str:
        """The clinic's name printed on reports, or "" when none was given."""
        name = get_settings(self._db).get(CLINIC_NAME_KEY)
        return name.strip() if isinstance(name, str) else ""

    def save_clinic_name(self, name: str) -> str:
        """Store the clinic's name for reports ("" removes it); FormError when too long.

        Administrators only, like the other clinic settings.
        """
        require_user_id(self._db, self.user_id, Permission.CHANGE_CLINIC_SETTINGS)
        name = " ".join(name.split())  # one line: a heading, not a paragraph
        if len(name) > CLINIC_NAME_MAX:
            reason = translate("SettingsService", "At most {n} characters.").format(
                n=CLINIC_NAME_MAX
            )
            raise FormError([FieldError("clinic_name", reason)])
        if name == self.clinic_name():
            return name
        set_settings(self._db, {CLINIC_NAME_KEY: name or None}, by=self.user_id)
        log.info("clinic name for reports %s", "saved" if name else "removed")
        return name
