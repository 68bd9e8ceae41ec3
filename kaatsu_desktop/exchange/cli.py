"""`kaatsu-desktop export ...` and `kaatsu-desktop import FILE [--dry-run]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from kaatsu_desktop.accounts.keysource import KeySource, open_cli_database
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import Database, NotFound, StorageError

_CTX = "Exchange"


def _tr(text: str) -> str:
    return translate(_CTX, text)


def _open(args: argparse.Namespace, keys: KeySource | None) -> Database | None:
    # An encrypted database's key: the keyring, else the secret asked on the terminal.
    try:
        return open_cli_database(args, keys)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return None


def run_export(args: argparse.Namespace, *, keys: KeySource | None = None) -> int:
    """Export a session as CSV, or a patient as JSON or a FHIR R4 Bundle, to `args.output`.

    Exit codes: 0 written (its path is printed), 1 the database (a missing or wrong key of an
    encrypted one too) or the file failed, 2 no such session or patient.
    """
    from kaatsu_desktop.exchange import service

    exports: dict[str, Callable[..., service.ExportWritten]] = {
        "session-csv": service.export_session_csv,
        "patient-json": service.export_patient_json,
        "patient-fhir": service.export_patient_fhir,
    }
    db = _open(args, keys)
    if db is None:
        return 1
    try:
        written = exports[args.what](db, args.id, args.output)
    except NotFound as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (StorageError, OSError) as exc:
        print(_tr("The export was not written: {e}").format(e=exc), file=sys.stderr)
        return 1
    finally:
        db.close()
    print(written.path)
    return 0


def run_import(args: argparse.Namespace, *, keys: KeySource | None = None) -> int:
    """Import patients from a CSV file, or with --dry-run only check it.

    Every error is printed as "line N, field: reason" on standard error. Exit codes: 0 all lines
    valid (and imported, unless a dry run), 1 the file or the database (a missing or wrong key of
    an encrypted one too) could not be used, 2 some line is wrong: nothing was imported.
    """
    from kaatsu_desktop.exchange.service import import_patients_csv

    db = _open(args, keys)
    if db is None:
        return 1
    try:
        result = import_patients_csv(db, args.file, dry_run=args.dry_run)
    except (StorageError, OSError) as exc:
        print(_tr("The import failed: {e}").format(e=exc), file=sys.stderr)
        return 1
    finally:
        db.close()
    for error in result.errors:
        print(str(error), file=sys.stderr)
    if result.errors:
        print(
            _tr("{n} errors; nothing was imported.").format(n=len(result.errors)), file=sys.stderr
        )
        return 2
    if result.dry_run:
        print(
            _tr("{n} patients would be imported; nothing was written.").format(n=result.valid_rows)
        )
    else:
        print(_tr("Imported {n} patients.").format(n=len(result.created)))
    return 0
