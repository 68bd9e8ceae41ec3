"""Encryption at rest: the first run's choice, and the prompt for the clinic's database secret."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import ClinicSecret, check_new_secret
from kaatsu_desktop.storage import ValidationError
from ui.accounts.signin import text_field
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)


class EncryptionChoiceDialog(QDialog):
    """First run: encrypt the new database with a clinic secret (kept in the keyring) or not."""

    def __init__(self, *, keyring_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secret: ClinicSecret | None = None
        self.remember = False
        self.setObjectName("encryptionChoiceDialog")
        self.setWindowTitle(self.tr("Protect the patient data"))
        self.encrypt_choice = QRadioButton(self.tr("Encrypt the database (recommended)"))
        self.encrypt_choice.setObjectName("encryptChoice")
        self.plain_choice = QRadioButton(self.tr("Do not encrypt"))
        self.plain_choice.setObjectName("plainChoice")
        self.encrypt_choice.setChecked(True)
        self.secret_field = text_field(
            "newSecret", self.tr("Clinic database secret"), password=True
        )
        self.repeat_field = text_field(
            "newSecretRepeat", self.tr("Clinic database secret again"), password=True
        )
        self.keep_check = QCheckBox(self.tr("Keep the key in this computer's keyring"))
        self.keep_check.setObjectName("keepKeyCheck")
        self.keep_check.setChecked(keyring_available)
        self.keep_check.setEnabled(keyring_available)
        self.message = FieldError()
        self.message.setObjectName("encryptionMessage")
        self.ok_button = primary_button(self.tr("Continue"), "encryptionContinue")
        self.ok_button.setDefault(True)
        form = QFormLayout()
        form.addRow(self.tr("Secret"), self.secret_field)
        form.addRow(self.tr("Secret again"), self.repeat_field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addWidget(styled_label(self.tr("Protect the patient data"), "title"))
        layout.addWidget(
            styled_label(
                self.tr(
                    "An encrypted database and its backups give nothing away if this computer"
                    " is stolen. Keep the secret in a safe place: without it (or the keyring)"
                    " the records cannot be opened, by anyone."
                ),
                "subtitle",
                wrap=True,
            )
        )
        layout.addWidget(self.encrypt_choice)
        layout.addLayout(form)
        layout.addWidget(self.keep_check)
        layout.addWidget(self.plain_choice)
        layout.addWidget(self.message)
        layout.addWidget(self.ok_button)
        self.encrypt_choice.toggled.connect(self._toggled)
        self.ok_button.clicked.connect(self.attempt)

    def _toggled(self, on: bool) -> None:
        for widget in (self.secret_field, self.repeat_field):
            widget.setEnabled(on)

    def attempt(self) -> bool:
        """Accept a plain database, or a secret that is long enough and typed twice alike."""
        if self.plain_choice.isChecked():
            self.secret, self.remember = None, False
            self.accept()
            return True
        if self.secret_field.text() != self.repeat_field.text():
            self.message.show_reason(self.tr("The two secrets differ."))
            return False
        try:
            secret = ClinicSecret(self.secret_field.text())
            check_new_secret(secret)
        except ValidationError as refused:
            self.message.show_reason(self.tr("The secret {reason}.").format(reason=refused.reason))
            return False
        self.secret, self.remember = secret, self.keep_check.isChecked()
        self.accept()
        return True


class SecretDialog(QDialog):
    """Asks the clinic's database secret to open an encrypted database."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secret: ClinicSecret | None = None
        self.setObjectName("secretDialog")
        self.setWindowTitle(self.tr("Database secret"))
        self.secret_field = text_field("databaseSecret", self.tr("Database secret"), password=True)
        self.message = FieldError()
        self.message.setObjectName("secretMessage")
        self.message.show_reason(reason)
        self.ok_button = primary_button(self.tr("Open"), "secretOpen")
        self.ok_button.setDefault(True)
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("secretQuit")
        self.quit_button.setMinimumHeight(TOUCH_MIN_PX)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addWidget(styled_label(self.tr("The database is encrypted"), "title"))
        layout.addWidget(self.secret_field)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self.attempt)
        self.secret_field.returnPressed.connect(self.attempt)
        self.quit_button.clicked.connect(self.reject)

    def attempt(self) -> bool:
        """Accept any non-empty secret (opening the file tells whether it fits)."""
        try:
            self.secret = ClinicSecret(self.secret_field.text())
        except ValidationError:
            self.message.show_reason(self.tr("Type the database secret."))
            return False
        self.secret_field.clear()
        self.accept()
        return True
