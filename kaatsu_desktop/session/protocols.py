"""Session protocols as data: Cycle, Progressive Cycle and Constant presets; T-MODE-1, T-SETS-1."""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from devices.protocol.frames import CYCLES_MAX, TARGET_MAX
from devices.protocol.types import Unit
from kaatsu_desktop.clinical.verdicts import Verdict, parse_overall
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session.model import LimbGroup, Refusal

log = logging.getLogger(__name__)

_CTX = "Protocols"

PRESET_FORMAT: Final = "kaatsu-protocol/1"
DEFAULT_INFLATION_S: Final = 30
DEFAULT_DEFLATION_S: Final = 5
INFLATION_RANGE_S: Final = (10, 60)
DEFLATION_RANGE_S: Final = (5, 20)
CYCLES_RANGE: Final = (1, CYCLES_MAX)
HOLD_RANGE_S: Final = (10, 20 * 60)  # a hold can never outlast the longest limit (T-TIME-2)
FIRST_SESSION_SETS: Final = 1  # T-SETS-1
MAX_SETS_PER_LIMB: Final = 3  # T-SETS-1
UNIT_NAMES: Final = {"mmHg": Unit.MMHG, "SKU": Unit.SKU}


class ProtocolMode(enum.StrEnum):
    """How a band is inflated."""

    CYCLE = "cycle"
    PROGRESSIVE_CYCLE = "progressive_cycle"
    CONSTANT = "constant"


class PressureLevel(enum.StrEnum):
    """Starting pressure level of a limb group."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ProtocolError(ValueError):
    """A protocol whose values are out of bounds; names the field."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


class PresetError(ProtocolError):
    """A preset file that cannot be loaded; names the file and the field."""

    def __init__(self, path: Path | str, field_name: str, reason: str) -> None:
        ValueError.__init__(self, f"{path}: {field_name}: {reason}")
        self.path = Path(path)
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class GroupPressures:
    """Starting pressures and the ceiling of one limb group, in the protocol's unit."""

    low: float
    medium: float
    high: float
    maximum: float

    def at(self, level: PressureLevel) -> float:
        """Starting pressure at ``level``."""
        return {"low": self.low, "medium": self.medium, "high": self.high}[level.value]

    def validate(self, prefix: str) -> None:
        """ProtocolError unless 0 < low <= medium <= high <= maximum <= the wire ceiling."""
        if self.low <= 0:
            raise ProtocolError(f"{prefix}.low", "must be above 0")
        if not self.low <= self.medium <= self.high:
            raise ProtocolError(f"{prefix}.medium", "levels must rise: low <= medium <= high")
        if self.high > self.maximum:
            raise ProtocolError(f"{prefix}.max", "must be at least the high level")
        if self.maximum > TARGET_MAX:
            raise ProtocolError(f"{prefix}.max", f"above the device ceiling {TARGET_MAX:g}")


