"""Every command on an encrypted database takes the key as `audit` does: keyring, then secret.

backup, report, export and import: the key kept in the keyring, else the secret typed on the
terminal; without either, or with a wrong one, a clear message and nothing written. A backup of
an encrypted database is encrypted, opens with the key only and holds no plain patient data.
Neither the secret nor the key appears in any output or log line.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest

from kaatsu_desktop.accounts import ClinicSecret, DatabaseState, KeyringStore, database_state
from kaatsu_desktop.accounts.encryption import key_for
from kaatsu_desktop.accounts.keysource import KeySource
from kaatsu_desktop.cli import main
from kaatsu_desktop.exchange.cli import run_export, run_import
from kaatsu_desktop.reports.cli import run_report
from kaatsu_desktop.storage import (
    SCHEMA_VERSION,
    BackupFailed,
    list_patients,
    open_database,
    verify_backup,
)
from kaatsu_desktop.storage.cipher import DatabaseKey, WrongKey
from kaatsu_desktop.storage.cli import run_backup
from tests.kaatsu_desktop.reports.stored import StoredSession, clinic_clock, store_session

from .conftest import CHEAP_KDF
from .test_encryption import MemoryKeyring

SECRET = ClinicSecret("the clinic's long secret 2026")
WRONG = ClinicSecret("somebody else's long secret")


@pytest.fixture
def encrypted(tmp_path: Path) -> tuple[Path, DatabaseKey, StoredSession]:
    """A clinic database encrypted with SECRET, holding patient Hanna Berg and her session."""
    path = tmp_path / "clinic" / "kaatsu.sqlite3"
    path.parent.mkdir()
    key = key_for(path, SECRET, kdf=CHEAP_KDF)
    clock = clinic_clock()
    with open_database(path, clock=clock, auto_backup=False, key=key) as db:
        stored = store_session(db, clock)
    return path, key, stored


def keys(secret: ClinicSecret | None, kept: DatabaseKey | None = None) -> KeySource:
    """A keyring holding `kept` (if any) and a terminal that answers `secret` (None: none)."""
    store = KeyringStore(MemoryKeyring())
    if kept is not None:
        assert store.save(kept)
    return KeySource(lambda _path: secret, store, CHEAP_KDF)


def assert_nothing_secret(text: str, key: DatabaseKey) -> None:
    for secret in (SECRET, WRONG):
        assert secret.encoded().decode() not in text
    assert key.raw().hex() not in text.lower()


def test_the_backup_of_an_encrypted_database_is_encrypted_and_opens_with_its_key_only(
    encrypted, tmp_path: Path, capsys, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    path, key, _ = encrypted

    def backup(dest: str, source: KeySource) -> int:
        return run_backup(argparse.Namespace(db=path, dest=tmp_path / dest), keys=source)

    assert backup("kept.sqlite3", keys(None, kept=key)) == 0  # from the keyring, nothing asked
    assert backup("typed.sqlite3", keys(SECRET)) == 0  # the secret typed on the terminal
    out = capsys.readouterr().out
    for name in ("kept.sqlite3", "typed.sqlite3"):
        copy = tmp_path / name
        assert str(copy) in out
        assert database_state(copy) is DatabaseState.ENCRYPTED
        data = copy.read_bytes()
        assert b"Berg" not in data and b"Hanna" not in data and b"KC-0042" not in data
        assert verify_backup(copy, key=key) == SCHEMA_VERSION
        with pytest.raises(BackupFailed):
            verify_backup(copy)  # without the key: not a database at all
        with pytest.raises(WrongKey):
            verify_backup(copy, key=key_for(copy, WRONG, kdf=CHEAP_KDF))

    # No key kept and no terminal: a clear message, exit 1, no file.
    assert backup("none.sqlite3", keys(None)) == 1
    err = capsys.readouterr().err
    assert "encrypted" in err and "terminal" in err and "secret" in err
    # A wrong secret: said so, nothing written, neither secret nor key named.
    assert backup("wrong.sqlite3", keys(WRONG)) == 1
    err = capsys.readouterr().err
    assert "does not open" in err
    assert not (tmp_path / "none.sqlite3").exists() and not (tmp_path / "wrong.sqlite3").exists()
    assert not list(tmp_path.glob("*.partial"))
    assert_nothing_secret(out + err + caplog.text, key)


def test_backup_through_the_command_line_says_the_database_is_encrypted(
    encrypted, tmp_path: Path, capsys
) -> None:
    path, _, _ = encrypted
    # Tests have no terminal, and the system keyring keeps nothing under this file's salt.
    assert main(["--db", str(path), "backup", str(tmp_path / "b.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert "is not a plain SQLite file: it is encrypted" in err
    assert not (tmp_path / "b.sqlite3").exists()


@pytest.mark.usefixtures("qapp")  # the report draws with QtGui: the tests' QApplication
def test_report_export_and_import_open_an_encrypted_database_with_its_key(
    encrypted, tmp_path: Path, capsys, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    path, key, stored = encrypted
    pdf = tmp_path / "report.pdf"
    report = argparse.Namespace(db=path, session_id=stored.session_id, output=pdf)
    assert run_report(report, keys=keys(None)) == 1
    assert "encrypted" in capsys.readouterr().err and not pdf.exists()
    assert run_report(report, keys=keys(WRONG)) == 1
    assert "does not open" in capsys.readouterr().err and not pdf.exists()
    assert run_report(report, keys=keys(None, kept=key)) == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    csv_out = tmp_path / "session.csv"
    export = argparse.Namespace(db=path, what="session-csv", id=stored.session_id, output=csv_out)
    assert run_export(export, keys=keys(WRONG)) == 1 and not csv_out.exists()
    assert run_export(export, keys=keys(SECRET)) == 0
    assert csv_out.stat().st_size > 1000

    patients_csv = tmp_path / "patients.csv"
    patients_csv.write_text(
        "clinic_id,family_name,given_name,date_of_birth,sex,contact,notes\r\n"
        "KC-7001,Lindqvist,Maja,1971-09-30,female,,\r\n",
        encoding="utf-8",
    )
    imp = argparse.Namespace(db=path, file=patients_csv, dry_run=False)
    assert run_import(imp, keys=keys(None)) == 1
    assert run_import(imp, keys=keys(SECRET)) == 0
    out, err = capsys.readouterr()
    assert "Imported 1 patients." in out
    with open_database(path, auto_backup=False, key=key) as db:
        names = {p.family_name for p in list_patients(db)}
    assert names == {"Berg", "Lindqvist"}
    assert b"Lindqvist" not in path.read_bytes()  # imported into the encrypted file
    assert_nothing_secret(out + err + caplog.text, key)
