"""Composition root: builds the database, the services and the window, and wires them.

Start (issue 7): the clinic database (its secret asked when encrypted; encryption offered at the
first run), the first administrator when none exists, then sign-in. Services and the session
recorder act as the signed-in user. A trainer gets demo mode only: the demo database of invented
patients, never the clinic's records. `--demo` starts without sign-in: a sandbox on the demo
database (invented patients only, never the clinic file), for training and trying things out.

Start-up order (issue 8): the lock file, the header and schema check, migrations and the marking
of sessions left running happen at open, before sign-in; the whole file's integrity check and
today's backup run on a worker once the main window is painted (services.upkeep), and a file
that fails the check refuses every write from then on (why: storage/upkeep.py).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaatsu_desktop.accounts import (
    KDF_V1,
    Authenticator,
    ClinicSecret,
    DatabaseState,
    KdfParameters,
    KeyringStore,
    SecretRequired,
    WrongKey,
    database_state,
    encryption_available,
    open_protected,
)
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.services import Services
from kaatsu_desktop.services.demo import (
    DEMO_FILENAME,
    DatabaseModeError,
    check_database_mode,
    default_demo_path,
    seed_demo_patients,
)
from kaatsu_desktop.services.upkeep import DatabaseUpkeep
from kaatsu_desktop.storage import (
    Clock,
    Database,
    Role,
    StorageError,
    User,
    default_database_path,
    open_database,
)
from kaatsu_desktop.storage.integrity import is_corruption
from kaatsu_desktop.storage.upkeep import BackupState

if TYPE_CHECKING:
    from collections.abc import Callable

    from argon2 import PasswordHasher

    from devices.runtime import DeviceRuntime
    from kaatsu_desktop.session.recorder import Recorder
    from ui.accounts.shell import AccountsShell
    from ui.main_window import MainWindow
    from ui.session.mount import SessionMount
    from ui.session.port import StartRequest

log = logging.getLogger(__name__)

UPKEEP_LATEST_MS = 5000  # the database check and backup start by then, painted or not


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


def trainer_demo_path(args: argparse.Namespace) -> Path:
    """The demo database a trainer gets: beside the clinic file given by --db, else the default."""
    if args.db:
        return Path(args.db).expanduser().absolute().with_name(DEMO_FILENAME)
    return default_demo_path()


def open_demo_for_trainer(args: argparse.Namespace, *, clock: Clock | None = None) -> Database:
    """The demo database for a trainer signed in at the clinic workstation (never the clinic's)."""
    return open_for(argparse.Namespace(demo=True, db=trainer_demo_path(args)), clock=clock)


def open_clinic_database(
    path: Path,
    *,
    choose_encryption: Callable[[], tuple[ClinicSecret | None, bool] | None],
    ask_secret: Callable[[str], ClinicSecret | None],
    key_store: KeyringStore | None = None,
    kdf: KdfParameters = KDF_V1,
    **open_kwargs: Any,
) -> Database | None:
    """Open (or create) the clinic database, asking for the secret; None when the user quits.

    First run with SQLCipher available: `choose_encryption()` gives (secret or None for a plain
    file, keep the key in the keyring) or None to quit. An encrypted file opens with the kept key,
    else with the secret `ask_secret(reason)` returns (None: quit); a wrong secret asks again.
    The secret and the key never reach a log or a message (WrongKey names neither).
    `open_kwargs` go to open_database (clock, auto_backup, full_check).
    """
    state = database_state(path)
    if state is DatabaseState.MISSING and encryption_available():
        choice = choose_encryption()
        if choice is None:
            return None
        secret, remember = choice
        if secret is not None:
            return open_protected(path, secret=secret, key_store=key_store, remember=remember,
                                  kdf=kdf, **open_kwargs)  # fmt: skip
        return open_database(path, **open_kwargs)
    if state is not DatabaseState.ENCRYPTED:
        return open_database(path, **open_kwargs)
    try:
        return open_protected(path, key_store=key_store, kdf=kdf, **open_kwargs)
    except (SecretRequired, WrongKey) as first:
        reason = str(first)
    while True:
        secret = ask_secret(reason)
        if secret is None:
            return None
        try:
            return open_protected(path, secret=secret, key_store=key_store, remember=True,
                                  kdf=kdf, **open_kwargs)  # fmt: skip
        except WrongKey as wrong:
            log.info("the database secret did not fit")
            reason = str(wrong)


def build_workstation(db: Database, *, demo: bool, user_id: int | None = None) -> Workstation:
    """Services over ``db`` acting as ``user_id`` and the main window; a demo database gets its
    demo patients (seeded by the program itself)."""
    from ui.main_window import MainWindow

    if demo:
        seeding = Services.create(db)
        seed_demo_patients(seeding.patients, seeding.screenings)
    services = Services.create(db, user_id=user_id)
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


def attach_upkeep(
    upkeep: DatabaseUpkeep, window: MainWindow, *, latest_ms: int = UPKEEP_LATEST_MS
) -> None:
    """The window shows the database check and today's backup, which start at its first paint.

    They start `latest_ms` after this call at the latest, painted or not (a window started
    minimized). A window built later (after a sign-out and a new sign-in) is told what is known.
    """
    upkeep.checked.connect(window.show_integrity)
    upkeep.damaged.connect(window.show_database_damaged)
    upkeep.backed_up.connect(window.show_backup)
    if not upkeep.started:
        window.show_integrity(None)
        window.first_painted.connect(upkeep.start)
        upkeep.start_later(latest_ms)
        return
    window.show_integrity(upkeep.integrity)
    if upkeep.damage is not None:
        window.show_database_damaged(upkeep.damage)
    if upkeep.backup is not None and upkeep.backup.state is BackupState.FAILED:
        window.show_backup(upkeep.backup)


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


@dataclass
class SignedInSession:
    """One signed-in user's workstation: what to close when they sign out or quit."""

    user: User
    workstation: Workstation
    shell: AccountsShell
    demo_db: Database | None  # a trainer's demo database (the clinic file stays open for audit)
    device_side: DeviceSide | None = None  # started by start_device_side

    def start_device_side(self) -> DeviceSide:
        """Start the device thread and mount the session page (once)."""
        if self.device_side is None:
            trainer = self.demo_db is not None
            side = build_device_side(self.workstation, demo=trainer,
                                     user_id=None if trainer else self.user.id)  # fmt: skip
            side.mount.flow.session_live.connect(self.shell.set_session_live)
            self.device_side = side
        return self.device_side

    def close(self, reason: str | None) -> None:
        """Release and stop the device side, record the sign-out (unless done), close the demo."""
        try:
            if self.device_side is not None:
                self.device_side.close()
        finally:
            if reason is not None:
                self.shell.close(reason)  # a refused sign-out row is logged there, never raised
            self.workstation.window.close()
            self.workstation.window.deleteLater()
            if self.demo_db is not None:
                self.demo_db.close()


def start_signed_in(
    db: Database,
    auth: Authenticator,
    user: User,
    args: argparse.Namespace,
    *,
    hasher: PasswordHasher | None = None,
    monotonic: Callable[[], float] | None = None,
    clock: Clock | None = None,
    device_after_paint: bool = False,
) -> SignedInSession:
    """The workstation for a signed-in user: by role, with the screen lock and their pages.

    Clinicians work on the clinic database as themselves (services and recorder audit their id).
    Administrators get the same window: the patient pages refuse with the reason, Accounts and
    Audit are added. A trainer gets demo mode on the demo database, never a clinic record.
    `device_after_paint` starts the device side at the window's first paint, not before it.
    """
    import time

    from PySide6.QtCore import Qt

    from ui.accounts.shell import AccountsShell

    demo_db = None
    if user.role is Role.TRAINER:
        demo_db = open_demo_for_trainer(args, clock=clock)
        # The demo database holds no accounts: its invented records are the program's own.
        ws = build_workstation(demo_db, demo=True)
    else:
        ws = build_workstation(db, demo=False, user_id=user.id)
    shell = AccountsShell(ws.window, db, auth, user, hasher=hasher,
                          monotonic=monotonic or time.monotonic)  # fmt: skip
    session = SignedInSession(user, ws, shell, demo_db)
    if device_after_paint:
        # Issue 8: the device thread and the session page (with the live plots' pyqtgraph)
        # come up right after the first paint; no cuff can be reached before the window is.
        # Queued: the database check's worker, started at the same paint, gets going first.
        queued = Qt.ConnectionType.QueuedConnection
        ws.window.first_painted.connect(session.start_device_side, queued)
    else:
        session.start_device_side()
    return session


def ask_user(
    db: Database, auth: Authenticator, *, hasher: PasswordHasher | None = None
) -> User | None:
    """The first administrator (first run) then the sign-in dialog; None when the user quits."""
    from PySide6.QtWidgets import QDialog

    from kaatsu_desktop.accounts import create_first_administrator, needs_first_administrator
    from ui.accounts.signin import FirstAdministratorDialog, SignInDialog

    if needs_first_administrator(db):
        first = FirstAdministratorDialog(
            lambda name, password: create_first_administrator(db, name, password, hasher=hasher)
        )
        if first.exec() != QDialog.DialogCode.Accepted:
            return None
    dialog = SignInDialog(auth)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed is None:
        return None
    return dialog.signed.user


def _ask_encryption() -> tuple[ClinicSecret | None, bool] | None:
    from PySide6.QtWidgets import QDialog

    from ui.accounts.encryption_dialogs import EncryptionChoiceDialog

    dialog = EncryptionChoiceDialog(keyring_available=KeyringStore().available)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.secret, dialog.remember


def _ask_secret(reason: str) -> ClinicSecret | None:
    from PySide6.QtWidgets import QDialog

    from ui.accounts.encryption_dialogs import SecretDialog

    dialog = SecretDialog(reason)
    return dialog.secret if dialog.exec() == QDialog.DialogCode.Accepted else None


def _run_demo_sandbox(args: argparse.Namespace, title: str) -> int:
    """--demo: no sign-in, the demo database of invented patients only (a training sandbox)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance()
    try:
        db = open_for(args)
    except (StorageError, DatabaseModeError) as exc:
        log.error("cannot open the database: %s", exc)
        QMessageBox.critical(None, title, str(exc))
        return 1
    device_side: DeviceSide | None = None
    try:
        workstation = build_workstation(db, demo=True)
        device_side = build_device_side(workstation, demo=True)
        workstation.window.statusBar().showMessage(
            translate("App", "Demo sandbox without sign-in: invented patients only."), 15_000
        )
        workstation.window.show()
        return app.exec()
    finally:
        if device_side is not None:
            device_side.close()
        db.close()


def run_app(args: argparse.Namespace) -> int:
    """Start the Qt application: sign-in (or the demo sandbox) and the workstation window."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.theme import apply_theme

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KAATSU Desktop")
    apply_theme(app)  # type: ignore[arg-type]
    title = translate("App", "KAATSU Desktop")
    if args.demo:
        return _run_demo_sandbox(args, title)
    path = database_path(args)
    try:
        # The keyring (a tenth of a second to find) only for a file that may need a kept key.
        plain = database_state(path) is DatabaseState.PLAIN
        db = open_clinic_database(
            path,
            choose_encryption=_ask_encryption,
            ask_secret=_ask_secret,
            key_store=None if plain else KeyringStore(),
            auto_backup=False,  # after the first paint, on the upkeep's worker
            full_check=False,  # likewise; the open checks the header, schema and sign-in tables
        )
        if db is not None:
            check_database_mode(db, demo=False)
    except (StorageError, DatabaseModeError) as exc:
        log.error("cannot open the database: %s", exc)
        QMessageBox.critical(None, title, str(exc))
        return 1
    if db is None:
        return 0
    upkeep = DatabaseUpkeep(db)
    try:
        auth = Authenticator(db)
        notices = startup_notices(db)
        while True:
            user = ask_user(db, auth)
            if user is None:
                return 0
            signed_out: list[bool] = []
            try:
                session = start_signed_in(db, auth, user, args, device_after_paint=True)
            except sqlite3.DatabaseError as exc:
                # A damaged page that the check at open does not read (the full check runs
                # after the paint) can be met building the window: say so and stop, as a
                # failed check at open did.
                if not is_corruption(exc):
                    raise
                damage = db.mark_damaged(str(exc))
                QMessageBox.critical(None, title, str(damage))
                return 1
            session.shell.signed_out.connect(lambda out=signed_out: (out.append(True), app.exit(0)))
            attach_upkeep(upkeep, session.workstation.window)
            session.workstation.window.show()
            if notices:
                QMessageBox.warning(session.workstation.window, title, "\n\n".join(notices))
                notices = []
            try:
                code = app.exec()
            finally:
                # A sign-out was recorded by the shell; closing the window records one here.
                session.close(None if signed_out else "closed")
            if not signed_out:
                return code
    finally:
        upkeep.close()  # an unfinished check or backup stops; the backup is made next time
        db.close()
