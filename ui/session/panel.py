"""The live session panel: alarms, restriction clocks, a row per channel, steps, skin, event log.

It only draws what it is given: frozen SessionSnapshots and SessionEvents (from the bridge) and
the SessionBuffers the plots read about 20 times a second each. What the clinician asks goes to a
:class:`~ui.session.port.SessionIntents`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from devices.protocol.types import Site
from kaatsu_desktop.session import (
    Control,
    LimbGroup,
    SessionEvent,
    SessionSnapshot,
    SkinColour,
)
from kaatsu_desktop.session.ringbuffer import SessionBuffers
from ui.session.banner import AlarmBanner
from ui.session.channels import ChannelRow
from ui.session.clocks import GroupClock, OrderStrip
from ui.session.controls import SessionControls
from ui.session.eventlog import EventLog
from ui.session.port import SessionIntents
from ui.session.skin import SkinPanel
from ui.session.tone import AlarmTone

log = logging.getLogger(__name__)

# The plots read the ring buffers, never single samples. Each plot redraws every
# PLOT_PERIOD_MS (20 Hz is plenty for a pressure trace); the timer takes them in turn, half of
# four at a tick, so the UI thread is never busy with all of them at once and stays free for
# clicks and alarms between ticks. Alarms, clocks and tiles do not wait for this timer.
PLOT_PERIOD_MS = 50
PLOT_INTERVAL_MS = 25
SIDEBAR_WIDTH = 410


class LiveSessionPanel(QWidget):
    """Everything a clinician watches during a session (the Release all bar sits above it)."""

    def __init__(self, parent: QWidget | None = None, *, tone: AlarmTone | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveSessionPanel")
        self.intents: SessionIntents | None = None
        self.buffers: SessionBuffers | None = None
        self.snapshot: SessionSnapshot | None = None
        self.t0 = 0.0
        self.tone = tone if tone is not None else AlarmTone(self)

        self.banner = AlarmBanner()
        self.clocks = {g: GroupClock(g) for g in LimbGroup}
        self.order = OrderStrip()
        self.controls = SessionControls()
        self.skin = SkinPanel()
        self.log = EventLog()
        self.rows: dict[int, ChannelRow] = {}

        clocks = QHBoxLayout()
        clocks.setSpacing(10)
        for clock in self.clocks.values():
            clocks.addWidget(clock, 1)
        self.channel_box = QVBoxLayout()
        self.channel_box.setSpacing(6)
        main = QVBoxLayout()
        main.setSpacing(8)
        main.addLayout(clocks)
        main.addLayout(self.channel_box, 1)

        side_widget = QWidget()
        side_widget.setFixedWidth(SIDEBAR_WIDTH)
        side = QVBoxLayout(side_widget)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(8)
        side.addWidget(self.order)
        side.addWidget(self.controls)
        side.addWidget(self.skin)
        side.addWidget(self.log, 1)

        row = QHBoxLayout()
        row.setSpacing(10)
        row.addLayout(main, 1)
        row.addWidget(side_widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(8)
        outer.addWidget(self.banner)  # full width: the message reads on one or two lines
        outer.addLayout(row, 1)

        self.banner.acknowledge_requested.connect(self._acknowledge)
        self.banner.pause_audio_requested.connect(self._pause_audio)
        self.controls.requested.connect(self._control)
        self.skin.recorded.connect(self._skin)

        self.plot_timer = QTimer(self)
        self.plot_timer.setInterval(PLOT_INTERVAL_MS)
        self.plot_timer.timeout.connect(self.refresh_due)
        self._next_plot = 0

    # -- set-up ------------------------------------------------------------------------------------

    def bind(self, intents: SessionIntents | None) -> None:
        """Send the clinician's intents to ``intents`` (None: nothing runs)."""
        self.intents = intents

    def begin(
        self,
        snapshot: SessionSnapshot,
        buffers: SessionBuffers | None,
        max_pressure: Mapping[LimbGroup, float],
        *,
        t0: float | None = None,
    ) -> None:
        """Lay out a new session's channels and start the plot timer.

        ``t0`` is the session's start on the engine clock (event times count from it); the
        buffers hold session seconds already.
        """
        self.buffers = buffers
        self.t0 = snapshot.time if t0 is None else t0
        while self.channel_box.count():
            item = self.channel_box.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.rows.clear()
        top = max(max_pressure.values()) if max_pressure else 0.0
        for view in snapshot.channels:
            ceiling = max_pressure.get(view.group, top) if view.group else top
            row = ChannelRow(view, snapshot.unit.label, ceiling)
            self.rows[view.channel] = row
            self.channel_box.addWidget(row, 1)
        self.skin.set_sites(
            tuple(
                v.site for v in snapshot.channels if v.site is not Site.UNASSIGNED and not v.blocked
            )
        )
        self.log.clear(self.t0)
        self.snapshot = None
        self.show_snapshot(snapshot)
        if buffers is not None:
            self.plot_timer.start()

    def stop(self) -> None:
        """Stop refreshing and silence the tone (the session is over or the page closes)."""
        self.plot_timer.stop()
        self.tone.stop()

    # -- state in ----------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        """Draw one frozen snapshot (called at the bridge's rate, about 10 Hz)."""
        self.snapshot = snapshot
        self.banner.show_alarms(snapshot.alarms)
        audio = snapshot.alarms.audio
        self.tone.set_tone(audio.priority if audio.sounding else None)
        for view in snapshot.groups:
            skip = snapshot.arm_skip_reason if view.group is LimbGroup.ARMS else None
            self.clocks[view.group].show_group(view, skip)
        self.order.show_state(snapshot)
        self.controls.show_controls(snapshot)
        for view in snapshot.channels:
            row = self.rows.get(view.channel)
            if row is not None:
                row.tile.show_channel(view)
        if snapshot.state.terminal:
            self.tone.stop()

    def add_events(self, events: Iterable[SessionEvent]) -> None:
        """Log events and follow the ones some widgets mark (skin colours)."""
        batch = tuple(events)
        self.log.add_events(batch)
        self.skin.add_events(batch)

    def refresh_plots(self) -> int:
        """Redraw every plot from one ring-buffer snapshot each; returns how many redrew."""
        return self._refresh(list(self.rows.values()))

    def refresh_due(self) -> int:
        """The timer's tick: redraw the next plots in turn; returns how many redrew.

        Nothing while the panel is hidden (another page is shown): the plots catch up within
        a tick of showing again.
        """
        rows = list(self.rows.values())
        if not rows or not self.isVisible():
            return 0
        count = plots_per_tick(len(rows))
        start = self._next_plot % len(rows)
        self._next_plot = start + count
        return self._refresh([rows[(start + i) % len(rows)] for i in range(count)])

    def _refresh(self, rows: list[ChannelRow]) -> int:
        if self.buffers is None:
            return 0
        done = 0
        for row in rows:
            try:
                done += row.plot.refresh(self.buffers)
            except Exception:  # a drawing problem must not stop the timer
                log.exception("plot refresh failed for channel %d", row.plot.channel)
        return done

    # -- intents out -------------------------------------------------------------------------------

    def _acknowledge(self, alarm_id: str) -> None:
        if self.intents is not None:
            self.intents.acknowledge(alarm_id)

    def _pause_audio(self) -> None:
        if self.intents is not None:
            self.intents.pause_audio()

    def _skin(self, site: Site, colour: SkinColour) -> None:
        if self.intents is not None:
            self.intents.record_skin(site, colour)

    def _control(self, control: Control, reason: str) -> None:
        intents = self.intents
        if intents is None:
            return
        if control is Control.START_ARMS:
            intents.start_limb_group(LimbGroup.ARMS)
        elif control is Control.START_LEGS:
            intents.start_limb_group(LimbGroup.LEGS)
        elif control is Control.CONFIRM_ARM_BANDS_OFF:
            intents.confirm_arm_bands_off()
        elif control is Control.SKIP_ARM_PHASE:
            intents.skip_arm_phase(reason)
        elif control is Control.FINISH:
            intents.finish()
        elif control is Control.ABORT:
            intents.abort(reason)


def plots_per_tick(plots: int) -> int:
    """How many plots a timer tick redraws so that each redraws every PLOT_PERIOD_MS."""
    return max(1, math.ceil(plots * PLOT_INTERVAL_MS / PLOT_PERIOD_MS))
