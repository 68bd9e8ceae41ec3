"""Fixtures of the session panel tests: an engine with a fake cuff, a page, a silent tone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kaatsu_desktop.session import AlarmPriority, LimbGroup
from tests.ui.session.driver import EngineDriver
from ui.session.noneguard import guard_none_refcount
from ui.session.page import SessionPage
from ui.session.tone import AlarmTone

MAX_PRESSURE = {LimbGroup.ARMS: 200.0, LimbGroup.LEGS: 260.0}


class FakePlayer:
    """Stands in for QSoundEffect: remembers play and stop."""

    def __init__(self, priority: AlarmPriority, path: Path) -> None:
        self.priority = priority
        self.path = path
        self.playing = False
        self.plays = 0

    def play(self) -> None:
        self.playing = True
        self.plays += 1

    def stop(self) -> None:
        self.playing = False


@pytest.fixture(scope="session", autouse=True)
def none_guard(qapp: QApplication) -> None:
    """PySide6 6.12.0 on Python 3.11 drops references to None and bools (see noneguard)."""
    guard_none_refcount()


@pytest.fixture
def tone(qapp: QApplication) -> AlarmTone:
    """An alarm tone whose players are fakes (tests never make a sound)."""
    return AlarmTone(player_factory=FakePlayer)


@pytest.fixture
def driver() -> EngineDriver:
    return EngineDriver()


@pytest.fixture
def page(qtbot, driver: EngineDriver, tone: AlarmTone) -> SessionPage:
    """A session page showing a live session run by the engine and the fake cuff."""
    p = SessionPage(tone=tone)
    qtbot.addWidget(p)
    p.resize(1440, 900)
    driver.snapshot_sinks.append(p.show_snapshot)
    driver.event_sinks.append(p.add_events)
    p.begin_session(driver, driver.snapshot(), driver.buffers, MAX_PRESSURE, t0=driver.t0)
    return p
