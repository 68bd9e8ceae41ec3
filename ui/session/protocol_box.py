"""Protocol and pressure choice from the presets, with T-MODE-1 and T-SETS-1 refusals shown."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

from devices.protocol.types import Unit
from kaatsu_desktop.session import (
    LimbGroup,
    PatientContext,
    PressureLevel,
    Protocol,
    ProtocolError,
    ProtocolMode,
    Refusal,
    check_protocol,
)
from kaatsu_desktop.session.protocols import MAX_SETS_PER_LIMB
from ui.session.format import rule_text, tr
from ui.widgets import ChoiceButtons

_MODES = {
    ProtocolMode.CYCLE: "Cycle",
    ProtocolMode.PROGRESSIVE_CYCLE: "Progressive Cycle",
    ProtocolMode.CONSTANT: "Constant",
}


def describe_protocol(protocol: Protocol) -> str:
    """One line: mode, timing, and the starting pressures per limb group in the device unit."""
    unit = protocol.unit.label
    arms = protocol.starting_pressure(LimbGroup.ARMS)
    legs = protocol.starting_pressure(LimbGroup.LEGS)
    if protocol.mode is ProtocolMode.CONSTANT:
        timing = tr("hold {s} s").format(s=protocol.hold_s)
    else:
        timing = tr("{n} × ({i} s on, {d} s off)").format(
            n=protocol.cycles, i=protocol.inflation_s, d=protocol.deflation_s
        )
    return tr("{mode}: {timing}; arms {a:g} {unit}, legs {l:g} {unit}").format(
        mode=tr(_MODES[protocol.mode]), timing=timing, a=arms, l=legs, unit=unit
    )


class ProtocolBox(QWidget):
    """Preset, pressure level and sets per limb; ``choice()`` is the protocol or a refusal."""

    changed = Signal()

    def __init__(self, presets: Sequence[Protocol], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Cycle first: the mode every patient may use (T-MODE-1); Constant last.
        order = list(_MODES)
        self.presets = tuple(sorted(presets, key=lambda p: (order.index(p.mode), p.unit, p.id)))
        self.combo = QComboBox()
        self.combo.setObjectName("protocolCombo")
        self.combo.setAccessibleName(tr("Protocol"))
        for preset in self.presets:
            self.combo.addItem(preset.name, preset.id)
        self.level = ChoiceButtons(
            [(level.value, tr(level.value)) for level in PressureLevel],
            accessible=tr("Starting pressure"),
        )
        self.level.setObjectName("pressureLevel")
        self.level.set_value(PressureLevel.LOW.value)
        self.sets = QSpinBox()
        self.sets.setObjectName("setsPerLimb")
        self.sets.setAccessibleName(tr("Sets per limb"))
        self.sets.setRange(1, MAX_SETS_PER_LIMB)
        self.summary = QLabel()
        self.summary.setObjectName("protocolSummary")
        self.summary.setWordWrap(True)
        self.refusal = QLabel()
        self.refusal.setObjectName("protocolRefusal")
        self.refusal.setProperty("role", "fieldError")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(tr("Protocol"), self.combo)
        form.addRow(tr("Starting pressure"), self.level)
        form.addRow(tr("Sets per limb"), self.sets)
        form.addRow(self.summary)
        form.addRow(self.refusal)
        self._patient: PatientContext | None = None
        self._unit: Unit | None = None
        self._chosen_by_user = False
        self.combo.activated.connect(lambda _i: setattr(self, "_chosen_by_user", True))
        self.combo.currentIndexChanged.connect(lambda _i: self._preset_changed())
        self.level.changed.connect(self._refresh)
        self.sets.valueChanged.connect(lambda _v: self._refresh())
        self._preset_changed()

    def set_patient(self, patient: PatientContext, unit: Unit | None) -> None:
        """Judge the choice for this patient and, when a cuff is connected, its unit."""
        self._patient, self._unit = patient, unit
        if not self._chosen_by_user:
            # Offer the first preset this patient may use, in the device's own unit (pressures
            # are never converted); the clinician can still choose another.
            for i, preset in enumerate(self.presets):
                if not isinstance(check_protocol(patient, preset, unit), Refusal):
                    self.combo.setCurrentIndex(i)
                    break
        self._refresh()

    def preset(self) -> Protocol | None:
        """The preset chosen."""
        i = self.combo.currentIndex()
        return self.presets[i] if 0 <= i < len(self.presets) else None

    def choice(self) -> Protocol | Refusal:
        """The protocol with the choices made, or why it is refused (with its rule id)."""
        preset = self.preset()
        if preset is None:
            return Refusal(None, tr("No protocol preset is installed."))
        try:
            protocol = preset.adjusted(
                level=PressureLevel(self.level.value() or PressureLevel.LOW.value),
                sets_per_limb=self.sets.value(),
            )
        except ProtocolError as exc:
            return Refusal(None, str(exc))
        if self._patient is None:
            return protocol
        return check_protocol(self._patient, protocol, self._unit)

    def _preset_changed(self) -> None:
        preset = self.preset()
        if preset is not None:
            self.sets.setValue(preset.sets_per_limb)
            self.level.set_value(preset.level.value)
        self._refresh()

    def _refresh(self) -> None:
        choice = self.choice()
        preset = self.preset()
        if isinstance(choice, Refusal):
            self.refusal.setText(rule_text(choice.rule_id, choice.message))
            self.refusal.show()
            self.summary.setText(describe_protocol(preset) if preset else "")
        else:
            self.refusal.hide()
            self.summary.setText(describe_protocol(choice))
        self.changed.emit()
