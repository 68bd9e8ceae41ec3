"""A tiny fake cuff for engine tests: follows the engine's commands with simple pressure physics."""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.protocol.types import Phase
from kaatsu_desktop.session import (
    ChannelReading,
    EngineCommand,
    HoldCommand,
    ReleaseAllCommand,
    ReleaseCommand,
    RunCycleCommand,
    SessionEngine,
    SetSitesCommand,
    StepResult,
    is_release,
)

RISE = 120.0  # units per second while the pump runs
VENT = 400.0  # units per second while the valve is open
BAND = 3.0  # holding within this of the target
BUSY_ABOVE = 10.0  # a released channel above this refuses a new pressure command
WATCHDOG_S = 2.0  # heartbeat timeout: the device releases everything


@dataclass
class _Channel:
    pressure: float = 0.0
    command: RunCycleCommand | HoldCommand | None = None
    started: float = 0.0
    ttl_end: float = 0.0
    phase: Phase = Phase.IDLE
    target: float = 0.0


@dataclass
class FakePlant:
    """Device model: cycle programs, holds, time-to-live, venting, heartbeat watchdog."""

    count: int = 4
    now: float = 0.0
    link_up: bool = True
    link_down_since: float | None = None
    channels: list[_Channel] = field(default_factory=list)
    max_target_seen: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.channels = [_Channel() for _ in range(self.count)]

    def apply(self, cmd: EngineCommand) -> bool:
        """Apply one command as the firmware would; returns the result (OK or not)."""
        if isinstance(cmd, ReleaseAllCommand):
            for ch in self.channels:
                self._release(ch)
            return True
        if isinstance(cmd, ReleaseCommand):
            for i in cmd.channels:
                self._release(self.channels[i])
            return True
        if isinstance(cmd, SetSitesCommand):
            return all(self.channels[i].command is None for i in cmd.channels)
        if not self.link_up:
            return False  # watchdog not armed: pressure commands refused
        targets = [self.channels[i] for i in cmd.channels]
        if any(ch.command is None and ch.pressure > BUSY_ABOVE for ch in targets):
            return False  # BUSY: still venting
        for i, ch in zip(cmd.channels, targets, strict=True):
            ch.command = cmd
            ch.started = self.now
            ch.ttl_end = self.now + cmd.ttl_s
            self.max_target_seen[i] = max(self.max_target_seen.get(i, 0.0), cmd.max_pressure)
        return True

    def _release(self, ch: _Channel) -> None:
        ch.command = None
        ch.phase = Phase.RELEASED
        ch.target = 0.0

    def set_link(self, up: bool) -> None:
        """The radio link (and with it the heartbeat) comes or goes."""
        if up == self.link_up:
            return
        self.link_up = up
        self.link_down_since = None if up else self.now

    def step(self, now: float) -> tuple[ChannelReading, ...]:
        """Advance the physics to ``now`` and return one frame."""
        dt = max(0.0, now - self.now)
        self.now = now
        if self.link_down_since is not None and now - self.link_down_since >= WATCHDOG_S:
            for ch in self.channels:
                self._release(ch)
        out = []
        for i, ch in enumerate(self.channels):
            self._program(ch, now)
            pump = False
            if ch.target > 0:
                if ch.pressure < ch.target - BAND:
                    pump = True
                    ch.pressure = min(ch.target, ch.pressure + RISE * dt)
                else:
                    ch.pressure = ch.target
                if ch.phase in (Phase.INFLATING, Phase.HOLDING):
                    holding = abs(ch.pressure - ch.target) <= BAND
                    ch.phase = Phase.HOLDING if holding else Phase.INFLATING
            else:
                ch.pressure = max(0.0, ch.pressure - VENT * dt)
            out.append(ChannelReading(i, ch.pressure, ch.target, ch.phase, pump, ch.target == 0))
        return tuple(out)

    def _program(self, ch: _Channel, now: float) -> None:
        cmd = ch.command
        if cmd is None:
            return
        if now >= ch.ttl_end:
            self._release(ch)
            return
        if isinstance(cmd, HoldCommand):
            ch.target = cmd.pressure
            if ch.phase not in (Phase.INFLATING, Phase.HOLDING):
                ch.phase = Phase.INFLATING
            return
        period = cmd.inflate_s + cmd.deflate_s
        t = now - ch.started
        k = int(t // period)
        if k >= cmd.cycles:
            self._release(ch)
        elif t - k * period < cmd.inflate_s:
            ch.target = cmd.pressures[k]
            if ch.phase not in (Phase.INFLATING, Phase.HOLDING):
                ch.phase = Phase.INFLATING
        else:
            ch.target = 0.0
            ch.phase = Phase.DEFLATING

    def pressurised(self, i: int, threshold: float) -> bool:
        """The channel holds a pressure command or still reads at or above ``threshold``."""
        ch = self.channels[i]
        return ch.command is not None or ch.pressure >= threshold


class Harness:
    """Engine and fake cuff wired like the later glue: commands go out, answers come back."""

    def __init__(self, engine: SessionEngine, plant: FakePlant, t0: float) -> None:
        self.engine = engine
        self.plant = plant
        self.t = t0
        plant.now = t0
        self.queued: list[EngineCommand] = []
        self.results: list[StepResult] = []
        self.sent: list[EngineCommand] = []

    def deliver(self, result: StepResult) -> StepResult:
        """Send a result's commands to the plant (or queue them while the link is down)."""
        self.results.append(result)
        todo = list(result.commands)
        while todo:
            cmd = todo.pop(0)
            if not self.plant.link_up:
                # The glue keeps releases (they jump the queue); other commands are dropped.
                if is_release(cmd):
                    self.queued.append(cmd)
                continue
            self.sent.append(cmd)
            ok = self.plant.apply(cmd)
            answer = self.engine.on_command_result(self.t, cmd.command_id, ok)
            self.results.append(answer)
            todo.extend(answer.commands)
        return result

    def link(self, up: bool) -> StepResult:
        """Drop or restore the link; queued releases go out on reconnect."""
        self.plant.set_link(up)
        result = self.deliver(self.engine.on_link(self.t, up))
        if up and self.queued:
            queued, self.queued = self.queued, []
            self.deliver(StepResult(tuple(queued)))
        return result

    def advance(self, seconds: float, step: float = 0.1) -> None:
        """Let time run: frames (while the link is up) and ticks every ``step``."""
        start = self.t
        n = max(1, round(seconds / step))
        for i in range(1, n + 1):
            self.t = start + seconds * i / n  # no drift: whole seconds stay whole
            readings = self.plant.step(self.t)
            if self.plant.link_up:
                self.deliver(self.engine.on_readings(self.t, readings))
            self.deliver(self.engine.tick(self.t))

    def do(self, intent: str, *args: object) -> StepResult:
        """Call a clinician intent at the current time and deliver its commands."""
        return self.deliver(getattr(self.engine, intent)(self.t, *args))
