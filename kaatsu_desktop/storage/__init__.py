"""The patient database: SQLite through sqlite-utils, one file, migrations, audit, backups.

Only the composition root (`kaatsu_desktop/app.py`) opens a Database; everything else receives it
and calls the repository functions below. One connection serves every thread behind one lock;
each repository call is one short transaction (clinical writes carry their audit row in it).
"""

from .audit import list_audit, write_audit
from .backup import copy_database, daily_backups, restore_from, verify_backup
from .clinical_records import (
    add_clearance,
    add_screening,
    get_screening,
    latest_screening,
    list_clearances,
    list_screenings,
)
from .db import Clock, Database, default_database_path, open_database, system_clock
from .errors import (
    BackupFailed,
    DatabaseCorrupt,
    DatabaseInUse,
    ForeignDatabase,
    MigrationFailed,
    NotFound,
    SchemaTooNew,
    StorageError,
    ValidationError,
)
from .models import (
    AuditEntry,
    ClearanceRecord,
    NewClearance,
    NewScreening,
    NewSession,
    Patient,
    PatientFields,
    Role,
    ScreeningRecord,
    SessionEvent,
    SessionRecord,
    SessionStatus,
    Sex,
    User,
)
from .patients import (
    archive_patient,
    create_patient,
    create_patients,
    get_patient,
    list_patients,
    search_patients,
    update_patient,
)
from .samples import SAMPLE_DTYPE, add_samples, count_samples, make_samples, read_samples
from .schema import SCHEMA_VERSION
from .sessions import (
    add_session_events,
    create_session,
    finish_session,
    get_session,
    list_session_events,
    list_sessions,
    mark_interrupted,
    update_session,
)
from .settings import get_setting, get_settings, set_settings
from .users import create_user, get_user, list_users

__all__ = [
    "SAMPLE_DTYPE",
    "SCHEMA_VERSION",
    "AuditEntry",
    "BackupFailed",
    "ClearanceRecord",
    "Clock",
    "Database",
    "DatabaseCorrupt",
    "DatabaseInUse",
    "ForeignDatabase",
    "MigrationFailed",
    "NewClearance",
    "NewScreening",
    "NewSession",
    "NotFound",
    "Patient",
    "PatientFields",
    "Role",
    "SchemaTooNew",
    "ScreeningRecord",
    "SessionEvent",
    "SessionRecord",
    "SessionStatus",
    "Sex",
    "StorageError",
    "User",
    "ValidationError",
    "add_clearance",
    "add_samples",
    "add_screening",
    "add_session_events",
    "archive_patient",
    "copy_database",
    "count_samples",
    "create_patient",
    "create_patients",
    "create_session",
    "create_user",
    "daily_backups",
    "default_database_path",
    "finish_session",
    "get_patient",
    "get_screening",
    "get_session",
    "get_setting",
    "get_settings",
    "get_user",
    "latest_screening",
    "list_audit",
    "list_clearances",
    "list_patients",
    "list_screenings",
    "list_session_events",
    "list_sessions",
    "list_users",
    "make_samples",
    "mark_interrupted",
    "open_database",
    "read_samples",
    "restore_from",
    "search_patients",
    "set_settings",
    "system_clock",
    "update_patient",
    "update_session",
    "verify_backup",
    "write_audit",
]
