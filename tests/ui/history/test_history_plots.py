"""The patient page's history plots: one point per session with its stored minutes, the limits
(T-TIME-1/2), pressures and alarms; the verdict timeline; plain empty states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database
from tests.kaatsu_desktop.services.conftest import screening_today
from tests.kaatsu_desktop.storage.helpers import FakeClock
from tests.ui.conftest import add_patient
from tests.ui.history.stored import store_session
from ui.exchange.prompts import FilePrompts
from ui.history.session_plots import SessionAxis
from ui.history.verdict_plot import LEVELS, day_ticks, day_x
from ui.patients.page import PatientPage
from ui.theme import VERDICT_SWATCHES

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# (days ago, arm minutes, leg minutes, alarms, level): oldest first.
EIGHT = [(33, 9.0, 12.0, 0, "low"), (30, 10.5, 13.5, 1, "low"), (26, 12.0, 15.0, 0, "low"),
         (23, 15.0, 16.0, 2, "medium"), (19, 13.0, 17.5, 0, "medium"), (16, 8.5, 4.0, 3, "medium"),
         (12, 12.5, 16.0, 1, "medium"), (5, 13.5, 18.0, 0, "medium")]  # fmt: skip


@pytest.fixture
def page(qtbot, services: Services) -> PatientPage:
    widget = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(widget)
    widget.resize(1280, 860)
    widget.show()
    return widget


def test_eight_sessions_give_one_point_each_with_the_stored_minutes(
    page: PatientPage, services: Services, db: Database, clock: FakeClock
) -> None:
    patient = add_patient(services)
    # Stored newest first, to show the plots order by time and not by insertion.
    for days, arms, legs, alarms, level in reversed(EIGHT):
        store_session(db, clock, patient.id, NOW - timedelta(days=days),
                      arms=arms, legs=legs, alarms=alarms, level=level)  # fmt: skip
    clock.now = NOW
    page.show_patient(patient.id)

    plots = page.sessions_tab.plots
    assert not page.sessions_tab.body.is_empty
    assert page.tabs.tabText(0) == "Sessions (8)" and page.session_table.rowCount() == 8
    for group, column in (("arms", 1), ("legs", 2)):
        x, y = plots.points[group].getData()
        assert list(x) == [1, 2, 3, 4, 5, 6, 7, 8]
        assert list(y) == [row[column] for row in EIGHT]
        # The limit is drawn per session as steps (T-TIME-1 15 min, T-TIME-2 20 min).
        _, limit = plots.limits[group].getData()
        assert set(limit) == {15.0 if group == "arms" else 20.0}
    _, arm_pressure = plots.pressure_points["arms"].getData()
    _, leg_pressure = plots.pressure_points["legs"].getData()
    assert list(arm_pressure) == [100.0] * 3 + [130.0] * 5  # the preset's low and medium levels
    assert list(leg_pressure) == [140.0] * 3 + [180.0] * 5
    assert list(plots.alarm_bars.opts["height"]) == [row[3] for row in EIGHT]
    assert "(T-TIME-1)" in plots.legend.text() and "(T-TIME-2)" in plots.legend.text()
    assert plots.axes["minutes"].labels[0] == (NOW - timedelta(days=33)).astimezone().strftime(
        "%d %b"
    )
    assert page.sessions_tab.plots.pressure_plot.titleLabel.text.startswith("Pressure (mmHg)")


def test_a_session_without_recorded_minutes_has_no_point(
    page: PatientPage, services: Services, db: Database, clock: FakeClock
) -> None:
    patient = add_patient(services)
    store_session(db, clock, patient.id, NOW - timedelta(days=3), arms=11.0, legs=None)
    store_session(db, clock, patient.id, NOW - timedelta(days=2), arms=None, legs=None)
    store_session(db, clock, patient.id, NOW - timedelta(days=1), arms=14.0, legs=19.0,
                  limits=False)  # fmt: skip
    clock.now = NOW
    page.show_patient(patient.id)
    plots = page.sessions_tab.plots
    x, y = plots.points["arms"].getData()
    assert list(x) == [1, 3] and list(y) == [11.0, 14.0]
    x, y = plots.points["legs"].getData()
    assert list(x) == [3] and list(y) == [19.0]
    # A point's tooltip names its own session (the second arm point: the third session).
    item = plots.points["arms"]
    spot = item.points()[1]
    third = (NOW - timedelta(days=1)).astimezone().strftime("%d %b")
    assert item.opts["tip"](x=spot.pos().x(), y=spot.pos().y(), data=spot.data()) == (
        f"Session 3 ({third}), arms: 14.0 min of 15 min"
    )
    spot = plots.pressure_points["legs"].points()[0]
    assert plots.point_tip(plots.pressure_points["legs"], spot.data()) == (
        f"Session 3 ({third}), legs: 140 mmHg"
    )
    # No pressure where the group never restricted; no limit kept: the clinic's (15 min) shown.
    _, legs_pressure = plots.pressure_points["legs"].getData()
    assert list(legs_pressure) == [140.0]
    _, arm_limit = plots.limits["arms"].getData()
    assert list(arm_limit) == [15.0, 15.0, 15.0]


def test_a_new_patient_shows_plain_empty_states(page: PatientPage, services: Services) -> None:
    patient = add_patient(services)
    page.show_patient(patient.id)
    for tab, sentence in ((page.sessions_tab, "No sessions yet."),
                          (page.screenings_tab, "No screenings yet."),
                          (page.clearances_tab, "No physician clearance on file.")):  # fmt: skip
        assert tab.body.is_empty and tab.body.title.text() == sentence
    assert page.sessions_tab.body.empty.isVisible()
    assert [page.tabs.tabText(i) for i in range(3)] == [
        "Sessions (0)", "Screenings (0)", "Physician clearances (0)"
    ]  # fmt: skip


def test_the_verdict_timeline_colours_each_screening_and_names_the_verdicts(
    page: PatientPage, services: Services, clock: FakeClock
) -> None:
    patient = add_patient(services)
    clock.now = NOW
    for days, systolic in ((40, 185), (20, 165), (0, 120)):  # S-BP-3, S-BP-2, clear
        day = (NOW - timedelta(days=days)).date().isoformat()
        services.screenings.save(patient.id, screening_today(assessed_on=day,
                                                             systolic_mmhg=systolic))  # fmt: skip
    page.show_patient(patient.id)
    timeline = page.screenings_tab.timeline
    assert [p.verdict for p in timeline.verdicts] == ["contraindicated", "clearance", "clear"]
    x, y = timeline.points.getData()
    assert list(y) == [4, 2, 0]
    assert list(x) == [day_x((NOW - timedelta(days=d)).date()) for d in (40, 20, 0)]
    brushes = [spot.brush().color().name() for spot in timeline.points.points()]
    assert brushes == [VERDICT_SWATCHES[v].background for v in
                       ("contraindicated", "clearance", "clear")]  # fmt: skip
    words = dict(timeline.plot.getAxis("left")._tickLevels[0])
    assert [words[float(i)] for i in range(len(LEVELS))] == [
        "clear", "caution", "clearance", "blocked today", "contraindicated"
    ]  # fmt: skip
    assert timeline.today_line.value() == day_x(NOW.date())


def test_session_dates_are_thinned_to_stay_readable() -> None:
    axis = SessionAxis()
    started = [NOW + timedelta(days=i) for i in range(100)]
    axis.set_dates(started)
    ((step, values),) = axis.tickValues(0.4, 100.6, 320)
    assert len(values) <= 5 and values[0] == 1.0 and step == values[1] - values[0]
    assert axis.tickStrings([1.0], 1, 1) == [started[0].astimezone().strftime("%d %b")]


def test_day_ticks_fall_on_midnights_and_keep_apart() -> None:
    lo, hi = day_x(date(2025, 12, 20)), day_x(date(2026, 3, 9))
    ticks = day_ticks(lo, hi, 700)
    assert 3 <= len(ticks) <= 700 // 72
    assert all(v % 86_400 == 0 for v in ticks)
    assert np.all(np.diff(ticks) == ticks[1] - ticks[0])
    # Weekly or longer steps start on Mondays.
    assert datetime.fromtimestamp(ticks[0], tz=UTC).weekday() == 0


def test_many_sessions_build_buttons_for_the_rows_in_view_only(
    page: PatientPage, services: Services, db: Database, clock: FakeClock
) -> None:
    patient = add_patient(services)
    for i in range(60):
        store_session(db, clock, patient.id, NOW - timedelta(days=60 - i), arms=10.0, legs=12.0)
    clock.now = NOW
    page.show_patient(patient.id)
    tab = page.sessions_tab
    built = [r for r in range(60) if tab.table.cellWidget(r, 6) is not None]
    assert 1 <= len(built) < 30 and built[0] == 0
    assert tab.table.cellWidget(59, 6) is None
    emitted: list[int] = []
    tab.csv_requested.connect(emitted.append)
    page.exports.prompts = FilePrompts(save_file=lambda *_: ("", ""))  # the dialog: cancelled
    tab.row_button(59, "sessionCsvButton").click()  # built on demand, for the oldest session
    assert emitted == [tab.sessions[59].id]
    tab.table.scrollToBottom()
    tab.table.verticalScrollBar().setValue(tab.table.verticalScrollBar().maximum())
    table = tab.table
    in_view = range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1)
    assert in_view[-1] == 59 and all(table.cellWidget(r, 6) is not None for r in in_view)
    assert all(table.cellWidget(r, 6) is None for r in range(10, in_view[0] - 1))
    x, _ = tab.plots.points["arms"].getData()
    assert len(x) == 60


@pytest.mark.parametrize("lc_time", ["C", "C.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8"])
def test_session_date_labels_read_as_strftime_wrote_them(lc_time: str) -> None:
    import locale

    from ui.history.session_plots import date_labels

    saved = locale.setlocale(locale.LC_TIME)
    try:
        try:
            locale.setlocale(locale.LC_TIME, lc_time)
        except locale.Error:
            pytest.skip(f"locale {lc_time} not installed")
        zones = (UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=13, minutes=45)))
        started = [
            datetime(year, month, day, hour, 59, tzinfo=zone)
            for year, month, day, hour in ((2026, 1, 1, 0), (2025, 12, 31, 23), (2024, 2, 29, 12),
                                           (2026, 3, 2, 9), (2026, 9, 9, 1), (1999, 5, 31, 22))
            for zone in zones
        ]  # fmt: skip
        expected = [s.astimezone().strftime("%d %b") for s in started]
        assert date_labels(started) == expected
        axis = SessionAxis()
        axis.set_dates(started)
        assert axis.labels == expected
    finally:
        locale.setlocale(locale.LC_TIME, saved)
