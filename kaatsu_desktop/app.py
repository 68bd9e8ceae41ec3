"""Composition root: builds the database, the services and the window, and wires them."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.services import Services
from kaatsu_desktop.services.demo import (
    DatabaseModeError,
    check_database_mode,
    default_demo_path,
    seed_demo_patients,
)
from kaatsu_desktop.storage import (
    Clock,
    Database,
    StorageError,
    default_database_path,
    open_database,
)

if TYPE_CHECKING:
    from devices.runtime import DeviceRuntime
    from kaatsu_desktop.session.recorder import Recorder
    from ui.main_window import MainWindow
    from ui.session.mount import SessionMount
    from ui.session.port import StartRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workstation:
    """What the root built: the database, the services over it and the main window."""

    db: Database
    services: Services
    window: MainWindow


def database_path(args: argparse.Namespace) -> Path:
    """The file to open: --db, else the clinic database, or in demo mode the demo database."""
    if args.demo:
        path = Path(args.db) if args.db else default_demo_path()
        if path.expanduser().absolute() == default_database_path():
            raise DatabaseModeError(
                translate("App", "Demo mode never opens the clinic database {path}.").format(
                    path=path
                )
            )
        return path
    return Path(args.db) if args.db else default_database_path()


def open_for(args: argparse.Namespace, *, clock: Clock | None = None) -> Database:
    """Open the database for this mode; DatabaseModeError when the file is of the other mode."""
    db = open_database(database_path(args), clock=clock)
    try:
        check_database_mode(db, demo=bool(args.demo))
    except BaseException:
        db.close()
        raise
    return db


def build_workstation(db: Database, *, demo: bool) -> Workstation:
    """Services over ``db`` and the main window; a demo database gets its demo patients."""
    from ui.main_window import MainWindow

    services = Services.create(db)
    if demo:
        seed_demo_patients(services.patients, services.screenings)
    window = MainWindow(services, database_path=db.path, demo=demo)
    return Workstation(db, services, window)


@dataclass(frozen=True)
class DeviceSide:
    """The device thread, the cuff link on it and the session page mounted in the window."""

    runtime: DeviceRuntime
    mount: SessionMount

    def close(self) -> None:
        """Release and end a running session, then stop the device thread (releases cuffs)."""
        try:
            self.mount.close()
        finally:
            self.runtime.stop()


def build_device_side(ws: Workstation, *, demo: bool, user_id: int | None = None) -> DeviceSide:
    """Start the device runtime and link (simulated cuffs in demo mode) and mount the session page.

    Nothing of the session runs on the UI thread: the link, the engine and the recorder's queue
    live on the runtime's own thread (architecture: safety lives below the UI).
    """
    from devices.link import CuffLink
    from devices.runtime import DeviceRuntime
    from devices.sim.registry import REGISTRY, demo_cuffs
    from kaatsu_desktop.session.demo import simulated_backends
    from kaatsu_desktop.session.recorder import Recorder
    from kaatsu_desktop.session.summary import device_record, protocol_record
    from kaatsu_desktop.storage import NewSession
    from ui.session.mount import mount_session

    runtime = DeviceRuntime().start()
    if demo:
        for host in demo_cuffs(REGISTRY):
            runtime.call(host.attach).result(5)  # the simulated cuffs run on the device loop
        client, scanner = simulated_backends(REGISTRY)
        link = CuffLink(backend=client, scanner_backend=scanner)
        runtime.add_shutdown_hook(REGISTRY.close)
    else:
        link = CuffLink()
    runtime.add_shutdown_hook(link.close)  # newest first: cuffs released before hosts close

    def recorder(request: StartRequest) -> Recorder:
        new = NewSession(
            request.patient_id,
            protocol_record(request.protocol, request.sites),
            demo=demo,
            device=device_record(link.info, request.cuff.sites),
        )
        return Recorder.create(ws.db, new, by=user_id)

    mount = mount_session(
        ws.window,
        ws.services,
        runtime=runtime,
        link=link,
        clock=ws.db.now,
        recorder_factory=recorder,
        demo_registry=REGISTRY if demo else None,
    )
    return DeviceSide(runtime, mount)


def startup_notices(db: Database) -> list[str]:
    """What the clinician must know after opening: unclean shutdown, interruptions, backup."""
    notes = []
    if db.opened_after_unclean_shutdown:
        notes.append(translate("App", "The program was not closed properly last time."))
    if db.interrupted_sessions:
        notes.append(
            translate("App", "Sessions marked interrupted: {ids}.").format(
                ids=", ".join(str(i) for i in db.interrupted_sessions)
            )
        )
    if db.auto_backup_error:
        notes.append(
            translate("App", "The daily backup failed: {error}").format(error=db.auto_backup_error)
        )
    return notes


def run_app(args: argparse.Namespace) -> int:
    """Start the Qt application with the workstation window."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.theme import apply_theme

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KAATSU Desktop")
    apply_theme(app)  # type: ignore[arg-type]
    title = translate("App", "KAATSU Desktop")
    try:
        db = open_for(args)
    except (StorageError, DatabaseModeError) as exc:
        log.error("cannot open the database: %s", exc)
        QMessageBox.critical(None, title, str(exc))
        return 1
    device_side: DeviceSide | None = None
    try:
        workstation = build_workstation(db, demo=bool(args.demo))
        device_side = build_device_side(workstation, demo=bool(args.demo))
        workstation.window.show()
        notices = startup_notices(db)
        if notices:
            QMessageBox.warning(workstation.window, title, "\n\n".join(notices))
        return app.exec()
    finally:
        if device_side is not None:
            device_side.close()
        db.close()
