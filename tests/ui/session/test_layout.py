"""The live panel fits 1280 x 800 and 1920 x 1080 with nothing clipped and large key numbers."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kaatsu_desktop.services import Services
from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.storage import Database
from tests.ui.session.conftest import MAX_PRESSURE
from tests.ui.session.driver import EngineDriver
from ui.main_window import MainWindow, Page
from ui.session.page import SessionPage
from ui.session.style import BIG_PT


def big_numbers(page: SessionPage) -> list[QLabel]:
    live = page.live
    labels = [clock.time for clock in live.clocks.values()]
    for row in live.rows.values():
        labels += [row.tile.pressure, row.tile.left]
    return labels


def fully_shown(widget: QWidget, window: QWidget) -> bool:
    """Every ancestor up to the window shows the widget whole, and it is as big as it asks."""
    hint = widget.minimumSizeHint()
    if widget.width() < hint.width() or widget.height() < hint.height():
        return False
    ancestor = widget.parentWidget()
    while ancestor is not None:
        top_left = widget.mapTo(ancestor, widget.rect().topLeft())
        bottom_right = widget.mapTo(ancestor, widget.rect().bottomRight())
        if not (ancestor.rect().contains(top_left) and ancestor.rect().contains(bottom_right)):
            return False
        if ancestor is window:
            return True
        ancestor = ancestor.parentWidget()
    return False


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_live_panel_fits_with_large_numbers(qtbot, services: Services, db: Database, tone, size):
    window = MainWindow(services, database_path=db.path)
    qtbot.addWidget(window)
    page = SessionPage(tone=tone)
    window.set_session_page(page)
    page.install_keys(window)
    driver = EngineDriver()
    driver.snapshot_sinks.append(page.show_snapshot)
    driver.event_sinks.append(page.add_events)
    page.begin_session(driver, driver.snapshot(), driver.buffers, MAX_PRESSURE, t0=0.0)
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(605.0, step=0.5)  # a warning on the banner, numbers in every tile
    window.show_page(Page.SESSION)
    # The longest note the bar can carry: it must wrap, not push a stop button off the screen.
    page.release_bar.set_audio_available(False, "no audio output device")
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    for row in page.live.rows.values():  # the widest values a tile must hold
        row.tile.pressure.setText("288")
        row.tile.left.setText("60")
    QApplication.processEvents()
    assert window.width() == size[0] and window.height() == size[1]  # nothing forces it bigger
    assert fully_shown(page.release_bar.button, window)
    for criterion, stop in page.release_bar.stop_buttons.items():  # T-REL-2, every one in reach
        assert fully_shown(stop, window), criterion
        assert stop.width() >= stop.sizeHint().width(), criterion  # its words not cut
    assert page.release_bar.audio_note.isVisibleTo(window)
    assert fully_shown(page.release_bar.audio_note, window)
    assert fully_shown(page.live.banner.ack, window) and fully_shown(page.live.banner.pause, window)
    for label in big_numbers(page):
        assert label.font().pointSize() == BIG_PT >= 24
        assert label.width() >= label.sizeHint().width(), label.objectName()  # not clipped
        assert fully_shown(label, window), label.objectName()
    for row in page.live.rows.values():
        assert row.plot.height() >= 80 and row.plot.width() >= 300
    window.close()
