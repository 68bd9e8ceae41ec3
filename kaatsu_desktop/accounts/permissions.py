"""Roles and what each may do: one table, one check (`require`) that the services call."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate, translate_noop
from kaatsu_desktop.storage import Role, User, get_user, write_audit
from kaatsu_desktop.storage.users import user_state

from .actions import AuditAction

if TYPE_CHECKING:
    from kaatsu_desktop.storage import Database

_T = "Accounts"


class Permission(enum.StrEnum):
    """One thing a user may be allowed to do."""

    MANAGE_USERS = "manage_users"
    CHANGE_CLINIC_SETTINGS = "change_clinic_settings"
    VIEW_AUDIT = "view_audit"
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    ARCHIVE_PATIENTS = "archive_patients"
    RECORD_SCREENINGS = "record_screenings"
    RUN_SESSIONS = "run_sessions"
    EXPORT_PATIENT_DATA = "export_patient_data"
    RUN_DEMO = "run_demo"


# What each role may do (issue 7): administrators run the clinic's users and settings and read
# the audit trail; clinicians work with patients; trainers use demo mode only, no patient record.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.CHANGE_CLINIC_SETTINGS,
            Permission.VIEW_AUDIT,
            Permission.RUN_DEMO,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.EDIT_PATIENTS,
            Permission.ARCHIVE_PATIENTS,
            Permission.RECORD_SCREENINGS,
            Permission.RUN_SESSIONS,
            Permission.EXPORT_PATIENT_DATA,
            Permission.RUN_DEMO,
        }
    ),
    Role.TRAINER: frozenset({Permission.RUN_DEMO}),
}

# The action each permission guards, as a refusal names it.
ACTION_NAMES: Mapping[Permission, str] = {
    Permission.MANAGE_USERS: translate_noop(_T, "manage user accounts"),
    Permission.CHANGE_CLINIC_SETTINGS: translate_noop(_T, "change the clinic settings"),
    Permission.VIEW_AUDIT: translate_noop(_T, "view the audit trail"),
    Permission.VIEW_PATIENTS: translate_noop(_T, "open patient records"),
    Permission.EDIT_PATIENTS: translate_noop(_T, "create or change patient records"),
    Permission.ARCHIVE_PATIENTS: translate_noop(_T, "archive patient records"),
    Permission.RECORD_SCREENINGS: translate_noop(_T, "record screenings and clearances"),
    Permission.RUN_SESSIONS: translate_noop(_T, "run sessions on patients"),
    Permission.EXPORT_PATIENT_DATA: translate_noop(_T, "export patient data"),
    Permission.RUN_DEMO: translate_noop(_T, "use demo mode"),
}

ROLE_NAMES: Mapping[Role, str] = {
    Role.ADMINISTRATOR: translate_noop(_T, "an administrator"),
    Role.CLINICIAN: translate_noop(_T, "a clinician"),
    Role.TRAINER: translate_noop(_T, "a trainer"),
}


class PermissionDenied(Exception):
    """The acting user's role does not allow the action; nothing was read or written."""

    def __init__(self, permission: Permission, user: User, *, inactive: bool = False) -> None:
        self.permission = permission
        self.user_id = user.id
        self.role = user.role
        self.inactive = inactive
        action = translate(_T, ACTION_NAMES[permission])
        if inactive:
            text = translate(_T, "The account of {name} is deactivated: it may not {action}.")
        else:
            text = translate(_T, "{name} is {role} and may not {action}.")
        super().__init__(
            text.format(name=user.name, role=translate(_T, ROLE_NAMES[user.role]), action=action)
        )


def permissions_of(role: Role | str) -> frozenset[Permission]:
    """Everything a role may do."""
    return ROLE_PERMISSIONS[Role(role)]


def can(user: User | None, permission: Permission) -> bool:
    """True when `user` may do it; None is the program itself (command line, tests): always."""
    return user is None or permission in ROLE_PERMISSIONS[user.role]


def require(user: User | None, permission: Permission) -> None:
    """Raise PermissionDenied unless `user` may do it (None, the program itself, always may)."""
    if user is not None and not can(user, permission):
        raise PermissionDenied(permission, user)


def require_user_id(db: Database, user_id: int | None, permission: Permission) -> User | None:
    """`require` for a user id as the services hold it; also refuses deactivated accounts.

    None stays the program itself (the command line, the demo seeding, tests), as before.
    The role is read at each call, so a change by an administrator applies at once.
    """
    if user_id is None:
        return None
    user = get_user(db, user_id)  # NotFound for an id that names no user
    if not user_state(db, user_id).active:
        raise PermissionDenied(permission, user, inactive=True)
    require(user, permission)
    return user


def require_patient_read(db: Database, user_id: int | None, patient_id: int) -> None:
    """VIEW_PATIENTS for a user id, and an audit row "read" when a user opens a patient record.

    Reads by the program itself (None: demo seeding, the command line) are not audited.
    """
    user = require_user_id(db, user_id, Permission.VIEW_PATIENTS)
    if user is None:
        return
    with db.transaction() as sdb:
        write_audit(
            sdb,
            at=db.now(),
            user_id=user.id,
            action=AuditAction.READ.value,
            entity="patient",
            entity_id=patient_id,
        )
