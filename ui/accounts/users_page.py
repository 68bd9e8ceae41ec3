"""Administrators' Accounts page: users, roles, passwords, deactivation, and the lock settings."""

from __future__ import annotations

import logging
from collections.abc import Callable

from argon2 import PasswordHasher
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import (
    Account,
    AccountSettings,
    PermissionDenied,
    change_role,
    create_account,
    list_accounts,
    load_account_settings,
    reset_password,
    resolve_names,
    save_account_settings,
    set_active,
    unlock_account,
)
from kaatsu_desktop.accounts.settings import BOUNDS
from kaatsu_desktop.storage import Database, Role, StorageError, User, ValidationError
from ui.accounts.signin import text_field
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)

_CONTEXT = "UsersPage"


def role_caption(role: Role) -> str:
    """A role's name as shown."""
    names = {
        Role.ADMINISTRATOR: QCoreApplication.translate(_CONTEXT, "Administrator"),
        Role.CLINICIAN: QCoreApplication.translate(_CONTEXT, "Clinician"),
        Role.TRAINER: QCoreApplication.translate(_CONTEXT, "Trainer"),
    }
    return names[role]


COLUMNS = ("name", "role", "state", "changed_by")


class UsersPage(QFrame):
    """Create accounts, reset passwords, change roles, (de)activate, unlock; lock settings."""

    account_settings_saved = Signal(object)  # AccountSettings

    def __init__(
        self,
        db: Database,
        admin: User,
        *,
        hasher: PasswordHasher | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._admin = admin
        self._hasher = hasher
        self.accounts: list[Account] = []
        self.setObjectName("usersPage")

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("User"), self.tr("Role"), self.tr("State"), self.tr("Last changed by")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumWidth(560)

        # New account.
        self.new_name = text_field("newUserName", self.tr("New user's name"))
        self.new_role = self._role_box("newUserRole")
        self.new_password = text_field(
            "newUserPassword", self.tr("New user's initial password"), password=True
        )
        self.create_button = primary_button(self.tr("Create account"), "createUserButton")
        create_form = QFormLayout()
        create_form.addRow(self.tr("Name"), self.new_name)
        create_form.addRow(self.tr("Role"), self.new_role)
        create_form.addRow(self.tr("Initial password"), self.new_password)
        create_form.addRow("", self.create_button)

        # The selected account.
        self.reset_password_field = text_field(
            "resetPasswordField", self.tr("New password for the selected user"), password=True
        )
        self.reset_button = self._button(self.tr("Set new password"), "resetPasswordButton")
        self.role_box = self._role_box("changeRoleBox")
        self.role_button = self._button(self.tr("Change role"), "changeRoleButton")
        self.active_button = self._button(self.tr("Deactivate"), "toggleActiveButton")
        self.unlock_button = self._button(self.tr("End lockout"), "unlockAccountButton")
        selected_form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.reset_password_field, 1)
        row.addWidget(self.reset_button)
        selected_form.addRow(self.tr("Password"), row)
        row = QHBoxLayout()
        row.addWidget(self.role_box, 1)
        row.addWidget(self.role_button)
        selected_form.addRow(self.tr("Role"), row)
        row = QHBoxLayout()
        row.addWidget(self.active_button)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        selected_form.addRow(self.tr("Account"), row)

        # Lock settings (clinic settings of the accounts).
        self.setting_spins: dict[str, QSpinBox] = {}
        settings_form = QFormLayout()
        captions = {
            "inactivity_lock_min": (self.tr("Lock the screen after"), self.tr("idle min")),
            "lockout_failures": (self.tr("Lock an account after"), self.tr("failed sign-ins")),
            "lockout_min": (self.tr("A locked account stays locked"), self.tr("min")),
        }
        for key, (caption, unit) in captions.items():
            low, high = BOUNDS[key]
            spin = QSpinBox()
            spin.setObjectName(f"setting_{key}")
            spin.setRange(low, high)
            spin.setSuffix(" " + unit)
            spin.setMinimumHeight(TOUCH_MIN_PX)
            spin.setAccessibleName(caption)
            settings_form.addRow(caption, spin)
            self.setting_spins[key] = spin
        self.save_settings_button = self._button(
            self.tr("Save lock settings"), "saveAccountSettingsButton"
        )
        settings_form.addRow("", self.save_settings_button)

        self.message = FieldError()
        self.message.setObjectName("usersMessage")
        self.status = styled_label("", "muted")
        self.status.setObjectName("usersStatus")

        columns = QHBoxLayout()
        columns.addWidget(self.table, 1)
        side = QVBoxLayout()
        for title, form in (
            (self.tr("New account"), create_form),
            (self.tr("Selected account"), selected_form),
            (self.tr("Screen lock and lockout"), settings_form),
        ):
            card = QFrame()
            card.setProperty("role", "card")
            inner = QVBoxLayout(card)
            inner.addWidget(styled_label(title, "sectionHeading"))
            inner.addLayout(form)
            side.addWidget(card)
        side.addStretch(1)
        columns.addLayout(side, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(styled_label(self.tr("Accounts"), "title"))
        layout.addWidget(
            styled_label(
                self.tr(
                    "Clinicians work with patients; trainers use demo mode only; administrators"
                    " manage accounts and settings. Accounts are deactivated, never deleted, so"
                    " the audit trail keeps naming them. The last active administrator stays."
                ),
                "subtitle",
                wrap=True,
            )
        )
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.status)

        self.create_button.clicked.connect(self.create)
        self.reset_button.clicked.connect(self.reset_selected_password)
        self.role_button.clicked.connect(self.change_selected_role)
        self.active_button.clicked.connect(self.toggle_selected_active)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.save_settings_button.clicked.connect(self.save_settings)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()
        self._show_settings(load_account_settings(db))

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setMinimumHeight(TOUCH_MIN_PX)
        return button

    def _role_box(self, name: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setAccessibleName(self.tr("Role"))
        box.setMinimumHeight(TOUCH_MIN_PX)
        for role in (Role.CLINICIAN, Role.TRAINER, Role.ADMINISTRATOR):
            box.addItem(role_caption(role), role.value)
        return box

    # -- reading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List every account again, keeping the selection by user id."""
        keep = self.selected()
        self.accounts = list_accounts(self._db)
        # Never changed since created: the creator made the last change.
        changers = [
            a.updated_by if a.updated_at is not None else a.user.created_by for a in self.accounts
        ]
        names = resolve_names(self._db, changers)
        now = self._db.now()
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            state = self.tr("active") if account.active else self.tr("deactivated")
            if account.locked_at(now):
                state += " · " + self.tr("locked until {time}").format(
                    time=account.locked_until.astimezone().strftime("%H:%M")
                )
            cells = (
                account.user.name,
                role_caption(account.user.role),
                state,
                names[changers[row]],
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.user.id)
                self.table.setItem(row, col, item)
        if keep is not None:
            self.select(keep.user.id)
        self._selection_changed()

    def selected(self) -> Account | None:
        """The account selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def select(self, user_id: int) -> None:
        """Select a user's row."""
        for row, account in enumerate(self.accounts):
            if account.user.id == user_id:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        account = self.selected()
        for widget in (self.reset_button, self.role_button, self.active_button):
            widget.setEnabled(account is not None)
        self.unlock_button.setEnabled(account is not None and account.locked_at(self._db.now()))
        if account is not None:
            self.active_button.setText(
                self.tr("Deactivate") if account.active else self.tr("Reactivate")
            )
            self.role_box.setCurrentIndex(self.role_box.findData(account.user.role.value))

    # -- actions ---------------------------------------------------------------------------------

    def _run(self, action: Callable[[], object], done: str) -> bool:
        try:
            action()
        except (ValidationError, PermissionDenied) as refused:
            reason = refused.reason if isinstance(refused, ValidationError) else str(refused)
            self.message.show_reason(self.tr("Not done: {reason}.").format(reason=reason))
            self.status.setText("")
            return False
        except StorageError as exc:
            # A damaged database refuses every write: say so; what was typed stays for later.
            log.error("account change not saved: %s", exc)
            self.message.show_reason(self.tr("Not saved. {error}").format(error=exc))
            self.status.setText("")
            return False
        self.message.show_reason(None)
        self.status.setText(done)
        self.refresh()
        return True

    def create(self) -> bool:
        """Create the account typed in New account (initial password under the policy)."""
        name = self.new_name.text().strip()
        role = Role(self.new_role.currentData())
        password = self.new_password.text()
        ok = self._run(
            lambda: create_account(
                self._db, name, role, password, by=self._admin, hasher=self._hasher
            ),
            self.tr("Account {name} created.").format(name=name),
        )
        if ok:
            self.new_name.clear()
            self.new_password.clear()
            self.select(next(a.user.id for a in self.accounts if a.user.name == name))
        return ok

    def reset_selected_password(self) -> bool:
        """Give the selected user the new password typed (this also ends a lockout)."""
        account = self.selected()
        if account is None:
            return False
        password = self.reset_password_field.text()
        ok = self._run(
            lambda: reset_password(
                self._db, account.user.id, password, by=self._admin, hasher=self._hasher
            ),
            self.tr("New password set for {name}.").format(name=account.user.name),
        )
        if ok:
            self.reset_password_field.clear()
        return ok

    def change_selected_role(self) -> bool:
        """Give the selected user the role chosen."""
        account = self.selected()
        if account is None:
            return False
        role = Role(self.role_box.currentData())
        return self._run(
            lambda: change_role(self._db, account.user.id, role, by=self._admin),
            self.tr("{name} is now {role}.").format(
                name=account.user.name, role=role_caption(role)
            ),
        )

    def toggle_selected_active(self) -> bool:
        """Deactivate the selected user (or reactivate a deactivated one)."""
        account = self.selected()
        if account is None:
            return False
        active = not account.active
        done = (
            self.tr("{name} reactivated.") if active else self.tr("{name} deactivated.")
        ).format(name=account.user.name)
        return self._run(
            lambda: set_active(self._db, account.user.id, active, by=self._admin), done
        )

    def unlock_selected(self) -> bool:
        """End the selected user's lockout now."""
        account = self.selected()
        if account is None:
            return False
        return self._run(
            lambda: unlock_account(self._db, account.user.id, by=self._admin),
            self.tr("Lockout of {name} ended.").format(name=account.user.name),
        )

    def _show_settings(self, settings: AccountSettings) -> None:
        for key, value in settings.to_dict().items():
            self.setting_spins[key].setValue(value)

    def save_settings(self) -> bool:
        """Store the lock and lockout settings shown; the window applies them at once."""
        values = {key: spin.value() for key, spin in self.setting_spins.items()}
        saved: list[AccountSettings] = []
        ok = self._run(
            lambda: saved.append(save_account_settings(self._db, values, by=self._admin)),
            self.tr("Lock settings saved."),
        )
        if ok:
            self.account_settings_saved.emit(saved[0])
        return ok
