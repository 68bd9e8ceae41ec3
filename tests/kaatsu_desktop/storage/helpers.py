"""Helpers shared by the storage tests."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from kaatsu_desktop.storage import Database, PatientFields, create_patients, open_database


class FakeClock:
    """An injectable clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def fields(**overrides: object) -> PatientFields:
    """Valid patient fields, with some replaced."""
    values: dict[str, object] = {
        "clinic_id": "KC-00001",
        "given_name": "Anna",
        "family_name": "Smith",
        "date_of_birth": "1960-04-12",
        "sex": "female",
        "contact": "",
        "notes": "",
    }
    values.update(overrides)
    return PatientFields(**values)  # type: ignore[arg-type]


def count(db: Database, table: str) -> int:
    """Rows in a table, read through the database's own connection."""
    with db.reading() as sdb:
        return sdb[table].count


def table_counts(path: Path) -> dict[str, int]:
    """Row counts of every ordinary table of a closed database file."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def fill_patients(path: Path, clock: FakeClock, n: int = 300) -> None:
    """A closed database file of ``n`` patients with long notes (a few hundred pages)."""
    with open_database(path, clock=clock, auto_backup=False) as db:
        many = [fields(clinic_id=f"KC-{i:05d}", notes="n" * 300) for i in range(n)]
        create_patients(db, many, by=None)


def damage_table(path: Path, table: str) -> None:
    """Overwrite the page header of one leaf page of ``table`` (the file must be closed)."""
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        query = "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
        pages = [r[0] for r in conn.execute(query, (table,))]
    finally:
        conn.close()
    assert pages, f"{table} has no leaf page"
    data = bytearray(path.read_bytes())
    start = (pages[len(pages) // 2] - 1) * page_size
    data[start : start + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
