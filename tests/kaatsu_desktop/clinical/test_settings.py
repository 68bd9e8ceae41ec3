"""Clinic settings: defaults, bounds on both sides, errors naming the field."""

from __future__ import annotations

import pytest

from kaatsu_desktop.clinical import ClinicSettings, SettingsError


def error_keys(exc: pytest.ExceptionInfo[SettingsError]) -> list[str]:
    return [e.key for e in exc.value.errors]


def test_defaults() -> None:
    s = ClinicSettings()
    assert s.to_dict() == {
        "thrombosis_review_threshold": 3,
        "screening_validity_days": 90,
        "arm_warning_min": 10,
        "arm_limit_min": 15,
        "leg_warning_min": 15,
        "leg_limit_min": 20,
        "residual_pressure_threshold": 10,
    }


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("thrombosis_review_threshold", 1, 10),
        ("screening_validity_days", 1, 365),
        ("residual_pressure_threshold", 0, 30),
    ],
)
def test_bounds_both_sides(field: str, low: int, high: int) -> None:
    assert getattr(ClinicSettings(**{field: low}), field) == low
    assert getattr(ClinicSettings(**{field: high}), field) == high
    for bad in (low - 1, high + 1):
        with pytest.raises(SettingsError) as exc:
            ClinicSettings(**{field: bad})
        assert error_keys(exc) == [field]
        assert f"between {low} and {high}" in exc.value.errors[0].reason


def test_time_limits_never_above_the_rule_book() -> None:
    # T-TIME-1: 15 min for arms; T-TIME-2: 20 min for legs.
    assert ClinicSettings(arm_limit_min=15).arm_limit_min == 15
    assert ClinicSettings(leg_limit_min=20).leg_limit_min == 20
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(arm_limit_min=16)
    assert error_keys(exc) == ["arm_limit_min"]
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(leg_limit_min=21)
    assert error_keys(exc) == ["leg_limit_min"]


def test_warning_must_come_before_limit() -> None:
    assert ClinicSettings(arm_warning_min=9, arm_limit_min=10).arm_warning_min == 9
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(arm_warning_min=10, arm_limit_min=10)
    assert error_keys(exc) == ["arm_warning_min"]
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(leg_warning_min=12, leg_limit_min=11)
    assert error_keys(exc) == ["leg_warning_min"]


@pytest.mark.parametrize("bad", [True, 3.0, "3", None])
def test_wrong_types_name_the_field(bad: object) -> None:
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(thrombosis_review_threshold=bad)  # type: ignore[arg-type]
    assert error_keys(exc) == ["thrombosis_review_threshold"]
    assert exc.value.errors[0].reason == "must be an integer"


def test_from_dict_defaults_unknown_keys_and_round_trip() -> None:
    assert ClinicSettings.from_dict({}) == ClinicSettings()
    custom = ClinicSettings.from_dict({"screening_validity_days": 30, "arm_limit_min": 12})
    assert (custom.screening_validity_days, custom.arm_limit_min) == (30, 12)
    assert ClinicSettings.from_dict(custom.to_dict()) == custom
    with pytest.raises(SettingsError) as exc:
        ClinicSettings.from_dict({"colour": "red", "leg_limit_min": 25})
    assert error_keys(exc) == ["colour", "leg_limit_min"]
    with pytest.raises(SettingsError):
        ClinicSettings.from_dict([("arm_limit_min", 10)])  # type: ignore[arg-type]


def test_all_errors_collected() -> None:
    with pytest.raises(SettingsError) as exc:
        ClinicSettings(screening_validity_days=0, residual_pressure_threshold=31, arm_limit_min=0)
    assert set(error_keys(exc)) == {
        "screening_validity_days",
        "residual_pressure_threshold",
        "arm_limit_min",
    }
