"""Property: making a patient's facts worse never makes a verdict milder (screening and check)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from kaatsu_desktop.clinical import (
    RULES,
    AcuteCondition,
    Assessment,
    BandSite,
    Clearance,
    ClinicSettings,
    EcgFinding,
    FundusGrade,
    History,
    PreSessionInput,
    ScreeningOnFile,
    Symptom,
    ThrombosisFactor,
    TreatedDisease,
    Verdict,
    assess,
    check_presession,
    parse_screening,
)
from tests.kaatsu_desktop.clinical.builders import NOW, TODAY

Draw = Callable[[st.SearchStrategy[Any]], Any]
EXAMPLES = settings(max_examples=150, deadline=None)

LISTS: dict[str, type] = {
    "under_treatment_for": TreatedDisease,
    "symptoms": Symptom,
    "history": History,
    "ecg_findings": EcgFinding,
    "acute_conditions": AcuteCondition,
    "thrombosis_factors": ThrombosisFactor,
    "wound_sites": BandSite,
}
BAD_FLAGS = (  # true is the worse answer
    "family_history_premature_cardiac_event",
    "lower_limb_joint_damage",
    "urinary_ketones_positive",
    "diabetic_retinopathy",
    "ecg_dangerous_arrhythmia_or_ischaemia",
    "lifestyle_guidance_needed",
)
GOOD_FLAGS = ("exercise_test_confirmed_safe", "specialist_advice_recorded")  # true is better
LABS = {  # key -> (low, high) of generated values
    "fasting_glucose_mg_dl": (60, 400),
    "total_cholesterol_mg_dl": (120, 400),
    "triglycerides_mg_dl": (50, 500),
    "cardiothoracic_ratio_pct": (35, 70),
    "urinary_protein_mg_dl": (0, 300),
}
GRADES = [g.value for g in FundusGrade]
PREGNANCY = ["no", "early", "late"]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def near(boundaries: tuple[int, ...], low: int, high: int) -> st.SearchStrategy[int]:
    """Integers in [low, high], often right at one of the rule book's boundaries."""
    edges = [b for b in boundaries if low <= b <= high]
    return (st.sampled_from(edges) if edges else st.nothing()) | st.integers(low, high)


def tenths(low: float, high: float) -> st.SearchStrategy[float]:
    return st.integers(round(low * 10), round(high * 10)).map(lambda n: n / 10)


# Upper ends of generated lab values for a mild screening: below every contraindication.
MILD_LABS = {
    "fasting_glucose_mg_dl": 240,
    "cardiothoracic_ratio_pct": 54,
    "urinary_protein_mg_dl": 99,
}


@st.composite
def screening_data(
    draw: Draw, assessed_on: date = date(2025, 6, 15), mild: bool = False
) -> dict[str, Any]:
    """A valid kaatsu-screening/1 object; ``mild`` mostly avoids contraindications."""
    systolic = draw(near((139, 140, 159, 160, 179, 180), 90, 179 if mild else 230))
    flag = st.sampled_from([False] * 9 + [True]) if mild else st.booleans()
    surgery_days = near((0, 1, 7, 8), 1 if mild else 0, 30)
    # y * 365 + 180 days is y completed years for any y below 200 (leap days cannot add up).
    age_days = near((39, 40, 41, 50, 51, 60, 61), 18, 95).map(lambda y: y * 365 + 180)
    data: dict[str, Any] = {
        "format": "kaatsu-screening/1",
        "assessed_on": assessed_on.isoformat(),
        "sex": draw(st.sampled_from(["female", "male", "other"])),
        "date_of_birth": (assessed_on - timedelta(days=draw(age_days))).isoformat(),
        "height_cm": 200.0,
        "weight_kg": draw(tenths(40, 150)),
        "systolic_mmhg": systolic,
        "diastolic_mmhg": draw(
            near((89, 90, 94, 95, 99, 100), 40, min(99 if mild else 140, systolic - 1))
        ),
        "family_history_premature_cardiac_event": draw(flag),
        "pregnancy": draw(st.sampled_from(PREGNANCY[:2] if mild else PREGNANCY)),
        "last_surgery_on": draw(
            maybe(surgery_days.map(lambda d: (assessed_on - timedelta(days=d)).isoformat()))
        ),
        "lower_limb_joint_damage": draw(flag),
        "fundus_hypertensive_grade": draw(maybe(st.sampled_from(GRADES[:4] if mild else GRADES))),
    }
    for key, enum_cls in LISTS.items():
        items = st.sampled_from([m.value for m in enum_cls])
        if not mild:
            data[key] = draw(st.lists(items, max_size=2, unique=True))
        elif key == "acute_conditions" or draw(st.integers(0, 4)):
            data[key] = []  # a mild screening has one item in about a fifth of its lists
        else:
            data[key] = [draw(items)]
    for key in BAD_FLAGS[2:]:
        data[key] = draw(maybe(flag))
    for key in GOOD_FLAGS:
        data[key] = draw(maybe(st.booleans()))
    for key, (low, high) in LABS.items():
        data[key] = draw(maybe(tenths(low, MILD_LABS.get(key, high) if mild else high)))
    if draw(st.booleans()):  # half the time a BMI right at a boundary of S-BMI or the points
        data["weight_kg"] = 4 * draw(st.sampled_from([23.9, 24.0, 24.9, 25.0, 29.9, 30.0]))
    else:
        data["height_cm"] = draw(tenths(145, 200))
    return data


