"""Helpers shared by the storage tests."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from kaatsu_desktop.storage import Database, PatientFields


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
