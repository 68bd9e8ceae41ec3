"""History series for the plots: sessions oldest first, limits (T-TIME-1/2), pressures, verdicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.services import Services, SessionSummary
from kaatsu_desktop.services.trends import clearance_spans, session_trends, verdict_points
from kaatsu_desktop.storage import (
    ClearanceRecord,
    Database,
    NewSession,
    ScreeningRecord,
    SessionStatus,
    create_session,
    finish_session,
)
from tests.kaatsu_desktop.services.conftest import screening_today
from tests.kaatsu_desktop.storage.helpers import fields

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def summary(
    id: int,
    day: int,
    arms: float | None,
    legs: float | None,
    *,
    unit: str | None = "mmHg",
    kept: float | None = None,
    alarms: int = 0,
) -> SessionSummary:
    return SessionSummary(
        id=id,
        started_at=T0 + timedelta(days=day),
        protocol="Cycle (mmHg)",
        minutes={"arms": arms, "legs": legs},
        alarms=alarms,
        status=SessionStatus.COMPLETED,
        demo=False,
        end_reason=None,
        limits={"arms": kept, "legs": None},
        pressures={"arms": 100.0, "legs": 140.0},
        unit=unit,
    )


def test_sessions_come_oldest_first_with_their_minutes_and_alarms() -> None:
    newest_first = [summary(3, 2, 12.0, 16.0, alarms=2), summary(1, 0, 8.0, None),
                    summary(2, 1, 15.0, 20.0, alarms=1)]  # fmt: skip
    trends = session_trends(newest_first, ClinicSettings())
    assert trends.session_ids == (1, 2, 3) and len(trends) == 3
    assert trends.group("arms").minutes == (8.0, 15.0, 12.0)
    assert trends.group("legs").minutes == (None, 20.0, 16.0)
    assert trends.alarms == (0, 1, 2)
    assert trends.group("arms").rule_id == "T-TIME-1"
    assert trends.group("legs").rule_id == "T-TIME-2"


def test_a_kept_limit_wins_over_the_clinic_setting() -> None:
    settings = ClinicSettings(arm_warning_min=8, arm_limit_min=12)
    trends = session_trends([summary(1, 0, 8.0, 9.0, kept=15.0), summary(2, 1, 9.0, 9.0)], settings)
    arms = trends.group("arms")
    assert arms.limit_min == (15.0, 12.0) and arms.limit_kept == (True, False)
    assert trends.group("legs").limit_min == (20.0, 20.0)


def test_pressure_only_where_the_group_restricted_and_in_the_latest_unit() -> None:
    sessions = [summary(1, 0, 8.0, 0.0, unit="SKU"), summary(2, 1, 9.0, 0.0),
                summary(3, 2, None, 5.0)]  # fmt: skip
    trends = session_trends(sessions, ClinicSettings())
    assert trends.unit == "mmHg" and trends.other_unit == 1
    assert trends.group("arms").pressure == (None, 100.0, None)
    assert trends.group("legs").pressure == (None, None, 140.0)


def test_history_reads_the_kept_limits_protocol_pressure_and_unit(
    services: Services, db: Database
) -> None:
    patient = services.patients.create(fields(clinic_id="KC-9"))
    pressures = {"arms": {"low": 120, "medium": 160}, "legs": {"low": 160}}
    protocol = {"id": "cycle-sku", "unit": "SKU", "level": "medium", "pressures": pressures}
    record = create_session(db, NewSession(patient.id, protocol), by=None)
    stored = {"groups": {"arms": {"restriction_s": 600.0}},
              "limits": {"arms": {"warning_s": 480.0, "limit_s": 720.0}}}  # fmt: skip
    finish_session(db, record.id, SessionStatus.COMPLETED, by=None, summary=stored)
    (line,) = services.patients.history(patient.id).sessions
    assert line.limits == {"arms": 12.0, "legs": None}
    assert line.pressures == {"arms": 160.0, "legs": None}  # legs: no medium level stored
    assert line.unit == "SKU" and line.minutes == {"arms": 10.0, "legs": None}


def _screening(id: int, day: date, verdict: str, rules: list[str]) -> ScreeningRecord:
    assessment = {"rules": [{"id": r} for r in rules]}
    return ScreeningRecord(id, 1, day, screening_today(), assessment, verdict, T0, None)


def test_verdict_points_by_date_with_their_rank_and_rules() -> None:
    records = [
        _screening(2, date(2026, 2, 20), "clear", []),
        _screening(1, date(2026, 1, 5), "clearance", ["S-BP-2", "S-DM-1"]),
        _screening(3, date(2026, 3, 1), "contraindicated", ["S-BP-3"]),
        _screening(4, date(2026, 3, 2), "bogus", []),  # unreadable: left out, never guessed
    ]
    points = verdict_points(records)
    assert [(p.screening_id, p.verdict, p.rank) for p in points] == [
        (1, "clearance", 2), (2, "clear", 0), (3, "contraindicated", 4)
    ]  # fmt: skip
    assert points[0].rules == ("S-BP-2", "S-DM-1")


def test_clearance_spans_run_from_issue_to_expiry() -> None:
    record = ClearanceRecord(
        7, 1, "Dr Moreau", date(2026, 2, 1), ("S-BP-2",), date(2026, 5, 2), "", T0, None
    )
    (span,) = clearance_spans([record])
    assert (span.issued_on, span.expires_on, span.rules) == (
        date(2026, 2, 1), date(2026, 5, 2), ("S-BP-2",)
    )  # fmt: skip