SCREENING_OPS = (
    *("list", "flag", "good_flag", "bp", "lab"),
    *("grade", "bmi", "age", "pregnancy", "surgery"),
)


def worsen(draw: Draw, data: dict[str, Any]) -> dict[str, Any]:
    """One change that no reading of the rule book may treat as an improvement."""
    worse = dict(data)
    op = draw(st.sampled_from(SCREENING_OPS))
    if op == "list":
        key = draw(st.sampled_from(sorted(LISTS)))
        worse[key] = sorted({*data[key], draw(st.sampled_from([m.value for m in LISTS[key]]))})
    elif op == "flag":
        worse[draw(st.sampled_from(BAD_FLAGS))] = True
    elif op == "good_flag":
        worse[draw(st.sampled_from(GOOD_FLAGS))] = draw(st.sampled_from([False, None]))
    elif op == "bp" and draw(st.booleans()):
        worse["systolic_mmhg"] = min(300, data["systolic_mmhg"] + draw(st.integers(1, 60)))
    elif op == "bp":
        raised = data["diastolic_mmhg"] + draw(st.integers(1, 40))
        worse["diastolic_mmhg"] = min(data["systolic_mmhg"] - 1, raised)
    elif op == "lab":
        key = draw(st.sampled_from(sorted(LABS)))
        low, high = LABS[key]
        current = data[key]
        raised = draw(tenths(low, high)) if current is None else current + draw(tenths(0.1, 200))
        worse[key] = min(100.0, raised) if key == "cardiothoracic_ratio_pct" else raised
    elif op == "grade":
        current = data["fundus_hypertensive_grade"]
        worse["fundus_hypertensive_grade"] = draw(
            st.sampled_from(GRADES[0 if current is None else GRADES.index(current) :])
        )
    elif op == "bmi" and draw(st.booleans()):
        worse["weight_kg"] = round(min(400, data["weight_kg"] + draw(tenths(0.1, 40))), 1)
    elif op == "bmi":
        worse["height_cm"] = round(max(50, data["height_cm"] - draw(tenths(0.1, 30))), 1)
    elif op == "age":
        years = timedelta(days=draw(st.integers(1, 25 * 365)))
        worse["date_of_birth"] = (date.fromisoformat(data["date_of_birth"]) - years).isoformat()
    elif op == "pregnancy":
        worse["pregnancy"] = draw(st.sampled_from(PREGNANCY[PREGNANCY.index(data["pregnancy"]) :]))
    elif op == "surgery":  # more recent, or newly recorded within the last month
        assessed_on = date.fromisoformat(data["assessed_on"])
        current = data["last_surgery_on"]
        days = 30 if current is None else (assessed_on - date.fromisoformat(current)).days
        sooner = st.sampled_from([max(0, days - 1)]) | st.integers(0, days)
        worse["last_surgery_on"] = (assessed_on - timedelta(days=draw(sooner))).isoformat()
    return worse


def group_rank(assessment: Assessment, group: str) -> int:
    """Rank of the strongest fired verdict of one rule group, -1 when none fired."""
    return max((r.verdict.rank for r in assessment.rules if RULES[r.id].group == group), default=-1)


@EXAMPLES
@given(st.data())
def test_worse_screening_is_never_milder(data: st.DataObject) -> None:
    base = data.draw(screening_data(mild=data.draw(st.booleans())))
    worse = base
    for _ in range(data.draw(st.integers(1, 3))):
        worse = worsen(data.draw, worse)
    threshold = data.draw(st.integers(1, 10))
    stricter = data.draw(st.integers(1, threshold))  # a lower review threshold is a worsening too
    a = assess(parse_screening(base), ClinicSettings(thrombosis_review_threshold=threshold))
    b = assess(parse_screening(worse), ClinicSettings(thrombosis_review_threshold=stricter))
    event(f"base verdict: {a.overall}")
    assert b.verdict >= a.verdict, (a.to_json(), b.to_json())
    # Finer: within every rule group (S-BP, S-SURG, ...) the strongest verdict never drops.
    for group in {RULES[r.id].group for r in a.rules}:
        assert group_rank(b, group) >= group_rank(a, group), (group, a.to_json(), b.to_json())
    assert b.thrombosis_points >= a.thrombosis_points
    assert set(b.blocked_sites) >= set(a.blocked_sites)


GOOD = {"feels_unwell": False, "hydrated": True, "explanation_given": True, "aed_available": True}
ANSWERS = tuple(GOOD)


