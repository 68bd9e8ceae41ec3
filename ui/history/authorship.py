"""Who started a session and who finished or last changed it, in words for the session history.

`session_authorship_text(authors)` says it with times (a tooltip, a footer);
`session_authorship_short(authors)` says it by name only, for a table cell beside the session's
date. `annotate_session_rows` puts both on the rows of a session table; `AuthorshipWords.cell_texts`
gives a status cell's texts for a table being filled. The names and times come
from `kaatsu_desktop.accounts.session_authors(db, patient_id)` (issue 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QTableWidget

from kaatsu_desktop.accounts.session_authors import SessionAuthors
from kaatsu_desktop.storage import SessionStatus

_CONTEXT = "SessionAuthorship"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _when(at: datetime | None) -> str:
    # As strftime("%Y-%m-%d %H:%M"), which imports the time module on every call through
    # PySide's import hook: two calls a session row, hundreds at a patient's open.
    if at is None:
        return "?"
    t = at.astimezone()
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"


@dataclass(frozen=True)
class _Words:
    """The translated sentences, looked up once for a whole table (ten look-ups a row else)."""

    started: str
    started_short: str
    changed: dict[SessionStatus, str]
    changed_short: dict[SessionStatus, str]
    last_changed: str
    last_changed_short: str


def _words() -> _Words:
    return _Words(
        started=_tr("Started by {name} on {when}"),
        started_short=_tr("Started by {name}"),
        changed={
            SessionStatus.COMPLETED: _tr("completed by {name} on {when}"),
            SessionStatus.ABORTED: _tr("aborted by {name} on {when}"),
            SessionStatus.INTERRUPTED: _tr("marked interrupted by {name} on {when}"),
        },
        changed_short={
            SessionStatus.COMPLETED: _tr("completed by {name}"),
            SessionStatus.ABORTED: _tr("aborted by {name}"),
            SessionStatus.INTERRUPTED: _tr("marked interrupted by {name}"),
        },
        last_changed=_tr("last changed by {name} on {when}"),
        last_changed_short=_tr("last changed by {name}"),
    )


def session_authorship_text(who: SessionAuthors, words: _Words | None = None) -> str:
    """'Started by A on …; completed by B on ….' (one clause while nothing changed)."""
    w = words or _words()
    started = w.started.format(name=who.started_by, when=_when(who.started_at))
    if not who.changed:
        return started + "."
    template = w.changed.get(who.status, w.last_changed)
    return f"{started}; {template.format(name=who.changed_by, when=_when(who.changed_at))}."


def session_authorship_short(who: SessionAuthors, words: _Words | None = None) -> str:
    """'Started by A; completed by B' (names only: the row shows the date)."""
    w = words or _words()
    started = w.started_short.format(name=who.started_by)
    if not who.changed:
        return started
    template = w.changed_short.get(who.status, w.last_changed_short)
    return f"{started}; {template.format(name=who.changed_by)}"


@dataclass(frozen=True)
class CellTexts:
    """A status cell with its authors: the text shown, its tooltip, its accessible description."""

    text: str
    tip: str
    description: str


class AuthorshipWords:
    """The sentences translated once, for filling a whole session table (issue 7)."""

    def __init__(self) -> None:
        self._words = _words()

    def cell_texts(self, text: str, who: SessionAuthors) -> CellTexts:
        """``text`` with the authors' names under it; the tooltip keeps it above their times."""
        full = session_authorship_text(who, self._words)
        if not text:
            return CellTexts(full, full, full)
        short = session_authorship_short(who, self._words)
        return CellTexts(f"{text}\n{short}", f"{text}\n{full}", full)


def annotate_session_rows(
    table: QTableWidget,
    session_ids: Sequence[int],
    authors: Mapping[int, SessionAuthors],
    column: int,
) -> None:
    """Row r's cell in `column` gets session_ids[r]'s authors: a second line, and the tooltip.

    The tooltip keeps the cell's own text above the authors with their times.
    """
    words = AuthorshipWords()
    for row, session_id in enumerate(session_ids):
        who = authors.get(session_id)
        item = table.item(row, column) if who is not None else None
        if item is None or who is None:
            continue
        texts = words.cell_texts(item.text(), who)
        item.setText(texts.text)
        item.setToolTip(texts.tip)
        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, texts.description)
