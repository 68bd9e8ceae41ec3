"""Device picker: scan for cuffs (real ones, and simulated ones in demo mode) and connect one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from devices.link import DiscoveredCuff
from ui.session.format import site_label, tr
from ui.session.port import CuffSummary
from ui.theme import restyle

_USER_ROLE = 256


def battery_text(pct: int | None) -> str:
    """Battery in words (None: unknown or mains powered)."""
    return tr("battery unknown") if pct is None else tr("battery {pct} %").format(pct=pct)


class DevicePicker(QGroupBox):
    """Scan, pick, connect; shows the link state, the battery, the unit and the band sites."""

    scan_requested = Signal()
    connect_requested = Signal(object)  # DiscoveredCuff

    def __init__(self, parent: QWidget | None = None, *, demo: bool = False) -> None:
        super().__init__(tr("Cuff"), parent)
        self.setObjectName("devicePicker")
        self.demo = demo
        self.scan = QPushButton(tr("Scan for cuffs"))
        self.scan.setObjectName("scanButton")
        self.scan.setAutoDefault(True)
        self.found = QListWidget()
        self.found.setObjectName("cuffList")
        self.found.setAccessibleName(tr("Cuffs found"))
        self.found.setMaximumHeight(130)
        self.found.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.connect_button = QPushButton(tr("Connect"))
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setAutoDefault(True)
        self.connect_button.setEnabled(False)
        self.state = QLabel(tr("Cuff: not connected"))
        self.state.setObjectName("cuffState")
        self.state.setProperty("statusRole", "idle")
        self.details = QLabel()
        self.details.setObjectName("cuffDetails")
        self.details.setWordWrap(True)
        self.battery = QLabel()
        self.battery.setObjectName("cuffBattery")
        buttons = QHBoxLayout()
        buttons.addWidget(self.scan)
        buttons.addWidget(self.connect_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addLayout(buttons)
        column.addWidget(self.found)
        column.addWidget(self.state)
        column.addWidget(self.details)
        column.addWidget(self.battery)
        if demo:
            note = QLabel(tr("Demo mode: the cuffs listed are simulated."))
            note.setProperty("role", "muted")
            note.setWordWrap(True)
            column.addWidget(note)
        self.scan.clicked.connect(self._scan)
        self.connect_button.clicked.connect(self._connect)
        self.found.currentRowChanged.connect(lambda row: self.connect_button.setEnabled(row >= 0))
        self.found.itemDoubleClicked.connect(lambda _item: self._connect())

    def _scan(self) -> None:
        self.scan.setEnabled(False)
        self.set_state(tr("Cuff: scanning…"), "info")
        self.scan_requested.emit()

    def _connect(self) -> None:
        item = self.found.currentItem()
        if item is None:
            return
        self.connect_button.setEnabled(False)
        self.set_state(tr("Cuff: connecting…"), "info")
        self.connect_requested.emit(item.data(_USER_ROLE))

    def show_found(self, cuffs: tuple[DiscoveredCuff, ...]) -> None:
        """List the cuffs a scan found, strongest signal first."""
        self.scan.setEnabled(True)
        self.found.clear()
        for cuff in cuffs:
            rssi = "" if cuff.rssi is None else f"  ·  {cuff.rssi} dBm"
            item = QListWidgetItem(f"{cuff.name or tr('unnamed')}\n{cuff.address}{rssi}")
            item.setData(_USER_ROLE, cuff)
            self.found.addItem(item)
        if cuffs:
            self.found.setCurrentRow(0)
            self.set_state(tr("{n} cuff(s) found").format(n=len(cuffs)), "idle")
        else:
            self.set_state(tr("No cuff found: is it switched on and near?"), "warning")

    def show_failure(self, message: str) -> None:
        """A scan or a connection failed."""
        self.scan.setEnabled(True)
        self.connect_button.setEnabled(self.found.currentRow() >= 0)
        self.set_state(message, "error")

    def show_cuff(self, cuff: CuffSummary) -> None:
        """A cuff is connected: name, unit, band sites per channel, battery."""
        self.scan.setEnabled(True)
        sites = ", ".join(f"ch{i + 1} {site_label(s)}" for i, s in enumerate(cuff.sites))
        kind = tr("simulated") if cuff.simulated else tr("real")
        self.details.setText(
            tr("{name} ({kind}), unit {unit}: {sites}").format(
                name=cuff.name, kind=kind, unit=cuff.unit.label, sites=sites
            )
        )
        self.show_battery(cuff.battery_pct)

    def show_battery(self, pct: int | None) -> None:
        """The battery level."""
        self.battery.setText(battery_text(pct))

    def set_state(self, text: str, role: str) -> None:
        """The link state in words and colour."""
        self.state.setText(text)
        self.state.setAccessibleName(text)
        if self.state.property("statusRole") != role:
            self.state.setProperty("statusRole", role)
            restyle(self.state)
