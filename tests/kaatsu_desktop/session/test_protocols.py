"""Protocols as data: preset validation, T-MODE-1 and T-SETS-1 decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devices.protocol.types import Unit
from kaatsu_desktop.clinical.verdicts import Verdict
from kaatsu_desktop.session.model import LimbGroup, Refusal
from kaatsu_desktop.session.protocols import (
    GroupPressures,
    PatientContext,
    PresetError,
    PressureLevel,
    Protocol,
    ProtocolError,
    ProtocolMode,
    check_protocol,
    default_presets_dir,
    load_preset,
    load_presets,
    parse_preset,
)

ARMS = GroupPressures(100, 130, 160, 200)
LEGS = GroupPressures(140, 180, 220, 260)


def make(mode: ProtocolMode = ProtocolMode.CYCLE, **kw: object) -> Protocol:
    base: dict[str, object] = {"cycles": 4}
    if mode is ProtocolMode.PROGRESSIVE_CYCLE:
        base["step"] = 10.0
    if mode is ProtocolMode.CONSTANT:
        base = {"hold_s": 120}
    base.update(kw)
    return Protocol("p", "P", mode, Unit.MMHG, ARMS, LEGS, **base)  # type: ignore[arg-type]


def preset_dict(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "format": "kaatsu-protocol/1",
        "id": "x",
        "name": "X",
        "mode": "cycle",
        "unit": "mmHg",
        "cycles": 4,
        "pressures": {
            "arms": {"low": 100, "medium": 130, "high": 160, "max": 200},
            "legs": {"low": 140, "medium": 180, "high": 220, "max": 260},
        },
    }
    data.update(over)
    return data


# --- shipped presets ------------------------------------------------------------------------


def test_shipped_presets_load_and_cover_every_mode_in_both_units() -> None:
    presets = load_presets()
    assert default_presets_dir().is_dir()
    assert {(p.mode, p.unit) for p in presets} == {(m, u) for m in ProtocolMode for u in Unit}
    for p in presets:
        assert p.level is PressureLevel.LOW
        assert p.sets_per_limb == 1
        for group in LimbGroup:
            assert max(p.cycle_pressures(group)) <= p.max_pressure(group)


def test_shipped_cycle_preset_uses_default_timing() -> None:
    cycle = next(p for p in load_presets() if p.id == "cycle-mmhg")
    assert (cycle.inflation_s, cycle.deflation_s) == (30, 5)


def test_presets_directory_is_overridable(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(preset_dict(id="a")))
    (tmp_path / "b.json").write_text(json.dumps(preset_dict(id="b", unit="SKU")))
    presets = load_presets(tmp_path)
    assert [(p.id, p.unit) for p in presets] == [("a", Unit.MMHG), ("b", Unit.SKU)]


def test_duplicate_preset_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(preset_dict(id="same")))
    (tmp_path / "b.json").write_text(json.dumps(preset_dict(id="same")))
    with pytest.raises(PresetError) as err:
        load_presets(tmp_path)
    assert err.value.path.name == "b.json" and err.value.field == "id"


# --- preset validation names the file and the field ------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"inflation_s": 9}, "inflation_s"),
        ({"inflation_s": 61}, "inflation_s"),
        ({"deflation_s": 4}, "deflation_s"),
        ({"deflation_s": 21}, "deflation_s"),
        ({"cycles": 0}, "cycles"),
        ({"sets_per_limb": 4}, "sets_per_limb"),
        ({"sets_per_limb": 0}, "sets_per_limb"),
        ({"unit": "kPa"}, "unit"),
        ({"mode": "turbo"}, "mode"),
        ({"level": "extreme"}, "level"),
        ({"format": "kaatsu-protocol/2"}, "format"),
        ({"colour": "red"}, "colour"),
        ({"step": 10}, "step"),  # a step outside Progressive Cycle
        ({"inflation_s": 30.5}, "inflation_s"),
        ({"cycles": True}, "cycles"),
    ],
)
def test_preset_field_errors(tmp_path: Path, change: dict[str, object], field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(preset_dict(**change)))
    with pytest.raises(PresetError) as err:
        load_preset(path)
    assert err.value.field == field
    assert err.value.path == path
    assert "bad.json" in str(err.value) and field in str(err.value)


@pytest.mark.parametrize(
    ("pressures", "field"),
    [
        ({"low": 0, "medium": 130, "high": 160, "max": 200}, "pressures.arms.low"),
        ({"low": 140, "medium": 130, "high": 160, "max": 200}, "pressures.arms.medium"),
        ({"low": 100, "medium": 130, "high": 210, "max": 200}, "pressures.arms.max"),
        ({"low": 100, "medium": 130, "high": 160, "max": 501}, "pressures.arms.max"),
        ({"low": 100, "medium": 130, "high": 160}, "pressures.arms.max"),
        ({"low": "100", "medium": 130, "high": 160, "max": 200}, "pressures.arms.low"),
        ({"low": 100, "medium": 130, "high": 160, "max": 200, "x": 1}, "pressures.arms.x"),
    ],
)
def test_pressure_errors_name_the_field(pressures: dict[str, object], field: str) -> None:
    data = preset_dict()
    data["pressures"] = {"arms": pressures, "legs": preset_dict()["pressures"]["legs"]}  # type: ignore[index]
    with pytest.raises(PresetError) as err:
        parse_preset(data, "mem.json")
    assert err.value.field == field


def test_missing_key_and_bad_json(tmp_path: Path) -> None:
    data = preset_dict()
    del data["unit"]
    with pytest.raises(PresetError, match="unit: missing"):
        parse_preset(data, "x.json")
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    with pytest.raises(PresetError) as err:
        load_preset(path)
    assert err.value.field == "(json)"
    with pytest.raises(PresetError) as err:
        load_preset(tmp_path / "absent.json")
    assert err.value.field == "(file)"


def test_timing_bounds_are_inclusive() -> None:
    for infl, defl in ((10, 5), (60, 20), (30, 5)):
        assert make(inflation_s=infl, deflation_s=defl).set_seconds == 4 * (infl + defl)
    with pytest.raises(ProtocolError):
        make(inflation_s=10, deflation_s=21)


def test_progressive_cycle_rises_by_step_and_stays_under_max() -> None:
    p = make(ProtocolMode.PROGRESSIVE_CYCLE, cycles=5, step=10.0)
    assert p.cycle_pressures(LimbGroup.ARMS) == (100, 110, 120, 130, 140)
    assert p.cycle_pressures(LimbGroup.LEGS) == (140, 150, 160, 170, 180)
    # high arms: 160 + 4 * 10 = 200 = max, allowed; one more step is refused
    assert max(p.adjusted(level=PressureLevel.HIGH).cycle_pressures(LimbGroup.ARMS)) == 200
    with pytest.raises(ProtocolError) as err:
        p.adjusted(level=PressureLevel.HIGH, cycles=6)
    assert err.value.field == "step"
    with pytest.raises(ProtocolError):
        make(ProtocolMode.PROGRESSIVE_CYCLE, step=0.0)
    with pytest.raises(ProtocolError):
        make(ProtocolMode.PROGRESSIVE_CYCLE, cycles=1)


def test_constant_mode_needs_a_hold_and_one_cycle() -> None:
    p = make(ProtocolMode.CONSTANT)
    assert p.set_seconds == 120 and p.cycle_pressures(LimbGroup.ARMS) == (100,)
    with pytest.raises(ProtocolError):
        make(ProtocolMode.CONSTANT, hold_s=0)
    with pytest.raises(ProtocolError):
        make(ProtocolMode.CONSTANT, cycles=3)


# --- T-MODE-1 and T-SETS-1 ------------------------------------------------------------------

NEW_CLEAR = PatientContext(0, Verdict.INFO)
EXPERIENCED_CLEAR = PatientContext(3, "clear")
EXPERIENCED_CAUTION = PatientContext(3, "caution")


def refused(result: Protocol | Refusal, rule: str) -> bool:
    return isinstance(result, Refusal) and result.rule_id == rule


def test_context_accepts_overall_labels() -> None:
    assert EXPERIENCED_CLEAR.screening_verdict is Verdict.INFO
    assert PatientContext(1, "info").fully_clear
    assert not EXPERIENCED_CAUTION.fully_clear
    with pytest.raises(ValueError):
        PatientContext(1, "fine")
    with pytest.raises(ValueError):
        PatientContext(-1, "clear")


@pytest.mark.parametrize(
    "context", [NEW_CLEAR, EXPERIENCED_CAUTION, PatientContext(5, "clearance")]
)
def test_t_mode_1_refuses_constant_and_higher_levels_for_restricted_patients(
    context: PatientContext,
) -> None:
    assert refused(check_protocol(context, make(ProtocolMode.CONSTANT)), "T-MODE-1")
    assert refused(check_protocol(context, make(level=PressureLevel.MEDIUM)), "T-MODE-1")
    assert refused(check_protocol(context, make(level=PressureLevel.HIGH)), "T-MODE-1")
    for mode in (ProtocolMode.CYCLE, ProtocolMode.PROGRESSIVE_CYCLE):
        allowed = make(mode)
        assert check_protocol(context, allowed) is allowed


def test_t_mode_1_allows_everything_for_clear_experienced_patients() -> None:
    for mode in ProtocolMode:
        for level in PressureLevel:
            p = make(mode, level=level)
            assert check_protocol(EXPERIENCED_CLEAR, p) is p


def test_t_mode_1_message_says_why() -> None:
    r = check_protocol(NEW_CLEAR, make(ProtocolMode.CONSTANT))
    assert isinstance(r, Refusal) and "new user" in r.message
    r = check_protocol(EXPERIENCED_CAUTION, make(ProtocolMode.CONSTANT))
    assert isinstance(r, Refusal) and "caution" in r.message


def test_t_sets_1_first_session_one_set_later_three() -> None:
    assert refused(check_protocol(NEW_CLEAR, make(sets_per_limb=2)), "T-SETS-1")
    assert isinstance(check_protocol(NEW_CLEAR, make(sets_per_limb=1)), Protocol)
    assert isinstance(check_protocol(EXPERIENCED_CLEAR, make(sets_per_limb=3)), Protocol)
    with pytest.raises(ProtocolError, match="T-SETS-1"):
        make(sets_per_limb=4)


def test_unit_mismatch_and_contraindication_are_refused() -> None:
    p = make()
    r = check_protocol(EXPERIENCED_CLEAR, p, Unit.SKU)
    assert isinstance(r, Refusal) and r.rule_id is None and "SKU" in r.message
    assert check_protocol(EXPERIENCED_CLEAR, p, Unit.MMHG) is p
    assert refused(check_protocol(PatientContext(2, "contraindicated"), p), "P-SCR-1")
