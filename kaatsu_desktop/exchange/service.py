"""Exports to files and the patients import, each with its audit row.

An export is written to a temporary file beside its target, hashed, and moved into place inside
the transaction that writes its audit row ("export" on the session or patient: format,
destination, SHA-256, size), so no export reaches the disk without its audit row. The import
writes its patients and one "import" audit row (source, SHA-256, count) in one transaction, after
every line has passed; a dry run writes nothing at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kaatsu_desktop.exchange.patient_json import load_patient_record, write_patient_json
from kaatsu_desktop.exchange.patients_csv import (
    CsvPatients,
    LineError,
    decode,
    fold_clinic_id,
    parse_patients_csv,
)
from kaatsu_desktop.exchange.session_csv import write_session_csv
from kaatsu_desktop.storage import (
    Database,
    Patient,
    ValidationError,
    create_patients,
    get_patient,
    get_session,
    list_patients,
    write_audit,
)

log = logging.getLogger(__name__)

SESSION_CSV = "kaatsu-session-csv/1"
PATIENT_JSON = "kaatsu-patient/1"
PATIENT_FHIR = "fhir-r4-bundle"


@dataclass(frozen=True, slots=True)
class ExportWritten:
    """An export on disk: where, its SHA-256 and size, and how many items it holds."""

    path: Path
    format: str
    sha256: str
    size: int
    items: int  # CSV body rows, sessions of a patient, or Bundle entries


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of a patients import: every error, or the patients it created."""

    source: Path
    dry_run: bool
    valid_rows: int
    errors: tuple[LineError, ...]
    created: tuple[Patient, ...]

    @property
    def ok(self) -> bool:
        """True when every line passed (and, unless a dry run, was imported)."""
        return not self.errors


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def _export(
    db: Database,
    path: Path,
    write: Callable[[TextIO], int],
    *,
    fmt: str,
    entity: str,
    entity_id: int,
    by: int | None,
    encoding: str = "utf-8",
) -> ExportWritten:
    path = Path(path).expanduser().absolute()
    fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=path.suffix, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            items = write(fh)
        digest, size = _sha256(tmp)
        with db.transaction() as sdb:
            write_audit(
                sdb,
                at=db.now(),
                user_id=by,
                action="export",
                entity=entity,
                entity_id=entity_id,
                after={
                    "format": fmt,
                    "destination": str(path),
                    "sha256": digest,
                    "bytes": size,
                    "items": items,
                },
            )
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    log.info("%s %s %d exported to %s", fmt, entity, entity_id, path)
    return ExportWritten(path, fmt, digest, size, items)


def export_session_csv(
    db: Database, session_id: int, path: Path, *, by: int | None = None
) -> ExportWritten:
    """A session's samples and events as CSV (see session_csv); storage.NotFound if none.

    Written with a UTF-8 byte-order mark so that spreadsheets read names and units correctly.
    """
    get_session(db, session_id)  # NotFound before any file is made
    return _export(
        db,
        path,
        lambda fh: write_session_csv(db, session_id, fh),
        fmt=SESSION_CSV,
        entity="session",
        entity_id=session_id,
        by=by,
        encoding="utf-8-sig",
    )


def export_patient_json(
    db: Database, patient_id: int, path: Path, *, by: int | None = None
) -> ExportWritten:
    """A whole patient record as kaatsu-patient/1 JSON (see patient_json)."""
    get_patient(db, patient_id)
    return _export(
        db,
        path,
        lambda fh: write_patient_json(db, patient_id, fh, exported_at=db.now()),
        fmt=PATIENT_JSON,
        entity="patient",
        entity_id=patient_id,
        by=by,
    )


def export_patient_fhir(
    db: Database, patient_id: int, path: Path, *, by: int | None = None
) -> ExportWritten:
    """A patient as a FHIR R4 Bundle (see fhir); samples are not part of it."""
    # fhir.resources and pydantic take half a second to import: only when a bundle is asked for.
    from kaatsu_desktop.exchange.fhir import bundle_json, patient_bundle

    record = load_patient_record(db, patient_id, samples=False)
    bundle = patient_bundle(record, timestamp=db.now())

    def write(fh: TextIO) -> int:
        fh.write(bundle_json(bundle))
        return len(bundle.entry or [])

    return _export(db, path, write, fmt=PATIENT_FHIR, entity="patient", entity_id=patient_id, by=by)


def check_patients_csv(db: Database, data: bytes) -> CsvPatients:
    """Check a patients CSV against the rules and the database's clinic ids; writes nothing."""
    text, error = decode(data)
    if text is None:
        assert error is not None
        return CsvPatients((), (error,))
    existing = {fold_clinic_id(p.clinic_id): p.id for p in list_patients(db, include_archived=True)}
    return parse_patients_csv(text, today=db.today(), existing=existing)


def _line_of(exc: ValidationError, parsed: CsvPatients) -> LineError:
    # create_patients names fields patients[i].name; point back at the file's line.
    field = exc.field
    if field.startswith("patients[") and "]." in field:
        index = int(field[len("patients[") : field.index("]")])
        return LineError(parsed.rows[index][0], field[field.index("].") + 2 :], exc.reason)
    return LineError(0, field, exc.reason)


def import_patients_csv(
    db: Database, path: Path, *, by: int | None = None, dry_run: bool = False
) -> ImportResult:
    """Import every patient of a CSV file in one transaction, or none when any line is wrong."""
    source = Path(path).expanduser().absolute()
    data = source.read_bytes()
    parsed = check_patients_csv(db, data)
    if parsed.errors or dry_run:
        return ImportResult(source, dry_run, len(parsed.rows), parsed.errors, ())
    try:
        with db.transaction() as sdb:
            created = create_patients(db, [fields for _, fields in parsed.rows], by=by)
            write_audit(
                sdb,
                at=db.now(),
                user_id=by,
                action="import",
                entity="patient",
                entity_id=None,
                after={
                    "format": "patients-csv",
                    "source": str(source),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "count": len(created),
                    "first_id": created[0].id if created else None,
                    "last_id": created[-1].id if created else None,
                },
            )
    except ValidationError as exc:  # the database changed between the check and the write
        return ImportResult(source, False, len(parsed.rows), (_line_of(exc, parsed),), ())
    log.info("imported %d patients from %s", len(created), source)
    return ImportResult(source, False, len(parsed.rows), (), tuple(created))
