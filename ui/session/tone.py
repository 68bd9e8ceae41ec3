"""Alarm tones by priority, generated (no sound files), played with QtMultimedia when it can.

The bursts follow the IEC 60601-1-8 idea: high priority ten fast pulses (3 + 2, twice) repeated
every few seconds, medium three slower pulses, low two soft pulses. QtMultimedia is imported
guarded: without libpulse the import fails, without an audio device QSoundEffect plays nothing.
Either way nothing crashes and ``available`` is False with the reason, so the panel can say
"audible alarms unavailable" (an alarm system that cannot sound must say so).
"""

from __future__ import annotations

import io
import logging
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QObject, QUrl, Signal

from kaatsu_desktop.session import AlarmPriority
from ui.session.format import tr

log = logging.getLogger(__name__)

RATE: Final = 22050


@dataclass(frozen=True)
class Burst:
    """One priority's sound: pulse pitch, pulse length, the pulse start times and the period."""

    frequency_hz: float
    pulse_s: float
    starts_s: tuple[float, ...]
    period_s: float  # the burst repeats with this period (the WAV is this long)
    volume: float


BURSTS: Final = {
    AlarmPriority.HIGH: Burst(
        880.0, 0.12, (0.0, 0.2, 0.4, 0.8, 1.0, 1.6, 1.8, 2.0, 2.4, 2.6), 6.0, 0.55
    ),
    AlarmPriority.MEDIUM: Burst(660.0, 0.2, (0.0, 0.35, 0.7), 8.0, 0.45),
    AlarmPriority.LOW: Burst(520.0, 0.2, (0.0, 0.4), 20.0, 0.3),
}


def burst_samples(burst: Burst, rate: int = RATE) -> np.ndarray:
    """One period of a burst as 16-bit mono samples (pulses with soft edges and harmonics)."""
    out = np.zeros(round(burst.period_s * rate), dtype=np.float64)
    n = round(burst.pulse_s * rate)
    t = np.arange(n) / rate
    f = burst.frequency_hz
    # A fundamental with a few harmonics is easier to locate than a pure sine.
    pulse = (
        np.sin(2 * np.pi * f * t)
        + 0.5 * np.sin(4 * np.pi * f * t)
        + 0.3 * np.sin(6 * np.pi * f * t)
        + 0.2 * np.sin(8 * np.pi * f * t)
    ) / 2.0
    edge = min(n // 2, round(0.02 * rate))
    envelope = np.ones(n)
    ramp = np.linspace(0.0, 1.0, edge)
    envelope[:edge] = ramp
    envelope[n - edge :] = ramp[::-1]
    pulse *= envelope * burst.volume
    for start in burst.starts_s:
        i = round(start * rate)
        out[i : i + n] += pulse[: len(out) - i]
    return (np.clip(out, -1.0, 1.0) * 32767).astype("<i2")


def wav_bytes(samples: np.ndarray, rate: int = RATE) -> bytes:
    """A mono 16-bit WAV file holding ``samples``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()


def _load_multimedia() -> tuple[Any, Any] | str:
    """(QSoundEffect, QMediaDevices), or why sound is unavailable."""
    try:
        from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
    except Exception as exc:  # ImportError, or a missing system library such as libpulse
        return tr("audio library not available ({error})").format(error=type(exc).__name__)
    try:
        if not QMediaDevices.audioOutputs():
            return tr("no audio output device")
    except Exception as exc:
        return tr("audio devices cannot be listed ({error})").format(error=type(exc).__name__)
    return QSoundEffect, QMediaDevices


PlayerFactory = Callable[[AlarmPriority, Path], Any]


class AlarmTone(QObject):
    """Plays the tone of the most urgent audible alarm, or says why it cannot."""

    availability_changed = Signal(bool)

    def __init__(
        self, parent: QObject | None = None, *, player_factory: PlayerFactory | None = None
    ) -> None:
        super().__init__(parent)
        self.playing: AlarmPriority | None = None
        self.reason = ""
        self._players: dict[AlarmPriority, Any] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        if player_factory is None:
            found = _load_multimedia()
            if isinstance(found, str):
                self._fail(found)
                return
            sound_effect = found[0]
            player_factory = lambda _p, path: self._sound_effect(sound_effect, path)  # noqa: E731
        try:
            self._dir = tempfile.TemporaryDirectory(prefix="kaatsu-tones-")
            for priority, burst in BURSTS.items():
                path = Path(self._dir.name) / f"alarm-{priority.name.lower()}.wav"
                path.write_bytes(wav_bytes(burst_samples(burst)))
                self._players[priority] = player_factory(priority, path)
        except Exception as exc:
            log.exception("alarm tones could not be prepared")
            self._players.clear()
            self._fail(tr("tones could not be prepared ({error})").format(error=exc))

    @property
    def available(self) -> bool:
        """True when the tones can sound."""
        return bool(self._players) and not self.reason

    def _fail(self, reason: str) -> None:
        first = not self.reason
        self.reason = reason
        log.warning("audible alarms unavailable: %s", reason)
        if first:
            self.availability_changed.emit(False)

    def _sound_effect(self, cls: Any, path: Path) -> Any:
        effect = cls(self)
        effect.setLoopCount(-2)  # QSoundEffect.Loop.Infinite
        effect.setVolume(1.0)
        effect.statusChanged.connect(lambda e=effect: self._status(e))
        effect.setSource(QUrl.fromLocalFile(str(path)))
        return effect

    def _status(self, effect: Any) -> None:
        try:
            error = effect.status() == type(effect).Status.Error
        except Exception:
            error = True
        if error:
            self._fail(tr("the audio device refused the tone"))

    def set_tone(self, priority: AlarmPriority | None) -> None:
        """Sound ``priority``'s tone (None: silence); a call that changes nothing does nothing."""
        if priority == self.playing:
            return
        old, self.playing = self.playing, priority
        try:
            if old is not None and old in self._players:
                self._players[old].stop()
            if priority is not None and self.available:
                self._players[priority].play()
        except Exception:  # sound is a help, never a reason to stop the panel
            log.exception("alarm tone could not be played")
            self._fail(tr("the tone could not be played"))

    def stop(self) -> None:
        """Silence every tone."""
        self.set_tone(None)
