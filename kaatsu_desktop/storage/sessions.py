"""Session rows and their events: started running, then finished exactly once."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kaatsu_desktop.i18n import translate

from . import validation as v
from .audit import write_audit
from .clinical_records import RULE_ID
from .db import insert_row
from .errors import NotFound, ValidationError
from .models import PRIORITIES, NewSession, SessionEvent, SessionRecord, SessionStatus
from .samples import MAX_T_MS, last_sample_t_ms
from .users import require_user

if TYPE_CHECKING:
    from .db import Database

log = logging.getLogger(__name__)
MAX_REASON = 500


def _tr(text: str) -> str:
    return translate("Storage", text)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def session_from_row(row: dict[str, Any]) -> SessionRecord:
    """Build a SessionRecord from a `sessions` row."""
    return SessionRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        protocol=json.loads(row["protocol_json"]),
        started_at=datetime.fromisoformat(row["started_at"]),
        ended_at=datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
        status=SessionStatus(row["status"]),
        demo=bool(row["demo"]),
        device=_loads(row["device_json"]),
        summary=_loads(row["summary_json"]),
        end_reason=row["end_reason"],
        created_by=row["created_by"],
        updated_at=datetime.fromisoformat(row["updated_at"]) if row.get("updated_at") else None,
        updated_by=row.get("updated_by"),
    )


def _fetch(sdb: sqlite_utils.Database, session_id: int) -> SessionRecord:
    rows = list(sdb.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    if not rows:
        raise NotFound("session", session_id)
    return session_from_row(rows[0])


def _running(sdb: sqlite_utils.Database, session_id: int) -> SessionRecord:
    record = _fetch(sdb, session_id)
    if record.status is not SessionStatus.RUNNING:
        raise ValidationError(
            "session_id",
            _tr("the session has ended ({status})").format(status=record.status.value),
        )
    return record


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def _changed(db: Database, by: int | None) -> dict[str, Any]:
    """The columns naming who changes a session now, and when (issue 7)."""
    return {"updated_at": _stamp(db.now()), "updated_by": by}


def create_session(db: Database, new: NewSession, *, by: int | None) -> SessionRecord:
    """Start a session row (status running); at most one running session per patient."""
    if not isinstance(new.demo, bool):
        raise ValidationError("demo", _tr("must be true or false"))
    protocol = v.json_text("protocol", new.protocol)
    device = None if new.device is None else v.json_text("device", new.device)
    with db.transaction() as sdb:
        require_user(sdb, by)
        if new.patient_id is None:
            if not new.demo:
                raise ValidationError("patient_id", _tr("a session needs a patient"))
        else:
            v.integer("patient_id", new.patient_id, minimum=1, maximum=2**63 - 1)
            patient = sdb.execute(
                "SELECT archived FROM patients WHERE id = ?", [new.patient_id]
            ).fetchone()
            if patient is None:
                raise ValidationError("patient_id", _tr("no patient with this id"))
            if patient[0]:
                raise ValidationError("patient_id", _tr("the patient is archived"))
            if sdb.execute(
                "SELECT 1 FROM sessions WHERE patient_id = ? AND status = 'running'",
                [new.patient_id],
            ).fetchone():
                raise ValidationError("patient_id", _tr("this patient has a running session"))
        row = {
            "patient_id": new.patient_id,
            "protocol_json": protocol,
            "started_at": _stamp(db.now()),
            "ended_at": None,
            "status": SessionStatus.RUNNING.value,
            "demo": int(new.demo),
            "device_json": device,
            "summary_json": None,
            "end_reason": None,
            "created_by": by,
        }
        row["updated_at"], row["updated_by"] = row["started_at"], by
        session_id = insert_row(sdb, "sessions", row)
        record = session_from_row({"id": session_id, **row})
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="start",
            entity="session",
            entity_id=session_id,
            after=record,
        )
    return record


def update_session(
    db: Database,
    session_id: int,
    *,
    by: int | None,
    summary: Mapping[str, Any] | None = None,
    device: Mapping[str, Any] | None = None,
) -> SessionRecord:
    """Record a running session's summary or device info (for example at a phase change)."""
    changes: dict[str, Any] = {}
    if summary is not None:
        changes["summary_json"] = v.json_text("summary", summary)
    if device is not None:
        changes["device_json"] = v.json_text("device", device)
    with db.transaction() as sdb:
        require_user(sdb, by)
        before = _running(sdb, session_id)
        if not changes:
            return before
        sdb["sessions"].update(session_id, {**changes, **_changed(db, by)})
        after = _fetch(sdb, session_id)
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="update",
            entity="session",
            entity_id=session_id,
            before=before,
            after=after,
        )
    return after


