"""What a role may see: refusals with their reason, a registry that refuses, read-only settings."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QWidget

from kaatsu_desktop.accounts import Permission, PermissionDenied
from kaatsu_desktop.accounts.permissions import require_user_id
from kaatsu_desktop.services import PatientService, Services
from ui.patients.registry import RegistryPage
from ui.settings_page import SettingsPage
from ui.widgets import styled_label

log = logging.getLogger(__name__)


def refusal(services: Services, permission: Permission) -> str | None:
    """Why the services' user may not do `permission` (None: allowed, or the program itself)."""
    patients = services.patients
    try:
        require_user_id(patients.database, patients.user_id, permission)
    except PermissionDenied as denied:
        return str(denied)
    return None


class GuardedRegistryPage(RegistryPage):
    """The patient registry for a user who may not open patients: it says why, lists nobody."""

    def __init__(
        self, patients: PatientService, refused: str | None, parent: QWidget | None = None
    ) -> None:
        # Set before the base class runs its first search from __init__.
        self.refused = refused
        super().__init__(patients, parent)
        if refused:
            self.search_field.setEnabled(False)
            self.new_button.setEnabled(False)

    def refresh(self) -> None:
        """The search, or the refusal when the user may not see patients."""
        if self.refused:
            self.model.set_patients(())
            self.summary.setText(self.refused)
            return
        super().refresh()


def make_settings_read_only(page: SettingsPage, reason: str) -> QLabel:
    """Show the clinic settings without a way to change them, and say why (not administrator)."""
    for spin in page.spins.values():
        spin.setReadOnly(True)
        spin.setEnabled(False)
    page.save_button.setEnabled(False)
    page.revert_button.setEnabled(False)
    label = styled_label(
        page.tr("Read only: {reason}").format(reason=reason), "subtitle", wrap=True
    )
    label.setObjectName("settingsReadOnlyReason")
    label.setAccessibleName(label.text())
    layout = page.layout()
    layout.insertWidget(min(2, layout.count()), label)  # under the title and its note
    return label
