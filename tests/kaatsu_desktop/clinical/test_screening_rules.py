"""S-rules on both sides of every boundary, reached through the inputs as a clinician types them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kaatsu_desktop.clinical import (
    Assessment,
    ClinicalInputError,
    ClinicSettings,
    Stage,
    Verdict,
    age_on,
    assess_json,
    compute_bmi,
    rules_of,
)
from kaatsu_desktop.clinical.screening_rules import SCREENING_RULES
from tests.kaatsu_desktop.clinical.builders import (
    ALL_OPTIONAL,
    ASSESSED_ON,
    assessed,
    dob_for_age,
    fired,
    screening,
    weight_for_bmi,
)

BP_RULES = {"S-BP-1", "S-BP-2", "S-BP-3"}


def test_healthy_baseline_is_clear() -> None:
    a = assessed()
    assert (a.rules, a.not_assessed, a.overall, a.is_clear) == ((), (), "clear", True)


def test_every_screening_rule_has_one_evaluator() -> None:
    ids = [r.rule_id for r in SCREENING_RULES]
    assert sorted(ids) == sorted(s.id for s in rules_of(Stage.SCREENING))
    assert len(ids) == len(set(ids)) == 39


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (139, 80, None),
        (140, 80, "S-BP-1"),
        (159, 80, "S-BP-1"),
        (160, 80, "S-BP-2"),
        (179, 80, "S-BP-2"),
        (180, 80, "S-BP-3"),
        (120, 89, None),
        (120, 90, "S-BP-1"),
        (120, 94, "S-BP-1"),
        (120, 95, "S-BP-2"),
        (120, 99, "S-BP-2"),
        (130, 100, "S-BP-3"),
        (150, 97, "S-BP-2"),  # classed separately, the stronger class wins
        (185, 92, "S-BP-3"),
        (165, 99, "S-BP-2"),
    ],
)
def test_blood_pressure_classes(systolic: int, diastolic: int, expected: str | None) -> None:
    a = assessed(systolic_mmhg=systolic, diastolic_mmhg=diastolic)
    got = BP_RULES & set(fired(a))
    assert got == ({expected} if expected else set())
    if expected:
        assert a.fired(expected).inputs == {  # type: ignore[union-attr]
            "systolic_mmhg": systolic,
            "diastolic_mmhg": diastolic,
        }


@pytest.mark.parametrize(
    ("bmi", "expected"),
    [
        ("23.9", {}),
        ("24.0", {"S-BMI-1": "caution"}),
        ("29.9", {"S-BMI-1": "caution"}),
        ("30.0", {"S-BMI-2": "clearance"}),
        ("41.2", {"S-BMI-2": "clearance"}),
    ],
)
def test_bmi_classes_through_height_and_weight(bmi: str, expected: dict[str, str]) -> None:
    a = assessed(weight_kg=weight_for_bmi(bmi))
    assert a.bmi == float(bmi)
    assert {k: v for k, v in fired(a).items() if k.startswith("S-BMI")} == expected


@pytest.mark.parametrize(
    ("height", "weight", "bmi", "rule"),
    [
        (160, 76.8, 30.0, "S-BMI-2"),  # binary floats give 29.999999999999993
        (160, 61.44, 24.0, "S-BMI-1"),  # binary floats give 23.999999999999993
        (155, 57.66, 24.0, "S-BMI-1"),
        (200, 95.8, 24.0, "S-BMI-1"),  # exactly 23.95: rounds half up
        (200, 95.76, 23.9, None),  # 23.94
        (200, 119.8, 30.0, "S-BMI-2"),  # 29.95
        (200, 119.76, 29.9, "S-BMI-1"),  # 29.94
    ],
)
def test_bmi_is_exact_and_rounded_before_comparison(
    height: float, weight: float, bmi: float, rule: str | None
) -> None:
    a = assessed(height_cm=height, weight_kg=weight)
    assert a.bmi == bmi
    assert {k for k in fired(a) if k.startswith("S-BMI")} == ({rule} if rule else set())


def test_compute_bmi_decimal() -> None:
    assert str(compute_bmi(170, 69.36)) == "24.0"
    assert str(compute_bmi(172.5, 80.3)) == "27.0"


@pytest.mark.parametrize(
    ("bmi", "expected"),
    [
        ("23.9", set()),
        ("24.0", {"S-BMI-3"}),
        ("29.9", {"S-BMI-3"}),
        ("30.0", {"S-BMI-2", "S-BMI-3"}),  # heavier patients keep the orthopaedic restriction
    ],
)
def test_bmi_with_lower_limb_joint_damage(bmi: str, expected: set[str]) -> None:
    a = assessed(weight_kg=weight_for_bmi(bmi), lower_limb_joint_damage=True)
    assert {k for k in fired(a) if k.startswith("S-BMI")} == expected
    if expected:
        assert a.verdict is Verdict.CLEARANCE


@pytest.mark.parametrize(
    ("glucose", "expected"),
    [
        (109, None),
        (109.5, "S-DM-1"),  # between printed ranges: the stronger one
        (110, "S-DM-1"),
        (139, "S-DM-1"),
        (139.5, "S-DM-2"),
        (140, "S-DM-2"),
        (249, "S-DM-2"),
        (249.5, "S-DM-3"),
        (250, "S-DM-3"),
    ],
)
def test_fasting_glucose_classes(glucose: float, expected: str | None) -> None:
    got = {k for k in fired(assessed(fasting_glucose_mg_dl=glucose)) if k.startswith("S-DM")}
    assert got == ({expected} if expected else set())


@pytest.mark.parametrize("flag", ["urinary_ketones_positive", "diabetic_retinopathy"])
def test_ketones_or_retinopathy_contraindicate(flag: str) -> None:
    a = assessed(**{flag: True})
    assert fired(a) == {"S-DM-3": "contraindicated"}
    assert a.fired("S-DM-3").inputs == {"fasting_glucose_mg_dl": 90, flag: True}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tc", "tg", "expected"),
    [
        (219, 100, None),
        (220, 100, "S-LIP-1"),
        (249, 100, "S-LIP-1"),
        (249.5, 100, "S-LIP-2"),
        (250, 100, "S-LIP-2"),
        (180, 149, None),
        (180, 150, "S-LIP-1"),
        (180, 299, "S-LIP-1"),
        (180, 300, "S-LIP-2"),
        (230, 350, "S-LIP-2"),
    ],
)
def test_lipid_classes(tc: float, tg: float, expected: str | None) -> None:
    a = assessed(total_cholesterol_mg_dl=tc, triglycerides_mg_dl=tg)
    assert {k for k in fired(a) if k.startswith("S-LIP")} == ({expected} if expected else set())


@pytest.mark.parametrize(
    ("sex", "age", "fires"),
    [
        ("male", 40, False),
        ("male", 41, True),
        ("female", 50, False),
        ("female", 51, True),
        ("other", 40, False),
        ("other", 41, True),
    ],
)
def test_age_note_for_treated_patients(sex: str, age: int, fires: bool) -> None:
    dob = dob_for_age(age)
    treated = assessed(sex=sex, date_of_birth=dob, under_treatment_for=["diabetes"])
    assert ("S-AGE-1" in fired(treated)) is fires
    untreated = assessed(sex=sex, date_of_birth=dob)
    assert "S-AGE-1" not in fired(untreated)


def test_age_counts_completed_years_birthdays_exactly() -> None:
    # 41st birthday tomorrow: still 40, so no S-AGE-1.
    dob = (date(1984, ASSESSED_ON.month, ASSESSED_ON.day) + timedelta(days=1)).isoformat()
    assert "S-AGE-1" not in fired(assessed(date_of_birth=dob, under_treatment_for=["obesity"]))
    assert age_on(date(2000, 2, 29), date(2025, 2, 28)) == 24
    assert age_on(date(2000, 2, 29), date(2025, 3, 1)) == 25
    assert age_on(date(2000, 2, 29), date(2024, 2, 29)) == 24


@pytest.mark.parametrize(
    ("age", "factor", "dvt3"),
    [
        (39, None, False),
        (40, "age_40_60", False),
        (60, "age_40_60", False),
        (61, "age_over_60", True),
        (90, "age_over_60", True),
    ],
)
def test_age_thrombosis_points_and_dvt3(age: int, factor: str | None, dvt3: bool) -> None:
    a = assessed(date_of_birth=dob_for_age(age))
    factors = {t.factor: t.points for t in a.thrombosis_factors}
    assert factors == ({factor: 2 if age > 60 else 1} if factor else {})
    assert ("S-DVT-3" in fired(a)) is dvt3


def test_61st_birthday_tomorrow_is_still_60() -> None:
    dob = (date(1964, ASSESSED_ON.month, ASSESSED_ON.day) + timedelta(days=1)).isoformat()
    a = assessed(date_of_birth=dob)
    assert [t.factor for t in a.thrombosis_factors] == ["age_40_60"]
    assert "S-DVT-3" not in fired(a)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (0, {"S-SURG-1": "contraindicated"}),
        # no time of day on dates: yesterday may be under 24 h, so it is read as S-SURG-1
        (1, {"S-SURG-1": "contraindicated"}),
        (2, {"S-SURG-2": "clearance"}),
        (7, {"S-SURG-2": "clearance"}),
        (8, {}),
        (400, {}),
    ],
)
def test_surgery_intervals(days_ago: int, expected: dict[str, str]) -> None:
    surgery = (ASSESSED_ON - timedelta(days=days_ago)).isoformat()
    a = assessed(last_surgery_on=surgery)
    assert fired(a) == expected
    if expected:
        assert next(iter(a.rules)).inputs == {"last_surgery_on": surgery, "days_ago": days_ago}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"cardiothoracic_ratio_pct": 54.9}, {}),
        ({"cardiothoracic_ratio_pct": 55}, {"S-ORG-1": "contraindicated"}),
        ({"ecg_dangerous_arrhythmia_or_ischaemia": True}, {"S-ORG-2": "contraindicated"}),
        (
            {"ecg_dangerous_arrhythmia_or_ischaemia": True, "exercise_test_confirmed_safe": True},
            {"S-ORG-2": "clearance"},
        ),
        ({"exercise_test_confirmed_safe": True}, {}),
        ({"urinary_protein_mg_dl": 99.9}, {}),
        ({"urinary_protein_mg_dl": 100}, {"S-ORG-3": "contraindicated"}),
        ({"fundus_hypertensive_grade": "IIb"}, {}),
        ({"fundus_hypertensive_grade": "III"}, {"S-ORG-3": "contraindicated"}),
        ({"fundus_hypertensive_grade": "IV"}, {"S-ORG-3": "contraindicated"}),
    ],
)
def test_organ_damage(overrides: dict[str, object], expected: dict[str, str]) -> None:
    assert fired(assessed(**overrides)) == expected


def test_org2_without_a_recorded_exercise_test_is_contraindicated() -> None:
    data = screening(
        ecg_dangerous_arrhythmia_or_ischaemia=True, omit=("exercise_test_confirmed_safe",)
    )
    assert assess_json(data)["rules"][0]["verdict"] == "contraindicated"


@pytest.mark.parametrize(
    ("key", "item", "expected"),
    [
        ("symptoms", "chest_pain", {"S-T1-1": "clearance"}),
        ("symptoms", "palpitation", {"S-T1-1": "clearance"}),
        ("symptoms", "shortness_of_breath", {"S-T1-1": "clearance"}),
        ("symptoms", "dizziness", {"S-T1-2": "clearance"}),
        ("symptoms", "fainting", {"S-T1-2": "clearance"}),
        ("symptoms", "intermittent_claudication", {"S-T1-2": "clearance"}),
        ("symptoms", "spondylosis", {"S-T1-3": "caution"}),
        ("symptoms", "joint_symptoms", {"S-T1-3": "caution"}),
        ("history", "orthopaedic_disorder", {"S-T1-3": "caution"}),
        (
            "history",
            "cardiovascular_disease",
            {"S-T1-4": "clearance", "S-REL-1": "clearance", "S-REL-3": "clearance"},
        ),
        ("ecg_findings", "old_mi", {"S-T1-6": "clearance"}),
        ("ecg_findings", "st_t_abnormality", {"S-T1-6": "clearance"}),
        ("ecg_findings", "ventricular_arrhythmia", {"S-T1-6": "clearance"}),
        ("ecg_findings", "other_important", {"S-T1-6": "clearance"}),
        ("acute_conditions", "dvt", {"S-ABS-1": "contraindicated"}),
        ("acute_conditions", "pulmonary_embolism", {"S-ABS-2": "contraindicated"}),
        ("acute_conditions", "infection", {"S-ABS-3": "contraindicated"}),
        ("acute_conditions", "venous_return_prohibited", {"S-ABS-4": "contraindicated"}),
        ("history", "controlled_hypertension", {"S-REL-1": "clearance"}),
        ("history", "lymphectomy", {"S-REL-1": "clearance"}),
        ("history", "stroke", {"S-REL-3": "clearance"}),
        ("history", "cancer", {"S-REL-3": "clearance"}),
        ("history", "severe_hypertension", {"S-REL-3": "clearance"}),
        ("history", "pacemaker", {"S-REL-3": "clearance"}),
        ("history", "haemodynamically_unstable", {"S-REL-4": "contraindicated"}),
        ("history", "reduced_cardiac_function", {"S-REL-5": "clearance"}),
        ("history", "anticoagulant_therapy", {"S-REL-6": "caution"}),
        ("history", "thrombocytopenia", {"S-REL-6": "caution"}),
        ("history", "arthritis_flare", {"S-REL-7": "blocked_today"}),
    ],
)
def test_list_items(key: str, item: str, expected: dict[str, str]) -> None:
    a = assessed(**{key: [item]})
    assert fired(a) == expected
    for rule_id in expected:
        assert a.fired(rule_id).inputs[key] == [item]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("family_history_premature_cardiac_event", {"S-T1-5": "clearance"}),
        ("lifestyle_guidance_needed", {"S-T1-7": "info"}),
    ],
)
def test_flags(key: str, expected: dict[str, str]) -> None:
    assert fired(assessed(**{key: True})) == expected
    assert fired(assessed(**{key: False})) == {}


def test_lifestyle_guidance_alone_keeps_the_screening_clear() -> None:
    a = assessed(lifestyle_guidance_needed=True)
    assert (a.overall, a.is_clear) == ("clear", True)


def test_specialist_advice_lifts_rel4_to_clearance_only() -> None:
    a = assessed(history=["haemodynamically_unstable"], specialist_advice_recorded=True)
    assert fired(a) == {"S-REL-4": "clearance"}
    assert "specialist advice recorded" in a.rules[0].message
    missing = assess_json(
        screening(history=["haemodynamically_unstable"], omit=("specialist_advice_recorded",))
    )
    assert missing["verdict"] == "contraindicated"


@pytest.mark.parametrize(
    ("pregnancy", "expected", "points"),
    [
        ("no", {}, 0),
        ("early", {"S-REL-2": "clearance", "S-DVT-2": "clearance"}, 4),
        ("late", {"S-REL-2": "contraindicated", "S-DVT-2": "clearance"}, 4),
    ],
)
def test_pregnancy(pregnancy: str, expected: dict[str, str], points: int) -> None:
    # Pregnancy also scores 4 thrombosis points, which reach the default review threshold.
    a = assessed(pregnancy=pregnancy)
    assert fired(a) == expected
    assert a.thrombosis_points == points


def test_wound_blocks_only_that_site() -> None:
    a = assessed(wound_sites=["right_leg", "left_arm"])
    assert [s.value for s in a.blocked_sites] == ["left_arm", "right_leg"]
    assert fired(a) == {"S-LIMB-1": "caution"}
    assert a.fired("S-LIMB-1").inputs == {"wound_sites": ["left_arm", "right_leg"]}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "factor", ["dvt_history", "hereditary_thrombophilia", "antiphospholipid_syndrome"]
)
def test_five_point_factor_contraindicates(factor: str) -> None:
    a = assessed(thrombosis_factors=[factor])
    assert fired(a) == {"S-DVT-1": "contraindicated", "S-DVT-2": "clearance"}
    assert a.thrombosis_points == 5


@pytest.mark.parametrize(
    ("factors", "points", "items"),
    [
        (["varicose_veins"], 3, ["varicose_veins"]),
        (["prolonged_immobility"], 3, ["prolonged_immobility"]),
        (["atrial_fibrillation", "heart_failure"], 3, ["atrial_fibrillation_or_heart_failure"]),
        (["malignancy", "quadriplegia"], 4, ["malignancy", "quadriplegia"]),
        (["oral_contraceptives", "corticosteroids"], 2, ["oral_contraceptives_or_corticosteroids"]),
        (["lower_limb_tourniquet"], 2, ["lower_limb_tourniquet"]),
        (["high_haemoglobin"], 2, ["high_haemoglobin"]),
        (["bedridden", "post_operative"], 0, []),
    ],
)
def test_listed_thrombosis_points(factors: list[str], points: int, items: list[str]) -> None:
    a = assessed(thrombosis_factors=factors)
    assert a.thrombosis_points == points
    assert [t.factor for t in a.thrombosis_factors] == items


def test_bedridden_or_post_operative_fire_dvt3() -> None:
    for factor in ("bedridden", "post_operative"):
        a = assessed(thrombosis_factors=[factor])
        assert fired(a) == {"S-DVT-3": "caution"}
        assert a.fired("S-DVT-3").inputs == {"thrombosis_factors": [factor]}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("overrides", "factor", "points"),
    [
        ({"sex": "female"}, "female", 1),
        ({"sex": "other"}, "sex_other", 1),
        ({"weight_kg": weight_for_bmi("24.9")}, None, 0),
        ({"weight_kg": weight_for_bmi("25.0")}, "bmi_25_to_30", 1),
        ({"weight_kg": weight_for_bmi("29.9")}, "bmi_25_to_30", 1),
        ({"weight_kg": weight_for_bmi("30.0")}, "bmi_30_or_more", 2),
        ({"under_treatment_for": ["hyperlipidaemia"]}, "hyperlipidaemia", 2),
        ({"total_cholesterol_mg_dl": 219}, None, 0),
        ({"total_cholesterol_mg_dl": 220}, "hyperlipidaemia", 2),
        ({"triglycerides_mg_dl": 150}, "hyperlipidaemia", 2),
        ({"pregnancy": "early"}, "pregnancy", 4),
    ],
)
def test_derived_thrombosis_points(
    overrides: dict[str, object], factor: str | None, points: int
) -> None:
    a = assessed(**overrides)
    assert {t.factor: t.points for t in a.thrombosis_factors} == (
        {factor: points} if factor else {}
    )
    assert a.thrombosis_points == points


@pytest.mark.parametrize(("threshold", "fires"), [(2, True), (3, True), (4, False)])
def test_review_threshold_both_sides(threshold: int, fires: bool) -> None:
    settings = ClinicSettings(thrombosis_review_threshold=threshold)
    a = assessed(settings, thrombosis_factors=["varicose_veins"])  # 3 points
    assert ("S-DVT-2" in fired(a)) is fires
    two = assessed(settings, thrombosis_factors=["malignancy"])  # 2 points
    assert ("S-DVT-2" in fired(two)) is (threshold <= 2)


def test_dvt2_inputs_and_default_threshold() -> None:
    a = assessed(sex="female", date_of_birth=dob_for_age(45), thrombosis_factors=["malignancy"])
    assert a.thrombosis_points == 4
    assert a.fired("S-DVT-2").inputs == {"thrombosis_points": 4, "review_threshold": 3}  # type: ignore[union-attr]
    assert [(t.factor, t.points) for t in a.thrombosis_factors] == [
        ("malignancy", 2),
        ("age_40_60", 1),
        ("female", 1),
    ]


def test_missing_optional_inputs_are_not_assessed() -> None:
    a = assessed(**{k: None for k in ALL_OPTIONAL})
    assert a.not_assessed == (
        "S-ORG-1",
        "S-ORG-2",
        "S-ORG-3",
        "S-DM-1",
        "S-DM-2",
        "S-DM-3",
        "S-LIP-1",
        "S-LIP-2",
        "S-T1-7",
    )
    assert a.rules == ()


def test_rules_that_fire_on_partial_input_are_not_listed_as_not_assessed() -> None:
    a = assessed(fasting_glucose_mg_dl=None, urinary_ketones_positive=True)
    assert fired(a) == {"S-DM-3": "contraindicated"}
    assert {"S-DM-1", "S-DM-2"} <= set(a.not_assessed) and "S-DM-3" not in a.not_assessed
    b = assessed(total_cholesterol_mg_dl=230, triglycerides_mg_dl=None)
    assert fired(b) == {"S-LIP-1": "caution"}
    assert b.not_assessed == ("S-LIP-2",)
    c = assessed(urinary_protein_mg_dl=None, fundus_hypertensive_grade="IV")
    assert fired(c) == {"S-ORG-3": "contraindicated"} and c.not_assessed == ()


def test_rules_are_listed_strongest_first_and_verdict_is_the_strongest() -> None:
    a = assessed(
        symptoms=["spondylosis"],
        acute_conditions=["infection"],
        history=["arthritis_flare", "stroke"],
        lifestyle_guidance_needed=True,
    )
    assert [r.id for r in a.rules] == ["S-ABS-3", "S-REL-7", "S-REL-3", "S-T1-3", "S-T1-7"]
    assert a.verdict is Verdict.CONTRAINDICATED and a.overall == "contraindicated"


def test_assessment_json_format_and_round_trip() -> None:
    data = screening(systolic_mmhg=165, wound_sites=["left_leg"], fasting_glucose_mg_dl=None)
    out = assess_json(data)
    assert list(out) == [
        "format",
        "verdict",
        "bmi",
        "thrombosis_points",
        "thrombosis_factors",
        "blocked_sites",
        "rules",
        "not_assessed",
    ]
    assert out["format"] == "kaatsu-assessment/1"
    assert out["verdict"] == "clearance"
    assert out["blocked_sites"] == ["left_leg"]
    assert out["rules"][0] == {
        "id": "S-BP-2",
        "verdict": "clearance",
        "message": out["rules"][0]["message"],
        "inputs": {"systolic_mmhg": 165, "diastolic_mmhg": 80},
    }
    assert "160-179" in out["rules"][0]["message"]
    assert out["not_assessed"] == ["S-DM-1", "S-DM-2", "S-DM-3"]
    assert Assessment.from_json(out).to_json() == out


def test_assessment_from_json_rejects_inconsistent_records() -> None:
    out = assess_json(screening(systolic_mmhg=165))
    with pytest.raises(ClinicalInputError):
        Assessment.from_json({**out, "verdict": "clear"})
    with pytest.raises(ClinicalInputError):
        Assessment.from_json({**out, "not_assessed": ["S-XX-9"]})
    with pytest.raises(ClinicalInputError):
        Assessment.from_json({k: v for k, v in out.items() if k != "rules"})