def finish_session(
    db: Database,
    session_id: int,
    status: SessionStatus | str,
    *,
    by: int | None,
    summary: Mapping[str, Any] | None = None,
    end_reason: str | None = None,
) -> SessionRecord:
    """End a running session as completed or aborted (aborted needs a reason, T-REL-1)."""
    final = SessionStatus(v.choice("status", status, ("completed", "aborted")))
    summary_json = None if summary is None else v.json_text("summary", summary)
    reason = None
    if end_reason is not None or final is SessionStatus.ABORTED:
        reason = v.text("end_reason", end_reason or "", max_length=MAX_REASON)
    with db.transaction() as sdb:
        require_user(sdb, by)
        before = _running(sdb, session_id)
        changes: dict[str, Any] = {
            "status": final.value,
            "ended_at": _stamp(max(db.now(), before.started_at)),
            "end_reason": reason,
        }
        if summary_json is not None:
            changes["summary_json"] = summary_json
        sdb["sessions"].update(session_id, {**changes, **_changed(db, by)})
        after = _fetch(sdb, session_id)
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action=final.value,
            entity="session",
            entity_id=session_id,
            before=before,
            after=after,
        )
    return after


def _interrupt(
    db: Database, sdb: sqlite_utils.Database, session_id: int, reason: str, by: int | None
) -> SessionRecord:
    before = _running(sdb, session_id)
    # The true end is unknown; the last recorded sample or event is the best evidence of it.
    last_event = sdb.execute(
        "SELECT max(t_ms) FROM session_events WHERE session_id = ?", [session_id]
    ).fetchone()[0]
    last_ms = max(last_sample_t_ms(sdb, session_id) or 0, last_event or 0)
    ended = before.started_at + timedelta(milliseconds=last_ms)
    sdb["sessions"].update(
        session_id,
        {
            "status": SessionStatus.INTERRUPTED.value,
            "ended_at": _stamp(ended),
            "end_reason": reason,
            **_changed(db, by),
        },
    )
    after = _fetch(sdb, session_id)
    write_audit(
        sdb,
        at=db.now(),
        user_id=by,
        action="interrupt",
        entity="session",
        entity_id=session_id,
        before=before,
        after=after,
    )
    return after


def mark_interrupted(
    db: Database, session_id: int, *, reason: str, by: int | None = None
) -> SessionRecord:
    """End a running session whose recording stopped (crash, lost power); samples are kept."""
    reason = v.text("reason", reason, max_length=MAX_REASON)
    with db.transaction() as sdb:
        require_user(sdb, by)
        return _interrupt(db, sdb, session_id, reason, by)


def interrupt_orphaned_sessions(db: Database, reason: str) -> tuple[int, ...]:
    """At open: every session still `running` lost its owner; mark each interrupted."""
    with db.transaction() as sdb:
        ids = [r[0] for r in sdb.execute("SELECT id FROM sessions WHERE status = 'running'")]
        for session_id in ids:
            log.warning(
                "Session %d was left running; marking it interrupted (%s)", session_id, reason
            )
            _interrupt(db, sdb, session_id, reason, None)
    return tuple(ids)


def get_session(db: Database, session_id: int) -> SessionRecord:
    """One session by id."""
    with db.reading() as sdb:
        return _fetch(sdb, session_id)


