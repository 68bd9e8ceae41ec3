"""What a session report says, as plain typed values: built by `build`, drawn by `render`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from kaatsu_desktop.reports.fidelity import Fidelity


@dataclass(frozen=True, slots=True)
class PatientInfo:
    """Who the session was for."""

    clinic_id: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str
    age: int  # completed years on the session's day

    @property
    def name(self) -> str:
        """Family name, given name: the order a clinic files by."""
        return f"{self.family_name}, {self.given_name}"


@dataclass(frozen=True, slots=True)
class RuleLine:
    """A fired screening rule: id, verdict and its text (translated)."""

    rule_id: str
    verdict: str
    message: str


@dataclass(frozen=True, slots=True)
class ClearanceLine:
    """A physician clearance in force on the session's day."""

    physician: str
    rules: tuple[str, ...]
    issued_on: date
    expires_on: date
    note: str


@dataclass(frozen=True, slots=True)
class ScreeningInForce:
    """The latest screening on or before the session's day, and its fired rules."""

    screening_id: int
    assessed_on: date
    verdict: str
    rules: tuple[RuleLine, ...]  # strongest first, as assessed
    not_assessed: tuple[str, ...]
    blocked_sites: tuple[str, ...]
    thrombosis_points: int | None


@dataclass(frozen=True, slots=True)
class PressureRow:
    """Pressures of one limb group in the protocol's unit (None: not stored)."""

    group: str
    low: float | None
    medium: float | None
    high: float | None
    maximum: float | None


@dataclass(frozen=True, slots=True)
class ProtocolInfo:
    """The protocol as stored with the session; pressures are never converted."""

    protocol_id: str
    name: str
    mode: str | None
    level: str | None
    unit: str
    inflation_s: int | None
    deflation_s: int | None
    cycles: int | None
    step: float | None
    hold_s: int | None
    sets_per_limb: int | None
    pressures: tuple[PressureRow, ...]


@dataclass(frozen=True, slots=True)
class GroupTime:
    """Restriction time of one limb group against its limits (T-TIME-1, T-TIME-2, T-TIME-3)."""

    group: str
    rule_id: str
    restriction_s: float | None  # None: the session did not record it
    warning_s: float
    limit_s: float
    status: str | None  # as the session engine left it, e.g. limit_reached, done, not_started
    limit_released: bool  # a limit_release event of this group is on record
    sets: int | None


@dataclass(frozen=True, eq=False)
class ChannelData:
    """One channel: who it was on, its samples (tenths of the device unit) and its fidelity."""

    channel: int  # 0-based, as stored
    label: str  # for people: ch1, ch2, ... with the band site when known
    group: str | None
    fidelity: Fidelity
    t_ms: np.ndarray = field(repr=False)
    pressure_x10: np.ndarray = field(repr=False)
    target_x10: np.ndarray = field(repr=False)
    phase: np.ndarray = field(repr=False)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the session's timeline: alarms, releases with reasons, skin observations..."""

    t_ms: int
    category: str  # key of CATEGORY_LABELS in build
    kind: str  # the stored event kind
    rule_id: str | None
    priority: str | None  # high, medium, low for alarms
    text: str


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """The cuff the session ran on, as stored with the session."""

    maker: str | None
    model: str | None
    serial: str | None
    firmware: str | None
    address: str | None
    name: str | None


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything one session report shows; times are in the clinic's time zone."""

    clinic: str
    session_id: int
    demo: bool
    status: str
    end_reason: str | None
    started_at: datetime
    ended_at: datetime | None
    clinician: str | None
    patient: PatientInfo | None
    screening: ScreeningInForce | None
    clearances: tuple[ClearanceLine, ...]
    protocol: ProtocolInfo
    groups: tuple[GroupTime, ...]
    limits_from_session: bool  # False: limits are today's clinic settings (the session kept none)
    channels: tuple[ChannelData, ...]
    fidelity: Fidelity  # every channel together
    timeline: tuple[TimelineEntry, ...]
    device: DeviceInfo
    generated_at: datetime
    sample_count: int

    @property
    def unit(self) -> str:
        """The pressure unit of the whole report (the device's, never converted)."""
        return self.protocol.unit

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end (None while running)."""
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def end_ms(self) -> int:
        """The last moment on record, in ms after the start: last sample, event or end."""
        last = [int(c.t_ms[-1]) for c in self.channels if c.t_ms.size]
        last += [e.t_ms for e in self.timeline]
        if self.duration_s is not None:
            last.append(round(self.duration_s * 1000))
        return max(last, default=0)
