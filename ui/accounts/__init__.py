"""Accounts in the workstation (issue 7): sign-in, screen lock, administrators' pages.

- `signin`: SignInDialog(auth), FirstAdministratorDialog(create).
- `lock`: ScreenLock(auth, user, timeout, monotonic=...) drives the InactivityLock from every
  input event; LockOverlay covers every page but the Session page (MainWindow.set_locked).
- `window_covers`: WindowCovers covers every other open window (dialogs, message boxes) with a
  WindowCover of its own, password field included; nothing is closed, typed text is kept.
- `shell`: AccountsShell(window, db, auth, user, ...) wires one signed-in user into a window.
- `users_page`, `audit_page`: the administrators' Accounts and Audit places.
- `access`: refusals by role (GuardedRegistryPage, make_settings_read_only).
- `authorship`: AuthorshipLabel(db).set_record(record), authorship_text(...), for record footers.
- `encryption_dialogs`: EncryptionChoiceDialog (first run), SecretDialog.
"""
