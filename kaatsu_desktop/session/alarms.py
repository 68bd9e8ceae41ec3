"""Alarm manager in the manner of bedside alarm systems (IEC 60601-1-8 style)."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)

AUDIO_PAUSE_S: Final = 30.0


class AlarmPriority(enum.IntEnum):
    """Alarm priority; a higher value is more urgent."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3


class ClearOutcome(enum.Enum):
    """What clearing a condition did to its alarm."""

    REMOVED = "removed"  # the alarm is gone
    LATCHED = "latched"  # high priority: stays until acknowledged


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm as shown to the clinician."""

    condition_id: str  # e.g. "leak:ch1"; also the id used to acknowledge it
    priority: AlarmPriority
    rule_id: str | None  # None for a technical alarm (link, leak, device)
    message: str
    raised_at: float
    condition_active: bool  # False: the cause cleared, the alarm is latched (high only)
    acknowledged: bool
    proposes_release: bool = False

    @property
    def latched(self) -> bool:
        """The cause cleared but the alarm waits for acknowledgement."""
        return not self.condition_active

    @property
    def audible(self) -> bool:
        """Contributes to the tone unless audio is paused."""
        return not self.acknowledged


@dataclass(frozen=True, slots=True)
class AudioState:
    """The alarm tone."""

    paused: bool
    pause_seconds_left: float
    sounding: bool
    priority: AlarmPriority | None  # priority of the tone when sounding (highest audible alarm)


@dataclass(frozen=True, slots=True)
class AlarmsSnapshot:
    """Active alarms, most urgent first (priority, then time raised), and the tone."""

    alarms: tuple[Alarm, ...]
    audio: AudioState

    @property
    def highest(self) -> AlarmPriority | None:
        """Priority of the most urgent alarm, None when there is none."""
        return self.alarms[0].priority if self.alarms else None


class _Entry:
    """Mutable record behind one Alarm."""

    __slots__ = ("acked", "active", "message", "priority", "proposes", "raised", "rule")

    def __init__(
        self,
        priority: AlarmPriority,
        rule: str | None,
        message: str,
        raised: float,
        proposes: bool,
    ) -> None:
        self.priority = priority
        self.rule = rule
        self.message = message
        self.raised = raised
        self.proposes = proposes
        self.active = True
        self.acked = False


class AlarmManager:
    """Keeps alarm conditions, latching, acknowledgement and the audio pause; time is injected."""

    def __init__(self, audio_pause_s: float = AUDIO_PAUSE_S) -> None:
        self._audio_pause_s = audio_pause_s
        self._entries: dict[str, _Entry] = {}
        self._pause_until: float | None = None
        self._cache: tuple[Alarm, ...] | None = ()

    def raise_alarm(
        self,
        now: float,
        condition_id: str,
        priority: AlarmPriority,
        rule_id: str | None,
        message: str,
        *,
        proposes_release: bool = False,
    ) -> Alarm | None:
        """Assert a condition; returns the new Alarm, None when it was already known."""
        entry = self._entries.get(condition_id)
        if entry is not None:
            if not entry.active or entry.message != message:
                # A latched alarm whose cause returns is active again, still unacknowledged.
                entry.active = True
                entry.message = message
                self._cache = None
            return None
        entry = _Entry(priority, rule_id, message, now, proposes_release)
        self._entries[condition_id] = entry
        self._cache = None
        # A new alarm condition ends an audio pause: the clinician must hear what is new.
        self._pause_until = None
        log.info("alarm raised %s (%s): %s", condition_id, priority.name, message)
        return self._alarm(condition_id, entry)

    def clear(self, now: float, condition_id: str) -> ClearOutcome | None:
        """The cause is gone: medium and low alarms vanish, high ones latch until acknowledged."""
        del now
        entry = self._entries.get(condition_id)
        if entry is None or not entry.active:
            return None
        self._cache = None
        if entry.priority is AlarmPriority.HIGH and not entry.acked:
            entry.active = False
            return ClearOutcome.LATCHED
        del self._entries[condition_id]
        return ClearOutcome.REMOVED

    def acknowledge(self, now: float, condition_id: str) -> ClearOutcome | None:
        """Acknowledge: a latched alarm goes, an active one stops sounding while it lasts."""
        del now
        entry = self._entries.get(condition_id)
        if entry is None or entry.acked:
            return None
        self._cache = None
        if not entry.active:
            del self._entries[condition_id]
            return ClearOutcome.REMOVED
        entry.acked = True
        return ClearOutcome.LATCHED

    def pause_audio(self, now: float) -> float:
        """Silence the tone for the pause; returns when the pause ends."""
        self._pause_until = now + self._audio_pause_s
        return self._pause_until

    def is_active(self, condition_id: str) -> bool:
        """True while the condition's cause is present."""
        entry = self._entries.get(condition_id)
        return entry is not None and entry.active

    def __contains__(self, condition_id: object) -> bool:
        return condition_id in self._entries

    def has(self, priority: AlarmPriority) -> bool:
        """True when any alarm of ``priority`` is listed (active or latched)."""
        return any(e.priority is priority for e in self._entries.values())

    def get(self, condition_id: str) -> Alarm | None:
        """The listed alarm for ``condition_id``, if any."""
        entry = self._entries.get(condition_id)
        return None if entry is None else self._alarm(condition_id, entry)

    @property
    def alarms(self) -> tuple[Alarm, ...]:
        """Listed alarms, most urgent first, then oldest first."""
        if self._cache is None:
            items = sorted(
                self._entries.items(),
                key=lambda kv: (-kv[1].priority, kv[1].raised, kv[0]),
            )
            self._cache = tuple(self._alarm(cid, e) for cid, e in items)
        return self._cache

    def audio(self, now: float) -> AudioState:
        """The tone at ``now``: paused for its pause, otherwise sounding for any audible alarm."""
        left = 0.0 if self._pause_until is None else max(0.0, self._pause_until - now)
        audible = [e.priority for e in self._entries.values() if not e.acked]
        top = max(audible) if audible else None
        return AudioState(
            paused=left > 0.0,
            pause_seconds_left=left,
            sounding=top is not None and left <= 0.0,
            priority=top if left <= 0.0 else None,
        )

    def snapshot(self, now: float) -> AlarmsSnapshot:
        """Frozen view of the alarms and the tone."""
        return AlarmsSnapshot(self.alarms, self.audio(now))

    @staticmethod
    def _alarm(condition_id: str, entry: _Entry) -> Alarm:
        return Alarm(
            condition_id,
            entry.priority,
            entry.rule,
            entry.message,
            entry.raised,
            entry.active,
            entry.acked,
            entry.proposes,
        )
