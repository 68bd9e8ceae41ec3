"""One row per channel: a tile with the numbers read at arm's length, and the pressure plot."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QWidget

from devices.protocol.types import Phase
from kaatsu_desktop.session import ChannelView
from kaatsu_desktop.session.model import channel_label
from ui.session.format import phase_label, pressure_text, seconds_left_text, site_label, tr
from ui.session.plots import ChannelPlot
from ui.theme import restyle

STALE_AFTER_S = 1.0  # a reading older than this is not shown as current
TIMED_PHASES = (Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING)


def describe(view: ChannelView) -> tuple[str, str, str]:
    """(state, phase word, detail) of a channel: what its tile says in words."""
    r = view.reading
    stale = r is None or view.reading_age_s is None or view.reading_age_s > STALE_AFTER_S
    if view.blocked:
        return "blocked", tr("blocked"), tr("wound under the band: not used (S-LIMB-1)")
    if r is None:
        return "stale", tr("no reading"), ""
    parts = []
    if stale:
        parts.append(tr("no current reading"))
    if r.target > 0:
        parts.append(tr("target {t}").format(t=pressure_text(r.target)))
    if r.cycle:
        parts.append(tr("cycle {n}/{total}").format(n=r.cycle, total=r.cycle_count))
    state = "stale" if stale else ("active" if view.commanded else "idle")
    return state, phase_label(r.phase), "  ·  ".join(parts)


class ChannelTile(QFrame):
    """Site, pressure, phase, cycle and seconds left of one channel."""

    def __init__(self, view: ChannelView, unit_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel = view.channel
        self.unit_label = unit_label
        self.setObjectName(f"channelTile_{view.channel}")
        self.setProperty("sessionCard", True)
        self.setFixedWidth(300)
        self.title = QLabel(f"{site_label(view.site)} · {channel_label(view.channel)}")
        self.title.setProperty("role", "cardTitle")
        self.pressure = QLabel("—")
        self.pressure.setObjectName(f"pressure_{view.channel}")
        self.pressure.setProperty("bigNumber", True)
        self.unit = QLabel(unit_label)
        self.unit.setProperty("role", "unit")
        self.left = QLabel("—")
        self.left.setObjectName(f"secondsLeft_{view.channel}")
        self.left.setProperty("bigNumber", True)
        self.left_caption = QLabel(tr("s left"))
        self.left_caption.setProperty("role", "unit")
        self.phase = QLabel()
        self.phase.setObjectName(f"phase_{view.channel}")
        self.phase.setProperty("role", "phaseLine")
        self.phase.setTextFormat(Qt.TextFormat.RichText)
        self.phase_word = ""
        self.detail = ""

        grid = QGridLayout(self)
        grid.setContentsMargins(12, 4, 10, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.title, 0, 0, 1, 4)
        grid.addWidget(self.pressure, 1, 0)
        grid.addWidget(self.unit, 1, 1)
        grid.addWidget(self.left, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.left_caption, 1, 3)
        grid.addWidget(self.phase, 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)

    def show_channel(self, view: ChannelView) -> None:
        """Draw one channel's view."""
        state, phase, detail = describe(view)
        r = view.reading
        self.phase_word, self.detail = phase, detail
        self.pressure.setText("—" if r is None or view.blocked else pressure_text(r.pressure))
        timed = r is not None and r.phase in TIMED_PHASES and not view.blocked
        self.left.setText(seconds_left_text(r.seconds_left if timed and r is not None else None))
        line = f"<b>{html.escape(phase)}</b>"
        if detail:
            line += f"&nbsp;&nbsp;{html.escape(detail)}"
        self.phase.setText(line)
        self.setAccessibleName(
            tr("{title}: {p} {unit}, {phase}").format(
                title=self.title.text(), p=self.pressure.text(), unit=self.unit_label, phase=phase
            )
        )
        if self.property("channelState") != state:
            self.setProperty("channelState", state)
            restyle(self)


class ChannelRow(QWidget):
    """A channel's tile and its plot side by side."""

    def __init__(
        self,
        view: ChannelView,
        unit_label: str,
        max_pressure: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tile = ChannelTile(view, unit_label)
        self.plot = ChannelPlot(view.channel, unit_label, max_pressure)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.tile)
        row.addWidget(self.plot, 1)
