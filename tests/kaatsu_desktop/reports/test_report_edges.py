"""Reports of untidy sessions: no patient or samples, SKU, running, live-recorded; limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.reports import build_report_data, write_session_report
from kaatsu_desktop.reports.build import group_times
from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.storage import (
    Database,
    NewSession,
    create_session,
    get_session,
    set_settings,
)
from tests.kaatsu_desktop.reports.pdf import page_texts
from tests.kaatsu_desktop.reports.stored import store_session
from tests.kaatsu_desktop.session_live._support import live_session, open_db

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_running_demo_session_without_patient_or_samples(db: Database, tmp_path: Path) -> None:
    protocol = {"id": "constant-sku", "name": "Constant (SKU)", "mode": "constant", "unit": "SKU"}
    session = create_session(db, NewSession(None, protocol, demo=True), by=None)
    data = build_report_data(db, session.id)
    assert data.patient is None and data.channels == () and data.ended_at is None
    assert data.fidelity.share_abs is None
    out = tmp_path / "running.pdf"
    write_session_report(db, session.id, out)
    texts = page_texts(out)
    text = " ".join(texts)
    assert all("DEMO" in t for t in texts)
    for expected in (
        "none (demo session)",
        "still running",
        "No screening on file",
        "Within 15 SKU",  # the tolerance in the device's unit, never converted
        "No pressure samples were recorded.",
        "No events were recorded.",
    ):
        assert expected in text, expected


def test_a_session_recorded_by_the_live_controller(tmp_path: Path) -> None:
    db = open_db(tmp_path / "live.sqlite3")
    try:
        with live_session(db=db) as s:
            c = s.controller
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(20.0)
            assert s.do(c.record_skin("left_arm", "white")).accepted  # T-SKIN-1 alarm
            s.advance(5.0)
            s.do(c.release_for_stop_criterion("numbness"))  # T-REL-2
            s.advance(2.0)
            assert s.do(c.abort("numbness")).accepted
            s.advance(3.0)
            recorder = s.recorder
            assert recorder is not None and recorder.finish_future is not None
            record = recorder.finish_future.result(10)
        session = get_session(db, record.id)
        data = build_report_data(db, session.id)
        arms = next(g for g in data.groups if g.group == LimbGroup.ARMS.value)
        assert arms.restriction_s == pytest.approx(
            session.summary["groups"]["arms"]["restriction_s"]
        )
        assert 20.0 < arms.restriction_s < 30.0
        assert len(data.channels) == 4 and data.channels[0].group == "arms"
        assert data.channels[0].fidelity.hold_ms > 5_000  # the simulated cuff held its target
        kinds = {(e.category, e.rule_id) for e in data.timeline}
        assert {("skin", "T-SKIN-1"), ("release", "T-REL-2")} <= kinds
        out = tmp_path / "live.pdf"
        write_session_report(db, session.id, out)
        text = " ".join(page_texts(out))
        assert "Skin under the left arm band: white." in text
        assert "Stop criterion: numbness." in text
    finally:
        db.close()


def test_limits_come_from_the_session_or_else_from_todays_clinic_settings(
    db: Database, clock
) -> None:
    stored = store_session(db, clock)
    set_settings(db, {"clinic.arm_limit_min": 12, "clinic.arm_warning_min": 8}, by=None)
    data = build_report_data(db, stored.session_id)
    assert [(g.warning_s, g.limit_s) for g in data.groups] == [(480.0, 720.0), (900.0, 1200.0)]
    assert not data.limits_from_session
    kept = {"limits": {"arms": {"warning_s": 600, "limit_s": 900},
                       "legs": {"warning_s": 840, "limit_s": 1080}},
            "groups": {"arms": {"restriction_s": 450.5}, "legs": {"restriction_s": 0}}}  # fmt: skip
    groups, from_session = group_times(kept, [], ClinicSettings())
    assert from_session
    assert [(g.restriction_s, g.warning_s, g.limit_s, g.rule_id) for g in groups] == [
        (450.5, 600.0, 900.0, "T-TIME-1"),
        (0.0, 840.0, 1080.0, "T-TIME-2"),
    ]
