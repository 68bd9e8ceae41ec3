"""Pure presentation rules of the session panel: clock text, colour levels, flash rates, words."""

from __future__ import annotations

import enum
import math
from typing import Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from devices.protocol.types import Phase, Site
from kaatsu_desktop.session import AlarmPriority, GroupStatus, GroupView, SessionState

_CTX = "SessionPanel"

# Colours of the restriction bar and of the alarm banner; each pair is at least 4.5:1.
NORMAL_BG: Final = "#1e7b34"
WARNING_BG: Final = "#f2b300"
LIMIT_BG: Final = "#b3141b"
IDLE_BG: Final = "#5b6672"

# Alarm banner: (background, text, dimmed background for the "off" half of a flash).
ALARM_COLOURS: Final = {
    AlarmPriority.HIGH: ("#b3141b", "#ffffff", "#f3c2c4"),
    AlarmPriority.MEDIUM: ("#f2b300", "#1a1300", "#fbe7a6"),
    AlarmPriority.LOW: ("#0b5cad", "#ffffff", "#0b5cad"),
}

# Flash half-periods (IEC 60601-1-8 style): high about 2 Hz, medium about 0.5 Hz, low steady.
FLASH_HALF_PERIOD_MS: Final = {
    AlarmPriority.HIGH: 250,
    AlarmPriority.MEDIUM: 1000,
    AlarmPriority.LOW: None,
}

LIVE_WINDOW_S: Final = 120.0  # the scrolling window of each plot: the last 2 minutes

INFLATION_PHASES: Final = (int(Phase.INFLATING), int(Phase.HOLDING))
DEFLATION_PHASES: Final = (int(Phase.DEFLATING),)


class ClockLevel(enum.StrEnum):
    """Colour level of a restriction clock."""

    IDLE = "idle"  # not started
    NORMAL = "normal"
    WARNING = "warning"  # at or past the warning time (T-TIME-1, T-TIME-2)
    LIMIT = "limit"  # at the limit: released


LEVEL_COLOURS: Final = {
    ClockLevel.IDLE: (IDLE_BG, "#ffffff"),
    ClockLevel.NORMAL: (NORMAL_BG, "#ffffff"),
    ClockLevel.WARNING: (WARNING_BG, "#1a1300"),
    ClockLevel.LIMIT: (LIMIT_BG, "#ffffff"),
}


def mmss(seconds: float, *, round_up: bool = False) -> str:
    """Seconds as ``mm:ss`` (a countdown rounds up so 0:00 means really over); never negative."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "00:00"
    whole = math.ceil(seconds) if round_up else math.floor(seconds)
    minutes, secs = divmod(int(whole), 60)
    return f"{minutes:02d}:{secs:02d}"


def clock_level(elapsed_s: float, warning_s: float, limit_s: float, started: bool) -> ClockLevel:
    """Colour level of a restriction clock from its elapsed time."""
    if not started:
        return ClockLevel.IDLE
    if elapsed_s >= limit_s:
        return ClockLevel.LIMIT
    if elapsed_s >= warning_s:
        return ClockLevel.WARNING
    return ClockLevel.NORMAL


def group_level(view: GroupView) -> ClockLevel:
    """Colour level of one limb group's clock."""
    if view.status is GroupStatus.LIMIT_REACHED:
        return ClockLevel.LIMIT
    return clock_level(view.elapsed_s, view.warning_s, view.limit_s, view.started_at is not None)


def seconds_left_text(seconds: int | None) -> str:
    """Seconds left in a timed phase, or a dash when unknown."""
    return "—" if seconds is None else f"{max(0, int(seconds))}"


def pressure_text(pressure: float | None) -> str:
    """A pressure reading rounded for reading at a distance; a dash for a sensor fault."""
    if pressure is None or not math.isfinite(pressure):
        return "—"
    return f"{pressure:.0f}"


def tr(text: str) -> str:
    """Translate a panel text."""
    return QCoreApplication.translate(_CTX, text)


_PHASES: Final = {
    Phase.IDLE: QT_TRANSLATE_NOOP("SessionPanel", "idle"),
    Phase.INFLATING: QT_TRANSLATE_NOOP("SessionPanel", "inflating"),
    Phase.HOLDING: QT_TRANSLATE_NOOP("SessionPanel", "holding"),
    Phase.DEFLATING: QT_TRANSLATE_NOOP("SessionPanel", "deflating"),
    Phase.RELEASED: QT_TRANSLATE_NOOP("SessionPanel", "released"),
}

