"""The registry search the benchmark measures: the index stops at the limit (schema v4).

With more matches than the limit the newest ones are returned, shown by name; archived patients
are skipped before the limit, not after it. The storage search tests cover which rows match.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kaatsu_desktop.storage import (
    PatientFields,
    archive_patient,
    create_patients,
    open_database,
    search_patients,
)


def fields(i: int, family: str) -> PatientFields:
    return PatientFields(
        f"KC-{i:04d}", f"Given{i:02d}", family, date(1970, 1, 1 + i % 28), "female"
    )


def test_more_matches_than_the_limit_give_the_newest_by_name(tmp_path: Path) -> None:
    clock = lambda: datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # noqa: E731
    db = open_database(tmp_path / "k.sqlite3", clock=clock, auto_backup=False)
    try:
        families = ["Berg", "Bauer", "Brandt", "Becker", "Zimmer"]
        made = create_patients(db, [fields(i, families[i % 5]) for i in range(40)], by=None)
        b_names = [p for p in made if p.family_name.startswith("B")]  # 32 of them
        archive_patient(db, b_names[-1].id, by=None)  # the newest B is archived
        found = search_patients(db, "b", limit=10)
        newest = [p.id for p in b_names[:-1]][-10:]
        assert sorted(p.id for p in found) == sorted(newest)
        assert [(p.family_name, p.given_name) for p in found] == sorted(
            (p.family_name, p.given_name) for p in found
        )
        everyone = search_patients(db, "b", limit=100, include_archived=True)
        assert len(everyone) == 32
        assert len(search_patients(db, "b", limit=100)) == 31
        sql = db.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'patients_fts'")
        assert "prefix = '1 2 3'" in sql.fetchone()[0]
    finally:
        db.close()
