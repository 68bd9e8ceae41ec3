"""Builders for the session engine tests: protocols, engines, hand-made frames, a clock loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from devices.protocol.types import Phase, Site, Unit
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import (
    ChannelReading,
    GroupPressures,
    PatientContext,
    Protocol,
    ProtocolMode,
    SessionEngine,
    StepResult,
)

FOUR = {0: Site.LEFT_ARM, 1: Site.RIGHT_ARM, 2: Site.LEFT_LEG, 3: Site.RIGHT_LEG}
ARMS_P = GroupPressures(100, 130, 160, 200)
LEGS_P = GroupPressures(140, 180, 220, 260)
NEW = PatientContext(0, "clear")
EXPERIENCED = PatientContext(5, "clear")


def protocol(mode: ProtocolMode = ProtocolMode.CYCLE, **kw: object) -> Protocol:
    """A test protocol in mmHg (30 s / 5 s, 8 cycles unless told)."""
    base: dict[str, object] = {"cycles": 8}
    if mode is ProtocolMode.PROGRESSIVE_CYCLE:
        base["step"] = 10.0
        base["cycles"] = 4
    if mode is ProtocolMode.CONSTANT:
        base = {"hold_s": 120}
    base.update(kw)
    return Protocol("test", "Test", mode, Unit.MMHG, ARMS_P, LEGS_P, **base)  # type: ignore[arg-type]


def make_engine(
    proto: Protocol | None = None,
    *,
    patient: PatientContext = NEW,
    sites: Mapping[int, Site] = FOUR,
    blocked: Iterable[Site | str] = (),
    settings: ClinicSettings | None = None,
    t0: float = 0.0,
) -> SessionEngine:
    """An engine with the link up and a first all-zero frame at ``t0``."""
    engine = SessionEngine(
        settings or ClinicSettings(),
        sites,
        proto or protocol(),
        patient,
        blocked,
        t0,
    )
    engine.on_link(t0, True)
    engine.on_readings(t0, frame({ch: 0.0 for ch in sites}))
    return engine


def frame(
    pressures: Mapping[int, float | None],
    target: float = 0.0,
    phase: Phase = Phase.RELEASED,
    pump: bool = False,
    **per_channel: tuple[float, float, Phase, bool],
) -> tuple[ChannelReading, ...]:
    """Readings for several channels; ``chN=(p, target, phase, pump)`` overrides channel N."""
    out = []
    for ch, p in sorted(pressures.items()):
        spec = per_channel.get(f"ch{ch}")
        if spec is not None:
            out.append(ChannelReading(ch, spec[0], spec[1], spec[2], spec[3], spec[1] == 0))
        else:
            out.append(ChannelReading(ch, p, target, phase, pump, target == 0))
    return tuple(out)


def holding(channels: Iterable[int], p: float, target: float, others: float = 0.0) -> tuple:
    """Frame where ``channels`` hold ``p`` at ``target`` and the rest read ``others`` released."""
    chans = set(channels)
    return tuple(
        ChannelReading(ch, p, target, Phase.HOLDING, False, False)
        if ch in chans
        else ChannelReading(ch, others, 0.0, Phase.RELEASED, False, True)
        for ch in range(4)
    )


def kinds(result: StepResult) -> list[str]:
    """Event kinds of a result, as strings."""
    return [e.kind.value for e in result.events]


def run(
    engine: SessionEngine,
    start: float,
    end: float,
    readings: Callable[[float], tuple[ChannelReading, ...]],
    step: float = 0.5,
) -> list[StepResult]:
    """Frames and ticks from just after ``start`` up to and including ``end``."""
    out = []
    n = max(1, round((end - start) / step))
    for i in range(1, n + 1):
        t = start + (end - start) * i / n
        out.append(engine.on_readings(t, readings(t)))
        out.append(engine.tick(t))
    return out
