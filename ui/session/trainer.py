"""Demo mode's trainer panel: inject faults into the simulated cuff and watch device and app react.

Faults are injected into the simulated cuff host itself, on the device runtime's thread (the
host is not thread-safe), never faked above the driver: the app sees exactly what a real cuff
with that fault would send.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from devices.runtime import DeviceRuntime
from devices.sim.host import SimulatedCuffHost
from devices.sim.registry import CuffRegistry
from ui.session.format import tr
from ui.widgets import ChoiceButtons

log = logging.getLogger(__name__)

LINK_DROP_S = 5.0  # long enough for the stale alarm (1 s) and the device's watchdog release


@dataclass(frozen=True)
class Fault:
    """One trainer action: its button text and what it does to the host and a channel."""

    key: str
    text: str
    act: Callable[[SimulatedCuffHost, int], object]
    per_channel: bool = True


FAULTS: tuple[Fault, ...] = (
    Fault(
        "link_drop",
        "Drop the link (5 s)",
        lambda host, _ch: host.drop_link(LINK_DROP_S),
        per_channel=False,
    ),
    Fault("leak", "Leak", lambda host, ch: host.cuff_now().faults.leak(ch)),
    Fault("stuck_valve", "Stuck valve", lambda host, ch: host.cuff_now().faults.stuck_valve(ch)),
    Fault("noisy_sensor", "Noisy sensor", lambda host, ch: host.cuff_now().faults.noisy_sensor(ch)),
    Fault(
        "over_pressure",
        "Over-pressure (runaway pump)",
        lambda host, ch: host.cuff_now().faults.runaway_pump(ch),
    ),
    Fault("reboot", "Reboot the device", lambda host, _ch: host.reboot(), per_channel=False),
)


def repair(host: SimulatedCuffHost, _channel: int) -> None:
    """Clear every physical fault and bring the link back."""
    host.cuff_now().faults.clear_all()
    host.restore_link()


class TrainerPanel(QGroupBox):
    """Fault buttons for the connected simulated cuff; every action runs on the device thread."""

    injected = Signal(str)  # what was done, in words

    def __init__(
        self,
        runtime: DeviceRuntime,
        registry: CuffRegistry,
        address: Callable[[], str | None],
        parent: QWidget | None = None,
        *,
        channels: int = 4,
    ) -> None:
        super().__init__(tr("Trainer (demo only)"), parent)
        self.setObjectName("trainerPanel")
        self.runtime = runtime
        self.registry = registry
        self.address = address
        self.pending: list[concurrent.futures.Future[object]] = []
        self.channel = ChoiceButtons(
            [(str(i), f"ch{i + 1}") for i in range(channels)], accessible=tr("Channel")
        )
        self.channel.setObjectName("trainerChannel")
        self.channel.set_value("0")
        self.buttons: dict[str, QPushButton] = {}
        grid = QVBoxLayout()
        grid.setSpacing(6)
        for fault in (*FAULTS, Fault("repair", "Repair everything", repair, False)):
            button = QPushButton(tr(fault.text))
            button.setObjectName(f"fault_{fault.key}")
            button.setAccessibleName(tr("Trainer: {what}").format(what=tr(fault.text)))
            button.setAutoDefault(True)
            button.clicked.connect(lambda _=False, f=fault: self.inject(f))
            self.buttons[fault.key] = button
            grid.addWidget(button)
        self.status = QLabel(tr("No fault injected."))
        self.status.setObjectName("trainerStatus")
        self.status.setWordWrap(True)
        column = QVBoxLayout(self)
        column.addWidget(self.channel)
        column.addLayout(grid)
        column.addWidget(self.status)
        column.addStretch(1)

    def host(self) -> SimulatedCuffHost | None:
        """The simulated cuff the app is connected to (None: none, or a real cuff)."""
        address = self.address()
        return None if address is None else self.registry.get(address)

    def inject(self, fault: Fault) -> concurrent.futures.Future[object] | None:
        """Apply ``fault`` to the connected simulated cuff on the device thread."""
        host = self.host()
        if host is None:
            self.status.setText(tr("Connect a simulated cuff first."))
            return None
        channel = int(self.channel.value() or 0)
        what = tr(fault.text) + (f" (ch{channel + 1})" if fault.per_channel else "")
        fut = self.runtime.call(fault.act, host, channel)
        self.pending.append(fut)
        self.status.setText(tr("Injected: {what}").format(what=what))
        log.info("trainer: %s", what)
        self.injected.emit(what)
        return fut
