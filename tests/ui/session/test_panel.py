"""The live panel draws snapshots: clocks and colours, channels, order, controls and reasons."""

from __future__ import annotations

from PySide6.QtCore import Qt

from devices.protocol.types import Site
from kaatsu_desktop.session import Control, LimbGroup, SessionState
from tests.kaatsu_desktop.session.helpers import make_engine
from tests.ui.session.conftest import MAX_PRESSURE
from tests.ui.session.driver import EngineDriver
from ui.session.format import ClockLevel
from ui.session.page import SessionPage
from ui.session.style import level_colour


def test_restriction_clock_turns_amber_at_the_warning_and_red_at_the_limit(page, driver):
    clock = page.live.clocks[LimbGroup.ARMS]
    assert clock.bar.level is ClockLevel.IDLE
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(65.0)
    assert clock.time.text() == "01:05"
    assert clock.bar.level is ClockLevel.NORMAL
    assert clock.property("level") == "normal"
    driver.advance(540.0, step=0.5)  # 10:05
    assert clock.bar.level is ClockLevel.WARNING
    assert clock.bar.colour == level_colour(ClockLevel.WARNING)
    assert "auto release in 04:55" in clock.sets.text()
    driver.advance(300.0, step=0.5)  # past 15:00: released at the limit (T-TIME-1)
    assert clock.bar.level is ClockLevel.LIMIT
    assert clock.time.text() == "15:00"
    assert clock.status.text() == "limit reached, released"
    assert "T-TIME-1" in clock.accessibleName()
    assert page.live.banner.property("priority") == "high"


def test_channel_tiles_show_pressure_phase_cycle_and_seconds_left(page, driver):
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(3.0)
    tile = page.live.rows[0].tile
    assert int(tile.pressure.text()) >= 95
    assert tile.phase_word == "holding"
    assert tile.unit.text() == "mmHg"
    legs = page.live.rows[2].tile
    assert legs.pressure.text() == "0" and legs.left.text() == "—"
    assert tile.property("channelState") == "active"
    assert legs.property("channelState") == "idle"


def test_a_blocked_site_is_shown_as_blocked_with_its_rule(qtbot, tone):
    driver = EngineDriver(make_engine(blocked=[Site.RIGHT_LEG]))
    page = SessionPage(tone=tone)
    qtbot.addWidget(page)
    page.begin_session(driver, driver.snapshot(), driver.buffers, MAX_PRESSURE, t0=0.0)
    tile = page.live.rows[3].tile
    assert tile.property("channelState") == "blocked"
    assert "S-LIMB-1" in tile.detail
    assert "S-LIMB-1" in page.live.clocks[LimbGroup.LEGS].sets.text()
    assert Site.RIGHT_LEG not in page.live.skin.sites


def test_order_strip_and_controls_follow_the_session_with_reasons(qtbot, page, driver):
    order = page.live.order
    controls = page.live.controls
    assert {s.value: lab.property("orderStep") for s, lab in order.steps.items()} == {
        "arm_phase": "todo",
        "changeover": "todo",
        "leg_phase": "todo",
    }
    assert not controls.buttons[Control.START_LEGS].isVisibleTo(page)
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(2.0)
    assert order.steps[driver.engine.state].property("orderStep") == "current"
    start_arms = controls.buttons[Control.START_ARMS]
    assert not start_arms.isEnabled()
    assert controls.reasons[Control.START_ARMS].text().startswith("A set is already running")
    qtbot.mouseClick(controls.buttons[Control.CONFIRM_ARM_BANDS_OFF], Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "confirm_arm_bands_off"
    # Changeover at once: the arm bands still read above the residual threshold (T-ORD-2).
    start_legs = controls.buttons[Control.START_LEGS]
    assert start_legs.isVisibleTo(page) and not start_legs.isEnabled()
    assert controls.reasons[Control.START_LEGS].text().startswith("T-ORD-2:")
    assert order.steps[driver.engine.state].property("orderStep") == "current"
    driver.advance(2.0)
    assert start_legs.isEnabled()
    qtbot.mouseClick(start_legs, Qt.MouseButton.LeftButton)
    driver.advance(2.0)
    assert driver.inflated() == [2, 3]
    steps = {s.value: lab.property("orderStep") for s, lab in order.steps.items()}
    assert steps == {"arm_phase": "done", "changeover": "done", "leg_phase": "current"}
    qtbot.mouseClick(controls.buttons[Control.FINISH], Qt.MouseButton.LeftButton)
    assert driver.inflated() == []
    assert order.final.text() == "Finished"
    assert not controls.buttons[Control.FINISH].isVisibleTo(page)


def test_skipping_the_arm_phase_waits_for_a_typed_reason(qtbot, page, driver):
    controls = page.live.controls
    skip = controls.buttons[Control.SKIP_ARM_PHASE]
    assert not skip.isEnabled()
    assert controls.reasons[Control.SKIP_ARM_PHASE].text().startswith("T-ORD-1")
    qtbot.keyClicks(controls.reason_edit, "wound under the left arm band")
    assert skip.isEnabled()
    qtbot.mouseClick(skip, Qt.MouseButton.LeftButton)
    assert driver.engine.state.value == "changeover"
    arms_step = page.live.order.steps[SessionState.ARM_PHASE]
    assert arms_step.property("orderStep") == "skipped"
    assert (
        "skipped: wound under the left arm band" in page.live.clocks[LimbGroup.ARMS].status.text()
    )


def test_the_event_log_lists_what_happened_newest_first_with_rule_ids(page, driver):
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(600.5, step=0.5)
    lines = page.live.log.lines()
    assert lines[0].startswith("10:00") and "T-TIME-1" in lines[0] and "[alarm: medium]" in lines[0]
    assert any("T-SETS-1: Set 1 of 1 started on the arms." in line for line in lines)
    assert lines[-1].startswith("00:00")
