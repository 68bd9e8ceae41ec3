"""The whole workstation with a live session, for the benchmarks that need the UI.

The main window as the composition root builds it, the session page mounted on a device runtime,
and a simulated four-channel cuff behind the unchanged ``BleakClient`` streaming at 100 Hz. The
set-up goes through the UI as a clinician does it: open the patient, Session, scan, connect,
answer the checklist, Start. The runtime runs on the real clock (the release latency) or on a
virtual one that a :class:`devices.vtime.RealTimePacer` can drive at real-time pace for the
measured stretches.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import qt_offscreen

qt_offscreen()

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QWidget  # noqa: E402

from devices.link import CuffLink  # noqa: E402
from devices.protocol import Release, ReleaseAll, uuids  # noqa: E402
from devices.runtime import DeviceRuntime  # noqa: E402
from devices.sim.host import HostTiming  # noqa: E402
from devices.sim.registry import ARMS_AND_LEGS, CuffRegistry, simulated_cuff  # noqa: E402
from kaatsu_desktop.app import build_workstation  # noqa: E402
from kaatsu_desktop.session import Control, LimbGroup  # noqa: E402
from kaatsu_desktop.session.controller import SessionController  # noqa: E402
from kaatsu_desktop.session.demo import (  # noqa: E402
    WriteLog,
    WriteRecord,
    simulated_backends,
    virtual_runtime,
)
from kaatsu_desktop.session.recorder import Recorder  # noqa: E402
from kaatsu_desktop.session.snapshot import GroupStatus  # noqa: E402
from kaatsu_desktop.storage import (  # noqa: E402
    NewSession,
    PatientFields,
    SessionStatus,
    create_session,
    finish_session,
    open_database,
)
from ui.main_window import MainWindow  # noqa: E402
from ui.session.mount import SessionMount, mount_session  # noqa: E402
from ui.session.port import StartRequest  # noqa: E402
from ui.session.tone import AlarmTone  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ADDRESS = "C6:C6:5B:00:00:01"
SCREENING = {
    "format": "kaatsu-screening/1", "assessed_on": "2026-03-02", "sex": "female",
    "date_of_birth": "1970-05-01", "height_cm": 165, "weight_kg": 60, "systolic_mmhg": 120,
    "diastolic_mmhg": 75, "under_treatment_for": [], "symptoms": [], "history": [],
    "family_history_premature_cardiac_event": False, "ecg_findings": [], "acute_conditions": [],
    "pregnancy": "no", "thrombosis_factors": [], "last_surgery_on": None, "wound_sites": [],
    "lower_limb_joint_damage": False,
}  # fmt: skip


class ReleaseWatch(WriteLog):
    """The cuff's write log; also signals each RELEASE or RELEASE_ALL the cuff receives."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(clock)
        self.release_written = threading.Event()
        self.releases: list[WriteRecord] = []

    def add(self, uuid: str, data: bytes) -> None:
        """Record the write (device thread); a release also sets ``release_written``."""
        super().add(uuid, data)
        if uuid != uuids.CONTROL_POINT:
            return
        record = self.records()[-1]
        if isinstance(record.command(), Release | ReleaseAll):
            self.releases.append(record)
            self.release_written.set()


class _SilentPlayer:
    """A player that never sounds (benchmarks run unattended); tones stay 'available'."""

    def __init__(self, _priority: object, _path: Path) -> None:
        self.playing = False

    def play(self) -> None:
        self.playing = True

    def stop(self) -> None:
        self.playing = False


@dataclass(frozen=True)
class Options:
    """How the workstation is set up."""

    virtual: bool = True  # virtual loop clock (stepped or paced) rather than the real one
    stream_hz: float = 100.0
    record: bool = True  # samples and events to SQLite, as in the clinic
    settings: Mapping[str, Any] | None = None  # clinic settings (limits may only shorten)
    earlier_sessions: int = 1  # one finished session allows three sets per limb (T-SETS-1)
    size: tuple[int, int] = (1440, 900)
    scan_s: float = 0.5  # how long a scan listens (the simulated cuff advertises at once)


