"""Encryption at rest: no plain bytes in the file or its backups, typed errors, secret kept out."""

from __future__ import annotations

import logging
import sqlite3
import sys
import traceback
from pathlib import Path

import pytest

from kaatsu_desktop.accounts import (
    ClinicSecret,
    DatabaseState,
    KeyringStore,
    SecretRequired,
    database_state,
    derive_key,
    key_for,
    open_protected,
    verify_audit_chain,
)
from kaatsu_desktop.storage import (
    DatabaseCorrupt,
    ValidationError,
    create_patient,
    list_patients,
    open_database,
    restore_from,
    verify_backup,
)
from kaatsu_desktop.storage.cipher import (
    DatabaseKey,
    DatabaseNotEncrypted,
    EncryptionUnavailable,
    WrongKey,
    cipher_available,
    new_salt,
)
from tests.kaatsu_desktop.storage.helpers import FakeClock, fields

from .conftest import CHEAP_KDF

pytestmark = pytest.mark.skipif(not cipher_available(), reason="SQLCipher is not installed")

SECRET = "morning-cuffs-at-the-clinic"
NAME = b"Zyxwvutsrq"  # a family name that occurs nowhere else in any file


def _secret() -> ClinicSecret:
    return ClinicSecret(SECRET)


def _key(path: Path) -> DatabaseKey:
    return key_for(path, _secret(), kdf=CHEAP_KDF)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _make(db_path: Path, clock: FakeClock, key: DatabaseKey) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open_database(db_path, clock=clock, key=key) as db:  # daily backup on: encrypted too
        create_patient(db, fields(family_name=NAME.decode(), notes="private notes"), by=None)
        # While open, the -wal file holds the newest pages: encrypted as well.
        assert all(NAME not in p.read_bytes() for p in _files(db_path.parent))
        db.backup_to(db_path.parent / "manual-backup.sqlite3")


