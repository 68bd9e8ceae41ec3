"""Shared pieces of the live-session tests: database, collectors, a session on a virtual clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from devices.link import LinkEvent, PressureReading
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import PatientContext, Protocol, SessionEvent, SessionSnapshot
from kaatsu_desktop.session.controller import IntentRefusal, SessionController, SessionListener
from kaatsu_desktop.session.demo import (
    SimulatedCuffRig,
    connect_simulated_cuff,
    demo_setup,
    preset,
    virtual_runtime,
)
from kaatsu_desktop.session.recorder import Recorder, RecorderStats
from kaatsu_desktop.storage import Database, NewSession, open_database

T = TypeVar("T")

EXPERIENCED = PatientContext(3, "clear")


def fixed_clock() -> datetime:
    """The database's wall clock in these tests."""
    return datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def open_db(path: Path) -> Database:
    """A fresh database file (no automatic backup)."""
    return open_database(path, clock=fixed_clock, auto_backup=False)


def long_cycle(protocol_id: str = "cycle-mmhg") -> Protocol:
    """The shipped Cycle preset with 20 cycles of 60 s + 5 s: longer than either time limit."""
    return preset(protocol_id).adjusted(inflation_s=60, cycles=20)


@dataclass
class Collector(SessionListener):
    """Everything the controller hands its listeners (device thread), kept for the test thread."""

    snapshots: list[SessionSnapshot] = field(default_factory=list)
    events: list[SessionEvent] = field(default_factory=list)
    refusals: list[IntentRefusal] = field(default_factory=list)
    link_events: list[LinkEvent] = field(default_factory=list)
    recorder: list[RecorderStats] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        with self.lock:
            self.snapshots.append(snapshot)

    def on_events(self, events: tuple[SessionEvent, ...]) -> None:
        with self.lock:
            self.events.extend(events)

    def on_refusal(self, refusal: IntentRefusal) -> None:
        with self.lock:
            self.refusals.append(refusal)

    def on_link_event(self, event: LinkEvent) -> None:
        with self.lock:
            self.link_events.append(event)

    def on_recorder(self, stats: RecorderStats) -> None:
        with self.lock:
            self.recorder.append(stats)

    def kinds(self) -> list[str]:
        """Event kinds so far."""
        with self.lock:
            return [e.kind.value for e in self.events]

    def of(self, kind: str) -> list[SessionEvent]:
        """Events of one kind so far."""
        with self.lock:
            return [e for e in self.events if e.kind.value == kind]


@dataclass
class Live:
    """A started session on a simulated cuff and a virtual clock."""

    rig: SimulatedCuffRig
    controller: SessionController
    collector: Collector
    recorder: Recorder | None
    frames: list[int]  # Pressure Stream frames seen while the session records

    @property
    def rt(self) -> Any:
        """The device runtime."""
        return self.rig.runtime

    def now(self) -> float:
        """The loop clock."""
        return float(self.rt.clock())

    def advance(self, seconds: float) -> float:
        """Let virtual time pass."""
        return float(self.rt.advance(seconds))

    def on_loop(self, fn: Callable[[], T]) -> T:
        """Run a callable on the device thread and return its result."""
        return self.rt.call(fn).result(5)

    def do(self, fut: Any) -> Any:
        """Wait for an intent's result, stepping the clock when needed."""
        return self.rig.wait(fut, 5.0)

    def snapshot(self) -> SessionSnapshot:
        """A snapshot taken on the device thread now."""
        return self.on_loop(lambda: self.controller.engine.snapshot(self.now()))


@contextmanager
def live_session(
    protocol: Protocol | None = None,
    *,
    patient: PatientContext = EXPERIENCED,
    db: Database | None = None,
    flush_interval_s: float = 0.5,
    settings: ClinicSettings | None = None,
    collect: bool = True,
    **controller_kwargs: Any,
) -> Iterator[Live]:
    """A virtual-time runtime, a connected simulated cuff and a started session; stops after.

    ``collect`` subscribes a Collector; without listeners no snapshot is built at all.
    """
    rt = virtual_runtime()
    recorder = None
    try:
        rig = connect_simulated_cuff(rt)
        if db is not None:
            recorder = Recorder.create(
                db,
                NewSession(None, {"id": (protocol or long_cycle()).id}, demo=True),
                by=None,
                flush_interval_s=flush_interval_s,
            )
        setup = demo_setup(protocol or long_cycle(), patient=patient, settings=settings)
        controller = SessionController(rt, rig.link, setup, recorder=recorder, **controller_kwargs)
        collector = Collector()
        if collect:
            controller.subscribe(collector)
        frames = [0]

        def count(_: PressureReading) -> None:
            # Subscribed before the controller: sees each frame in the same recording state.
            if controller.started and controller.recording:
                frames[0] += 1

        rt.call(rig.link.subscribe_pressure, count).result(5)
        rig.wait(controller.start())
        rt.advance(0.2)  # first frames: every band reads deflated
        yield Live(rig, controller, collector, recorder, frames)
    finally:
        if recorder is not None:
            recorder.close()
        rt.stop()
