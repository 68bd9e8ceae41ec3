"""What the engine hands out: device commands, events for the recorder and the UI, step results."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from devices.protocol.types import Site, Unit
from kaatsu_desktop.session.model import LimbGroup, Refusal


@dataclass(frozen=True, slots=True)
class RunCycleCommand:
    """Run one set as a cycle program (Cycle, or Progressive Cycle with rising pressures)."""

    command_id: int
    group: LimbGroup
    channels: tuple[int, ...]
    unit: Unit
    inflate_s: int
    deflate_s: int
    cycles: int
    pressures: tuple[float, ...]  # one target per cycle
    ttl_s: int  # never longer than what is left of the group's limit

    @property
    def max_pressure(self) -> float:
        """Highest target of the program."""
        return max(self.pressures)


@dataclass(frozen=True, slots=True)
class HoldCommand:
    """Hold a constant pressure (Constant mode) until released or the time-to-live ends."""

    command_id: int
    group: LimbGroup
    channels: tuple[int, ...]
    unit: Unit
    pressure: float
    ttl_s: int

    @property
    def max_pressure(self) -> float:
        """The held target."""
        return self.pressure


@dataclass(frozen=True, slots=True)
class ReleaseCommand:
    """Release the named channels; jumps every queue."""

    command_id: int
    channels: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ReleaseAllCommand:
    """Release every channel (T-REL-1); jumps every queue."""

    command_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class SetSitesCommand:
    """Store the band site of the named channels on the device."""

    command_id: int
    channels: tuple[int, ...]
    sites: tuple[Site, ...]


InflateCommand = RunCycleCommand | HoldCommand
EngineCommand = RunCycleCommand | HoldCommand | ReleaseCommand | ReleaseAllCommand | SetSitesCommand


def is_release(command: EngineCommand) -> bool:
    """True for the commands that must jump the queue and be retried until confirmed."""
    return isinstance(command, ReleaseCommand | ReleaseAllCommand)


class EventKind(enum.StrEnum):
    """Kinds of session events (stored by the recorder, shown by the UI)."""

    STATE_CHANGED = "state_changed"
    SET_STARTED = "set_started"
    SET_ENDED = "set_ended"
    INTENT_REFUSED = "intent_refused"
    RELEASE = "release"
    STOP_CRITERION = "stop_criterion"
    TIME_WARNING = "time_warning"
    LIMIT_RELEASE = "limit_release"
    OVER_PRESSURE = "over_pressure"
    UNCOMMANDED_INFLATION = "uncommanded_inflation"
    ALARM_RAISED = "alarm_raised"
    ALARM_CLEARED = "alarm_cleared"
    ALARM_LATCHED = "alarm_latched"
    ALARM_ACKNOWLEDGED = "alarm_acknowledged"
    AUDIO_PAUSED = "audio_paused"
    SKIN_OBSERVED = "skin_observed"
    ARM_BANDS_CONFIRMED_OFF = "arm_bands_confirmed_off"
    ARM_PHASE_SKIPPED = "arm_phase_skipped"
    SITES_ASSIGNED = "sites_assigned"
    COMMAND_CONFIRMED = "command_confirmed"
    COMMAND_FAILED = "command_failed"
    DEVICE_RELEASED = "device_released"
    LINK_CHANGED = "link_changed"


def _frozen(data: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One thing that happened, with the rule behind it; ``data`` holds JSON-friendly values."""

    kind: EventKind
    time: float
    rule_id: str | None
    message: str
    data: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _frozen(self.data))


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one engine call produced: commands to send now, events, and a refusal if refused."""

    commands: tuple[EngineCommand, ...] = ()
    events: tuple[SessionEvent, ...] = ()
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        """False when the intent was refused (releases are never refused)."""
        return self.refusal is None


NOTHING: StepResult = StepResult()
