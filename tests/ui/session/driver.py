"""A session engine and the fake cuff behind the SessionIntents port, stepped by the test."""

from __future__ import annotations

from collections.abc import Callable

from devices.protocol.types import Site
from kaatsu_desktop.session import (
    LimbGroup,
    SessionEngine,
    SessionEvent,
    SessionSnapshot,
    SkinColour,
    StepResult,
    StopCriterion,
)
from kaatsu_desktop.session.ringbuffer import SessionBuffers
from tests.kaatsu_desktop.session.helpers import make_engine
from tests.kaatsu_desktop.session.plant import FakePlant, Harness


class EngineDriver:
    """Intents go straight to the engine; ``advance`` runs frames, ticks and the ring buffers."""

    def __init__(self, engine: SessionEngine | None = None, t0: float = 0.0) -> None:
        self.engine = engine or make_engine(t0=t0)
        self.plant = FakePlant()
        self.harness = Harness(self.engine, self.plant, t0)
        self.t0 = t0
        self.buffers = SessionBuffers(4, rate_hz=10.0)
        self.calls: list[str] = []
        self.snapshot_sinks: list[Callable[[SessionSnapshot], None]] = []
        self.event_sinks: list[Callable[[tuple[SessionEvent, ...]], None]] = []

    @property
    def t(self) -> float:
        """Engine time now."""
        return self.harness.t

    def snapshot(self) -> SessionSnapshot:
        """The engine's snapshot now."""
        return self.engine.snapshot(self.harness.t)

    def publish(self, result: StepResult | None = None) -> None:
        """Hand a snapshot (and the result's events) to the sinks, as the bridge would."""
        if result is not None and result.events:
            for sink in self.event_sinks:
                sink(result.events)
        snap = self.snapshot()
        for sink in self.snapshot_sinks:
            sink(snap)

    def _do(self, name: str, *args: object) -> None:
        self.calls.append(name)
        before = len(self.engine.event_log)
        self.harness.do(name, *args)
        events = self.engine.event_log[before:]
        self.publish(StepResult((), tuple(events)))

    # -- SessionIntents ------------------------------------------------------------------------

    def release_all(self, reason: str = "clinician") -> None:
        self._do("release_all", reason)

    def release_for_stop_criterion(self, criterion: StopCriterion) -> None:
        self._do("release_for_stop_criterion", criterion)

    def start_limb_group(self, group: LimbGroup) -> None:
        self._do("start_limb_group", group)

    def confirm_arm_bands_off(self) -> None:
        self._do("confirm_arm_bands_off")

    def skip_arm_phase(self, reason: str) -> None:
        self._do("skip_arm_phase", reason)

    def record_skin(self, site: Site, colour: SkinColour) -> None:
        self._do("record_skin", site, colour)

    def acknowledge(self, alarm_id: str) -> None:
        self._do("acknowledge", alarm_id)

    def pause_audio(self) -> None:
        self._do("pause_audio")

    def finish(self) -> None:
        self._do("finish")

    def abort(self, reason: str) -> None:
        self._do("abort", reason)

    # -- time ----------------------------------------------------------------------------------

    def advance(self, seconds: float, step: float = 0.1) -> None:
        """Let time run; every frame also goes to the ring buffers; one snapshot at the end."""
        before = len(self.engine.event_log)
        n = max(1, round(seconds / step))
        start = self.harness.t
        for i in range(1, n + 1):
            t = start + seconds * i / n
            self.harness.advance(t - self.harness.t, step=t - self.harness.t)
            for ch, c in enumerate(self.plant.channels):
                # Session seconds, as the controller stores them.
                self.buffers.append(ch, t - self.t0, c.pressure, c.target, int(c.phase))
        self.publish(StepResult((), tuple(self.engine.event_log[before:])))

    def inflated(self) -> list[int]:
        """Channels the fake cuff holds under a pressure command."""
        return [i for i, c in enumerate(self.plant.channels) if c.command is not None]
