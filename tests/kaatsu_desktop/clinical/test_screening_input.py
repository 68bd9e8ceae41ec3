"""Screening input: every kind of input error names the key; nothing is assessed from bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaatsu_desktop.clinical import (
    BandSite,
    FundusGrade,
    ScreeningInputError,
    Symptom,
    assess_json,
    parse_screening,
    parse_screening_text,
)
from tests.kaatsu_desktop.clinical.builders import ALL_OPTIONAL, dob_for_age, screening

REQUIRED = [
    "format",
    "assessed_on",
    "sex",
    "date_of_birth",
    "height_cm",
    "weight_kg",
    "systolic_mmhg",
    "diastolic_mmhg",
    "under_treatment_for",
    "symptoms",
    "history",
    "family_history_premature_cardiac_event",
    "ecg_findings",
    "acute_conditions",
    "pregnancy",
    "thrombosis_factors",
    "last_surgery_on",
    "wound_sites",
    "lower_limb_joint_damage",
]


def errors_of(data: Any) -> list[tuple[str, str]]:
    """(key, reason) of every error parse_screening raises; fails when it raises none."""
    with pytest.raises(ScreeningInputError) as exc:
        parse_screening(data)
    return [(e.key, e.reason) for e in exc.value.errors]


def test_valid_input_parses_and_round_trips() -> None:
    data = screening(symptoms=["palpitation", "chest_pain"], wound_sites=["right_leg"])
    inp = parse_screening(data)
    assert inp.symptoms == frozenset({Symptom.CHEST_PAIN, Symptom.PALPITATION})
    assert inp.wound_sites == frozenset({BandSite.RIGHT_LEG})
    assert inp.fundus_hypertensive_grade is FundusGrade.NONE
    out = inp.to_json()
    assert out["symptoms"] == ["chest_pain", "palpitation"]  # declaration order
    assert parse_screening(out) == inp
    assert set(out) == set(data)


def test_minimal_input_without_optional_keys() -> None:
    inp = parse_screening(screening(omit=tuple(ALL_OPTIONAL)))
    assert inp.fasting_glucose_mg_dl is None and inp.fundus_hypertensive_grade is None
    assert "fasting_glucose_mg_dl" not in inp.to_json()


def test_optional_key_given_as_null_is_absent() -> None:
    assert parse_screening(screening(fasting_glucose_mg_dl=None)).fasting_glucose_mg_dl is None


@pytest.mark.parametrize("key", REQUIRED)
def test_each_required_key_missing(key: str) -> None:
    assert errors_of(screening(omit=(key,))) == [(key, "required key is missing")]


@pytest.mark.parametrize("key", [k for k in REQUIRED if k not in ("format", "last_surgery_on")])
def test_required_key_null_is_a_type_error(key: str) -> None:
    [(got_key, reason)] = errors_of(screening(**{key: None}))
    assert got_key == key and "got null" in reason


def test_unknown_key() -> None:
    assert errors_of(screening(bmi=22.0)) == [("bmi", "unknown key")]


def test_wrong_format_tag() -> None:
    [(key, reason)] = errors_of(screening(format="kaatsu-screening/2"))
    assert key == "format" and "kaatsu-screening/1" in reason


@pytest.mark.parametrize(
    ("key", "value", "reason_part"),
    [
        ("systolic_mmhg", 120.5, "must be an integer, got a number"),
        ("systolic_mmhg", "120", "must be an integer, got a string"),
        ("diastolic_mmhg", True, "must be an integer, got a boolean"),
        ("height_cm", True, "must be a number, got a boolean"),  # bool is not a number
        ("weight_kg", "80", "must be a number, got a string"),
        ("fasting_glucose_mg_dl", False, "must be a number, got a boolean"),
        ("weight_kg", float("nan"), "must be a finite number"),
        ("weight_kg", float("inf"), "must be a finite number"),
        ("lower_limb_joint_damage", 0, "must be true or false, got a number"),
        ("urinary_ketones_positive", "yes", "must be true or false, got a string"),
        ("sex", "M", "unknown value 'M'"),
        ("sex", 1, "must be a string, got a number"),
        ("pregnancy", "third_trimester", "unknown value 'third_trimester'"),
        ("fundus_hypertensive_grade", "V", "unknown value 'V'"),
        ("symptoms", "chest_pain", "must be a list (may be empty), got a string"),
        ("symptoms", ["chest_pain", "headache"], "unknown item 'headache'"),
        ("history", [1], "unknown item 1"),
        ("wound_sites", ["left_hand"], "unknown item 'left_hand'"),
        ("thrombosis_factors", {"dvt_history": True}, "got an object"),
        ("assessed_on", "15/06/2025", "must be an ISO date"),
        ("assessed_on", 20250615, "must be an ISO date (YYYY-MM-DD), got a number"),
        ("date_of_birth", "1990-02-30", "is not a calendar date"),
        ("last_surgery_on", "yesterday", "must be an ISO date"),
        ("last_surgery_on", "2025-W24-1", "must be an ISO date"),
    ],
)
def test_wrong_type_or_value(key: str, value: Any, reason_part: str) -> None:
    [(got_key, reason)] = errors_of(screening(**{key: value}))
    assert got_key == key
    assert reason_part in reason


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [("systolic_mmhg", 50, 300), ("height_cm", 50, 250), ("weight_kg", 20, 400)],
)
def test_vital_ranges_both_sides(key: str, low: int, high: int) -> None:
    extra = {"diastolic_mmhg": 40} if key == "systolic_mmhg" else {}
    parse_screening(screening(**{key: low}, **extra))
    parse_screening(screening(**{key: high}, **extra))
    for bad in (low - 1, high + 1):
        assert errors_of(screening(**{key: bad}, **extra)) == [
            (key, f"must be between {low} and {high}")
        ]


def test_diastolic_range_and_order() -> None:
    parse_screening(screening(systolic_mmhg=250, diastolic_mmhg=200))
    parse_screening(screening(systolic_mmhg=60, diastolic_mmhg=20))
    assert errors_of(screening(systolic_mmhg=250, diastolic_mmhg=201)) == [
        ("diastolic_mmhg", "must be between 20 and 200")
    ]
    assert errors_of(screening(diastolic_mmhg=19)) == [
        ("diastolic_mmhg", "must be between 20 and 200")
    ]
    parse_screening(screening(systolic_mmhg=100, diastolic_mmhg=99))
    assert errors_of(screening(systolic_mmhg=100, diastolic_mmhg=100)) == [
        ("diastolic_mmhg", "must be below systolic_mmhg")
    ]


def test_negative_lab_values_and_ratio_range() -> None:
    assert errors_of(screening(fasting_glucose_mg_dl=-1)) == [
        ("fasting_glucose_mg_dl", "must not be negative")
    ]
    assert errors_of(screening(cardiothoracic_ratio_pct=101)) == [
        ("cardiothoracic_ratio_pct", "must be between 0 and 100")
    ]


def test_dates_in_the_wrong_order() -> None:
    assert errors_of(screening(date_of_birth="2025-06-16")) == [
        ("date_of_birth", "must not be after assessed_on")
    ]
    parse_screening(screening(date_of_birth="2025-06-15"))  # born today: not an order error
    assert errors_of(screening(date_of_birth=dob_for_age(131))) == [
        ("date_of_birth", "gives an age above 130 years")
    ]
    parse_screening(screening(date_of_birth=dob_for_age(130)))
    assert errors_of(screening(last_surgery_on="2025-06-16")) == [
        ("last_surgery_on", "must not be after assessed_on")
    ]


def test_all_errors_are_collected_in_one_exception() -> None:
    data = screening(omit=("sex",), systolic_mmhg=400, symptoms=["x"], colour="red")
    keys = [k for k, _ in errors_of(data)]
    assert sorted(keys) == ["colour", "sex", "symptoms", "systolic_mmhg"]


def test_not_an_object() -> None:
    assert errors_of([1, 2]) == [("(document)", "must be a JSON object")]


def test_nothing_is_assessed_from_bad_input() -> None:
    with pytest.raises(ScreeningInputError):
        assess_json(screening(systolic_mmhg=190, diastolic_mmhg="x"))


def text_errors(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ScreeningInputError) as exc:
        parse_screening_text(text)
    return [(e.key, e.reason) for e in exc.value.errors]


def test_json_text_gate() -> None:
    assert parse_screening_text(json.dumps(screening())) == parse_screening(screening())
    [(key, reason)] = text_errors('{"format": ')
    assert key == "(document)" and reason.startswith("invalid JSON at line 1 column")
    assert text_errors(json.dumps(screening()).replace("80,", "NaN,", 1)) == [
        ("(document)", "NaN is not a number JSON allows")
    ]
    # A repeated key would silently keep its last value: reject it instead.
    repeated = json.dumps(screening())[:-1] + ', "systolic_mmhg": 190}'
    assert text_errors(repeated) == [("systolic_mmhg", "key appears more than once")]
