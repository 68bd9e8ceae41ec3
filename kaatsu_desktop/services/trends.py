"""A patient's history as series for plots: sessions oldest first, screenings by date (pure).

The patient page draws these; nothing here reads the database or knows about widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.clinical.verdicts import parse_overall
from kaatsu_desktop.services.history import LIMB_GROUPS, SessionSummary
from kaatsu_desktop.session.limits import SessionLimits
from kaatsu_desktop.session.model import LimbGroup
from kaatsu_desktop.storage import ClearanceRecord, ScreeningRecord


@dataclass(frozen=True)
class GroupSeries:
    """One limb group across the sessions, oldest first (one value per session)."""

    group: str
    rule_id: str  # T-TIME-1 (arms) or T-TIME-2 (legs)
    minutes: tuple[float | None, ...]  # restriction minutes; None: not recorded
    limit_min: tuple[float, ...]  # the limit the session kept, else the clinic's current one
    limit_kept: tuple[bool, ...]  # True where the session itself kept its limit
    pressure: tuple[float | None, ...]  # protocol pressure in `SessionTrends.unit`; None: none


@dataclass(frozen=True)
class SessionTrends:
    """Sessions of one patient, oldest first, as the history plots show them."""

    session_ids: tuple[int, ...]
    started_at: tuple[datetime, ...]
    demo: tuple[bool, ...]
    alarms: tuple[int, ...]
    groups: tuple[GroupSeries, ...]  # arms, legs
    unit: str | None  # the pressure unit plotted: the most recent session's
    other_unit: int  # sessions whose pressure is in another unit, so not plotted

    def __len__(self) -> int:
        return len(self.session_ids)

    def group(self, name: str) -> GroupSeries:
        """The series of one limb group (``arms`` or ``legs``)."""
        return next(g for g in self.groups if g.group == name)


def session_trends(sessions: Sequence[SessionSummary], settings: ClinicSettings) -> SessionTrends:
    """Series of ``sessions`` (given in any order), oldest first.

    A pressure is plotted only where the group restricted at all and in one unit: the unit of
    the most recent session with a pressure (mmHg and SKU are never converted into each other).
    """
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.id))
    fallback = SessionLimits.from_settings(settings)
    units = [s.unit for s in reversed(ordered) if s.unit and _has_pressure(s)]
    unit = units[0] if units else None
    other = sum(1 for s in ordered if s.unit and s.unit != unit and _has_pressure(s))
    groups = []
    for name in LIMB_GROUPS:
        limits = fallback.of(LimbGroup(name))
        kept = [s.limits.get(name) for s in ordered]
        groups.append(
            GroupSeries(
                group=name,
                rule_id=limits.rule_id,
                minutes=tuple(s.minutes.get(name) for s in ordered),
                limit_min=tuple(k if k is not None else limits.limit_s / 60 for k in kept),
                limit_kept=tuple(k is not None for k in kept),
                pressure=tuple(_pressure(s, name, unit) for s in ordered),
            )
        )
    return SessionTrends(
        session_ids=tuple(s.id for s in ordered),
        started_at=tuple(s.started_at for s in ordered),
        demo=tuple(s.demo for s in ordered),
        alarms=tuple(s.alarms for s in ordered),
        groups=tuple(groups),
        unit=unit,
        other_unit=other,
    )


def _has_pressure(session: SessionSummary) -> bool:
    return any(v is not None for v in session.pressures.values())


def _pressure(session: SessionSummary, group: str, unit: str | None) -> float | None:
    minutes = session.minutes.get(group)
    if session.unit != unit or not minutes:  # the group never restricted: no pressure was used
        return None
    return session.pressures.get(group)


@dataclass(frozen=True)
class VerdictPoint:
    """One screening on the verdict timeline."""

    screening_id: int
    assessed_on: date
    verdict: str  # overall label: clear, caution, clearance, blocked_today, contraindicated
    rank: int  # 0 (clear) to 4 (contraindicated): the height on the timeline
    rules: tuple[str, ...]  # ids of the rules fired, strongest first


def verdict_points(screenings: Sequence[ScreeningRecord]) -> tuple[VerdictPoint, ...]:
    """Screenings by date, oldest first; an unreadable verdict label is left out, not guessed."""
    points = []
    for record in sorted(screenings, key=lambda r: (r.assessed_on, r.id)):
        try:
            rank = parse_overall(record.verdict).rank
        except ValueError:
            continue
        rules = tuple(str(rule.get("id")) for rule in record.assessment.get("rules", []))
        points.append(VerdictPoint(record.id, record.assessed_on, record.verdict, rank, rules))
    return tuple(points)


@dataclass(frozen=True)
class ClearanceSpan:
    """A physician clearance on the timeline: in force from ``issued_on`` up to ``expires_on``."""

    issued_on: date
    expires_on: date  # first day it no longer counts
    physician: str
    rules: tuple[str, ...]


def clearance_spans(clearances: Sequence[ClearanceRecord]) -> tuple[ClearanceSpan, ...]:
    """Clearances oldest first, as spans for the verdict timeline."""
    ordered = sorted(clearances, key=lambda c: (c.issued_on, c.id))
    return tuple(ClearanceSpan(c.issued_on, c.expires_on, c.physician, c.rules) for c in ordered)
