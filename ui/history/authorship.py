"""Who started a session and who finished or last changed it, in words for the session history.

`session_authorship_text(authors)` says it with times (a tooltip, a footer);
`session_authorship_short(authors)` says it by name only, for a table cell beside the session's
date. `annotate_session_rows` puts both on the rows of a session table. The names and times come
from `kaatsu_desktop.accounts.session_authors(db, patient_id)` (issue 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QTableWidget

from kaatsu_desktop.accounts.session_authors import SessionAuthors
from kaatsu_desktop.storage import SessionStatus

_CONTEXT = "SessionAuthorship"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at is not None else "?"


def _change_words(status: SessionStatus) -> str:
    return {
        SessionStatus.COMPLETED: _tr("completed by {name} on {when}"),
        SessionStatus.ABORTED: _tr("aborted by {name} on {when}"),
        SessionStatus.INTERRUPTED: _tr("marked interrupted by {name} on {when}"),
    }.get(status, _tr("last changed by {name} on {when}"))


def _change_words_short(status: SessionStatus) -> str:
    return {
        SessionStatus.COMPLETED: _tr("completed by {name}"),
        SessionStatus.ABORTED: _tr("aborted by {name}"),
        SessionStatus.INTERRUPTED: _tr("marked interrupted by {name}"),
    }.get(status, _tr("last changed by {name}"))


def session_authorship_text(who: SessionAuthors) -> str:
    """'Started by A on …; completed by B on ….' (one clause while nothing changed)."""
    started = _tr("Started by {name} on {when}").format(
        name=who.started_by, when=_when(who.started_at)
    )
    if not who.changed:
        return started + "."
    changed = _change_words(who.status).format(name=who.changed_by, when=_when(who.changed_at))
    return f"{started}; {changed}."


def session_authorship_short(who: SessionAuthors) -> str:
    """'Started by A; completed by B' (names only: the row shows the date)."""
    started = _tr("Started by {name}").format(name=who.started_by)
    if not who.changed:
        return started
    return f"{started}; " + _change_words_short(who.status).format(name=who.changed_by)


def annotate_session_rows(
    table: QTableWidget,
    session_ids: Sequence[int],
    authors: Mapping[int, SessionAuthors],
    column: int,
) -> None:
    """Row r's cell in `column` gets session_ids[r]'s authors: a second line, and the tooltip."""
    for row, session_id in enumerate(session_ids):
        item = table.item(row, column)
        who = authors.get(session_id)
        if item is None or who is None:
            continue
        full = session_authorship_text(who)
        item.setText(f"{item.text()}\n{session_authorship_short(who)}" if item.text() else full)
        item.setToolTip(full)
        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, full)
