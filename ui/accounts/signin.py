"""Start-up dialogs: the first administrator of a new workstation, and sign-in."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import Authenticator, FailureReason, SignedIn, SignInFailed
from kaatsu_desktop.storage import StorageError, User, ValidationError
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)


def text_field(object_name: str, accessible: str, *, password: bool = False) -> QLineEdit:
    """A line edit with an object name and accessible name (a password field hides its text)."""
    field = QLineEdit()
    field.setObjectName(object_name)
    field.setAccessibleName(accessible)
    field.setMinimumHeight(TOUCH_MIN_PX)
    field.setMinimumWidth(320)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
        # No autocompletion or input method history of a password.
        field.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoPredictiveText
        )
    return field


class SignInDialog(QDialog):
    """Name and password; on success `signed` holds the SignedIn, else the reason is shown."""

    def __init__(
        self,
        auth: Authenticator,
        *,
        demo_note: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self.signed: SignedIn | None = None
        self.last_failure: SignInFailed | None = None
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign in — KAATSU Desktop"))
        self.setModal(True)
        self.name_field = text_field("signInName", self.tr("User name"))
        self.password_field = text_field("signInPassword", self.tr("Password"), password=True)
        self.message = FieldError()
        self.message.setObjectName("signInMessage")
        self.message.setAccessibleName(self.tr("Sign-in message"))
        self.sign_in_button = primary_button(self.tr("Sign in"), "signInButton")
        self.sign_in_button.setDefault(True)
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("signInQuitButton")
        self.quit_button.setAccessibleName(self.tr("Quit without signing in"))
        self.quit_button.setMinimumHeight(TOUCH_MIN_PX)

        form = QFormLayout()
        form.addRow(self.tr("User name"), self.name_field)
        form.addRow(self.tr("Password"), self.password_field)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(styled_label(self.tr("Sign in"), "title"))
        layout.addWidget(
            styled_label(
                self.tr("Patient records on this workstation are for signed-in staff only."),
                "subtitle",
                wrap=True,
            )
        )
        if demo_note:
            layout.addWidget(styled_label(demo_note, "muted", wrap=True))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.sign_in_button.clicked.connect(self.attempt)
        self.password_field.returnPressed.connect(self.attempt)
        self.name_field.returnPressed.connect(self.password_field.setFocus)
        self.quit_button.clicked.connect(self.reject)
        self.name_field.setFocus()

    def attempt(self) -> bool:
        """Try the name and password typed; accept on success, else show why (never what)."""
        name, password = self.name_field.text().strip(), self.password_field.text()
        if not name or not password:
            self.message.show_reason(self.tr("Type your user name and password."))
            return False
        try:
            self.signed = self._auth.sign_in(name, password)
        except SignInFailed as failed:
            self.last_failure = failed
            self.password_field.clear()
            self.password_field.setFocus()
            self.message.show_reason(str(failed))
            log.info("sign-in refused: %s", failed.reason.value)
            return False
        except StorageError as exc:
            # A damaged database refuses every sign-in (Authenticator.sign_in): say why and
            # what to do; the name typed stays.
            self.password_field.clear()
            self.message.show_reason(self.tr("Nobody can sign in now. {error}").format(error=exc))
            log.error("sign-in impossible: %s", exc)
            return False
        self.message.show_reason(None)
        self.accept()
        return True

    @property
    def locked_out(self) -> bool:
        """True when the last attempt met a locked account."""
        return self.last_failure is not None and self.last_failure.reason is FailureReason.LOCKED


class FirstAdministratorDialog(QDialog):
    """First run: name and password (twice) of the workstation's first administrator."""

    def __init__(
        self,
        create: Callable[[str, str], User],
        parent: QWidget | None = None,
    ) -> None:
        """`create(name, password)` stores the administrator (create_first_administrator)."""
        super().__init__(parent)
        self._create = create
        self.user: User | None = None
        self.setObjectName("firstAdministratorDialog")
        self.setWindowTitle(self.tr("First administrator — KAATSU Desktop"))
        self.setModal(True)
        self.name_field = text_field("firstAdminName", self.tr("Administrator's user name"))
        self.password_field = text_field(
            "firstAdminPassword", self.tr("Administrator's password"), password=True
        )
        self.repeat_field = text_field(
            "firstAdminRepeat", self.tr("Administrator's password again"), password=True
        )
        self.message = FieldError()
        self.message.setObjectName("firstAdminMessage")
        self.create_button = primary_button(self.tr("Create administrator"), "firstAdminCreate")
        self.create_button.setDefault(True)
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("firstAdminQuit")
        self.quit_button.setMinimumHeight(TOUCH_MIN_PX)

        form = QFormLayout()
        form.addRow(self.tr("User name"), self.name_field)
        form.addRow(self.tr("Password"), self.password_field)
        form.addRow(self.tr("Password again"), self.repeat_field)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(styled_label(self.tr("Set up this workstation"), "title"))
        layout.addWidget(
            styled_label(
                self.tr(
                    "No administrator exists yet. The administrator creates the accounts of"
                    " clinicians and trainers and sets the clinic settings; an administrator"
                    " does not open patient records. Choose a password of at least 12"
                    " characters that is not easy to guess."
                ),
                "subtitle",
                wrap=True,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self.attempt)
        self.quit_button.clicked.connect(self.reject)

    def attempt(self) -> bool:
        """Create the administrator when the two passwords match and the policy allows it."""
        name, password = self.name_field.text().strip(), self.password_field.text()
        if not name:
            self.message.show_reason(self.tr("Type a user name."))
            return False
        if password != self.repeat_field.text():
            self.message.show_reason(self.tr("The two passwords differ."))
            return False
        try:
            self.user = self._create(name, password)
        except ValidationError as refused:
            self.message.show_reason(
                self.tr("Not created: {field} {reason}.").format(
                    field=_field_name(self, refused.field), reason=refused.reason
                )
            )
            return False
        except StorageError as exc:  # a damaged database: nothing is written
            self.message.show_reason(self.tr("Not created. {error}").format(error=exc))
            log.error("first administrator not created: %s", exc)
            return False
        self.message.show_reason(None)
        self.accept()
        return True


def _field_name(widget: QWidget, field: str) -> str:
    names = {
        "name": widget.tr("the user name"),
        "password": widget.tr("the password"),
        "new_password": widget.tr("the new password"),
        "role": widget.tr("the role"),
    }
    return names.get(field, field)