class MemoryKeyring:
    """An in-memory keyring backend (this machine has no keyring service)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.entries.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.entries[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        del self.entries[(service, user)]


def test_encrypted_database_and_backups_hold_no_plain_patient_data(
    db_path: Path, clock: FakeClock
) -> None:
    key = _key(db_path)
    _make(db_path, clock, key)
    files = _files(db_path.parent)
    names = sorted(p.name for p in files)
    assert "manual-backup.sqlite3" in names
    assert any(n.startswith("kaatsu-daily-") for n in names)
    for path in files:
        data = path.read_bytes()
        assert NAME not in data and b"private notes" not in data and b"SQLite format 3" not in data
    for backup in (db_path.parent / "manual-backup.sqlite3", *db_path.parent.glob("backups/*")):
        assert verify_backup(backup, key=key) >= 3
        assert backup.read_bytes()[:16] == key.salt  # same salt: the same secret opens it
    with open_database(db_path, clock=clock, key=_key(db_path), auto_backup=False) as db:
        assert [p.family_name for p in list_patients(db)] == [NAME.decode()]
        assert db.encrypted and verify_audit_chain(db).ok


def test_no_key_and_wrong_key_do_not_open_and_change_nothing(
    db_path: Path, clock: FakeClock
) -> None:
    _make(db_path, clock, _key(db_path))
    backup = db_path.parent / "manual-backup.sqlite3"
    before = {p: p.read_bytes() for p in _files(db_path.parent)}
    with pytest.raises(DatabaseCorrupt):
        open_database(db_path, clock=clock, auto_backup=False)
    wrong = key_for(db_path, ClinicSecret("another secret entirely"), kdf=CHEAP_KDF)
    for target in (db_path, backup):
        with pytest.raises(WrongKey) as info:
            open_database(target, clock=clock, key=wrong, auto_backup=False)
        assert str(target) in str(info.value) and "not been changed" in str(info.value)
    with pytest.raises(WrongKey):
        verify_backup(backup, key=wrong)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(backup).execute("SELECT * FROM patients").fetchall()
    assert {p: p.read_bytes() for p in _files(db_path.parent)} == before


def test_a_damaged_encrypted_file_is_not_reported_as_a_wrong_key(
    db_path: Path, clock: FakeClock
) -> None:
    key = _key(db_path)
    db_path.parent.mkdir(parents=True)
    with open_database(db_path, clock=clock, key=key, auto_backup=False) as db:
        for i in range(200):
            create_patient(db, fields(clinic_id=f"KC-{i}", notes="n" * 300), by=None)
    data = bytearray(db_path.read_bytes())
    for page in (0, 6):  # the first page, then one in the middle
        damaged = bytearray(data)
        damaged[page * 4096 + 100 : page * 4096 + 200] = b"\x00" * 100
        db_path.write_bytes(bytes(damaged))
        with pytest.raises(DatabaseCorrupt) as info:
            open_database(db_path, clock=clock, key=key, auto_backup=False)
        assert not isinstance(info.value, WrongKey)
        assert db_path.read_bytes() == bytes(damaged)


def test_a_key_for_a_plain_file_is_refused(db_path: Path, clock: FakeClock) -> None:
    open_database(db_path, clock=clock, auto_backup=False).close()
    before = db_path.read_bytes()
    key = DatabaseKey(b"k" * 32, new_salt())
    with pytest.raises(DatabaseNotEncrypted):
        open_database(db_path, clock=clock, key=key, auto_backup=False)
    assert db_path.read_bytes() == before
    assert database_state(db_path) is DatabaseState.PLAIN


def test_restore_of_an_encrypted_backup_stays_encrypted(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    key = _key(db_path)
    _make(db_path, clock, key)
    restored = tmp_path / "restored" / "kaatsu.sqlite3"
    restore_from(db_path.parent / "manual-backup.sqlite3", restored, key=key)
    assert NAME not in restored.read_bytes()
    with open_database(restored, clock=clock, key=key, auto_backup=False) as db:
        assert [p.family_name for p in list_patients(db)] == [NAME.decode()]


def test_errors_of_the_encrypted_connection_are_sqlite3_errors(
    db_path: Path, clock: FakeClock
) -> None:
    key = _key(db_path)
    db_path.parent.mkdir(parents=True)
    with open_database(db_path, clock=clock, key=key, auto_backup=False) as db:
        create_patient(db, fields(), by=None)
        with db.reading() as sdb:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                sdb.conn.execute("DELETE FROM audit_log")
            with pytest.raises(sqlite3.OperationalError) as info:
                sdb.conn.execute("SELECT * FROM no_such_table")
        assert info.value.sqlite_errorname == "SQLITE_ERROR"
        other = db.connect_again()  # the session recorder's writer connection
        try:
            assert other.execute("SELECT count(*) FROM patients").fetchone() == (1,)
        finally:
            other.close()


def test_secret_and_key_never_appear_in_logs_errors_or_reprs(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = _secret()
    key = _key(db_path)
    _make(db_path, clock, key)
    wrong_secret = ClinicSecret("the wrong secret, typed")
    wrong = key_for(db_path, wrong_secret, kdf=CHEAP_KDF)
    texts = [caplog.text, repr(secret), str(secret), repr(key), str(key), repr(wrong)]
    for attempt in (
        lambda: open_database(db_path, clock=clock, key=wrong, auto_backup=False),
        lambda: verify_backup(db_path.parent / "manual-backup.sqlite3", key=wrong),
        lambda: open_protected(db_path, secret=wrong_secret, kdf=CHEAP_KDF, auto_backup=False),
    ):
        with pytest.raises(WrongKey) as info:
            attempt()
        texts += [
            str(info.value),
            repr(info.value),
            "".join(traceback.format_exception(info.value)),
        ]
    texts.append(caplog.text)
    everything = "\n".join(texts)
    for hidden in (
        SECRET,
        "the wrong secret, typed",
        key.raw().hex(),
        wrong.raw().hex(),
        key.raw().hex().upper(),
    ):
        assert hidden not in everything
    assert "<hidden>" in repr(key) and "<hidden>" in repr(secret)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)


def test_keyring_keeps_the_key_under_the_files_salt(db_path: Path, clock: FakeClock) -> None:
    store = KeyringStore(MemoryKeyring())
    assert store.available
    db_path.parent.mkdir(parents=True)
    db = open_protected(
        db_path,
        secret=_secret(),
        key_store=store,
        remember=True,
        kdf=CHEAP_KDF,
        clock=clock,
        auto_backup=False,
    )
    db.close()
    assert database_state(db_path) is DatabaseState.ENCRYPTED
    kept = store.load(db_path)
    assert kept == _key(db_path)
    # Next start: the keyring opens it without asking for the secret.
    with open_protected(db_path, key_store=store, clock=clock, auto_backup=False) as again:
        assert again.encrypted
    moved = db_path.with_name("moved.sqlite3")
    db_path.rename(moved)
    assert store.load(moved) == kept  # the salt travels with the file
    store.forget(kept.salt)
    with pytest.raises(SecretRequired, match="encrypted"):
        open_protected(moved, key_store=store, clock=clock, auto_backup=False)


def test_without_a_keyring_service_the_secret_is_asked(db_path: Path, clock: FakeClock) -> None:
    store = KeyringStore()  # this machine: keyring installed, no backend service
    if store.available:
        pytest.skip("a keyring service runs here")
    assert "no keyring service" in (store.unavailable_reason or "")
    assert store.save(DatabaseKey(b"k" * 32, new_salt())) is False
    db_path.parent.mkdir(parents=True)
    open_protected(
        db_path,
        secret=_secret(),
        key_store=store,
        remember=True,
        kdf=CHEAP_KDF,
        clock=clock,
        auto_backup=False,
    ).close()
    with pytest.raises(SecretRequired):
        open_protected(db_path, key_store=store, clock=clock, auto_backup=False)


def test_first_run_choice_plain_or_encrypted(tmp_path: Path, clock: FakeClock) -> None:
    plain = tmp_path / "plain.sqlite3"
    assert database_state(plain) is DatabaseState.MISSING
    open_protected(plain, clock=clock, auto_backup=False).close()
    assert database_state(plain) is DatabaseState.PLAIN
    with pytest.raises(DatabaseNotEncrypted):
        open_protected(plain, secret=_secret(), clock=clock, auto_backup=False)
    with pytest.raises(ValidationError) as info:
        open_protected(tmp_path / "new.sqlite3", secret=ClinicSecret("short"), kdf=CHEAP_KDF)
    assert info.value.field == "secret" and "short" not in str(info.value)
    assert not (tmp_path / "new.sqlite3").exists()


def test_key_derivation_depends_on_secret_and_salt() -> None:
    salt = b"s" * 16
    a = derive_key(ClinicSecret(SECRET), salt, kdf=CHEAP_KDF)
    assert a == derive_key(ClinicSecret(SECRET), salt, kdf=CHEAP_KDF)
    assert a != derive_key(ClinicSecret(SECRET + "!"), salt, kdf=CHEAP_KDF)
    assert a != derive_key(ClinicSecret(SECRET), b"t" * 16, kdf=CHEAP_KDF)
    assert len(a.raw()) == 32 and a.salt == salt


def test_without_sqlcipher_encryption_is_refused_clearly(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # import fails as if not installed
    assert not cipher_available()
    db_path.parent.mkdir(parents=True)
    with pytest.raises(EncryptionUnavailable, match="SQLCipher"):
        open_database(db_path, clock=clock, key=DatabaseKey(b"k" * 32, new_salt()))
    assert not db_path.exists() or db_path.stat().st_size == 0
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()


def test_a_writer_connection_on_an_encrypted_database_writes_encrypted_samples(
    db_path: Path, clock: FakeClock
) -> None:
    from kaatsu_desktop.storage import NewSession, add_samples, count_samples, create_session

    key = _key(db_path)
    _make(db_path, clock, key)
    with open_database(db_path, clock=clock, key=key, auto_backup=False) as db:
        session = create_session(db, NewSession(None, {"id": "cycle"}, demo=True), by=None)
        writer = db.open_writer()
        try:
            assert add_samples(writer, session.id, [(0, 0, 1000, 1000, 2), (10, 0, 1010, 1000, 2)])
        finally:
            writer.close()
        assert count_samples(db, session.id) == 2
        assert db_path.with_name(db_path.name + ".lock").exists()  # the writer left the lock alone
    assert all(NAME not in p.read_bytes() for p in _files(db_path.parent))
