"""`kaatsu-desktop audit verify|export`: exit codes, the broken row named, CSV written."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from kaatsu_desktop.accounts import ClinicSecret, KeyringStore, key_for
from kaatsu_desktop.accounts.cli import run_audit
from kaatsu_desktop.accounts.keysource import KeySource
from kaatsu_desktop.cli import main
from kaatsu_desktop.storage import create_patient, open_database
from kaatsu_desktop.storage.db import Database
from kaatsu_desktop.storage.schema import MIGRATIONS
from tests.kaatsu_desktop.storage.helpers import FakeClock, fields

from .conftest import CHEAP_KDF
from .test_encryption import MemoryKeyring


def _make(path: Path, clock: FakeClock, n: int = 3) -> None:
    with open_database(path, clock=clock, auto_backup=False) as db:
        for i in range(n):
            create_patient(db, fields(clinic_id=f"KC-{i}", family_name=f"-Name{i}"), by=None)


def test_verify_ok_then_broken(db_path: Path, clock: FakeClock, capsys) -> None:
    _make(db_path, clock)
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "3 rows checked, the hash chain is whole" in out and "Last row 3, hash " in out
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_append_only_update")
    conn.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00.000+00:00' WHERE id = 2")
    conn.close()
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at row 2" in out and "row 2 does not match its hash" in out


def test_export_writes_csv_and_refuses_to_overwrite(
    db_path: Path, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    _make(db_path, clock)
    dest = tmp_path / "out" / "audit.csv"
    assert main(["--db", str(db_path), "audit", "export", "-o", str(dest)]) == 0
    assert "3 audit rows written" in capsys.readouterr().out
    text = dest.read_text(encoding="utf-8-sig")
    assert text.startswith("id,at,user_id,user_name,action")
    assert len(text.strip().splitlines()) == 4
    before = dest.read_bytes()
    assert main(["--db", str(db_path), "audit", "export", "-o", str(dest)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert dest.read_bytes() == before
    assert main(["--db", str(db_path), "audit", "export"]) == 0  # to stdout
    assert capsys.readouterr().out.count("\n") == 4


def test_missing_damaged_and_old_databases_exit_2(tmp_path: Path, clock: FakeClock, capsys) -> None:
    assert main(["--db", str(tmp_path / "none.sqlite3"), "audit", "verify"]) == 2
    assert "No database" in capsys.readouterr().err
    old = tmp_path / "old.sqlite3"
    Database.open(old, clock=clock, auto_backup=False, migrations=MIGRATIONS[:1]).close()
    assert main(["--db", str(old), "audit", "verify"]) == 2
    assert "schema version 1" in capsys.readouterr().err
    damaged = tmp_path / "damaged.sqlite3"
    _make(damaged, clock)
    data = bytearray(damaged.read_bytes())
    data[4096 : 4096 * 2] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    assert main(["--db", str(damaged), "audit", "verify"]) == 2
    assert "damaged" in capsys.readouterr().err


def test_encrypted_database_needs_its_secret(db_path: Path, clock: FakeClock, capsys) -> None:
    secret = ClinicSecret("the clinic's long secret")
    key = key_for(db_path, secret, kdf=CHEAP_KDF)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open_database(db_path, clock=clock, auto_backup=False, key=key) as db:
        create_patient(db, fields(), by=None)

    def args(action: str = "verify") -> argparse.Namespace:
        return argparse.Namespace(db=db_path, action=action, output=None)

    def keys(secret: ClinicSecret | None, kdf=CHEAP_KDF) -> KeySource:
        return KeySource(lambda p: secret, KeyringStore(MemoryKeyring()), kdf)

    # Secrets are asked only on a terminal; the test's stdin is not one.
    assert run_audit(args(), keys=KeySource(key_store=KeyringStore(MemoryKeyring()))) == 2
    assert "encrypted" in capsys.readouterr().err
    wrong = ClinicSecret("not the clinic's secret")
    assert run_audit(args(), keys=keys(wrong, kdf=KeySource().kdf)) == 2
    err = capsys.readouterr().err
    assert "does not open" in err and "not the clinic" not in err
    assert run_audit(args(), keys=keys(wrong)) == 2
    assert "does not open" in capsys.readouterr().err
    # The right secret, with the KDF parameters the file was made with (cheap in tests).
    assert run_audit(args(), keys=keys(secret)) == 0
    assert "1 rows checked" in capsys.readouterr().out
