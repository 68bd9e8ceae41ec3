"""The clinical look: one palette, verdict colours that always travel with words, large type.

Colours live here once; ``resources/styles/clinical.qss`` is a template whose ``@name`` tokens are
filled from :data:`PALETTE` and the verdict and status-role tables.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

STYLE_PATH = Path(__file__).resolve().parent.parent / "resources" / "styles" / "clinical.qss"
BASE_POINT_SIZE = 12
TOUCH_MIN_PX = 44  # gloved fingers on a touch screen

PALETTE: dict[str, str] = {
    "window": "#eef1f4",
    "surface": "#ffffff",
    "text": "#161b21",
    "muted": "#47525e",  # 7.6:1 on white
    "border": "#b9c2cc",
    "accent": "#0b5cad",  # buttons, focus, selection; 6.6:1 with white text
    "accent_dark": "#084887",
    "accent_soft": "#dbe8f6",
    "error": "#b3141b",
    "error_soft": "#fdecec",
    "nav": "#1f2a36",
    "nav_text": "#e8edf2",
    "demo": "#7a1fa2",
}


@dataclass(frozen=True)
class Swatch:
    """Background and text colour of a badge; every pair is at least 4.5:1."""

    background: str
    text: str


# Verdict colours by overall label or rule verdict; the word is always shown with the colour.
VERDICT_SWATCHES: dict[str, Swatch] = {
    "clear": Swatch("#1e7b34", "#ffffff"),
    "info": Swatch("#2c6e49", "#ffffff"),
    "caution": Swatch("#f2b300", "#1a1300"),
    "clearance": Swatch("#5a3d9a", "#ffffff"),
    "blocked_today": Swatch("#c2410c", "#ffffff"),
    "contraindicated": Swatch("#b3141b", "#ffffff"),
    "none": Swatch("#dde2e8", "#161b21"),  # nothing assessed yet
}

_VERDICT_WORDS: dict[str, str] = {
    "clear": QT_TRANSLATE_NOOP("Verdict", "Clear"),
    "info": QT_TRANSLATE_NOOP("Verdict", "Information"),
    "caution": QT_TRANSLATE_NOOP("Verdict", "Caution"),
    "clearance": QT_TRANSLATE_NOOP("Verdict", "Physician clearance required"),
    "blocked_today": QT_TRANSLATE_NOOP("Verdict", "Blocked today"),
    "contraindicated": QT_TRANSLATE_NOOP("Verdict", "Contraindicated"),
    "none": QT_TRANSLATE_NOOP("Verdict", "Not assessed yet"),
}

_VERDICT_SHORT: dict[str, str] = {
    "clear": QT_TRANSLATE_NOOP("Verdict", "clear"),
    "info": QT_TRANSLATE_NOOP("Verdict", "info"),
    "caution": QT_TRANSLATE_NOOP("Verdict", "caution"),
    "clearance": QT_TRANSLATE_NOOP("Verdict", "clearance"),
    "blocked_today": QT_TRANSLATE_NOOP("Verdict", "blocked today"),
    "contraindicated": QT_TRANSLATE_NOOP("Verdict", "contraindicated"),
    "none": QT_TRANSLATE_NOOP("Verdict", "not assessed"),
}

# Roles of status-bar indicators (device link and the like), for set_link_state.
ROLE_SWATCHES: dict[str, Swatch] = {
    "ok": Swatch("#1e7b34", "#ffffff"),
    "info": Swatch("#0b5cad", "#ffffff"),
    "warning": Swatch("#f2b300", "#1a1300"),
    "error": Swatch("#b3141b", "#ffffff"),
    "idle": Swatch("#5b6672", "#ffffff"),
    "demo": Swatch(PALETTE["demo"], "#ffffff"),
}


def verdict_key(label: str | None) -> str:
    """The swatch key of a verdict label (unknown or None: ``none``)."""
    return label if label in VERDICT_SWATCHES else "none"


def verdict_words(label: str | None) -> str:
    """The verdict in words for a badge, e.g. ``Contraindicated``."""
    return QCoreApplication.translate("Verdict", _VERDICT_WORDS[verdict_key(label)])


def verdict_short(label: str | None) -> str:
    """The verdict in one or two lower-case words for a chip, e.g. ``contraindicated``."""
    return QCoreApplication.translate("Verdict", _VERDICT_SHORT[verdict_key(label)])


def stylesheet() -> str:
    """The application style sheet: the template with every colour token filled in."""
    tokens = dict(PALETTE)
    for table, prefix in ((VERDICT_SWATCHES, "verdict"), (ROLE_SWATCHES, "role")):
        for name, swatch in table.items():
            tokens[f"{prefix}_{name}_bg"] = swatch.background
            tokens[f"{prefix}_{name}_fg"] = swatch.text
    tokens["touch"] = f"{TOUCH_MIN_PX}px"
    template = STYLE_PATH.read_text(encoding="utf-8")
    filled = re.sub(r"@(\w+)", lambda m: tokens.get(m.group(1), m.group(0)), template)
    left = re.findall(r"@\w+", filled)
    if left:
        raise ValueError(f"unknown style tokens: {sorted(set(left))}")
    return filled


def apply_theme(app: QApplication) -> None:
    """Large readable type and the clinical style sheet for the whole application."""
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform, so the QSS reads the same
    try:
        app.setStyleSheet(stylesheet())
    except OSError as exc:
        # Without the sheet every verdict still shows its words; the clinic must still work.
        log.error("style sheet %s not loaded: %s", STYLE_PATH, exc)


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
