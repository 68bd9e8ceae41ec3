"""Accounts in the main window: the signed-in user, administrators' pages and the screen lock.

The lock covers every page but the Session page, and every other window of the application (an
open dialog is covered, never closed: see window_covers). While a session runs the Session page
is shown and stays fully live (Release all, Esc, alarms, acknowledge): hiding or freezing it could
hide an alarm from the clinician at the bands, and the one patient it names is the one in the
chair.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kaatsu_desktop.accounts import (
    AccountSettings,
    Authenticator,
    Permission,
    can,
    load_account_settings,
)
from kaatsu_desktop.storage import Database, StorageError, User
from ui.accounts.audit_page import AuditPage
from ui.accounts.lock import LockOverlay, ScreenLock, UnlockPanel
from ui.accounts.users_page import UsersPage, role_caption
from ui.accounts.window_covers import WindowCovers
from ui.main_window import MainWindow, Page

log = logging.getLogger(__name__)


class AccountsShell(QObject):
    """Wires one signed-in user into a window; `signed_out` when they sign out or switch."""

    signed_out = Signal()

    def __init__(
        self,
        window: MainWindow,
        db: Database,
        auth: Authenticator,
        user: User,
        *,
        hasher: PasswordHasher | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        choose_export_path: Callable[[], Path | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or window)
        self.window = window
        self.user = user
        self._auth = auth
        self.session_live = False
        window.show_account(user.name, role_caption(user.role))
        self.users_page: UsersPage | None = None
        self.audit_page: AuditPage | None = None
        if can(user, Permission.MANAGE_USERS):
            self.users_page = UsersPage(db, user, hasher=hasher)
            window.add_admin_page(Page.ACCOUNTS, window.tr("Accounts"), self.users_page)
        if can(user, Permission.VIEW_AUDIT):
            self.audit_page = AuditPage(db, user, choose_export_path=choose_export_path)
            window.add_admin_page(Page.AUDIT, window.tr("Audit"), self.audit_page)

        self.overlay = LockOverlay(user.name)
        window.install_lock_overlay(self.overlay)
        self.covers = WindowCovers(user.name, window, self._left_uncovered, parent=self)
        self.covers.unlock_requested.connect(lambda cover, pw: self.unlock(pw, typed_in=cover))
        settings = load_account_settings(db)
        self.lock = ScreenLock(
            auth, user, settings.inactivity_timeout, monotonic=monotonic, parent=self
        )
        self.lock.locked.connect(self._on_locked)
        self.lock.not_recorded.connect(self._not_recorded)
        self.overlay.unlock_requested.connect(self.unlock)
        self.overlay.go_to_session.connect(lambda: window.show_page(Page.SESSION))
        self.overlay.switch_user_requested.connect(self.sign_out)
        window.lock_requested.connect(self.lock.lock_now)
        window.sign_out_requested.connect(self.sign_out)
        if self.users_page is not None:
            self.users_page.account_settings_saved.connect(self._settings_saved)

    def set_session_live(self, live: bool) -> None:
        """The session page reports a running session (the lock then shows it, never hides it)."""
        self.session_live = live
        self.overlay.set_session_live(live)
        self.covers.set_session_live(live)

    def _left_uncovered(self, widget: QWidget) -> bool:
        """The main window (its own overlay) and windows of the Session page stay uncovered."""
        if widget is self.window:
            return True
        session_page = self.window.session_page
        parent = widget.parentWidget()
        while parent is not None:
            if parent is session_page:
                return True
            parent = parent.parentWidget()
        return False

    def _on_locked(self, reason: str) -> None:
        self.overlay.reset()
        self.covers.cover_all()
        self.window.set_locked(True)
        self.covers.keep_reachable()
        if self.session_live:
            self.window.show_page(Page.SESSION)  # keep the running session in sight
        # A modal dialog takes the keyboard: its cover gets the caret, else the overlay does.
        if self.covers.focus_unlock() is None and not self.session_live:
            self.overlay.password_field.setFocus()
        log.info("locked (%s); session live: %s", reason, self.session_live)

    def _not_recorded(self, text: str) -> None:
        """A lock or unlock the damaged database could not audit: said where it is seen."""
        if self.lock.is_locked:
            self.overlay.show_refusal(text)
        self.window.statusBar().showMessage(text, 30_000)

    def unlock(self, password: str, *, typed_in: UnlockPanel | None = None) -> bool:
        """Unlock with the signed-in user's password; the reason is shown where it was typed."""
        reason = self.lock.unlock(password)
        if reason is not None:
            (typed_in or self.overlay).show_refusal(reason)
            return False
        self.overlay.reset()
        self.covers.uncover_all()
        self.window.set_locked(False)
        return True

    def sign_out_refusal(self) -> str | None:
        """Why signing out must wait (a running session), None when it may happen now."""
        if self.session_live:
            return self.window.tr(
                "A session is running: finish it or release all before signing out."
                " Lock the workstation instead to step away."
            )
        return None

    def sign_out(self) -> bool:
        """Sign out (audited) unless a session runs; the root then asks for a new sign-in."""
        refused = self.sign_out_refusal()
        if refused is not None:
            self.window.statusBar().showMessage(refused, 10_000)
            return False
        self.close("manual")
        self.signed_out.emit()
        return True

    def close(self, reason: str) -> None:
        """Stop the lock timer and record the sign-out (logged, not written, on a damaged file)."""
        self.lock.stop()
        self.covers.uncover_all()
        try:
            self._auth.sign_out(self.user, reason=reason)
        except (StorageError, sqlite3.Error) as exc:
            # The sign-out happens all the same: a damaged database refuses the audit row.
            log.warning("sign-out (%s) of user %d not recorded: %s", reason, self.user.id, exc)

    def _settings_saved(self, settings: AccountSettings) -> None:
        self.lock.set_timeout(settings.inactivity_timeout)