_SITES: Final = {
    Site.UNASSIGNED: QT_TRANSLATE_NOOP("SessionPanel", "Unassigned"),
    Site.LEFT_ARM: QT_TRANSLATE_NOOP("SessionPanel", "Left arm"),
    Site.RIGHT_ARM: QT_TRANSLATE_NOOP("SessionPanel", "Right arm"),
    Site.LEFT_LEG: QT_TRANSLATE_NOOP("SessionPanel", "Left leg"),
    Site.RIGHT_LEG: QT_TRANSLATE_NOOP("SessionPanel", "Right leg"),
}

_STATES: Final = {
    SessionState.SETUP: QT_TRANSLATE_NOOP("SessionPanel", "Setup"),
    SessionState.ARM_PHASE: QT_TRANSLATE_NOOP("SessionPanel", "Arms"),
    SessionState.CHANGEOVER: QT_TRANSLATE_NOOP("SessionPanel", "Changeover"),
    SessionState.LEG_PHASE: QT_TRANSLATE_NOOP("SessionPanel", "Legs"),
    SessionState.FINISHED: QT_TRANSLATE_NOOP("SessionPanel", "Finished"),
    SessionState.ABORTED: QT_TRANSLATE_NOOP("SessionPanel", "Aborted"),
}

_PRIORITIES: Final = {
    AlarmPriority.HIGH: QT_TRANSLATE_NOOP("SessionPanel", "HIGH"),
    AlarmPriority.MEDIUM: QT_TRANSLATE_NOOP("SessionPanel", "MEDIUM"),
    AlarmPriority.LOW: QT_TRANSLATE_NOOP("SessionPanel", "LOW"),
}

_GROUP_STATUS: Final = {
    GroupStatus.NOT_STARTED: QT_TRANSLATE_NOOP("SessionPanel", "not started"),
    GroupStatus.RUNNING: QT_TRANSLATE_NOOP("SessionPanel", "inflated"),
    GroupStatus.PAUSED: QT_TRANSLATE_NOOP("SessionPanel", "between sets, clock running"),
    GroupStatus.LIMIT_REACHED: QT_TRANSLATE_NOOP("SessionPanel", "limit reached, released"),
    GroupStatus.ENDED: QT_TRANSLATE_NOOP("SessionPanel", "ended"),
    GroupStatus.SKIPPED: QT_TRANSLATE_NOOP("SessionPanel", "skipped"),
}

# The order strip (T-ORD-1): the steps in the order they happen.
ORDER_STEPS: Final = (SessionState.ARM_PHASE, SessionState.CHANGEOVER, SessionState.LEG_PHASE)


def phase_label(phase: Phase | int | None) -> str:
    """A channel phase in words."""
    if phase is None:
        return "—"
    return tr(_PHASES[Phase(phase)])


def site_label(site: Site) -> str:
    """A band site in words, capitalised."""
    return tr(_SITES[site])


def state_label(state: SessionState) -> str:
    """A session state in words."""
    return tr(_STATES[state])


def group_status_label(status: GroupStatus) -> str:
    """Where a limb group stands, in words."""
    return tr(_GROUP_STATUS[status])


def priority_label(priority: AlarmPriority) -> str:
    """An alarm priority in words."""
    return tr(_PRIORITIES[priority])


def step_status(state: SessionState, step: SessionState, arms_skipped: bool) -> str:
    """Where ``step`` of the order strip stands in ``state``: done, current, skipped or todo."""
    if state is SessionState.SETUP:
        return "todo"
    order = {s: i for i, s in enumerate(ORDER_STEPS)}
    if step is SessionState.ARM_PHASE and arms_skipped:
        return "skipped"
    if state.terminal:
        return "done"
    here, there = order[state], order[step]
    if there < here:
        return "done"
    return "current" if there == here else "todo"


def rule_text(rule_id: str | None, message: str) -> str:
    """``message`` with its rule id in front when there is one (rule ids are never hidden)."""
    return f"{rule_id}: {message}" if rule_id else message
