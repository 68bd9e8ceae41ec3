"""The PDF report of a stored demo session: its text, DEMO on every page, images, audit, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from kaatsu_desktop.cli import main
from kaatsu_desktop.reports import build_report_data, write_session_report
from kaatsu_desktop.reports.service import sha256_of
from kaatsu_desktop.storage import Database, NotFound, list_audit, open_database, set_settings
from tests.kaatsu_desktop.reports.pdf import page_texts, render_page
from tests.kaatsu_desktop.reports.stored import StoredSession, clinic_clock, store_session

pytestmark = pytest.mark.usefixtures("qapp")


def pixels(image: QImage) -> np.ndarray:
    """An RGB32 image as an (h, w, 3) array of R, G, B."""
    h, w = image.height(), image.width()
    raw = np.frombuffer(image.constBits(), np.uint8, count=h * image.bytesPerLine())
    bgra = raw.reshape(h, image.bytesPerLine())[:, : 4 * w].reshape(h, w, 4)
    return bgra[:, :, 2::-1]


def share(hold_a: int, hold_l: int, arm: float, leg: float) -> str:
    """A share of all channels' hold time, as the report prints it."""
    value = (arm * hold_a + leg * hold_l) / (hold_a + hold_l)
    return f"{100 * value:.1f} %"


@pytest.fixture
def report(stored: StoredSession, tmp_path: Path) -> tuple[Path, int, list[str]]:
    out = tmp_path / "out" / "session.pdf"
    out.parent.mkdir()
    written = write_session_report(stored.db, stored.session_id, out, by=stored.clinician.id)
    return out, written.pages, page_texts(out)


def test_demo_report_text_names_patient_rules_limits_fidelity_and_device(
    stored: StoredSession, report: tuple[Path, int, list[str]]
) -> None:
    path, pages, texts = report
    assert path.is_file() and pages == len(texts) >= 3
    text = " ".join(texts)
    for expected in (
        "Clinic",  # no clinic name set: the default
        "Berg, Hanna",
        "KC-0042",
        "1958-03-14 (age 67)",
        "Clinician Dr Aiko Tanaka",  # who ran the session
        "2026-03-02",
        "aborted (patient dizzy)",
        "Screening of 2026-02-23: verdict CLEARANCE.",
        "Dr L. Moreau",  # the clearance in force
        "Cycle (mmHg), id cycle-mmhg",
        "26 cycles of 30 s inflation + 5 s deflation",
        "Low (mmHg)",
        "KAATSU Global (simulated)",
        "KC-4",
        "SIM-0001",
        "1.4.2",
        "Skin under the left arm band: red-purple.",
        "Time limit of 15 min reached on the arms: bands released.",
        "All bands released: dizziness",
        "Stop criterion: dizziness.",
    ):
        assert expected in text, expected
    # Every warning in force, with its rule id (S-*), and the session rules that acted (T-*).
    for rule_id in ("S-BP-2", "S-REL-1", "S-DM-1", "S-LIP-1", "S-BMI-1", "S-AGE-1"):
        assert re.search(rf"{rule_id} (clearance|caution) ", text), rule_id
    for rule_id in ("T-TIME-1", "T-TIME-2", "T-SKIN-1", "T-REL-2", "T-ORD-2"):
        assert rule_id in text
    # Restriction time against the limits: arms 15:00 of 15:00 (warning 10:00), legs 10:00 of 20:00.
    assert re.search(r"arms T-TIME-1 15:00 10:00 15:00 100\.0 % limit reached", text)
    assert re.search(r"legs T-TIME-2 10:00 15:00 20:00 50\.0 % done", text)
    # Pressure values in the protocol's unit, never converted.
    assert re.search(r"arms 100 130 160 200 legs 140 180 220 260", text)
    # Fidelity, as built into the samples: arms 90 % / 80 %, legs 90 % / 90 %.
    assert stored.arm_hold_samples * 50 == 12 * 60_000 + 3_000  # 12:03 of hold per arm channel
    assert re.search(r"ch1 · left arm 12:03 90\.0 % 80\.0 %", text)
    assert re.search(r"ch2 · right arm 12:03 90\.0 % 80\.0 %", text)
    assert re.search(r"ch3 · left leg 7:59 90\.0 % 90\.0 %", text)
    overall = share(stored.arm_hold_samples, stored.leg_hold_samples, 0.8, 0.9)
    assert overall == "84.0 %"
    assert f"All channels 40:04 90.0 % {overall}" in text


