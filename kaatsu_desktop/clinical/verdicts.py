"""Verdicts of the rule book, ordered from mildest to strongest."""

from __future__ import annotations

import enum
from collections.abc import Iterable

CLEAR = "clear"  # overall label when no rule above `info` fired


class Verdict(enum.Enum):
    """A rule's verdict; members compare by strength (INFO < ... < CONTRAINDICATED)."""

    INFO = "info"
    CAUTION = "caution"
    CLEARANCE = "clearance"
    BLOCKED_TODAY = "blocked_today"
    CONTRAINDICATED = "contraindicated"

    @property
    def rank(self) -> int:
        """Strength, 0 for INFO up to 4 for CONTRAINDICATED."""
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank >= other.rank


_ORDER: tuple[Verdict, ...] = tuple(Verdict)


def strongest(verdicts: Iterable[Verdict]) -> Verdict:
    """The strongest verdict, INFO when there is none."""
    return max(verdicts, default=Verdict.INFO)


def overall_label(verdict: Verdict) -> str:
    """Overall label of an assessment: `clear` when nothing above `info`, else the verdict."""
    return CLEAR if verdict <= Verdict.INFO else verdict.value


def parse_overall(label: str) -> Verdict:
    """Inverse of :func:`overall_label` (`clear` -> INFO); ValueError for an unknown label."""
    return Verdict.INFO if label == CLEAR else Verdict(label)
