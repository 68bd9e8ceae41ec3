"""The S-* rules as a table of small declared evaluators, each carrying its rule id.

An evaluator returns a Finding when its rule fires, None when it does not. A rule that did not
fire while one of its declared optional inputs is missing is reported as not assessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kaatsu_desktop.clinical._tr import TR_CONTEXT
from kaatsu_desktop.clinical.assessment import ThrombosisItem
from kaatsu_desktop.clinical.screening import ScreeningInput, age_on
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.clinical.thrombosis import FIVE_POINT, thrombosis_items
from kaatsu_desktop.clinical.verdicts import Verdict
from kaatsu_desktop.clinical.vocab import (
    AcuteCondition,
    BandSite,
    EcgFinding,
    History,
    Pregnancy,
    Sex,
    Symptom,
    ThrombosisFactor,
    TreatedDisease,
    values,
)
from kaatsu_desktop.i18n import translate_noop

V = Verdict
H = History

# Messages of rules whose verdict depends on a second input (declared for translation).
# fmt: off
MSG_ORG2_TESTED = translate_noop(TR_CONTEXT, "Life-threatening arrhythmia or ischaemic change on ECG; an exercise tolerance test confirmed safety: physician clearance required.")  # noqa: E501
MSG_REL2_EARLY = translate_noop(TR_CONTEXT, "Early pregnancy: physician clearance required.")
MSG_REL2_LATE = translate_noop(TR_CONTEXT, "Late pregnancy: contraindicated.")
MSG_REL4_ADVISED = translate_noop(TR_CONTEXT, "Haemodynamically unstable; specialist advice recorded: physician clearance required.")  # noqa: E501
# fmt: on


@dataclass(frozen=True)
class Facts:
    """The input plus everything derived from it once, for every evaluator to read."""

    inp: ScreeningInput
    settings: ClinicSettings
    age: int
    bmi: Decimal  # rounded half up to 0.1; compared as rounded (S-BMI-1 reading)
    days_since_surgery: int | None
    bp_class: int
    dm_class: int
    lipid_class: int
    thrombosis: tuple[ThrombosisItem, ...]

    @property
    def thrombosis_points(self) -> int:
        """Sum of the thrombosis points."""
        return sum(item.points for item in self.thrombosis)


@dataclass(frozen=True)
class Finding:
    """A fired rule's inputs, and its verdict and message when they differ from the catalog's."""

    inputs: Mapping[str, Any] = field(default_factory=dict)
    verdict: Verdict | None = None
    message: str | None = None


@dataclass(frozen=True)
class ScreeningRule:
    """One S-* rule: its id, the optional input keys it reads, and its evaluator."""

    rule_id: str
    optional: tuple[str, ...]
    evaluate: Callable[[Facts], Finding | None]


SCREENING_RULES: list[ScreeningRule] = []


def _rule(rule_id: str, *optional: str) -> Callable[[Callable[[Facts], Finding | None]], Any]:
    def register(evaluate: Callable[[Facts], Finding | None]) -> Callable[..., Any]:
        SCREENING_RULES.append(ScreeningRule(rule_id, optional, evaluate))
        return evaluate

    return register


def _items_rule(rule_id: str, **fields: tuple[Any, ...]) -> None:
    """Declare a rule that fires when any of the named list items is present."""

    def evaluate(f: Facts) -> Finding | None:
        hits = {}
        for key, items in fields.items():
            present = getattr(f.inp, key) & set(items)
            if present:
                hits[key] = values(present, type(items[0]))
        return Finding(hits) if hits else None

    SCREENING_RULES.append(ScreeningRule(rule_id, (), evaluate))


def _flag_rule(rule_id: str, key: str, *, optional: bool = False) -> None:
    """Declare a rule that fires when a yes/no input is true."""

    def evaluate(f: Facts) -> Finding | None:
        return Finding({key: True}) if getattr(f.inp, key) is True else None

    SCREENING_RULES.append(ScreeningRule(rule_id, (key,) if optional else (), evaluate))


def _level(value: float | None, lower_bounds: tuple[int, ...]) -> int:
    """Class of a value against printed integer ranges: how many ranges it reaches.

    A value between two printed ranges (139.5 between 110-139 and 140-249) belongs to the stronger
    one, so each class starts just above the previous range's last integer (S-DM, S-LIP readings).
    """
    if value is None:
        return 0
    return sum(1 for bound in lower_bounds if value > bound - 1)


def _present(f: Facts, *keys: str) -> dict[str, Any]:
    return {k: getattr(f.inp, k) for k in keys if getattr(f.inp, k) is not None}


# --- S-BP: systolic and diastolic classed separately, the stronger class wins ---------------


def bp_class(systolic: int, diastolic: int) -> int:
    """0 below 140/90; 1 (S-BP-1), 2 (S-BP-2), 3 (S-BP-3)."""
    return max(_level(systolic, (140, 160, 180)), _level(diastolic, (90, 95, 100)))


def _bp(level: int) -> Callable[[Facts], Finding | None]:
    def evaluate(f: Facts) -> Finding | None:
        if f.bp_class != level:
            return None
        return Finding(
            {"systolic_mmhg": f.inp.systolic_mmhg, "diastolic_mmhg": f.inp.diastolic_mmhg}
        )

    return evaluate


for _level_no in (1, 2, 3):
    SCREENING_RULES.append(ScreeningRule(f"S-BP-{_level_no}", (), _bp(_level_no)))


# --- S-ORG: organ damage ---------------------------------------------------------------------


@_rule("S-ORG-1", "cardiothoracic_ratio_pct")
def _org1(f: Facts) -> Finding | None:
    ratio = f.inp.cardiothoracic_ratio_pct
    return (
        Finding({"cardiothoracic_ratio_pct": ratio}) if ratio is not None and ratio >= 55 else None
    )


@_rule("S-ORG-2", "ecg_dangerous_arrhythmia_or_ischaemia")
def _org2(f: Facts) -> Finding | None:
    if f.inp.ecg_dangerous_arrhythmia_or_ischaemia is not True:
        return None
    inputs = _present(f, "ecg_dangerous_arrhythmia_or_ischaemia", "exercise_test_confirmed_safe")
    # S-ORG-2: only a recorded, positive exercise test lifts the rule; missing counts as not done.
    if f.inp.exercise_test_confirmed_safe is True:
        return Finding(inputs, V.CLEARANCE, MSG_ORG2_TESTED)
    return Finding(inputs, V.CONTRAINDICATED)


@_rule("S-ORG-3", "urinary_protein_mg_dl", "fundus_hypertensive_grade")
def _org3(f: Facts) -> Finding | None:
    inputs: dict[str, Any] = {}
    protein, grade = f.inp.urinary_protein_mg_dl, f.inp.fundus_hypertensive_grade
    if protein is not None and protein >= 100:
        inputs["urinary_protein_mg_dl"] = protein
    if grade is not None and grade.above_iib:
        inputs["fundus_hypertensive_grade"] = grade.value
    return Finding(inputs) if inputs else None


# --- S-DM, S-LIP: one class per group, the strongest reached ----------------------------------


def dm_class(inp: ScreeningInput) -> int:
    """0..3 from glucose (S-DM-1..3); ketones or retinopathy make it 3."""
    if inp.urinary_ketones_positive or inp.diabetic_retinopathy:
        return 3
    return _level(inp.fasting_glucose_mg_dl, (110, 140, 250))


def lipid_class(inp: ScreeningInput) -> int:
    """0..2 from total cholesterol and triglycerides, the stronger wins (S-LIP-1, S-LIP-2)."""
    return max(
        _level(inp.total_cholesterol_mg_dl, (220, 250)),
        _level(inp.triglycerides_mg_dl, (150, 300)),
    )


_DM_KEYS = ("fasting_glucose_mg_dl", "urinary_ketones_positive", "diabetic_retinopathy")
_LIP_KEYS = ("total_cholesterol_mg_dl", "triglycerides_mg_dl")


def _class_rule(rule_id: str, level: int, attr: str, keys: tuple[str, ...]) -> None:
    def evaluate(f: Facts) -> Finding | None:
        if getattr(f, attr) != level:
            return None
        return Finding({k: v for k, v in _present(f, *keys).items() if v is not False})

    SCREENING_RULES.append(ScreeningRule(rule_id, keys, evaluate))


_class_rule("S-DM-1", 1, "dm_class", _DM_KEYS[:1])
_class_rule("S-DM-2", 2, "dm_class", _DM_KEYS[:1])
_class_rule("S-DM-3", 3, "dm_class", _DM_KEYS)
_class_rule("S-LIP-1", 1, "lipid_class", _LIP_KEYS)
_class_rule("S-LIP-2", 2, "lipid_class", _LIP_KEYS)


# --- S-BMI: compared on the BMI rounded to 0.1, the value shown -------------------------------

BMI_CAUTION = Decimal("24.0")
BMI_CLEARANCE = Decimal("30.0")


def compute_bmi(height_cm: float, weight_kg: float) -> Decimal:
    """BMI rounded half up to 0.1, computed in decimal from the numbers as typed.

    ``repr`` of a float is the shortest text that reads back as it, i.e. what the JSON held, so
    170 cm and 69.36 kg give exactly 24.0 where binary floats would give 23.999999999999996.
    """
    metres = Decimal(repr(height_cm)) / 100
    return (Decimal(repr(weight_kg)) / (metres * metres)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _bmi_inputs(f: Facts) -> dict[str, Any]:
    return {"height_cm": f.inp.height_cm, "weight_kg": f.inp.weight_kg, "bmi": float(f.bmi)}


@_rule("S-BMI-1")
def _bmi1(f: Facts) -> Finding | None:
    # S-BMI-3 replaces S-BMI-1 when there is lower-limb joint damage.
    in_range = BMI_CAUTION <= f.bmi < BMI_CLEARANCE
    return Finding(_bmi_inputs(f)) if in_range and not f.inp.lower_limb_joint_damage else None


@_rule("S-BMI-2")
def _bmi2(f: Facts) -> Finding | None:
    return Finding(_bmi_inputs(f)) if f.bmi >= BMI_CLEARANCE else None


@_rule("S-BMI-3")
def _bmi3(f: Facts) -> Finding | None:
    # S-BMI-3 reading: also at 30 or more, so the orthopaedic restriction is never dropped.
    if f.bmi >= BMI_CAUTION and f.inp.lower_limb_joint_damage:
        return Finding({**_bmi_inputs(f), "lower_limb_joint_damage": True})
    return None


# --- S-AGE-1 -----------------------------------------------------------------------------------


@_rule("S-AGE-1")
def _age1(f: Facts) -> Finding | None:
    # "Men over 40, women over 50": completed years; `other` takes the lower threshold.
    over = 50 if f.inp.sex is Sex.FEMALE else 40
    if f.age > over and f.inp.under_treatment_for:
        return Finding(
            {
                "age_years": f.age,
                "sex": f.inp.sex.value,
                "under_treatment_for": values(f.inp.under_treatment_for, TreatedDisease),
            }
        )
    return None


# --- S-T1: Table 1 items ------------------------------------------------------------------------

S = Symptom
_items_rule("S-T1-1", symptoms=(S.CHEST_PAIN, S.PALPITATION, S.SHORTNESS_OF_BREATH))
_items_rule("S-T1-2", symptoms=(S.DIZZINESS, S.FAINTING, S.INTERMITTENT_CLAUDICATION))
_items_rule("S-T1-3", symptoms=(S.SPONDYLOSIS, S.JOINT_SYMPTOMS), history=(H.ORTHOPAEDIC_DISORDER,))
_items_rule("S-T1-4", history=(H.CARDIOVASCULAR_DISEASE,))
_flag_rule("S-T1-5", "family_history_premature_cardiac_event")
_items_rule("S-T1-6", ecg_findings=tuple(EcgFinding))
_flag_rule("S-T1-7", "lifestyle_guidance_needed", optional=True)

# --- S-ABS, S-REL: absolute and relative contraindications ------------------------------------

_items_rule("S-ABS-1", acute_conditions=(AcuteCondition.DVT,))
_items_rule("S-ABS-2", acute_conditions=(AcuteCondition.PULMONARY_EMBOLISM,))
_items_rule("S-ABS-3", acute_conditions=(AcuteCondition.INFECTION,))
_items_rule("S-ABS-4", acute_conditions=(AcuteCondition.VENOUS_RETURN_PROHIBITED,))
_items_rule("S-REL-1", history=(H.CONTROLLED_HYPERTENSION, H.LYMPHECTOMY, H.CARDIOVASCULAR_DISEASE))


@_rule("S-REL-2")
def _rel2(f: Facts) -> Finding | None:
    if f.inp.pregnancy is Pregnancy.LATE:
        return Finding({"pregnancy": "late"}, V.CONTRAINDICATED, MSG_REL2_LATE)
    if f.inp.pregnancy is Pregnancy.EARLY:
        return Finding({"pregnancy": "early"}, V.CLEARANCE, MSG_REL2_EARLY)
    return None


_items_rule(
    "S-REL-3",
    history=(H.CARDIOVASCULAR_DISEASE, H.STROKE, H.CANCER, H.SEVERE_HYPERTENSION, H.PACEMAKER),
)


@_rule("S-REL-4")
def _rel4(f: Facts) -> Finding | None:
    if H.HAEMODYNAMICALLY_UNSTABLE not in f.inp.history:
        return None
    inputs = {
        "history": [H.HAEMODYNAMICALLY_UNSTABLE.value],
        **_present(f, "specialist_advice_recorded"),
    }
    # S-REL-4: recorded advice lifts it to clearance, never to clear; absent advice is no advice.
    if f.inp.specialist_advice_recorded is True:
        return Finding(inputs, V.CLEARANCE, MSG_REL4_ADVISED)
    return Finding(inputs, V.CONTRAINDICATED)


_items_rule("S-REL-5", history=(H.REDUCED_CARDIAC_FUNCTION,))
_items_rule("S-REL-6", history=(H.ANTICOAGULANT_THERAPY, H.THROMBOCYTOPENIA))
_items_rule("S-REL-7", history=(H.ARTHRITIS_FLARE,))

# --- S-SURG, S-LIMB ----------------------------------------------------------------------------


def _surgery_inputs(f: Facts) -> dict[str, Any]:
    assert f.inp.last_surgery_on is not None
    return {"last_surgery_on": f.inp.last_surgery_on.isoformat(), "days_ago": f.days_since_surgery}


@_rule("S-SURG-1")
def _surg1(f: Facts) -> Finding | None:
    # S-SURG-1: dates have no time of day, so "yesterday" may be less than 24 h ago: 0 and 1 days
    # are both read as "< 24 h" (the stricter reading; a milder one would be a safety bug).
    days = f.days_since_surgery
    return Finding(_surgery_inputs(f)) if days is not None and days <= 1 else None


@_rule("S-SURG-2")
def _surg2(f: Facts) -> Finding | None:
    # S-SURG-2: 2..7 calendar days ago (surely >= 24 h); day 8 onwards nothing fires.
    days = f.days_since_surgery
    return Finding(_surgery_inputs(f)) if days is not None and 2 <= days <= 7 else None


_items_rule("S-LIMB-1", wound_sites=tuple(BandSite))

# --- S-DVT: thrombosis risk ----------------------------------------------------------------------


@_rule("S-DVT-1")
def _dvt1(f: Facts) -> Finding | None:
    present = f.inp.thrombosis_factors & set(FIVE_POINT)
    return Finding({"thrombosis_factors": values(present, ThrombosisFactor)}) if present else None


@_rule("S-DVT-2")
def _dvt2(f: Facts) -> Finding | None:
    threshold = f.settings.thrombosis_review_threshold
    if f.thrombosis_points < threshold:
        return None
    return Finding({"thrombosis_points": f.thrombosis_points, "review_threshold": threshold})


@_rule("S-DVT-3")
def _dvt3(f: Facts) -> Finding | None:
    inputs: dict[str, Any] = {}
    if f.age > 60:
        inputs["age_years"] = f.age
    flags = f.inp.thrombosis_factors & {ThrombosisFactor.BEDRIDDEN, ThrombosisFactor.POST_OPERATIVE}
    if flags:
        inputs["thrombosis_factors"] = values(flags, ThrombosisFactor)
    return Finding(inputs) if inputs else None


def derive_facts(inp: ScreeningInput, settings: ClinicSettings) -> Facts:
    """Compute age, BMI, surgery interval, classes and thrombosis points once."""
    age = age_on(inp.date_of_birth, inp.assessed_on)
    bmi = compute_bmi(inp.height_cm, inp.weight_kg)
    lipids = lipid_class(inp)
    surgery: date | None = inp.last_surgery_on
    return Facts(
        inp=inp,
        settings=settings,
        age=age,
        bmi=bmi,
        days_since_surgery=None if surgery is None else (inp.assessed_on - surgery).days,
        bp_class=bp_class(inp.systolic_mmhg, inp.diastolic_mmhg),
        dm_class=dm_class(inp),
        lipid_class=lipids,
        thrombosis=thrombosis_items(inp, age, bmi, lipids),
    )
