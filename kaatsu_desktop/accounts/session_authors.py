"""Who started each session and who changed it last (finished, aborted, interrupted), by name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kaatsu_desktop.storage import SessionRecord, SessionStatus, list_sessions

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


def authors_of(
    records: Iterable[SessionRecord], names: dict[int | None, str]
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
    """Every session of one patient, by id: who started it and who changed it last."""
    records = list_sessions(db, patient_id)
    ids = {r.created_by for r in records} | {r.updated_by for r in records}
    names = resolve_names(db, ids)
    return {a.session_id: a for a in authors_of(records, names)}
