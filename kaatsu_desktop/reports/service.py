"""Writing a session report to a file, and recording every report in the audit log."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kaatsu_desktop.storage import Database, write_audit

if TYPE_CHECKING:
    from kaatsu_desktop.reports.model import ReportData

log = logging.getLogger(__name__)

AUDIT_ACTION = "report"


@dataclass(frozen=True, slots=True)
class ReportWritten:
    """A report on disk: where, how many pages, and its SHA-256 (also in the audit row)."""

    path: Path
    pages: int
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_report(
    db: Database,
    data: ReportData,
    *,
    by: int | None,
    destination: str,
    pages: int,
    **details: object,
) -> None:
    """Audit row for a report written or printed (the UI calls this after printing on paper)."""
    with db.transaction() as sdb:
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action=AUDIT_ACTION,
            entity="session",
            entity_id=data.session_id,
            after={"destination": destination, "pages": pages, "demo": data.demo, **details},
        )


def write_session_report(
    db: Database, session_id: int, path: Path, *, by: int | None = None, clinic: str | None = None
) -> ReportWritten:
    """Build, render and write a session's PDF report, with its audit row; storage.NotFound if none.

    The PDF is written beside the target first; it replaces the target inside the transaction
    that writes the audit row, so there is no report on disk without its audit row.
    """
    # Building pulls in the session model and drawing QtGui's PDF writer: only when asked for.
    from kaatsu_desktop.reports.build import build_report_data
    from kaatsu_desktop.reports.render import write_report_pdf

    path = Path(path).expanduser().absolute()
    data = build_report_data(db, session_id, clinic=clinic)
    fd, tmp_name = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        pages = write_report_pdf(data, tmp)
        size = tmp.stat().st_size
        if size == 0:
            raise OSError(f"the PDF writer produced an empty file for {path}")
        digest = sha256_of(tmp)
        with db.transaction():
            record_report(
                db, data, by=by, destination=str(path), pages=pages, sha256=digest, bytes=size
            )
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    log.info("session %d report written to %s (%d pages)", session_id, path, pages)
    return ReportWritten(path, pages, digest, size)