class SessionWorkstation:
    """Main window, session page, simulated cuff and database in a temporary folder."""

    def __init__(self, options: Options = Options()) -> None:
        self.options = options
        self.app = QApplication.instance() or QApplication([])
        apply_theme(self.app)  # type: ignore[arg-type]
        self._tmp = tempfile.TemporaryDirectory(prefix="kaatsu-bench-")
        self.db = open_database(
            Path(self._tmp.name) / "kaatsu.sqlite3", clock=lambda: NOW, auto_backup=False
        )
        workstation = build_workstation(self.db, demo=False)
        self.services = workstation.services
        self.window: MainWindow = workstation.window
        if options.settings:
            self.services.settings.save(dict(options.settings))
        self.rt = (
            virtual_runtime("bench-device")
            if options.virtual
            else DeviceRuntime(name="bench-device").start()
        )
        registry = CuffRegistry()
        timing = HostTiming(stream_hz=options.stream_hz)
        self.cuff = registry.add(
            simulated_cuff(ADDRESS, ARMS_AND_LEGS, name="KC-4 Bench", serial="B-1", timing=timing)
        )
        self.writes = ReleaseWatch(self.rt.clock)
        client, scanner = simulated_backends(registry, self.writes)
        link = CuffLink(backend=client, scanner_backend=scanner, random=random.Random(1).random)
        self.rt.add_shutdown_hook(registry.close)
        self.rt.add_shutdown_hook(link.close)
        self.rt.call(self.cuff.attach).result(5)
        self.mount: SessionMount = mount_session(
            self.window,
            self.services,
            runtime=self.rt,
            link=link,
            clock=lambda: NOW,
            recorder_factory=self._recorder if options.record else None,
            tone=AlarmTone(player_factory=_SilentPlayer),
        )
        if self.mount.host is not None:
            self.mount.host.scan_timeout_s = options.scan_s  # a scan listens this long
        self.page = self.mount.page
        self.live = self.page.live
        self.window.resize(*options.size)
        self.window.show()
        self.window.activateWindow()
        self._closed = False

    def _recorder(self, request: StartRequest) -> Recorder:
        new = NewSession(request.patient_id, {"id": request.protocol.id})
        return Recorder.create(self.db, new, by=None)

    # -- time ------------------------------------------------------------------------------------

    def process(self) -> None:
        """Let the UI thread handle what is pending."""
        self.app.processEvents()

    def pump(self, until: Callable[[], bool], limit_s: float, step_s: float = 0.05) -> None:
        """Let time pass (virtual: stepped; real: slept) with the UI following, until ``until``."""
        waited = 0.0
        while not until():
            if waited > limit_s:
                raise RuntimeError(f"not reached within {limit_s} s")
            if self.options.virtual:
                self.rt.advance(step_s)
            else:
                time.sleep(step_s / 5)
            self.process()
            waited += step_s if self.options.virtual else step_s / 5
        self.process()

    def run(
        self, seconds: float, step_s: float = 1.0, each: Callable[[], None] | None = None
    ) -> None:
        """Virtual time only: let ``seconds`` pass in steps, the UI following after each."""
        done = 0.0
        while done < seconds - 1e-9:
            dt = min(step_s, seconds - done)
            self.rt.advance(dt)
            self.process()
            if each is not None:
                each()
            done += dt

    def wait_until(self, until: Callable[[], bool], limit_s: float) -> float:
        """Real time, the loop clock left alone: process UI events until ``until``; seconds."""
        started = time.perf_counter()
        while not until():
            if time.perf_counter() - started > limit_s:
                raise RuntimeError(f"not reached within {limit_s} s")
            self.process()
            time.sleep(0.0005)
        return time.perf_counter() - started

    def wait_real(self, seconds: float) -> None:
        """Real time: keep the UI thread's event loop running for ``seconds``."""
        end = time.perf_counter() + seconds
        while True:
            self.process()
            left = end - time.perf_counter()
            if left <= 0:
                return
            time.sleep(min(0.001, left))

    # -- the session -----------------------------------------------------------------------------

    @property
    def controller(self) -> SessionController:
        """The running session's controller."""
        host = self.mount.host
        assert host is not None and host.session is not None
        return host.session.controller

    def start_session(self) -> None:
        """Everything up to the live panel, through the UI: patient, cuff, checklist, Start."""
        patients = self.services.patients
        patient = patients.create(
            PatientFields("KC-B-0001", "Hanna", "Berg", "1970-05-01", "female")
        )
        self.services.screenings.save(patient.id, SCREENING)
        for _ in range(self.options.earlier_sessions):
            new = NewSession(patient.id, {"id": "cycle-mmhg"})
            earlier = create_session(self.db, new, by=None)
            groups = {"arms": {"restriction_s": 560.0}, "legs": {"restriction_s": 840.0}}
            summary = {"groups": groups}
            finish_session(self.db, earlier.id, SessionStatus.COMPLETED, by=None, summary=summary)
        self.window.open_patient(patient.id)
        self.window.patient_page.session_button.click()
        setup = self.mount.setup
        picker = setup.picker
        picker.scan.click()
        self.pump(lambda: picker.found.count() > 0, 10.0)
        picker.connect_button.click()
        self.pump(lambda: setup.cuff is not None, 10.0)
        checklist = setup.checklist
        assert checklist is not None
        if self.options.earlier_sessions:
            checklist.protocol.sets.setValue(3)  # T-SETS-1: three after the first session
        checklist.systolic.setValue(124)
        checklist.diastolic.setValue(80)
        checklist.unwell.set_value("no")
        checklist.hydrated.set_value("yes")
        if checklist.explained.isVisibleTo(checklist):
            checklist.explained.set_value("yes")
        checklist.aed.set_value("yes")
        for site in checklist.in_use:
            checklist.in_use[site].setChecked(True)
            checklist.fit[site].setChecked(True)
        if not checklist.start.isEnabled():
            raise RuntimeError(f"the checklist blocks: {checklist.reason.text()}")
        checklist.start.click()
        self.pump(lambda: self.page.stack.currentWidget() is self.live, 10.0)
        self.pump(self.button(Control.START_ARMS).isEnabled, 10.0)

    def button(self, control: Control) -> QPushButton:
        """One of the live panel's step buttons."""
        return self.live.controls.buttons[control]

    def clinician_step(self) -> None:
        """Do the next step a clinician would: next arm set, arm bands off, next leg set."""
        snap = self.live.snapshot
        if snap is None or snap.state.terminal:
            return
        arms = snap.group(LimbGroup.ARMS)
        arm_sets_done = arms.sets_started >= arms.sets_allowed or arms.status in (
            GroupStatus.LIMIT_REACHED,
            GroupStatus.ENDED,
        )
        order = [Control.START_ARMS, Control.START_LEGS]
        # Confirmed once: the button stays enabled through the changeover, so clicking it again
        # would take the place of the first leg set at every step.
        confirmed = snap.arm_bands_confirmed_off
        if arm_sets_done and arms.status is not GroupStatus.RUNNING and not confirmed:
            order.insert(1, Control.CONFIRM_ARM_BANDS_OFF)
        for control in order:
            button = self.button(control)
            if button.isVisibleTo(self.live) and button.isEnabled():
                button.click()
                self.process()
                return

    def close(self) -> None:
        """End the session (bands released), stop the runtime, close the database."""
        if self._closed:
            return
        self._closed = True
        try:
            self.mount.close()
        finally:
            self.rt.stop()
            self.window.close()
            self.window.deleteLater()
            self.process()
            self.db.close()
            self._tmp.cleanup()

    def __enter__(self) -> SessionWorkstation:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class FrameMeter(QObject):
    """Frame times of the live plots as the UI thread spends them.

    One frame is the plot timer's refresh (ring-buffer snapshots into the curves) plus every
    repaint of the window until the next refresh (the plots, and whatever else changed with
    them). The panel's timer is re-pointed at a timed wrapper of the same refresh, and the
    window's update requests (where Qt paints) are timed.
    """

    def __init__(self, window: QWidget, live: Any) -> None:
        super().__init__()
        self.frames_ms: list[float] = []
        self.refresh_ms: list[float] = []
        self.paint_ms: list[float] = []
        self.recording = False
        self._live = live
        self._window = window
        self._pending: float | None = None
        self._refresh = live.refresh_due  # what the panel's timer calls at each tick
        live.plot_timer.timeout.disconnect(live.refresh_due)
        live.plot_timer.timeout.connect(self._tick)
        original = window.event

        def timed_event(event: QEvent) -> bool:
            if event.type() != QEvent.Type.UpdateRequest:
                return original(event)
            started = time.perf_counter()
            handled = original(event)
            spent = (time.perf_counter() - started) * 1000.0
            if self._pending is not None:
                self._pending += spent
            if self.recording:
                self.paint_ms.append(spent)
            return handled

        window.event = timed_event  # type: ignore[method-assign]

    def _tick(self) -> None:
        self._close_frame()
        started = time.perf_counter()
        redrawn = self._refresh()
        spent = (time.perf_counter() - started) * 1000.0
        if redrawn:
            self._pending = spent
            if self.recording:
                self.refresh_ms.append(spent)

    def _close_frame(self) -> None:
        if self._pending is not None and self.recording:
            self.frames_ms.append(self._pending)
        self._pending = None

    def start(self) -> None:
        """Keep frames from now on (the current one is dropped)."""
        self._pending = None
        self.frames_ms, self.refresh_ms, self.paint_ms = [], [], []
        self.recording = True

    def stop(self) -> list[float]:
        """Stop keeping frames; the frames kept."""
        self._close_frame()
        self.recording = False
        return self.frames_ms
