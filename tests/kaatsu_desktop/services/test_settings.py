"""SettingsService: bounds refused at the field, stored with audit, read back on start."""

from __future__ import annotations

import pytest

from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.services import FormError, Services, SettingsService, settings_from_stored
from kaatsu_desktop.storage import Database, get_settings, list_audit


def test_save_stores_audits_and_announces(services: Services, db: Database) -> None:
    seen: list[ClinicSettings] = []
    services.settings.settings_changed.connect(seen.append)
    saved = services.settings.save({"arm_limit_min": 12, "arm_warning_min": 8})
    assert saved.arm_limit_min == 12 and seen == [saved]
    assert get_settings(db)["clinic.arm_limit_min"] == 12
    assert SettingsService(db).current() == saved
    assert [a.action for a in list_audit(db, entity="settings")] == ["update"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"arm_limit_min": 16}, "arm_limit_min"),  # T-TIME-1 ceiling is 15 min
        ({"leg_limit_min": 21}, "leg_limit_min"),  # T-TIME-2 ceiling is 20 min
        ({"thrombosis_review_threshold": 0}, "thrombosis_review_threshold"),
        ({"leg_warning_min": 20}, "leg_warning_min"),  # warning must come before the limit
    ],
)
def test_out_of_bounds_refused_at_the_field(
    services: Services, db: Database, values: dict, field: str
) -> None:
    with pytest.raises(FormError) as refused:
        services.settings.save(values)
    assert refused.value.fields == (field,)
    assert services.settings.current() == ClinicSettings()
    assert get_settings(db) == {}


def test_at_the_bounds_accepted(services: Services) -> None:
    saved = services.settings.save({"arm_limit_min": 15, "leg_limit_min": 20})
    assert (saved.arm_limit_min, saved.leg_limit_min) == (15, 20)


def test_unchanged_save_writes_nothing(services: Services, db: Database) -> None:
    services.settings.save(ClinicSettings().to_dict())
    assert list_audit(db, entity="settings") == []


def test_stored_value_out_of_bounds_falls_back_to_default() -> None:
    stored = {"clinic.arm_limit_min": 30, "clinic.leg_limit_min": 18, "other.key": 1}
    settings = settings_from_stored(stored)
    assert settings.arm_limit_min == ClinicSettings().arm_limit_min
    assert settings.leg_limit_min == 18
