"""Release all (T-REL-1) by click, Esc and Space; stop criteria (T-REL-2); no confirmation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from kaatsu_desktop.session import LimbGroup, ReleaseAllCommand, StopCriterion
from tests.ui.session.driver import EngineDriver
from ui.session.page import SessionPage
from ui.session.release import two_lines


def inflate_arms(driver: EngineDriver) -> None:
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(3.0)
    assert driver.inflated() == [0, 1]
    assert min(driver.plant.channels[i].pressure for i in (0, 1)) > 50


def assert_everything_released(driver: EngineDriver) -> None:
    assert any(isinstance(c, ReleaseAllCommand) for c in driver.harness.sent)
    assert driver.inflated() == []
    driver.advance(1.0)
    assert all(c.pressure < 10 for c in driver.plant.channels)
    assert all(not ch.commanded for ch in driver.snapshot().channels)


def show_active(qtbot, page: SessionPage) -> None:
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)


def test_the_button_has_names_and_releases_every_channel_on_one_click(qtbot, page, driver):
    inflate_arms(driver)
    button = page.findChild(type(page.release_bar.button), "releaseAllButton")
    assert button is page.release_bar.button
    assert "Release all" in button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "release_all"  # no confirmation step in between
    assert_everything_released(driver)
    assert page.live.log.kinds()[0] == "release"


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Space])
def test_escape_and_space_release_every_channel_wherever_the_focus_is(qtbot, page, driver, key):
    page.install_keys(page)
    show_active(qtbot, page)
    inflate_arms(driver)
    ack = page.live.banner.ack  # a focused push button must not swallow Space
    ack.setFocus()
    qtbot.keyClick(QApplication.focusWidget() or page, key)
    assert "release_all" in driver.calls
    assert_everything_released(driver)


def test_space_types_in_a_text_field_but_escape_still_releases(qtbot, page, driver):
    page.install_keys(page)
    show_active(qtbot, page)
    inflate_arms(driver)
    edit = page.live.controls.reason_edit
    edit.setVisible(True)
    edit.setFocus()
    qtbot.keyClicks(edit, "a b")
    assert edit.text() == "a b"
    assert "release_all" not in driver.calls
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert driver.calls[-1] == "release_all"


def test_space_is_free_for_the_checklist_before_a_session_and_escape_always_releases(qtbot, tone):
    page = SessionPage(tone=tone)
    qtbot.addWidget(page)
    keys = page.install_keys(page)
    released: list[str] = []
    page.fallback_release.append(released.append)
    assert not keys.space_enabled
    show_active(qtbot, page)
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert released == ["Esc key"]  # with no session, the connected cuff is released directly


def test_escape_releases_under_a_modal_dialog_of_another_part_of_the_app(qtbot, page, driver):
    page.install_keys(page)
    show_active(qtbot, page)
    inflate_arms(driver)
    dialog = QDialog(page)
    QVBoxLayout(dialog).addWidget(QLineEdit())
    dialog.setModal(True)
    dialog.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    assert driver.calls.count("release_all") == 1  # once, not once per parent widget
    assert_everything_released(driver)


@pytest.mark.parametrize("criterion", list(StopCriterion))
def test_each_stop_criterion_releases_with_its_reason(qtbot, page, driver, criterion):
    inflate_arms(driver)
    qtbot.mouseClick(page.release_bar.stop_buttons[criterion], Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "release_for_stop_criterion"
    assert_everything_released(driver)
    stop = [e for e in driver.engine.event_log if e.kind.value == "stop_criterion"]
    assert stop[-1].rule_id == "T-REL-2" and stop[-1].data["criterion"] == criterion.value


def test_a_failing_session_falls_back_to_the_link_release(qtbot, tone):
    class Broken:
        def release_all(self, reason: str = "clinician") -> None:
            raise RuntimeError("runtime gone")

    page = SessionPage(tone=tone)
    qtbot.addWidget(page)
    page.intents = Broken()  # type: ignore[assignment]
    released: list[str] = []
    page.fallback_release.append(released.append)
    page.release_all("Release all button")
    assert released == ["Release all button"]


def test_long_stop_texts_break_in_two_lines_near_the_middle():
    assert two_lines("numbness") == "numbness"
    assert two_lines("unfavourable skin colour") == "unfavourable\nskin colour"
    assert two_lines("cold or clammy limbs") == "cold or\nclammy limbs"