@st.composite
def situations(draw: Draw) -> dict[str, Any]:
    """A pre-session situation that is often allowed, so that worsening it has teeth."""
    systolic = draw(st.integers(100, 175))
    sites = draw(st.frozensets(st.sampled_from(list(BandSite)), min_size=1))
    inp: dict[str, Any] = {
        "systolic_mmhg": systolic,
        "diastolic_mmhg": draw(st.integers(50, min(99, systolic - 1))),
        "explanation_recorded_before": draw(st.booleans()),
        "sites_in_use": sites,
        "band_fit_confirmed": sites,
        "last_session_ended_at": draw(
            maybe(st.integers(0, 4320).map(lambda m: NOW - timedelta(minutes=m)))
        ),
        **GOOD,
    }
    screened_on = TODAY - timedelta(days=draw(st.integers(0, 60)))
    screening = draw(screening_data(screened_on, mild=True))
    # Clearances over the rules this screening needs cleared, plus S-BP-2 for today's BP:
    # usually one valid clearance covering all of them, sometimes partial or expired ones.
    needed = {"S-BP-2"} | {
        r.id for r in assess(parse_screening(screening)).rules if r.verdict is Verdict.CLEARANCE
    }
    clearances = []
    if draw(st.integers(0, 3)):
        issued = TODAY - timedelta(days=draw(st.integers(0, 30)))
        expires = TODAY + timedelta(days=draw(st.integers(1, 90)))
        clearances.append(Clearance("Dr. P", issued, "cleared", frozenset(needed), expires))
    for rules in draw(
        st.lists(st.frozensets(st.sampled_from(sorted(needed)), min_size=1), max_size=2)
    ):
        issued = TODAY - timedelta(days=draw(st.integers(0, 60)))
        expires = issued + timedelta(days=draw(st.integers(1, 120)))
        clearances.append(Clearance("Dr. P", issued, "cleared", rules, expires))
    validity = draw(st.integers(60, 120))
    return {"input": inp, "screening": screening, "clearances": clearances, "validity": validity}


def allowed(situation: dict[str, Any]) -> bool:
    screening = situation["screening"]
    on_file = None
    if screening is not None:
        day = date.fromisoformat(screening["assessed_on"])
        on_file = ScreeningOnFile(day, assess(parse_screening(screening)))
    result = check_presession(
        PreSessionInput(**situation["input"]),
        screening=on_file,
        clearances=situation["clearances"],
        settings=ClinicSettings(screening_validity_days=situation["validity"]),
        now=NOW,
    )
    return result.allowed


CHECK_OPS = (
    *("bp", "answer", "recorded", "fit", "site", "gap"),
    *("screening", "no_screening", "clearance", "expiry", "validity"),
)


def worsen_check(draw: Draw, situation: dict[str, Any]) -> dict[str, Any]:
    """One change to the situation that must never turn a refused session into an allowed one."""
    worse = {
        **situation,
        "input": dict(situation["input"]),
        "clearances": list(situation["clearances"]),
    }
    inp, clearances = worse["input"], worse["clearances"]
    op = draw(st.sampled_from(CHECK_OPS))
    if op == "bp":
        inp["systolic_mmhg"] = min(300, inp["systolic_mmhg"] + draw(st.integers(1, 40)))
        raised = inp["diastolic_mmhg"] + draw(st.integers(0, 20))
        inp["diastolic_mmhg"] = min(inp["systolic_mmhg"] - 1, raised)
    elif op == "answer":
        key = draw(st.sampled_from(ANSWERS))
        inp[key] = draw(st.sampled_from([not GOOD[key], None]))
    elif op == "recorded":
        inp["explanation_recorded_before"] = False
    elif op == "fit" and inp["band_fit_confirmed"]:
        inp["band_fit_confirmed"] -= {draw(st.sampled_from(sorted(inp["band_fit_confirmed"])))}
    elif op == "site":
        inp["sites_in_use"] = inp["sites_in_use"] | {draw(st.sampled_from(list(BandSite)))}
    elif op == "gap":
        inp["last_session_ended_at"] = NOW - timedelta(minutes=draw(st.integers(0, 239)))
    elif op == "screening" and worse["screening"] is not None:
        worse["screening"] = worsen(draw, worse["screening"])
    elif op == "no_screening":
        worse["screening"] = None
    elif op == "clearance" and clearances:
        clearances.pop(draw(st.integers(0, len(clearances) - 1)))
    elif op == "expiry" and clearances:
        i = draw(st.integers(0, len(clearances) - 1))
        c = clearances[i]
        earlier = c.issued_on + timedelta(
            days=draw(st.integers(1, (c.expires_on - c.issued_on).days))
        )
        clearances[i] = Clearance(c.physician, c.issued_on, c.note, c.rules, earlier)
    elif op == "validity":
        worse["validity"] = draw(st.integers(1, worse["validity"]))
    return worse


@EXAMPLES
@given(st.data())
def test_worse_situation_is_never_allowed_when_the_better_one_was_not(data: st.DataObject) -> None:
    base = data.draw(situations())
    worse = base
    for _ in range(data.draw(st.integers(1, 3))):
        worse = worsen_check(data.draw, worse)
    base_allowed, worse_allowed = allowed(base), allowed(worse)
    event(f"allowed: base {base_allowed}, worse {worse_allowed}")
    if worse_allowed:
        assert base_allowed, (base, worse)
