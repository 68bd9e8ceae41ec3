"""Frozen views of a running session for the UI: state, clocks, channels, alarms and controls."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.protocol.types import Site, Unit
from kaatsu_desktop.session.alarms import AlarmsSnapshot
from kaatsu_desktop.session.model import ChannelReading, LimbGroup, SessionState


class Control(enum.StrEnum):
    """Clinician controls whose availability the engine decides."""

    START_ARMS = "start_arms"
    START_LEGS = "start_legs"
    CONFIRM_ARM_BANDS_OFF = "confirm_arm_bands_off"
    SKIP_ARM_PHASE = "skip_arm_phase"
    RELEASE_ALL = "release_all"
    FINISH = "finish"
    ABORT = "abort"
    PAUSE_AUDIO = "pause_audio"


@dataclass(frozen=True, slots=True)
class ControlState:
    """Whether a control is enabled now, and if not why (with the rule that forbids it)."""

    control: Control
    enabled: bool
    rule_id: str | None = None
    reason: str = ""


class GroupStatus(enum.StrEnum):
    """Where a limb group stands."""

    NOT_STARTED = "not_started"
    RUNNING = "running"  # at least one channel of the group is under a pressure command
    PAUSED = "paused"  # started, nothing inflated now; the clock keeps running (T-TIME-3)
    LIMIT_REACHED = "limit_reached"  # released at the limit; cannot be inflated again
    ENDED = "ended"  # the group's phase is over
    SKIPPED = "skipped"  # arms only: skipped with a recorded reason


@dataclass(frozen=True, slots=True)
class GroupView:
    """Restriction clock and sets of one limb group."""

    group: LimbGroup
    status: GroupStatus
    started_at: float | None  # first inflation (T-TIME-3)
    elapsed_s: float  # restriction time so far
    warning_s: float
    limit_s: float
    remaining_s: float  # until the automatic release
    warned: bool
    sets_started: int
    sets_allowed: int
    channels: tuple[int, ...]  # channels the group inflates (blocked ones excluded)
    blocked_channels: tuple[int, ...]  # S-LIMB-1


@dataclass(frozen=True, slots=True)
class ChannelView:
    """One air channel: its band, whether the engine holds it inflated, the last reading."""

    channel: int
    site: Site
    group: LimbGroup | None
    blocked: bool
    commanded: bool
    reading: ChannelReading | None  # phase, cycle and seconds left when known
    reading_age_s: float | None


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """Everything the session panel draws, frozen at ``time``."""

    time: float
    state: SessionState
    protocol_id: str
    unit: Unit
    groups: tuple[GroupView, ...]
    channels: tuple[ChannelView, ...]
    alarms: AlarmsSnapshot
    link_up: bool
    arm_bands_confirmed_off: bool
    arm_skip_reason: str | None
    legs_begun: bool
    controls: tuple[ControlState, ...]

    def control(self, control: Control) -> ControlState:
        """State of one control."""
        return next(c for c in self.controls if c.control is control)

    def group(self, group: LimbGroup) -> GroupView:
        """View of one limb group."""
        return next(g for g in self.groups if g.group is group)
