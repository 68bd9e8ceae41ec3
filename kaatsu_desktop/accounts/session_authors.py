"""Who started each session and who changed it last (finished, aborted, interrupted), by name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kaatsu_desktop.storage import SessionStatus

from .directory import resolve_names

if TYPE_CHECKING:
    from kaatsu_desktop.storage import Database


@dataclass(frozen=True)
class SessionAuthors:
    """A session's starter and its last change: who, when, and the status it left."""

    session_id: int
    status: SessionStatus
    started_at: datetime
    started_by: str
    changed_at: datetime | None
    changed_by: str
    changed: bool  # False while nothing changed since the start


class SessionStamps(Protocol):
    """What authors_of reads of a session: a SessionRecord, or the few columns alone."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def created_by(self) -> int | None: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def updated_by(self) -> int | None: ...


@dataclass(frozen=True)
class _Stamps:
    """The columns of one `sessions` row that name its authors."""

    id: int
    status: SessionStatus
    started_at: datetime
    created_by: int | None
    updated_at: datetime | None
    updated_by: int | None


# One query for every session of the patient (the page opens with it, next to the history's own
# read): the author columns only, not the protocol, device and summary JSON that list_sessions
# parses for each row.
_STAMPS_SQL = (
    "SELECT id, status, started_at, created_by, updated_at, updated_by FROM sessions"
    " WHERE patient_id = ? ORDER BY started_at DESC, id DESC"
)


def authors_of(
    records: Iterable[SessionStamps], names: dict[int | None, str]
) -> list[SessionAuthors]:
    """The authors of each record, with `names` from resolve_names (pure)."""
    out = []
    for r in records:
        changed_at = r.updated_at if r.updated_at is not None else r.started_at
        changed = changed_at != r.started_at or r.updated_by != r.created_by
        out.append(
            SessionAuthors(
                session_id=r.id,
                status=r.status,
                started_at=r.started_at,
                started_by=names[r.created_by],
                changed_at=changed_at,
                changed_by=names[r.updated_by],
                changed=changed or r.status is not SessionStatus.RUNNING,
            )
        )
    return out


def session_authors(db: Database, patient_id: int) -> dict[int, SessionAuthors]:
    """Every session of one patient, by id: who started it and who changed it last.

    Two queries whatever the number of sessions: their author columns, then the names.
    """
    with db.reading() as sdb:
        rows = sdb.execute(_STAMPS_SQL, [patient_id]).fetchall()
    stamp = datetime.fromisoformat
    records = [
        _Stamps(i, SessionStatus(s), stamp(started), by, stamp(upd) if upd else None, upd_by)
        for i, s, started, by, upd, upd_by in rows
    ]
    ids = {r.created_by for r in records} | {r.updated_by for r in records}
    names = resolve_names(db, ids)
    return {a.session_id: a for a in authors_of(records, names)}
