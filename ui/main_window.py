"""The main window: navigation (Patients, Session, Settings), the pages, and the status bar.

Administrators also get Accounts and Audit. The screen lock covers every page but the Session
page: a running session (Release all, alarms, acknowledge) is never hidden or interrupted.
The database check and the daily backup run after the first paint (issue 8): their outcome is
in the status bar, a failure in a banner above the pages. A damaged database disables every page
but the Session page, as the lock does, and says what to do.
"""

from __future__ import annotations

import enum
import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import Permission
from kaatsu_desktop.services import ScreeningSaved, Services
from kaatsu_desktop.storage import Patient
from kaatsu_desktop.storage.upkeep import BackupOutcome, BackupState, IntegrityOutcome
from ui.accounts.access import GuardedRegistryPage, make_settings_read_only, refusal
from ui.patients.page import PatientPage
from ui.screening.page import ScreeningPage
from ui.settings_page import SettingsPage
from ui.theme import ROLE_SWATCHES, restyle
from ui.widgets import styled_label

log = logging.getLogger(__name__)


class Page(enum.IntEnum):
    """The places of the navigation, in order (Ctrl+1 ...); the last two for administrators."""

    PATIENTS = 0
    SESSION = 1
    SETTINGS = 2
    ACCOUNTS = 3
    AUDIT = 4


class SessionPlaceholder(QWidget):
    """Stands in the Session place until the session panel is plugged in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPlaceholder")
        self.patient_label = styled_label("", "subtitle", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(styled_label(self.tr("Session"), "title"))
        layout.addWidget(
            styled_label(self.tr("The live session panel is not installed."), "subtitle")
        )
        layout.addWidget(self.patient_label)
        layout.addStretch(1)

    def set_patient(self, patient: Patient) -> None:
        """Name the patient a session was asked for."""
        self.patient_label.setText(
            self.tr("Session requested for {family}, {given} ({clinic_id}).").format(
                family=patient.family_name, given=patient.given_name, clinic_id=patient.clinic_id
            )
        )


class NoticeBanner(QFrame):
    """A coloured notice above the pages: a damaged database (stays) or a failed backup."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.text = QLabel()
        self.text.setObjectName("noticeText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("padding: 10px 14px;")
        self.dismiss = QPushButton(self.tr("Dismiss"))
        self.dismiss.setObjectName("noticeDismiss")
        self.dismiss.setAccessibleName(self.tr("Dismiss this notice"))
        self.dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignVCenter)
        self.role = ""
        self.hide()

    def say(self, text: str, role: str, *, dismissible: bool) -> None:
        """Show ``text`` in the colour of ``role`` (error, warning)."""
        self.role = role
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.text.setProperty("statusRole", role)
        restyle(self.text)
        self.dismiss.setVisible(dismissible)
        self.show()


