"""The Qt bridge: device-thread output reaches the UI thread as typed signals, coalesced."""

from __future__ import annotations

import gc
import sys
import threading

from pytestqt.qtbot import QtBot

from devices.link import LinkStale
from kaatsu_desktop.session import EventKind, Refusal, SessionEvent, SessionSnapshot
from kaatsu_desktop.session.bridge import SessionBridge
from kaatsu_desktop.session.controller import IntentRefusal, SessionListener
from kaatsu_desktop.session.recorder import RecorderStats
from tests.kaatsu_desktop.session_live._support import live_session


class FakeController:
    """Only what the bridge uses of a controller: subscribe."""

    def __init__(self) -> None:
        self.listeners: list[SessionListener] = []

    def subscribe(self, listener: SessionListener) -> object:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)


def event(i: int) -> SessionEvent:
    """A numbered event."""
    return SessionEvent(EventKind.SKIN_OBSERVED, float(i), "T-SKIN-1", f"event {i}")


def test_a_burst_from_the_device_thread_arrives_in_order_in_one_delivery(qtbot: QtBot) -> None:
    fake = FakeController()
    bridge = SessionBridge(fake)  # type: ignore[arg-type]
    got: list[tuple[str, object, threading.Thread]] = []
    for name in ("event_arrived", "intent_refused", "link_event", "recorder_changed"):
        getattr(bridge, name).connect(
            lambda x, n=name: got.append((n, x, threading.current_thread()))
        )
    snapshots: list[object] = []
    bridge.snapshot_changed.connect(snapshots.append)
    (listener,) = fake.listeners
    refusal = IntentRefusal("start_limb_group", Refusal("T-ORD-1", "arms first"))

    def device_thread() -> None:
        for i in range(1000):
            listener.on_events((event(i),))
            listener.on_snapshot(f"snapshot {i}")  # type: ignore[arg-type]
        listener.on_refusal(refusal)
        listener.on_link_event(LinkStale(1.0, 0.0))
        listener.on_recorder(RecorderStats(samples_written=5))

    worker = threading.Thread(target=device_thread)
    worker.start()
    worker.join(5)
    assert got == [] and bridge.deliveries_requested == 1  # nothing yet: one wake-up queued
    qtbot.waitUntil(lambda: len(got) == 1003, timeout=2000)
    events = [x for n, x, _ in got if n == "event_arrived"]
    assert events == [event(i) for i in range(1000)]
    assert {t for *_, t in got} == {threading.main_thread()}
    assert [x for n, x, _ in got if n == "intent_refused"] == [refusal]
    assert snapshots == ["snapshot 999"]  # only the latest view is drawn
    assert bridge.latest == "snapshot 999"
    bridge.detach()
    assert fake.listeners == []


def test_the_bridge_on_a_live_session_shows_refusals_and_snapshots(qtbot: QtBot) -> None:
    with live_session() as s:
        bridge = SessionBridge(s.controller)
        try:
            with qtbot.waitSignal(bridge.intent_refused, timeout=2000) as refused:
                s.do(s.controller.start_limb_group("legs"))
            assert refused.args[0].refusal.rule_id == "T-ORD-1"
            s.advance(0.3)
            qtbot.waitUntil(lambda: bridge.latest is not None, timeout=2000)
            assert isinstance(bridge.latest, SessionSnapshot)
            assert bridge.latest.link_up
        finally:
            bridge.detach()


def test_many_deliveries_leave_the_reference_count_of_true_alone(qtbot: QtBot) -> None:
    """PySide6 6.12.0's emit drops a reference to True each time; the bridge makes up for it."""
    fake = FakeController()
    bridge = SessionBridge(fake)  # type: ignore[arg-type]
    got: list[SessionEvent] = []
    bridge.event_arrived.connect(got.append)
    (listener,) = fake.listeners
    # Collection of other tests' garbage during the loop would move True's count: measure without.
    gc.collect()
    gc.disable()
    before = sys.getrefcount(True)
    for i in range(3000):  # several times the few hundred emits that abort an unrepaired run
        listener.on_events((event(i),))
        if i % 100 == 99:
            qtbot.waitUntil(lambda n=i: len(got) == n + 1, timeout=2000)
    after = sys.getrefcount(True)
    gc.enable()
    assert len(got) == 3000
    assert abs(after - before) < 200
    bridge.detach()