def list_sessions(
    db: Database,
    patient_id: int | None = None,
    *,
    status: SessionStatus | str | None = None,
    include_demo: bool = True,
    limit: int | None = None,
) -> list[SessionRecord]:
    """Sessions, newest first; of one patient when `patient_id` is given."""
    where, params = [], []
    if patient_id is not None:
        where.append("patient_id = ?")
        params.append(patient_id)
    if status is not None:
        where.append("status = ?")
        params.append(SessionStatus(status).value)
    if not include_demo:
        where.append("demo = 0")
    sql = "SELECT * FROM sessions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
    params.append(-1 if limit is None else limit)
    with db.reading() as sdb:
        rows = list(sdb.query(sql, params))
    return [session_from_row(r) for r in rows]


@dataclass(frozen=True)
class SessionHeadline:
    """A stored session as a history line reads it: no device, no audit columns."""

    id: int
    started_at: datetime
    status: SessionStatus
    demo: bool
    end_reason: str | None
    protocol: dict[str, Any]
    summary: dict[str, Any] | None


def list_session_headlines(db: Database, patient_id: int) -> list[SessionHeadline]:
    """A patient's sessions in list_sessions' order (newest first), with only what a line shows.

    A patient's page reads hundreds of sessions at each open (issue 8): the columns it does not
    show are left in the database, and rows are read as tuples rather than mappings.
    """
    with db.reading():
        rows = db.conn.execute(
            "SELECT id, started_at, status, demo, end_reason, protocol_json, summary_json"
            " FROM sessions WHERE patient_id = ? ORDER BY started_at DESC, id DESC",
            [patient_id],
        ).fetchall()
    loads, when = json.loads, datetime.fromisoformat
    return [
        SessionHeadline(
            id=row[0],
            started_at=when(row[1]),
            status=SessionStatus(row[2]),
            demo=bool(row[3]),
            end_reason=row[4],
            protocol=loads(row[5]),
            summary=None if row[6] is None else loads(row[6]),
        )
        for row in rows
    ]


def _event_row(session_id: int, event: SessionEvent, i: int) -> tuple[Any, ...]:
    field = f"events[{i}]"
    if not isinstance(event, SessionEvent):
        raise ValidationError(field, _tr("must be a SessionEvent"))
    v.integer(f"{field}.t_ms", event.t_ms, minimum=0, maximum=MAX_T_MS)
    kind = v.text(f"{field}.kind", event.kind, max_length=64)
    message = v.text(
        f"{field}.message", event.message, required=False, max_length=2000, single_line=False
    )
    if event.rule_id is not None and not (
        isinstance(event.rule_id, str) and RULE_ID.fullmatch(event.rule_id)
    ):
        raise ValidationError(f"{field}.rule_id", _tr("is not a rule id"))
    if event.priority is not None:
        v.choice(f"{field}.priority", event.priority, PRIORITIES)
    data = None if event.data is None else v.json_text(f"{field}.data", event.data)
    return (session_id, event.t_ms, kind, event.rule_id, event.priority, message, data)


def add_session_events(db: Database, session_id: int, events: Sequence[SessionEvent]) -> int:
    """Append a batch of events to a running session in one transaction."""
    rows = [_event_row(session_id, e, i) for i, e in enumerate(events)]
    if not rows:
        return 0
    with db.transaction() as sdb:
        _running(sdb, session_id)
        sdb.conn.executemany(
            "INSERT INTO session_events (session_id, t_ms, kind, rule_id, priority, message,"
            " data_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def list_session_events(db: Database, session_id: int) -> list[SessionEvent]:
    """A session's events in time order."""
    with db.reading() as sdb:
        rows = sdb.execute(
            "SELECT t_ms, kind, message, rule_id, priority, data_json FROM session_events"
            " WHERE session_id = ? ORDER BY t_ms, id",
            [session_id],
        ).fetchall()
    return [
        SessionEvent(t_ms=t, kind=k, message=m, rule_id=r, priority=p, data=_loads(d))
        for t, k, m, r, p, d in rows
    ]
