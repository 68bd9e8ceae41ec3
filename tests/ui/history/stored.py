"""Stored sessions for the history tests, built through the storage API as the controller does."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from kaatsu_desktop.storage import (
    Database,
    NewSession,
    SessionEvent,
    SessionStatus,
    add_session_events,
    create_session,
    finish_session,
)
from tests.kaatsu_desktop.storage.helpers import FakeClock

PRESET = Path(__file__).resolve().parents[3] / "resources" / "protocols" / "cycle-mmhg.json"
LIMITS = {"arms": {"warning_s": 600.0, "limit_s": 900.0},
          "legs": {"warning_s": 900.0, "limit_s": 1200.0}}  # fmt: skip


def store_session(
    db: Database,
    clock: FakeClock,
    patient_id: int,
    started: datetime,
    *,
    arms: float | None,
    legs: float | None,
    alarms: int = 0,
    level: str = "low",
    limits: bool = True,
) -> int:
    """One finished session: restriction minutes per group (None: not recorded), alarm events."""
    protocol = {**json.loads(PRESET.read_text(encoding="utf-8")), "level": level}
    clock.now = started
    record = create_session(db, NewSession(patient_id, protocol), by=None)
    events = [SessionEvent(1000 * (i + 1), "alarm_raised", "Pressure off target", None, "medium")
              for i in range(alarms)]  # fmt: skip
    add_session_events(db, record.id, events)
    groups = {
        name: {"status": "done", "restriction_s": minutes * 60, "minutes": minutes, "sets": 1}
        for name, minutes in (("arms", arms), ("legs", legs))
        if minutes is not None
    }
    summary: dict[str, object] = {"state": "finished", "unit": "mmHg", "groups": groups}
    if limits:
        summary["limits"] = LIMITS
    clock.now = started + timedelta(minutes=40)
    finish_session(db, record.id, SessionStatus.COMPLETED, by=None, summary=summary)
    return record.id