def test_demo_report_says_demo_on_every_page(report: tuple[Path, int, list[str]]) -> None:
    _, pages, texts = report
    assert len(texts) == pages
    for i, text in enumerate(texts):
        assert "DEMO" in text, f"page {i + 1}"
        assert f"Page {i + 1} of {pages}" in text


def test_a_clinic_session_report_has_no_demo_mark_and_the_clinic_name(
    db: Database, clock, tmp_path: Path
) -> None:
    stored = store_session(db, clock, demo=False, clinic_id="KC-0100")
    set_settings(db, {"report.clinic_name": "Riverside Physiotherapy"}, by=None)
    out = tmp_path / "clinic.pdf"
    write_session_report(db, stored.session_id, out)
    texts = page_texts(out)
    assert all("DEMO" not in t for t in texts)
    assert all("Riverside Physiotherapy" in t for t in texts)


def test_pages_render_to_images_with_the_traces_drawn(
    report: tuple[Path, int, list[str]],
) -> None:
    path, pages, texts = report
    traces = next(i for i, t in enumerate(texts) if "Pressure traces" in t)
    for page in range(pages):
        image = render_page(path, page, scale=1.0)
        assert not image.isNull() and image.width() > 500
        rgb = pixels(image).astype(int)
        assert (rgb.sum(axis=2) < 600).mean() > 0.005, f"page {page + 1} is blank"
    # The pressure lines (#0b3d91) are drawn from the samples: a real share of the plot area.
    rgb = pixels(render_page(path, traces, scale=1.0)).astype(int)
    blue = (abs(rgb[..., 0] - 0x0B) < 30) & (abs(rgb[..., 1] - 0x3D) < 30) & (rgb[..., 2] > 0x70)
    assert blue.mean() > 0.01


def test_every_report_is_audited_with_its_file_hash(
    stored: StoredSession, report: tuple[Path, int, list[str]]
) -> None:
    path, pages, _ = report
    rows = [a for a in list_audit(stored.db, entity="session") if a.action == "report"]
    assert len(rows) == 1
    row = rows[0]
    assert row.entity_id == stored.session_id and row.user_id == stored.clinician.id
    assert row.after["sha256"] == sha256_of(path)
    assert row.after["pages"] == pages and row.after["destination"] == str(path)
    assert row.after["demo"] is True


def test_a_missing_session_writes_no_file_and_no_audit_row(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    before = len(list_audit(db))
    with pytest.raises(NotFound):
        write_session_report(db, 999, out)
    assert not any(p.suffix == ".pdf" for p in tmp_path.iterdir())
    assert len(list_audit(db)) == before


def test_report_data_is_plain_values(stored: StoredSession) -> None:
    data = build_report_data(stored.db, stored.session_id)
    assert data.demo and data.unit == "mmHg" and data.sample_count == stored.sample_count
    assert [c.label for c in data.channels] == [
        "ch1 · left arm",
        "ch2 · right arm",
        "ch3 · left leg",
        "ch4 · right leg",
    ]
    assert [c.group for c in data.channels] == ["arms", "arms", "legs", "legs"]
    assert [(g.group, g.restriction_s, g.limit_s) for g in data.groups] == [
        ("arms", 900.0, 900.0),
        ("legs", 600.0, 1200.0),
    ]
    assert data.groups[0].limit_released and not data.groups[1].limit_released
    assert not data.limits_from_session
    assert data.started_at.isoformat() == "2026-03-02T10:15:00+01:00"
    assert data.duration_s == pytest.approx(1540.0)
    assert data.screening is not None and data.screening.rules[0].rule_id == "S-BP-2"


def test_cli_writes_the_report_and_reports_a_missing_session(tmp_path: Path) -> None:
    path = tmp_path / "kaatsu.sqlite3"
    clock = clinic_clock()
    db = open_database(path, clock=clock, auto_backup=False)
    stored = store_session(db, clock)
    db.close()
    out = tmp_path / "cli.pdf"
    assert main(["--db", str(path), "report", str(stored.session_id), "-o", str(out)]) == 0
    assert "Berg, Hanna" in " ".join(page_texts(out))
    assert main(["--db", str(path), "report", "4242", "-o", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
