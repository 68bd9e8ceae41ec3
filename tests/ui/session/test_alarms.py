"""Alarm banner: colour and flashing by priority, acknowledge, audio pause countdown, the tone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from devices.protocol.types import Site
from kaatsu_desktop.session import (
    Alarm,
    AlarmPriority,
    AlarmsSnapshot,
    AudioState,
    LimbGroup,
    SkinColour,
)
from tests.ui.session.driver import EngineDriver
from ui.session.banner import AlarmBanner
from ui.session.page import SessionPage
from ui.session.tone import BURSTS, RATE, AlarmTone, burst_samples, wav_bytes

SILENT = AudioState(False, 0.0, False, None)


def alarm(priority: AlarmPriority, cid: str = "x", acked: bool = False) -> Alarm:
    return Alarm(cid, priority, "T-TIME-1", f"{priority.name} alarm", 0.0, True, acked)


def test_medium_time_warning_is_acknowledged_and_its_audio_pause_counts_down(
    qtbot, page: SessionPage, driver: EngineDriver
):
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(600.5, step=0.5)  # T-TIME-1 warning at 10 min
    banner = page.live.banner
    assert banner.property("priority") == "medium"
    assert "T-TIME-1" in banner.message.text() and "MEDIUM" in banner.message.text()
    assert banner.flash_interval_ms == 1000  # about 0.5 Hz
    assert page.tone.playing is AlarmPriority.MEDIUM

    qtbot.mouseClick(banner.pause, Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "pause_audio"
    assert banner.pause.text() == "Audio paused 30 s"
    assert page.tone.playing is None
    driver.advance(12.0)
    assert banner.pause.text() == "Audio paused 18 s"
    driver.advance(0.4)
    assert banner.pause.text() == "Audio paused 18 s"  # counts down in whole seconds, rounded up

    qtbot.mouseClick(banner.ack, Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "acknowledge"
    top = driver.snapshot().alarms.alarms[0]
    assert top.condition_id == "time_warning:arms" and top.acknowledged
    assert banner.flash_interval_ms is None  # acknowledged: steady, still shown
    assert not banner.ack.isEnabled()
    assert "acknowledged" in banner.message.text()
    driver.advance(18.0)
    assert banner.pause.text() == "Pause audio"
    assert page.tone.playing is None  # acknowledged alarms do not sound
    assert "alarm_acknowledged" in page.live.log.kinds()


def test_a_high_alarm_flashes_fast_sounds_high_and_latches_until_acknowledged(
    qtbot, page: SessionPage, driver: EngineDriver
):
    qtbot.mouseClick(
        page.live.skin.buttons[(Site.LEFT_ARM, SkinColour.WHITE)], Qt.MouseButton.LeftButton
    )
    banner = page.live.banner
    assert banner.property("priority") == "high"
    assert banner.flash_interval_ms == 250  # about 2 Hz
    assert "T-SKIN-1" in banner.message.text()
    assert page.tone.playing is AlarmPriority.HIGH
    flashes = {banner.property("flash")}
    qtbot.waitUntil(lambda: banner.property("flash") not in flashes, timeout=1000)
    qtbot.mouseClick(
        page.live.skin.buttons[(Site.LEFT_ARM, SkinColour.PINK)], Qt.MouseButton.LeftButton
    )
    assert page.live.skin.marked(Site.LEFT_ARM) is SkinColour.PINK
    assert "(cause gone, acknowledge to clear)" in banner.message.text()  # latched
    qtbot.mouseClick(banner.ack, Qt.MouseButton.LeftButton)
    assert banner.property("priority") == "none"
    assert banner.message.text() == "No active alarms"
    assert page.tone.playing is None


def test_low_priority_is_steady_and_the_others_are_listed(qtbot):
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    banner.show_alarms(AlarmsSnapshot((alarm(AlarmPriority.LOW),), SILENT))
    assert banner.property("priority") == "low" and banner.flash_interval_ms is None
    three = (
        alarm(AlarmPriority.HIGH, "a"),
        alarm(AlarmPriority.MEDIUM, "b"),
        alarm(AlarmPriority.LOW, "c"),
    )
    banner.show_alarms(AlarmsSnapshot(three, SILENT))
    assert banner.flash_interval_ms == 250
    assert banner.others.text().splitlines() == [
        "MEDIUM  ·  T-TIME-1: MEDIUM alarm",
        "LOW  ·  T-TIME-1: LOW alarm",
    ]
    acked_top = (alarm(AlarmPriority.HIGH, "a", acked=True), alarm(AlarmPriority.MEDIUM, "b"))
    banner.show_alarms(AlarmsSnapshot(acked_top, SILENT))
    # The waiting alarm is of another priority than the (acknowledged) top one: steady.
    assert banner.flash_interval_ms is None
    received: list[str] = []
    banner.acknowledge_requested.connect(received.append)
    qtbot.mouseClick(banner.ack, Qt.MouseButton.LeftButton)
    assert received == ["b"]


def test_without_an_audio_device_the_page_says_audible_alarms_are_unavailable(qtbot):
    tone = AlarmTone()  # the real thing: on this machine there may be no audio output
    page = SessionPage(tone=tone)
    qtbot.addWidget(page)
    note = page.release_bar.audio_note
    if tone.available:
        pytest.skip("an audio output device is present")
    assert note.isVisibleTo(page)
    assert note.text().startswith("⚠ Audible alarms unavailable")
    tone.set_tone(AlarmPriority.HIGH)  # never raises for want of sound
    tone.stop()


def test_a_tone_that_fails_to_play_is_reported_not_raised(qtbot):
    class Refusing:
        def __init__(self, *_: object) -> None:
            pass

        def play(self) -> None:
            raise OSError("device busy")

        def stop(self) -> None:
            pass

    tone = AlarmTone(player_factory=Refusing)
    changes: list[bool] = []
    tone.availability_changed.connect(changes.append)
    assert tone.available
    tone.set_tone(AlarmPriority.MEDIUM)
    assert not tone.available and changes == [False]
    assert "could not be played" in tone.reason


@pytest.mark.parametrize("priority", list(AlarmPriority))
def test_generated_bursts_have_the_pulses_of_their_priority(priority: AlarmPriority):
    burst = BURSTS[priority]
    samples = burst_samples(burst)
    assert len(samples) == round(burst.period_s * RATE)
    loud = abs(samples.astype(int)) > 1000
    starts = [i for i in range(1, len(loud)) if loud[i] and not loud[i - 1 : i].any()]
    # Each pulse starts once (ramps cross the threshold once); count pulse onsets by gaps.
    onsets = [s for k, s in enumerate(starts) if k == 0 or s - starts[k - 1] > RATE * 0.05]
    assert len(onsets) == len(burst.starts_s)
    data = wav_bytes(samples)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert len({len(BURSTS[p].starts_s) for p in AlarmPriority}) == 3