@dataclass(frozen=True, slots=True)
class Protocol:
    """One protocol: mode, unit, pressures per limb group, timing and sets; validated."""

    id: str
    name: str
    mode: ProtocolMode
    unit: Unit
    arms: GroupPressures
    legs: GroupPressures
    level: PressureLevel = PressureLevel.LOW
    inflation_s: int = DEFAULT_INFLATION_S
    deflation_s: int = DEFAULT_DEFLATION_S
    cycles: int = 1  # cycles per set (Constant: 1)
    step: float = 0.0  # Progressive Cycle: pressure added per cycle
    hold_s: int = 0  # Constant: how long one hold lasts
    sets_per_limb: int = FIRST_SESSION_SETS
    _groups: Mapping[LimbGroup, GroupPressures] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_groups", {LimbGroup.ARMS: self.arms, LimbGroup.LEGS: self.legs})
        self._validate()

    def _validate(self) -> None:
        if not self.id:
            raise ProtocolError("id", "must not be empty")
        if not self.name:
            raise ProtocolError("name", "must not be empty")
        self.arms.validate("pressures.arms")
        self.legs.validate("pressures.legs")
        if not FIRST_SESSION_SETS <= self.sets_per_limb <= MAX_SETS_PER_LIMB:
            raise ProtocolError(
                "sets_per_limb", f"T-SETS-1: 1 to {MAX_SETS_PER_LIMB} sets per limb"
            )
        if self.mode is ProtocolMode.CONSTANT:
            _check_range("hold_s", self.hold_s, HOLD_RANGE_S)
            if self.cycles != 1:
                raise ProtocolError("cycles", "Constant mode runs one hold per set")
        else:
            _check_range("inflation_s", self.inflation_s, INFLATION_RANGE_S)
            _check_range("deflation_s", self.deflation_s, DEFLATION_RANGE_S)
            _check_range("cycles", self.cycles, CYCLES_RANGE)
        if self.mode is ProtocolMode.PROGRESSIVE_CYCLE:
            if not self.step > 0:
                raise ProtocolError("step", "Progressive Cycle needs a step above 0")
            if self.cycles < 2:
                raise ProtocolError("cycles", "Progressive Cycle needs at least 2 cycles")
        elif self.step != 0:
            raise ProtocolError("step", f"only Progressive Cycle has a step, not {self.mode}")
        for group in LimbGroup:
            top = max(self.cycle_pressures(group))
            if top > self.max_pressure(group):
                raise ProtocolError(
                    "step" if self.step else "level",
                    f"{group} would reach {top:g}, above the maximum {self.max_pressure(group):g}",
                )

    def pressures(self, group: LimbGroup) -> GroupPressures:
        """Pressures of one limb group."""
        return self._groups[group]

    def max_pressure(self, group: LimbGroup) -> float:
        """The ceiling no command for ``group`` may exceed."""
        return self._groups[group].maximum

    def starting_pressure(self, group: LimbGroup) -> float:
        """Starting pressure of ``group`` at the chosen level."""
        return self._groups[group].at(self.level)

    def cycle_pressures(self, group: LimbGroup) -> tuple[float, ...]:
        """Target of each cycle of one set (Progressive Cycle rises by ``step`` per cycle)."""
        start = self.starting_pressure(group)
        return tuple(start + i * self.step for i in range(self.cycles))

    @property
    def set_seconds(self) -> int:
        """Planned length of one set in seconds."""
        if self.mode is ProtocolMode.CONSTANT:
            return self.hold_s
        return self.cycles * (self.inflation_s + self.deflation_s)

    def adjusted(
        self,
        *,
        level: PressureLevel | None = None,
        inflation_s: int | None = None,
        deflation_s: int | None = None,
        cycles: int | None = None,
        sets_per_limb: int | None = None,
        hold_s: int | None = None,
    ) -> Protocol:
        """A copy with the clinician's choices; ProtocolError when a value is out of bounds."""
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "level": level,
                "inflation_s": inflation_s,
                "deflation_s": deflation_s,
                "cycles": cycles,
                "sets_per_limb": sets_per_limb,
                "hold_s": hold_s,
            }.items()
            if v is not None
        }
        return replace(self, **changes)


