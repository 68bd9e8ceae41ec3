"""Typed errors of the storage layer, each with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

from kaatsu_desktop.i18n import translate

_CONTEXT = "Storage"


class StorageError(Exception):
    """Base class of every error the storage layer raises on purpose."""


class DatabaseCorrupt(StorageError):
    """`quick_check` (or SQLite itself) found the file damaged; the file was left untouched."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            translate(
                _CONTEXT,
                "The database file {path} is damaged (SQLite says: {detail}). The file has not been"
                " changed. Close the program, keep a copy of this file for support, and restore"
                " the most recent backup (the daily backups are in the 'backups' folder beside"
                " it).",
            ).format(path=path, detail=detail)
        )


class DatabaseDamaged(DatabaseCorrupt):
    """The open file failed its full integrity check: from then on every write is refused."""

    def __init__(self, path: Path, detail: str) -> None:
        StorageError.__init__(
            self,
            translate(
                _CONTEXT,
                "The database file {path} failed its integrity check (SQLite says: {detail})."
                " Nothing more is saved to it, so that no clinical record is written to a damaged"
                " file. Close the program, keep a copy of this file for support, and restore the"
                " most recent backup (the daily backups are in the 'backups' folder beside it).",
            ).format(path=path, detail=detail),
        )
        self.path = path
        self.detail = detail


class SchemaTooNew(StorageError):
    """The database was written by a newer version of the program than this one."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            translate(
                _CONTEXT,
                "The database {path} has schema version {found}, but this version of KAATSU Desktop"
                " only knows versions up to {supported}. Install the newer version of the program"
                " that created it; the file has not been changed.",
            ).format(path=path, found=found, supported=supported)
        )


class ForeignDatabase(StorageError):
    """The file is an SQLite database, but not one of KAATSU Desktop's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            translate(
                _CONTEXT,
                "The file {path} is an SQLite database of another program, not a KAATSU Desktop"
                " database. Choose another file; this one has not been changed.",
            ).format(path=path)
        )


class DatabaseInUse(StorageError):
    """Another running instance of the program holds the database's lock file."""

    def __init__(self, path: Path, owner: str) -> None:
        self.path = path
        self.owner = owner
        super().__init__(
            translate(
                _CONTEXT,
                "The database {path} is already open in another KAATSU Desktop window ({owner})."
                " Switch to that window, or close it before starting the program again.",
            ).format(path=path, owner=owner)
        )


class MigrationFailed(StorageError):
    """A schema migration failed; its transaction was rolled back and the version is unchanged."""

    def __init__(self, path: Path, version: int, detail: str) -> None:
        self.path = path
        self.version = version
        self.detail = detail
        super().__init__(
            translate(
                _CONTEXT,
                "Updating the database {path} to schema version {version} failed ({detail})."
                " Nothing was changed; the database is still at the previous version.",
            ).format(path=path, version=version, detail=detail)
        )


class BackupFailed(StorageError):
    """A backup could not be written or did not pass `integrity_check`."""

    def __init__(self, dest: Path, detail: str) -> None:
        self.dest = dest
        self.detail = detail
        super().__init__(
            translate(_CONTEXT, "The backup to {dest} failed: {detail}").format(
                dest=dest, detail=detail
            )
        )


class BackupCancelled(BackupFailed):
    """A backup stopped on request (the program was closing); nothing was left behind."""

    def __init__(self, dest: Path) -> None:
        super().__init__(dest, translate(_CONTEXT, "cancelled; it is made again at the next start"))


class ValidationError(StorageError, ValueError):
    """Input refused before anything was written; `.field` names the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class NotFound(StorageError, LookupError):
    """No record of that kind with that id."""

    def __init__(self, entity: str, entity_id: object) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(
            translate(_CONTEXT, "No {entity} with id {entity_id}.").format(
                entity=entity, entity_id=entity_id
            )
        )
