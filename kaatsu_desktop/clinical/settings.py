"""Clinic settings the rules read: defaults, bounds and a validating constructor."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kaatsu_desktop.clinical._tr import TR_CONTEXT as T
from kaatsu_desktop.clinical.errors import FieldError, SettingsError
from kaatsu_desktop.i18n import translate

# The rule book's hard ceilings (T-TIME-1, T-TIME-2): a clinic may shorten, never lengthen.
ARM_LIMIT_MAX_MIN = 15
LEG_LIMIT_MAX_MIN = 20

# field -> (lowest, highest) allowed value, both inclusive.
BOUNDS: Mapping[str, tuple[int, int]] = {
    "thrombosis_review_threshold": (1, 10),  # S-DVT-2 points
    "screening_validity_days": (1, 365),  # P-SCR-1
    "arm_warning_min": (1, ARM_LIMIT_MAX_MIN - 1),  # T-TIME-1
    "arm_limit_min": (2, ARM_LIMIT_MAX_MIN),  # T-TIME-1
    "leg_warning_min": (1, LEG_LIMIT_MAX_MIN - 1),  # T-TIME-2
    "leg_limit_min": (2, LEG_LIMIT_MAX_MIN),  # T-TIME-2
    "residual_pressure_threshold": (0, 30),  # T-ORD-2, mmHg
}


@dataclass(frozen=True)
class ClinicSettings:
    """Per-clinic settings; construction validates every field and raises SettingsError."""

    thrombosis_review_threshold: int = 3  # S-DVT-2: points at which clearance is asked
    screening_validity_days: int = 90  # P-SCR-1: a screening older than this is not valid
    arm_warning_min: int = 10  # T-TIME-1 warning, minutes of restriction time
    arm_limit_min: int = 15  # T-TIME-1 automatic release, never above 15
    leg_warning_min: int = 15  # T-TIME-2 warning
    leg_limit_min: int = 20  # T-TIME-2 automatic release, never above 20
    residual_pressure_threshold: int = 10  # T-ORD-2: a band reading below this (mmHg) is off

    def __post_init__(self) -> None:
        errors = _validate(dataclasses.asdict(self))
        if errors:
            raise SettingsError(errors)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClinicSettings:
        """Settings from a mapping; absent keys take their default, unknown keys are errors."""
        if not isinstance(data, Mapping):
            raise SettingsError([FieldError("(settings)", translate(T, "must be an object"))])
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        unknown = [
            FieldError(str(k), translate(T, "unknown setting")) for k in data if k not in defaults
        ]
        values = {k: data.get(k, default) for k, default in defaults.items()}
        errors = unknown + _validate(values)
        if errors:
            raise SettingsError(errors)
        return cls(**values)

    def to_dict(self) -> dict[str, int]:
        """Plain mapping of every setting (round-trips through from_dict)."""
        return dataclasses.asdict(self)


def _validate(values: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, (low, high) in BOUNDS.items():
        value = values[name]
        # bool is an int in Python but never a valid count of minutes or points.
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(name, translate(T, "must be an integer")))
        elif not low <= value <= high:
            errors.append(
                FieldError(
                    name,
                    translate(T, "must be between {low} and {high}").format(low=low, high=high),
                )
            )
    bad = {e.key for e in errors}
    for warning, limit in (
        ("arm_warning_min", "arm_limit_min"),
        ("leg_warning_min", "leg_limit_min"),
    ):
        if not bad & {warning, limit} and values[warning] >= values[limit]:
            errors.append(
                FieldError(warning, translate(T, "must be less than {other}").format(other=limit))
            )
    return errors
