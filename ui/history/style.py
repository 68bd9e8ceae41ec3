"""Colours, pens and axis styling shared by the history plots (from the theme palette)."""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtGui import QFont

from ui.theme import PALETTE

# Arms and legs: blue and orange tell apart for every common colour vision, and each group has
# its own symbol too (circle, square), so nothing rests on colour alone.
GROUP_COLOURS: dict[str, str] = {"arms": PALETTE["accent"], "legs": "#b35900"}
GROUP_SYMBOLS: dict[str, str] = {"arms": "o", "legs": "s"}
ALARM_COLOUR = "#b3141b"
AXIS_PEN = pg.mkPen(PALETTE["muted"])
TEXT_COLOUR = PALETTE["text"]
MUTED_COLOUR = PALETTE["muted"]
TICK_POINT_SIZE = 10


def style_plot(plot: pg.PlotItem, title: str) -> None:
    """A static plot (no mouse zoom, no menu), themed axes and a bold title."""
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.setTitle(title, color=TEXT_COLOUR, size="11pt", bold=True)
    font = QFont()
    font.setPointSize(TICK_POINT_SIZE)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(AXIS_PEN)
        axis.setTextPen(pg.mkPen(TEXT_COLOUR))
        axis.setStyle(tickFont=font)
    # Grid lines at the major and minor ticks only: the faint third level (a line a minute on a
    # 0-20 min axis) added little to read by and took most of a plot's repaint (issue 8).
    plot.getAxis("left").setStyle(maxTickLevel=1)


def legend_html(entries: list[tuple[str, str, str]]) -> str:
    """A one-line legend in rich text: (mark, colour, words) per entry."""
    parts = [
        f'<span style="color:{colour}; font-weight:bold">{mark}</span>&nbsp;{html.escape(words)}'
        for mark, colour, words in entries
    ]
    return "&nbsp;&nbsp;&nbsp;&nbsp;".join(parts)
