"""Who created and last changed a record, in one line for a record's footer or a table cell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from kaatsu_desktop.accounts import Authorship, authorship
from kaatsu_desktop.storage import Database

_CONTEXT = "Authorship"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at is not None else "?"


def authorship_text(who: Authorship) -> str:
    """'Created by A on …; last changed by B on …' (one clause when never changed)."""
    created = _tr("Created by {name} on {when}").format(
        name=who.created_by, when=_when(who.created_at)
    )
    if who.updated_at == who.created_at and who.updated_by == who.created_by:
        return created + "."
    changed = _tr("last changed by {name} on {when}").format(
        name=who.updated_by, when=_when(who.updated_at)
    )
    return f"{created}; {changed}."


def record_authorship_text(db: Database, record: Any) -> str:
    """`authorship_text` of any stored record with created_by (and maybe updated_by)."""
    return authorship_text(authorship(db, record))


class AuthorshipLabel(QLabel):
    """A muted footer line naming who created and last changed the record shown."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("authorshipLabel")
        self.setProperty("role", "muted")
        self.setWordWrap(True)

    def set_record(self, record: Any | None) -> None:
        """Show the record's authors (None clears the line)."""
        text = "" if record is None else record_authorship_text(self._db, record)
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))
