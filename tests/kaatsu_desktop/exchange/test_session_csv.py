"""Session CSV: one table of samples and events in time order; no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kaatsu_desktop.exchange import export_session_csv, number_cell, text_cell
from kaatsu_desktop.exchange.csvsafe import DANGEROUS_FIRST
from kaatsu_desktop.storage import (
    Database,
    NewSession,
    NotFound,
    SessionEvent,
    add_samples,
    add_session_events,
    create_session,
    list_audit,
    list_session_events,
    make_samples,
)
from tests.kaatsu_desktop.reports.stored import StoredSession

NUMERIC = ("t_ms", "pressure_mmHg", "target_mmHg")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+41 22 123", "'+41 22 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Skin under the left arm band: pink.", "Skin under the left arm band: pink."),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (None, ""),
    ],
)
def test_text_cells_that_begin_like_a_formula_are_neutralised(
    cell: str | None, expected: str
) -> None:
    assert text_cell(cell) == expected


def test_numeric_cells_are_the_programs_own_numbers_negative_ones_too() -> None:
    assert number_cell(-0.2, 1) == "-0.2"
    assert number_cell(-5) == "-5"
    assert number_cell(123.456, 1) == "123.5"
    for bad in ("-1", True, None):
        with pytest.raises(TypeError):
            number_cell(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        number_cell(float("nan"), 1)


def test_the_stored_session_as_one_table_in_time_order(
    stored: StoredSession, tmp_path: Path
) -> None:
    out = tmp_path / "session.csv"
    written = export_session_csv(stored.db, stored.session_id, out, by=stored.clinician.id)
    rows = read(out)
    assert list(rows[0]) == [
        "t_ms", "record", "channel", "phase", "pressure_mmHg", "target_mmHg",
        "kind", "rule_id", "priority", "message", "data",
    ]  # fmt: skip
    samples = [r for r in rows if r["record"] == "sample"]
    events = [r for r in rows if r["record"] == "event"]
    stored_events = list_session_events(stored.db, stored.session_id)
    assert len(samples) == stored.sample_count and len(events) == len(stored_events)
    assert written.items == len(rows)
    times = [int(r["t_ms"]) for r in rows]
    assert times == sorted(times)
    assert {r["channel"] for r in samples} == {"ch1", "ch2", "ch3", "ch4"}
    assert {r["phase"] for r in samples} == {
        "idle",
        "inflating",
        "holding",
        "deflating",
        "released",
    }
    # Sensor offsets below zero stay plain negative numbers.
    negatives = [r["pressure_mmHg"] for r in samples if r["pressure_mmHg"].startswith("-")]
    assert negatives and all(float(v) < 0 for v in negatives)
    assert ",-0.2," in out.read_text(encoding="utf-8-sig")
    limit = next(r for r in events if r["kind"] == "limit_release")
    assert (limit["t_ms"], limit["rule_id"]) == ("905000", "T-TIME-1")
    assert json.loads(limit["data"]) == {"group": "arms"}
    release = next(r for r in events if r["kind"] == "release")
    assert release["message"] == "All bands released: dizziness"


def test_no_cell_a_spreadsheet_would_run(db: Database, tmp_path: Path) -> None:
    session = create_session(db, NewSession(None, {"id": "x", "unit": "mmHg"}, demo=True), by=None)
    add_samples(db, session.id, make_samples([0, 10, 20], 0, [-1.5, 0.0, 12.5], 0.0, 0))
    attacks = [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ]
    add_session_events(
        db,
        session.id,
        [SessionEvent(5, "=kind", text, None, None, {"note": text}) for text in attacks],
    )
    out = tmp_path / "evil.csv"
    export_session_csv(db, session.id, out)
    rows = read(out)
    events = [r for r in rows if r["record"] == "event"]
    assert [r["message"] for r in events] == ["'" + text for text in attacks]
    assert all(r["kind"] == "'=kind" for r in events)
    for row in rows:
        for column, cell in row.items():
            if column in NUMERIC:
                float(cell or 0)  # numbers, including -1.5
            else:
                assert not cell or cell[0] not in DANGEROUS_FIRST, (column, cell)
    assert [r["pressure_mmHg"] for r in rows if r["record"] == "sample"] == ["-1.5", "0.0", "12.5"]


def test_each_export_is_audited_and_a_missing_session_makes_no_file(
    stored: StoredSession, tmp_path: Path
) -> None:
    out = tmp_path / "a.csv"
    written = export_session_csv(stored.db, stored.session_id, out, by=stored.clinician.id)
    rows = [a for a in list_audit(stored.db, entity="session") if a.action == "export"]
    assert len(rows) == 1
    assert rows[0].entity_id == stored.session_id and rows[0].user_id == stored.clinician.id
    assert rows[0].after["sha256"] == written.sha256 and rows[0].after["format"].endswith("csv/1")
    with pytest.raises(NotFound):
        export_session_csv(stored.db, 999, tmp_path / "b.csv")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["a.csv"]