def _check_range(name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProtocolError(name, f"must be a whole number from {low} to {high}, not {value!r}")


@dataclass(frozen=True, slots=True)
class PatientContext:
    """What T-MODE-1 and T-SETS-1 need to know about the patient."""

    completed_sessions: int
    screening_verdict: Verdict  # overall verdict; INFO stands for `clear`

    def __post_init__(self) -> None:
        if isinstance(self.screening_verdict, str):
            object.__setattr__(self, "screening_verdict", parse_overall(self.screening_verdict))
        if not isinstance(self.screening_verdict, Verdict):
            raise TypeError(f"screening_verdict must be a Verdict, not {self.screening_verdict!r}")
        if self.completed_sessions < 0:
            raise ValueError("completed_sessions must not be negative")

    @property
    def new_user(self) -> bool:
        """No completed session yet."""
        return self.completed_sessions == 0

    @property
    def fully_clear(self) -> bool:
        """Screening verdict is `clear` or `info`."""
        return self.screening_verdict <= Verdict.INFO

    @property
    def restricted(self) -> bool:
        """T-MODE-1 applies: Cycle or Progressive Cycle at low pressure only."""
        return self.new_user or not self.fully_clear

    @property
    def max_sets(self) -> int:
        """T-SETS-1: one set per limb in the first session, at most three later."""
        return FIRST_SESSION_SETS if self.new_user else MAX_SETS_PER_LIMB


def check_protocol(
    context: PatientContext, protocol: Protocol, device_unit: Unit | None = None
) -> Protocol | Refusal:
    """The protocol itself when this patient may use it, else a Refusal naming the rule."""
    if context.screening_verdict is Verdict.CONTRAINDICATED:
        return Refusal(
            "P-SCR-1",
            translate(_CTX, "The screening on file is contraindicated: no session."),
        )
    if device_unit is not None and device_unit is not protocol.unit:
        return Refusal(
            None,
            translate(_CTX, "Protocol {name} is in {unit}, the device reports {device}.").format(
                name=protocol.name, unit=protocol.unit.label, device=device_unit.label
            ),
        )
    if context.restricted:
        why = (
            translate(_CTX, "new user (no completed session)")
            if context.new_user
            else translate(_CTX, "screening verdict is {verdict}").format(
                verdict=context.screening_verdict.value
            )
        )
        if protocol.mode is ProtocolMode.CONSTANT:
            return Refusal(
                "T-MODE-1",
                translate(_CTX, "Constant mode is refused: {why}.").format(why=why),
            )
        if protocol.level is not PressureLevel.LOW:
            return Refusal(
                "T-MODE-1",
                translate(_CTX, "Only low pressure is allowed: {why}.").format(why=why),
            )
    if protocol.sets_per_limb > context.max_sets:
        return Refusal(
            "T-SETS-1",
            translate(_CTX, "{sets} sets per limb requested; at most {allowed} allowed.").format(
                sets=protocol.sets_per_limb, allowed=context.max_sets
            ),
        )
    return protocol


# --- presets -------------------------------------------------------------------------------

_REQUIRED = ("format", "id", "name", "mode", "unit", "pressures")
_OPTIONAL = ("level", "inflation_s", "deflation_s", "cycles", "step", "hold_s", "sets_per_limb")
_LEVEL_KEYS = ("low", "medium", "high", "max")


def default_resources_dir() -> Path:
    """The repository's top-level resources/ folder (data, not a package)."""
    return Path(__file__).resolve().parents[2] / "resources"


def default_presets_dir() -> Path:
    """Where the shipped protocol presets live."""
    return default_resources_dir() / "protocols"


def parse_preset(data: object, source: Path | str = "<data>") -> Protocol:
    """Protocol from decoded preset JSON; PresetError names ``source`` and the field."""
    if not isinstance(data, Mapping):
        raise PresetError(source, "(top level)", "must be a JSON object")
    for key in data:
        if key not in _REQUIRED and key not in _OPTIONAL:
            raise PresetError(source, str(key), "unknown key")
    for key in _REQUIRED:
        if key not in data:
            raise PresetError(source, key, "missing")
    if data["format"] != PRESET_FORMAT:
        raise PresetError(source, "format", f"must be {PRESET_FORMAT!r}")
    for key in ("id", "name"):
        if not isinstance(data[key], str):
            raise PresetError(source, key, "must be a string")
    try:
        mode = ProtocolMode(data["mode"])
    except ValueError:
        raise PresetError(source, "mode", f"one of {[m.value for m in ProtocolMode]}") from None
    unit = UNIT_NAMES.get(data["unit"]) if isinstance(data["unit"], str) else None
    if unit is None:
        raise PresetError(source, "unit", f"one of {list(UNIT_NAMES)}")
    groups = _parse_pressures(data["pressures"], source)
    kwargs: dict[str, Any] = {}
    if "level" in data:
        try:
            kwargs["level"] = PressureLevel(data["level"])
        except ValueError:
            raise PresetError(source, "level", "one of low, medium, high") from None
    for key in ("inflation_s", "deflation_s", "cycles", "hold_s", "sets_per_limb"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise PresetError(source, key, "must be a whole number")
            kwargs[key] = value
    if "step" in data:
        kwargs["step"] = _number(data["step"], source, "step")
    try:
        return Protocol(
            id=data["id"],
            name=data["name"],
            mode=mode,
            unit=unit,
            arms=groups[LimbGroup.ARMS],
            legs=groups[LimbGroup.LEGS],
            **kwargs,
        )
    except ProtocolError as exc:
        raise PresetError(source, exc.field, exc.reason) from None


def _parse_pressures(raw: object, source: Path | str) -> dict[LimbGroup, GroupPressures]:
    if not isinstance(raw, Mapping):
        raise PresetError(source, "pressures", "must be an object with arms and legs")
    for key in raw:
        if key not in (LimbGroup.ARMS.value, LimbGroup.LEGS.value):
            raise PresetError(source, f"pressures.{key}", "unknown key")
    out: dict[LimbGroup, GroupPressures] = {}
    for group in LimbGroup:
        where = f"pressures.{group.value}"
        entry = raw.get(group.value)
        if not isinstance(entry, Mapping):
            raise PresetError(source, where, "missing or not an object")
        for key in entry:
            if key not in _LEVEL_KEYS:
                raise PresetError(source, f"{where}.{key}", "unknown key")
        values = [_number(entry.get(k), source, f"{where}.{k}") for k in _LEVEL_KEYS]
        out[group] = GroupPressures(*values)
    return out


def _number(value: object, source: Path | str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PresetError(source, where, "missing or not a number")
    return float(value)


def load_preset(path: Path) -> Protocol:
    """Load and validate one preset file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PresetError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise PresetError(path, "(json)", f"line {exc.lineno}: {exc.msg}") from None
    return parse_preset(data, path)


def load_presets(directory: Path | None = None) -> tuple[Protocol, ...]:
    """Every ``*.json`` preset in ``directory`` (default: resources/protocols), in file order."""
    folder = default_presets_dir() if directory is None else Path(directory)
    presets: list[Protocol] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.json")):
        preset = load_preset(path)
        if preset.id in seen:
            raise PresetError(path, "id", f"{preset.id!r} is also used by {seen[preset.id].name}")
        seen[preset.id] = path
        presets.append(preset)
    log.debug("loaded %d protocol presets from %s", len(presets), folder)
    return tuple(presets)
