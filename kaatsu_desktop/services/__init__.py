"""Core services for the workstation: thin QObjects over storage and the clinical engine.

The UI calls these and listens to their signals (each carrying a frozen dataclass); it never
touches SQLite. Every write raises FormError naming the fields it refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from kaatsu_desktop.services.errors import FormError
from kaatsu_desktop.services.exchange import ExchangeService, ReportPrinted
from kaatsu_desktop.services.history import (
    PatientHistory,
    SessionSummary,
    clearance_in_force,
    summarise_session,
)
from kaatsu_desktop.services.patients import (
    SEARCH_LIMIT,
    ChangeKind,
    PatientChange,
    PatientSearch,
    PatientService,
)
from kaatsu_desktop.services.screenings import (
    REQUIRED_KEYS,
    ClearanceSaved,
    ScreeningCheck,
    ScreeningSaved,
    ScreeningService,
    clearance_rules,
    to_clinical,
)
from kaatsu_desktop.services.settings import SettingsService, settings_from_stored
from kaatsu_desktop.storage import Database


@dataclass(frozen=True)
class Services:
    """The services one window uses, built together over one database."""

    patients: PatientService
    screenings: ScreeningService
    settings: SettingsService
    exchange: ExchangeService

    @classmethod
    def create(cls, db: Database, *, user_id: int | None = None) -> Services:
        """Build every service over ``db``, acting as ``user_id`` (None: the system)."""
        settings = SettingsService(db, user_id=user_id)
        return cls(
            patients=PatientService(db, user_id=user_id),
            screenings=ScreeningService(db, settings, user_id=user_id),
            settings=settings,
            exchange=ExchangeService(db, user_id=user_id),
        )


__all__ = [
    "REQUIRED_KEYS",
    "SEARCH_LIMIT",
    "ChangeKind",
    "ClearanceSaved",
    "ExchangeService",
    "FormError",
    "PatientChange",
    "PatientHistory",
    "PatientSearch",
    "PatientService",
    "ReportPrinted",
    "ScreeningCheck",
    "ScreeningSaved",
    "ScreeningService",
    "Services",
    "SessionSummary",
    "SettingsService",
    "clearance_in_force",
    "clearance_rules",
    "settings_from_stored",
    "summarise_session",
    "to_clinical",
]
