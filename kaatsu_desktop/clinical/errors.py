"""Typed input errors: every error names the field (key) and the reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class ClinicalInputError(ValueError):
    """Input rejected as a whole; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors) or "invalid input")


class ScreeningInputError(ClinicalInputError):
    """The screening input (kaatsu-screening/1) is not valid; nothing was assessed."""


class SettingsError(ClinicalInputError):
    """Clinic settings outside their bounds or of the wrong type."""


class PreSessionInputError(ClinicalInputError):
    """Pre-session check input or a clearance record is not valid."""
