"""A whole demo session driven through the UI, on the simulated cuff behind bleak, in virtual time.

Patient chosen in the main window -> checklist -> scan and connect the simulated cuff -> Start ->
arms (warning, then automatic release at the clinic's arm limit, T-TIME-1) -> arm bands off ->
legs -> finish -> close. Then the trainer's link drop, and Release all from another page.
The clinic shortens the arm limit to 2 minutes (settings may shorten, never lengthen), so the
whole session runs in a few seconds of wall time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from devices.link import CuffLink
from devices.runtime import DeviceRuntime
from devices.sim.host import HostTiming
from devices.sim.registry import ARMS_AND_LEGS, CuffRegistry, simulated_cuff
from kaatsu_desktop.services import Services
from kaatsu_desktop.session import Control, LimbGroup, SessionState
from kaatsu_desktop.session.demo import simulated_backends, virtual_runtime
from kaatsu_desktop.session.recorder import Recorder
from kaatsu_desktop.storage import Database, NewSession, SessionStatus, get_session
from tests.ui.conftest import add_patient
from tests.ui.session.test_checklist import answer_all
from ui.main_window import MainWindow, Page
from ui.session.mount import SessionMount, mount_session
from ui.session.port import StartRequest
from ui.session.tone import AlarmTone

ADDRESS = "C6:C6:5A:00:00:42"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SCREENING = {
    "format": "kaatsu-screening/1", "assessed_on": "2026-03-02", "sex": "female",
    "date_of_birth": "1970-05-01", "height_cm": 165, "weight_kg": 60, "systolic_mmhg": 120,
    "diastolic_mmhg": 75, "under_treatment_for": [], "symptoms": [], "history": [],
    "family_history_premature_cardiac_event": False, "ecg_findings": [], "acute_conditions": [],
    "pregnancy": "no", "thrombosis_factors": [], "last_surgery_on": None, "wound_sites": [],
    "lower_limb_joint_damage": False,
}  # fmt: skip


class Rig:
    """A virtual-time runtime with one simulated cuff, a link, the window and the mounted page."""

    def __init__(self, runtime: DeviceRuntime, mount: SessionMount, window: MainWindow) -> None:
        self.rt = runtime
        self.mount = mount
        self.window = window
        self.page = mount.page

    def pump(self, until: Callable[[], bool], seconds: float, step: float = 0.05) -> None:
        """Let virtual time run in steps, letting the UI thread drain, until ``until()``."""
        waited = 0.0
        while not until():
            if waited > seconds:
                raise AssertionError(f"not reached within {seconds} s of loop time")
            self.rt.advance(step)
            QApplication.processEvents()
            waited += step
        QApplication.processEvents()

    def run(self, seconds: float, step: float = 1.0) -> None:
        """Let ``seconds`` of virtual time pass with the UI following."""
        t = 0.0
        while t < seconds - 1e-9:
            dt = min(step, seconds - t)
            self.rt.advance(dt)
            QApplication.processEvents()
            t += dt

    @property
    def snapshot(self) -> Any:
        return self.page.live.snapshot

    def click(self, qtbot, button) -> None:
        assert button.isEnabled(), (button.objectName(), button.toolTip())
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        QApplication.processEvents()


@pytest.fixture
def rig(qtbot, services: Services, db: Database, tone: AlarmTone) -> Iterator[Rig]:
    rt = virtual_runtime("ui-session-test")
    registry = CuffRegistry()
    timing = HostTiming(stream_hz=25.0)  # the plots and the engine need no more in this test
    host = registry.add(
        simulated_cuff(ADDRESS, ARMS_AND_LEGS, name="KC-4 Demo", serial="T-1", timing=timing)
    )
    client, scanner = simulated_backends(registry)
    link = CuffLink(backend=client, scanner_backend=scanner, random=random.Random(1).random)
    rt.add_shutdown_hook(registry.close)
    rt.add_shutdown_hook(link.close)
    rt.call(host.attach).result(5)
    window = MainWindow(services, database_path=db.path, demo=True)
    qtbot.addWidget(window)

    def recorder(request: StartRequest) -> Recorder:
        new = NewSession(request.patient_id, {"id": request.protocol.id}, demo=True)
        return Recorder.create(db, new, by=None)

    mount = mount_session(
        window,
        services,
        runtime=rt,
        link=link,
        clock=lambda: NOW,
        recorder_factory=recorder,
        demo_registry=registry,
        tone=tone,
    )
    window.resize(1440, 900)
    try:
        yield Rig(rt, mount, window)
    finally:
        mount.close()
        rt.stop()


def set_up_and_start(qtbot, rig: Rig, services: Services) -> None:
    patient = add_patient(services)
    services.screenings.save(patient.id, SCREENING)
    rig.window.open_patient(patient.id)
    qtbot.mouseClick(rig.window.patient_page.session_button, Qt.MouseButton.LeftButton)
    assert rig.window.current_page() is Page.SESSION
    setup = rig.mount.setup
    checklist = setup.checklist
    assert checklist is not None and checklist.context.patient_id == patient.id
    assert checklist.reason.text() == checklist.reason.text()  # drawn
    picker = setup.picker
    rig.click(qtbot, picker.scan)
    rig.pump(lambda: picker.found.count() > 0, 10.0)
    assert ADDRESS in picker.found.item(0).text()
    rig.click(qtbot, picker.connect_button)
    rig.pump(lambda: setup.cuff is not None, 10.0)
    assert "simulated" in picker.details.text() and "unit mmHg" in picker.details.text()
    assert rig.window.link_label.property("statusRole") == "ok"
    answer_all(qtbot, checklist)
    assert checklist.start.isEnabled(), checklist.reason.text()
    rig.click(qtbot, checklist.start)
    rig.pump(lambda: rig.page.stack.currentWidget() is rig.page.live, 10.0)
    start_arms = rig.page.live.controls.buttons[Control.START_ARMS]
    rig.pump(start_arms.isEnabled, 5.0)  # every band reads deflated (T-ORD-2)


def test_full_demo_session_through_the_ui_arms_changeover_legs(
    qtbot, rig: Rig, services: Services, db: Database
):
    services.settings.save({"arm_warning_min": 1, "arm_limit_min": 2})
    set_up_and_start(qtbot, rig, services)
    live = rig.page.live
    buttons = live.controls.buttons
    rig.click(qtbot, buttons[Control.START_ARMS])
    rig.pump(lambda: live.rows[0].tile.phase_word == "holding", 10.0)
    assert int(live.rows[0].tile.pressure.text()) > 80
    rig.run(60.5, step=2.0)  # T-TIME-1 warning at the clinic's 1 min
    assert live.banner.property("priority") == "medium"
    assert live.clocks[LimbGroup.ARMS].bar.level.value == "warning"
    assert live.clocks[LimbGroup.ARMS].limit.text() == "of 02:00"
    rig.run(61.0, step=2.0)  # past 2 min: the arm bands are released at the limit
    assert rig.snapshot.group(LimbGroup.ARMS).status.value == "limit_reached"
    assert live.banner.property("priority") == "high"
    rig.click(qtbot, live.banner.ack)
    rig.pump(lambda: live.banner.property("priority") != "high", 2.0)
    rig.run(2.0, step=0.5)  # the arm bands read below the residual threshold
    rig.click(qtbot, buttons[Control.CONFIRM_ARM_BANDS_OFF])
    rig.pump(lambda: rig.snapshot.state is SessionState.CHANGEOVER, 2.0)
    rig.pump(lambda: buttons[Control.START_LEGS].isEnabled(), 5.0)
    rig.click(qtbot, buttons[Control.START_LEGS])
    rig.pump(lambda: live.rows[2].tile.phase_word == "holding", 10.0)
    assert rig.snapshot.state is SessionState.LEG_PHASE
    rig.run(120.0, step=2.0)
    live.refresh_plots()
    trace = live.rows[2].plot.trace
    x, y = trace.x, trace.y
    assert y.max() > 100 and x[-1] - x[0] > 100  # the last 2 minutes, from the ring buffer
    rig.click(qtbot, buttons[Control.FINISH])
    rig.pump(lambda: rig.snapshot.state is SessionState.FINISHED, 2.0)
    assert live.order.final.text() == "Finished"
    kinds = live.log.kinds()
    assert {"limit_release", "arm_bands_confirmed_off", "set_started"} <= set(kinds)
    rig.run(3.0, step=0.5)  # the final release is confirmed; the recording ends
    close = live.controls.close_button
    assert close.isVisibleTo(rig.page)
    recorder = rig.mount.host.session.controller.recorder  # type: ignore[union-attr]
    rig.click(qtbot, close)
    assert rig.page.stack.currentWidget() is rig.mount.setup
    assert recorder is not None
    record = recorder.finish_future.result(10)
    assert get_session(db, record.id).status is SessionStatus.COMPLETED


def test_trainer_link_drop_raises_the_stale_alarm_and_release_all_works_from_another_page(
    qtbot, rig: Rig, services: Services
):
    set_up_and_start(qtbot, rig, services)
    live = rig.page.live
    rig.click(qtbot, live.controls.buttons[Control.START_ARMS])
    rig.pump(lambda: live.rows[0].tile.phase_word == "holding", 10.0)
    intents = rig.mount.host.intents()  # type: ignore[union-attr]
    assert intents is not None
    intents.start_limb_group(LimbGroup.LEGS)  # refused by the engine: arms first (T-ORD-1)
    refusal = live.controls.refusal
    rig.pump(lambda: refusal.isVisibleTo(rig.page), 2.0)
    assert refusal.text().startswith("Refused — T-ORD-1: Arms first")
    trainer = rig.mount.trainer
    assert trainer is not None and not trainer.isVisibleTo(rig.page)  # the clinician's view
    toggle = rig.page.release_bar.trainer_toggle
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert trainer.isVisibleTo(rig.page)
    rig.click(qtbot, trainer.buttons["link_drop"])
    rig.pump(lambda: live.banner.property("priority") == "high", 3.0)
    assert "Device link lost" in live.banner.message.text()
    rig.pump(lambda: live.rows[0].tile.property("channelState") == "stale", 3.0)
    rig.pump(lambda: rig.snapshot.link_up, 15.0)  # the link comes back after 5 s
    rig.run(1.0)
    # The device released on its own (watchdog); the engine knows nothing is inflated now.
    assert not any(ch.commanded for ch in rig.snapshot.channels)

    rig.window.show_page(Page.PATIENTS)
    QApplication.processEvents()
    strip = rig.mount.strip
    assert rig.mount.toolbar.isVisibleTo(rig.window)
    assert strip.note.text() == "A session is running."
    qtbot.mouseClick(strip.button, Qt.MouseButton.LeftButton)
    rig.pump(lambda: any(e == "release" for e in live.log.kinds()), 2.0)
    rig.window.show_page(Page.SESSION)
    QApplication.processEvents()
    assert not rig.mount.toolbar.isVisibleTo(rig.window)


def test_escape_and_space_release_through_the_controller_from_any_page(
    qtbot, rig: Rig, services: Services
):
    set_up_and_start(qtbot, rig, services)
    live = rig.page.live
    rig.click(qtbot, live.controls.buttons[Control.START_ARMS])
    rig.pump(lambda: live.rows[0].tile.phase_word == "holding", 10.0)
    window = rig.window
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_page(Page.PATIENTS)  # the registry's search field has the focus now
    qtbot.keyClick(window.registry.search_field, Qt.Key.Key_Escape)
    rig.pump(lambda: "release" in live.log.kinds(), 2.0)
    rig.pump(lambda: all(int(r.tile.pressure.text()) < 10 for r in live.rows.values()), 3.0)
    assert not any(ch.commanded for ch in rig.snapshot.channels)
    window.show_page(Page.SESSION)
    qtbot.keyClick(live.banner.ack, Qt.Key.Key_Space)
    rig.pump(lambda: live.log.kinds().count("release") == 2, 2.0)


def test_no_session_starts_when_its_record_cannot_be_stored(
    qtbot, rig: Rig, services: Services, db: Database
):
    patient = add_patient(services)
    services.screenings.save(patient.id, SCREENING)
    rig.window.open_patient(patient.id)
    qtbot.mouseClick(rig.window.patient_page.session_button, Qt.MouseButton.LeftButton)
    setup = rig.mount.setup
    rig.click(qtbot, setup.picker.scan)
    rig.pump(lambda: setup.picker.found.count() > 0, 10.0)
    rig.click(qtbot, setup.picker.connect_button)
    rig.pump(lambda: setup.cuff is not None, 10.0)
    answer_all(qtbot, setup.checklist)
    db.mark_damaged("page 12: btree cell count wrong")  # the background check failed meanwhile
    rig.click(qtbot, setup.checklist.start)
    rig.run(1.0, step=0.25)
    assert rig.page.stack.currentWidget() is setup  # nothing started, nothing inflated
    assert rig.mount.host.session is None
    assert setup.message.isVisibleTo(rig.page)
    assert "record cannot be stored" in setup.message.text()
    assert "integrity check" in setup.message.text()