class MainWindow(QMainWindow):
    """The workstation window; ``session_requested`` carries the Patient a session is for.

    ``first_painted`` is emitted once, right after the window's first paint.
    """

    session_requested = Signal(object)  # Patient
    lock_requested = Signal()
    sign_out_requested = Signal()
    first_painted = Signal()

    def __init__(
        self,
        services: Services,
        *,
        database_path: Path,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._painted = False  # event() runs from here on
        self.services = services
        self.demo = demo
        self.setObjectName("mainWindow")
        title = self.tr("KAATSU Desktop")
        if demo:
            title += " — " + self.tr("DEMO")
        self.setWindowTitle(title)
        self.setMinimumSize(1024, 700)
        self.resize(1440, 900)

        # Patients: registry -> patient page -> screening form, one stack.
        # A role without patient access (administrator, trainer) sees why, and no patient.
        self.patient_refusal = refusal(services, Permission.VIEW_PATIENTS)
        self.registry = GuardedRegistryPage(services.patients, self.patient_refusal)
        self.patients_stack = QStackedWidget()
        self.patients_stack.setObjectName("patientsStack")
        self.patients_stack.addWidget(self.registry)
        # The patient page, its plots and the screening form are built after the first paint
        # (issue 8), one piece per turn of the event loop so that typing in the registry is
        # answered between them; all are there before a person can open a patient.
        self._patient_page: PatientPage | None = None
        self._screening_page: ScreeningPage | None = None
        self._later = [
            lambda: self.patient_page,
            lambda: self.patient_page.sessions_tab.plot_slot.build(),
            lambda: self.patient_page.screenings_tab.timeline_slot.build(),
            lambda: self.screening_page,
        ]
        self._builder = QTimer(self)
        self._builder.setSingleShot(True)
        self._builder.setInterval(0)
        self._builder.timeout.connect(self._build_next)
        self.first_painted.connect(self._builder.start)
        self._session_page: QWidget = SessionPlaceholder()
        self.settings_page = SettingsPage(services.settings)
        self.settings_refusal = refusal(services, Permission.CHANGE_CLINIC_SETTINGS)
        if self.settings_refusal:
            make_settings_read_only(self.settings_page, self.settings_refusal)
        self._locked = False
        self._damaged = False
        self._lock_overlay: QWidget | None = None
        self.damage_box: QMessageBox | None = None

        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.pages.addWidget(self.patients_stack)
        self.pages.addWidget(self._session_page)
        self.pages.addWidget(self.settings_page)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_nav())
        self.notice = NoticeBanner()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice)
        column.addWidget(self.pages, 1)
        row.addLayout(column, 1)
        self.setCentralWidget(central)
        self._build_status_bar(database_path)

        self.registry.patient_opened.connect(self.open_patient)
        self.show_page(Page.PATIENTS)

    @property
    def patient_page(self) -> PatientPage:
        """One patient's record and history (built after the first paint, or at first use)."""
        if self._patient_page is None:
            services = self.services
            page = PatientPage(services.patients, services.screenings, services.settings)
            self.patients_stack.addWidget(page)
            page.back_requested.connect(self.show_registry)
            page.screening_requested.connect(self.start_screening)
            page.session_requested.connect(self._session_for)
            self._patient_page = page
        return self._patient_page

    @property
    def screening_page(self) -> ScreeningPage:
        """The screening form (built after the first paint, or at first use)."""
        if self._screening_page is None:
            page = ScreeningPage(self.services.screenings)
            self.patients_stack.addWidget(page)
            page.back_requested.connect(self._back_to_patient)
            page.saved.connect(self._screening_saved)
            self._screening_page = page
        return self._screening_page

    @property
    def pages_built(self) -> bool:
        """True once the patient page, its plots and the screening form exist."""
        return not self._later

    def build_pages(self) -> None:
        """Build now what is left of the patient page, its plots and the screening form."""
        while self._later:
            self._later.pop(0)()

    def _build_next(self) -> None:
        if self._later:
            self._later.pop(0)()
        if self._later:
            self._builder.start()

    # -- building --------------------------------------------------------------------------------

    def _build_nav(self) -> QFrame:
        nav = QFrame()
        nav.setObjectName("navBar")
        nav.setFixedWidth(220)
        column = QVBoxLayout(nav)
        column.setContentsMargins(0, 8, 0, 12)
        column.setSpacing(2)
        name = QLabel(self.tr("KAATSU Desktop"))
        name.setObjectName("appName")
        column.addWidget(name)
        self.nav_group = QButtonGroup(self)
        self.nav_group.setExclusive(True)
        self.nav_buttons: dict[Page, QPushButton] = {}
        captions = {
            Page.PATIENTS: self.tr("Patients"),
            Page.SESSION: self.tr("Session"),
            Page.SETTINGS: self.tr("Settings"),
        }
        for page, caption in captions.items():
            button = QPushButton(caption)
            button.setToolTip(self.tr("{page} (Ctrl+{n})").format(page=caption, n=page.value + 1))
            button.setProperty("nav", True)
            button.setCheckable(True)
            button.setObjectName(f"nav{page.name.title()}")
            button.setAccessibleName(caption)
            button.clicked.connect(lambda _=False, p=page: self.show_page(p))
            self.nav_group.addButton(button, page.value)
            self.nav_buttons[page] = button
            column.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"Ctrl+{page.value + 1}"), self)
            shortcut.activated.connect(lambda p=page: self.show_page(p))
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._find_patient)
        self._nav_column = column
        column.addStretch(1)
        if self.demo:
            marker = QLabel(self.tr("DEMO MODE\nno clinic data"))
            marker.setObjectName("demoMarker")
            marker.setAlignment(Qt.AlignmentFlag.AlignCenter)
            marker.setAccessibleName(self.tr("Demo mode"))
            column.addWidget(marker)
        return nav

    def _build_status_bar(self, database_path: Path) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.database_label = QLabel(self.tr("Database: {path}").format(path=database_path))
        self.database_label.setObjectName("databaseLabel")
        self.database_label.setToolTip(str(database_path))
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.database_label, 1)
        self.demo_label: QLabel | None = None
        if self.demo:
            self.demo_label = QLabel(self.tr("DEMO"))
            self.demo_label.setObjectName("demoStatus")
            self.demo_label.setProperty("statusRole", "demo")
            bar.addPermanentWidget(self.demo_label)
        self.database_check_label = QLabel()
        self.database_check_label.setObjectName("databaseCheck")
        bar.addPermanentWidget(self.database_check_label)
        self.database_check_label.hide()  # until the check is started
        self.link_label = QLabel()
        self.link_label.setObjectName("linkState")
        bar.addPermanentWidget(self.link_label)
        self.set_link_state(self.tr("Cuff: not connected"), "idle")

    # -- the API the session work builds on ------------------------------------------------------

    @property
    def session_page(self) -> QWidget:
        """The widget in the Session place (a placeholder until set_session_page)."""
        return self._session_page

    def set_session_page(self, widget: QWidget) -> None:
        """Put ``widget`` in the Session place, replacing (and deleting) the previous one."""
        old = self._session_page
        current = self.pages.currentIndex()
        self.pages.insertWidget(Page.SESSION, widget)
        self.pages.removeWidget(old)
        old.deleteLater()
        self._session_page = widget
        self.pages.setCurrentIndex(current)

    def set_link_state(self, text: str, colour_role: str) -> None:
        """Show the device link state in words and colour; roles: ok, info, warning, error, idle."""
        if colour_role not in ROLE_SWATCHES:
            raise ValueError(f"unknown colour role {colour_role!r}")
        self.link_label.setText(text)
        self.link_label.setAccessibleName(text)
        self.link_label.setProperty("statusRole", colour_role)
        restyle(self.link_label)

    # -- start-up: first paint, database check, daily backup ------------------------------------

    def event(self, event: QEvent) -> bool:
        """Emit ``first_painted`` once the first paint is done (check and backup wait for it)."""
        if not self._painted and event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint):
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # runs after this paint
        return super().event(event)

    def show_integrity(self, outcome: IntegrityOutcome | None) -> None:
        """The database check in the status bar: None while it runs, then its outcome."""
        label = self.database_check_label
        if outcome is None:
            text, role = self.tr("Checking the database…"), "info"
            tip = self.tr("The whole database file is being checked for damage.")
        elif outcome.ok:
            text, role = self.tr("Database checked"), "ok"
            tip = self.tr("The database file passed its integrity check.")
        elif outcome.cancelled:
            text, role, tip = self.tr("Database check stopped"), "idle", ""
        else:
            text, role = self.tr("Database damaged"), "error"
            tip = self.tr("SQLite says: {detail}").format(detail=outcome.detail)
        label.setText(text)
        label.setToolTip(tip)
        label.setAccessibleName(text)
        label.setProperty("statusRole", role)
        restyle(label)
        label.show()

    def show_database_damaged(self, message: str) -> None:
        """The file failed its check: a red banner and a dialog say what to do; pages disabled."""
        self._damaged = True
        self.notice.say(message, "error", dismissible=False)
        self._apply_enabled()
        if self.damage_box is None:
            self.damage_box = QMessageBox(
                QMessageBox.Icon.Critical,
                self.tr("The database is damaged"),
                message,
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.damage_box.setObjectName("databaseDamagedBox")
            self.damage_box.open()  # window-modal, without a nested event loop

    @property
    def database_damaged(self) -> bool:
        """True once the database failed its integrity check (pages disabled)."""
        return self._damaged

    def show_backup(self, outcome: BackupOutcome) -> None:
        """Today's backup: written (a status message), failed (a banner), otherwise logged."""
        if outcome.state is BackupState.WRITTEN:
            self.statusBar().showMessage(
                self.tr("Daily backup written: {path}").format(path=outcome.path), 15_000
            )
        elif outcome.state is BackupState.FAILED:
            if not self._damaged:  # the red banner says more, and stays
                self.notice.say(
                    self.tr("The daily backup failed: {error}").format(error=outcome.detail),
                    "warning",
                    dismissible=True,
                )
        elif outcome.state is BackupState.SKIPPED:
            self.statusBar().showMessage(
                self.tr("Daily backup {detail}").format(detail=outcome.detail)
            )

    # -- navigation ------------------------------------------------------------------------------

    def show_page(self, page: Page) -> None:
        """Go to Patients, Session or Settings (or Accounts, Audit when added)."""
        if page not in self.nav_buttons:
            raise ValueError(f"{page.name} is not in this window")
        self.pages.setCurrentIndex(page)
        self.nav_buttons[page].setChecked(True)
        if page is Page.PATIENTS and self.patients_stack.currentWidget() is self.registry:
            self.registry.focus_search()

    def current_page(self) -> Page:
        """The place shown."""
        return Page(self.pages.currentIndex())

    def show_registry(self) -> None:
        """The patient list, the search field focused."""
        self.patients_stack.setCurrentWidget(self.registry)
        self.show_page(Page.PATIENTS)

    def open_patient(self, patient_id: int) -> None:
        """Show one patient's page (a user without patient access stays on the refusal)."""
        if self.patient_refusal:
            self.show_registry()
            return
        self.patient_page.show_patient(patient_id)
        self.patients_stack.setCurrentWidget(self.patient_page)
        self.show_page(Page.PATIENTS)

    def start_screening(self, patient_id: int) -> None:
        """Open a new, empty screening of a patient."""
        self.screening_page.start(self.services.patients.get(patient_id))
        self.patients_stack.setCurrentWidget(self.screening_page)
        self.show_page(Page.PATIENTS)

    def _find_patient(self) -> None:
        self.show_registry()

    def _back_to_patient(self) -> None:
        patient = self.screening_page.patient
        if patient is not None:
            self.open_patient(patient.id)
        else:
            self.show_registry()

    def _screening_saved(self, saved: ScreeningSaved) -> None:
        # The patient page lists the new screening at the top of its history.
        self.open_patient(saved.record.patient_id)

    def _session_for(self, patient_id: int) -> None:
        patient = self.services.patients.get(patient_id)
        if isinstance(self._session_page, SessionPlaceholder):
            self._session_page.set_patient(patient)
        self.show_page(Page.SESSION)
        self.session_requested.emit(patient)

    # -- accounts: administrators' pages, the signed-in user, the screen lock --------------------

    def add_admin_page(self, page: Page, caption: str, widget: QWidget) -> QPushButton:
        """Add Accounts or Audit (in that order) to the navigation; returns its button."""
        if page is not Page(self.pages.count()):
            raise ValueError(f"{page.name} must be added as place {self.pages.count()}")
        self.pages.addWidget(widget)
        button = QPushButton(caption)
        button.setToolTip(self.tr("{page} (Ctrl+{n})").format(page=caption, n=page.value + 1))
        button.setProperty("nav", True)
        button.setCheckable(True)
        button.setObjectName(f"nav{page.name.title()}")
        button.setAccessibleName(caption)
        button.clicked.connect(lambda _=False, p=page: self.show_page(p))
        self.nav_group.addButton(button, page.value)
        self.nav_buttons[page] = button
        self._nav_column.insertWidget(1 + page.value, button)  # after the name, before the stretch
        self._apply_enabled()  # a damaged database disables it too
        shortcut = QShortcut(QKeySequence(f"Ctrl+{page.value + 1}"), self)
        shortcut.activated.connect(lambda p=page: self.show_page(p))
        self._place_lock_overlay()
        return button

    def show_account(self, user_name: str, role: str) -> None:
        """Name the signed-in user in the status bar, with Lock and Sign out."""
        self.account_label = QLabel(
            self.tr("Signed in: {name} ({role})").format(name=user_name, role=role)
        )
        self.account_label.setObjectName("accountLabel")
        self.account_label.setAccessibleName(self.account_label.text())
        self.lock_button = QPushButton(self.tr("Lock"))
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setAccessibleName(self.tr("Lock the workstation"))
        self.lock_button.setToolTip(self.tr("Hide patient data until you type your password"))
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setAccessibleName(self.tr("Sign out"))
        for widget in (self.account_label, self.lock_button, self.sign_out_button):
            self.statusBar().addPermanentWidget(widget)
        self.lock_button.clicked.connect(self.lock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)

    def install_lock_overlay(self, overlay: QWidget) -> None:
        """The widget that covers the pages while locked (hidden until ``set_locked(True)``)."""
        overlay.setParent(self.pages)
        overlay.hide()
        self._lock_overlay = overlay
        self.pages.installEventFilter(self)
        self.pages.currentChanged.connect(lambda _i: self._place_lock_overlay())

    @property
    def locked(self) -> bool:
        """True while the screen lock hides the patient data."""
        return self._locked

    def set_locked(self, locked: bool) -> None:
        """Hide (or show again) every page but the Session page, which always stays live."""
        self._locked = locked
        self._apply_enabled()
        if hasattr(self, "lock_button"):
            self.lock_button.setEnabled(not locked)
        self._place_lock_overlay()

    def _apply_enabled(self) -> None:
        # Locked (no focus or typing behind the cover) or damaged (nothing may be saved): every
        # page but the Session page, whose Release all and alarms always stay live.
        enabled = not (self._locked or self._damaged)
        for index in range(self.pages.count()):
            if index != Page.SESSION:
                self.pages.widget(index).setEnabled(enabled)

    def _place_lock_overlay(self) -> None:
        overlay = self._lock_overlay
        if overlay is None:
            return
        cover = self._locked and self.pages.currentIndex() != Page.SESSION
        if cover:
            overlay.setGeometry(self.pages.rect())
            overlay.raise_()
        overlay.setVisible(cover)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pages and event.type() == QEvent.Type.Resize:
            self._place_lock_overlay()
        return super().eventFilter(watched, event)
