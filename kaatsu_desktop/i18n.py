"""Translation helpers for the core: Qt's translator without any widget module."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """Translate ``text`` in ``context`` through the installed Qt translators (source if none)."""
    return QCoreApplication.translate(context, text, disambiguation, n)


def translate_noop(context: str, text: str) -> str:
    """Mark ``text`` for translation where it is declared; translate it later where shown."""
    del context
    return text
