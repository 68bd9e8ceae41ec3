"""The timeline of a session report: which stored events it shows, and how (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from kaatsu_desktop.i18n import translate, translate_noop
from kaatsu_desktop.reports.model import TimelineEntry
from kaatsu_desktop.storage import SessionEvent

_CTX = "Reports"

# Stored event kind -> timeline category. Kinds left out are bookkeeping a reader of the record
# does not need (command confirmations, cleared alarms, audio pauses, refused button presses).
TIMELINE_KINDS: dict[str, str] = {
    "state_changed": "phase",
    "arm_phase_skipped": "phase",
    "arm_bands_confirmed_off": "phase",
    "set_started": "set",
    "set_ended": "set",
    "sites_assigned": "setup",
    "time_warning": "warning",
    "limit_release": "release",
    "release": "release",
    "stop_criterion": "release",
    "device_released": "release",
    "over_pressure": "alarm",
    "uncommanded_inflation": "alarm",
    "alarm_raised": "alarm",
    "alarm_acknowledged": "alarm",
    "skin_observed": "skin",
    "command_failed": "device",
    "link_changed": "device",
}

CATEGORY_LABELS: dict[str, str] = {
    "phase": translate_noop(_CTX, "Phase"),
    "set": translate_noop(_CTX, "Set"),
    "setup": translate_noop(_CTX, "Set-up"),
    "warning": translate_noop(_CTX, "Warning"),
    "release": translate_noop(_CTX, "Release"),
    "alarm": translate_noop(_CTX, "Alarm"),
    "skin": translate_noop(_CTX, "Skin"),
    "device": translate_noop(_CTX, "Device"),
}


def category_label(category: str) -> str:
    """Translated name of a timeline category."""
    return translate(_CTX, CATEGORY_LABELS.get(category, category))


def _text(event: SessionEvent) -> str:
    if event.message:
        return event.message
    reason = (event.data or {}).get("reason")
    return f"{event.kind}: {reason}" if reason else event.kind


def _twin(out: list[TimelineEntry], alarm: SessionEvent) -> int | None:
    """Index of the line at the alarm's time with the alarm's text (events come in time order)."""
    for i in range(len(out) - 1, -1, -1):
        line = out[i]
        if line.t_ms != alarm.t_ms:
            return None
        if line.text == alarm.message and line.kind != "alarm_raised":
            return i
    return None


def build_timeline(events: Iterable[SessionEvent]) -> tuple[TimelineEntry, ...]:
    """Timeline entries in time order; an alarm raised for a line already shown joins that line.

    The engine raises an alarm with the same text as the warning, limit release or skin
    observation that caused it; one line with the alarm's priority reads better than two.
    """
    out: list[TimelineEntry] = []
    for event in events:
        category = TIMELINE_KINDS.get(event.kind)
        if category is None:
            continue
        priority = event.priority
        if event.kind == "alarm_raised":
            twin = _twin(out, event)
            if twin is not None:
                e = out[twin]
                out[twin] = TimelineEntry(
                    e.t_ms, e.category, e.kind, e.rule_id or event.rule_id, priority, e.text
                )
                continue
        out.append(
            TimelineEntry(event.t_ms, category, event.kind, event.rule_id, priority, _text(event))
        )
    out.sort(key=lambda e: e.t_ms)  # stable: same-time lines keep their stored order
    return tuple(out)


def release_entries(timeline: Iterable[TimelineEntry]) -> tuple[TimelineEntry, ...]:
    """The releases of a timeline (for markers on the traces)."""
    return tuple(e for e in timeline if e.category == "release")
