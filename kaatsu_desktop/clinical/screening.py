"""Screening input (kaatsu-screening/1): the typed value and its one parsing gate.

``parse_screening`` accepts the JSON object exactly as ``screening-input.md`` describes it and
either returns a ScreeningInput or raises ScreeningInputError listing every problem, each naming
its key. An optional key given as ``null`` counts as absent (its rules report not_assessed).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kaatsu_desktop.clinical._tr import TR_CONTEXT as T
from kaatsu_desktop.clinical.errors import FieldError, ScreeningInputError
from kaatsu_desktop.clinical.vocab import (
    AcuteCondition,
    BandSite,
    EcgFinding,
    FundusGrade,
    History,
    Pregnancy,
    Sex,
    Symptom,
    ThrombosisFactor,
    TreatedDisease,
    values,
)
from kaatsu_desktop.i18n import translate

FORMAT = "kaatsu-screening/1"
DOCUMENT_KEY = "(document)"  # key of errors about the document as a whole
MAX_AGE_YEARS = 130

# Plausible ranges of a living adult (screening-input.md), both ends inclusive.
RANGES: Mapping[str, tuple[float, float]] = {
    "systolic_mmhg": (50, 300),
    "diastolic_mmhg": (20, 200),
    "height_cm": (50, 250),
    "weight_kg": (20, 400),
    "cardiothoracic_ratio_pct": (0, 100),
}
# Laboratory values: only a negative value is impossible.
NON_NEGATIVE = (
    "fasting_glucose_mg_dl",
    "total_cholesterol_mg_dl",
    "triglycerides_mg_dl",
    "urinary_protein_mg_dl",
)


@dataclass(frozen=True)
class ScreeningInput:
    """One screening's facts, typed; build it with parse_screening."""

    assessed_on: date
    sex: Sex
    date_of_birth: date
    height_cm: float
    weight_kg: float
    systolic_mmhg: int
    diastolic_mmhg: int
    under_treatment_for: frozenset[TreatedDisease]
    symptoms: frozenset[Symptom]
    history: frozenset[History]
    family_history_premature_cardiac_event: bool
    ecg_findings: frozenset[EcgFinding]
    acute_conditions: frozenset[AcuteCondition]
    pregnancy: Pregnancy
    thrombosis_factors: frozenset[ThrombosisFactor]
    last_surgery_on: date | None
    wound_sites: frozenset[BandSite]
    lower_limb_joint_damage: bool
    fasting_glucose_mg_dl: float | None = None
    urinary_ketones_positive: bool | None = None
    diabetic_retinopathy: bool | None = None
    total_cholesterol_mg_dl: float | None = None
    triglycerides_mg_dl: float | None = None
    cardiothoracic_ratio_pct: float | None = None
    ecg_dangerous_arrhythmia_or_ischaemia: bool | None = None
    exercise_test_confirmed_safe: bool | None = None
    urinary_protein_mg_dl: float | None = None
    fundus_hypertensive_grade: FundusGrade | None = None
    lifestyle_guidance_needed: bool | None = None
    specialist_advice_recorded: bool | None = None

    def __post_init__(self) -> None:
        given = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        errors = _value_errors(given)
        if errors:
            raise ScreeningInputError(errors)

    def to_json(self) -> dict[str, Any]:
        """The kaatsu-screening/1 object (absent optional keys omitted); parses back equal."""
        out: dict[str, Any] = {"format": FORMAT}
        for key, spec in _FIELDS.items():
            value = getattr(self, key)
            if value is None and not spec.required:
                continue
            out[key] = spec.dump(value)
        return out


class _Bad(Exception):
    """A value that a converter rejects; the message is the reason."""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _to_date(value: Any) -> date:
    if not isinstance(value, str):
        raise _Bad(
            translate(T, "must be an ISO date (YYYY-MM-DD), got {got}").format(
                got=_json_type(value)
            )
        )
    if not _ISO_DATE.match(value):
        raise _Bad(
            translate(T, "must be an ISO date (YYYY-MM-DD), got {got}").format(got=repr(value))
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad(
            translate(T, "{value} is not a calendar date").format(value=repr(value))
        ) from None


def _to_date_or_null(value: Any) -> date | None:
    return None if value is None else _to_date(value)


def _to_number(value: Any) -> float:
    # bool is an int subclass in Python, but `true` is not a number in JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(translate(T, "must be a number, got {got}").format(got=_json_type(value)))
    if not math.isfinite(value):
        raise _Bad(translate(T, "must be a finite number"))
    return value


def _to_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(translate(T, "must be an integer, got {got}").format(got=_json_type(value)))
    return value


def _to_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(translate(T, "must be true or false, got {got}").format(got=_json_type(value)))
    return value


def _one_of(enum_cls: type[Any]) -> Callable[[Any], Any]:
    allowed = [m.value for m in enum_cls]

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise _Bad(translate(T, "must be a string, got {got}").format(got=_json_type(value)))
        if value not in allowed:
            raise _Bad(
                translate(T, "unknown value {value}; allowed: {allowed}").format(
                    value=repr(value), allowed=", ".join(allowed)
                )
            )
        return enum_cls(value)

    return convert


def _list_of(enum_cls: type[Any]) -> Callable[[Any], frozenset[Any]]:
    allowed = [m.value for m in enum_cls]

    def convert(value: Any) -> frozenset[Any]:
        if not isinstance(value, list | tuple):
            raise _Bad(
                translate(T, "must be a list (may be empty), got {got}").format(
                    got=_json_type(value)
                )
            )
        bad = [item for item in value if not isinstance(item, str) or item not in allowed]
        if bad:
            shown = ", ".join(repr(b) for b in bad)
            raise _Bad(
                translate(T, "unknown item {items}; allowed: {allowed}").format(
                    items=shown, allowed=", ".join(allowed)
                )
            )
        return frozenset(enum_cls(item) for item in value)

    return convert


def _same(value: Any) -> Any:
    return value


def _dump_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dump_enum(value: Any) -> Any:
    return value.value


@dataclass(frozen=True)
class _Field:
    parse: Callable[[Any], Any]
    required: bool
    dump: Callable[[Any], Any] = _same


def _list_field(enum_cls: type[Any]) -> _Field:
    return _Field(_list_of(enum_cls), True, lambda items: values(items, enum_cls))


# Every key of kaatsu-screening/1 except `format`, in the order of screening-input.md.
_FIELDS: Mapping[str, _Field] = {
    "assessed_on": _Field(_to_date, True, _dump_date),
    "sex": _Field(_one_of(Sex), True, _dump_enum),
    "date_of_birth": _Field(_to_date, True, _dump_date),
    "height_cm": _Field(_to_number, True),
    "weight_kg": _Field(_to_number, True),
    "systolic_mmhg": _Field(_to_integer, True),
    "diastolic_mmhg": _Field(_to_integer, True),
    "fasting_glucose_mg_dl": _Field(_to_number, False),
    "urinary_ketones_positive": _Field(_to_bool, False),
    "diabetic_retinopathy": _Field(_to_bool, False),
    "total_cholesterol_mg_dl": _Field(_to_number, False),
    "triglycerides_mg_dl": _Field(_to_number, False),
    "cardiothoracic_ratio_pct": _Field(_to_number, False),
    "ecg_dangerous_arrhythmia_or_ischaemia": _Field(_to_bool, False),
    "exercise_test_confirmed_safe": _Field(_to_bool, False),
    "urinary_protein_mg_dl": _Field(_to_number, False),
    "fundus_hypertensive_grade": _Field(_one_of(FundusGrade), False, _dump_enum),
    "under_treatment_for": _list_field(TreatedDisease),
    "symptoms": _list_field(Symptom),
    "history": _list_field(History),
    "family_history_premature_cardiac_event": _Field(_to_bool, True),
    "ecg_findings": _list_field(EcgFinding),
    "lifestyle_guidance_needed": _Field(_to_bool, False),
    "acute_conditions": _list_field(AcuteCondition),
    "pregnancy": _Field(_one_of(Pregnancy), True, _dump_enum),
    "thrombosis_factors": _list_field(ThrombosisFactor),
    "last_surgery_on": _Field(_to_date_or_null, True, _dump_date),
    "wound_sites": _list_field(BandSite),
    "lower_limb_joint_damage": _Field(_to_bool, True),
    "specialist_advice_recorded": _Field(_to_bool, False),
}
if set(_FIELDS) != {f.name for f in dataclasses.fields(ScreeningInput)}:
    raise RuntimeError("screening fields and ScreeningInput disagree")


def parse_screening(data: Mapping[str, Any]) -> ScreeningInput:
    """Typed screening from a kaatsu-screening/1 object; ScreeningInputError lists every problem."""
    if not isinstance(data, Mapping):
        raise ScreeningInputError([FieldError(DOCUMENT_KEY, translate(T, "must be a JSON object"))])
    errors: list[FieldError] = []
    if "format" not in data:
        errors.append(FieldError("format", translate(T, "required key is missing")))
    elif data["format"] != FORMAT:
        errors.append(
            FieldError(
                "format",
                translate(T, "must be {expected}, got {got}").format(
                    expected=repr(FORMAT), got=repr(data["format"])
                ),
            )
        )
    parsed: dict[str, Any] = {}
    for key, spec in _FIELDS.items():
        if key not in data:
            if spec.required:
                errors.append(FieldError(key, translate(T, "required key is missing")))
            continue
        if data[key] is None and not spec.required:
            continue  # optional key given as null: same as absent
        try:
            parsed[key] = spec.parse(data[key])
        except _Bad as bad:
            errors.append(FieldError(key, str(bad)))
    errors += [
        FieldError(str(k), translate(T, "unknown key"))
        for k in data
        if k != "format" and k not in _FIELDS
    ]
    errors += _value_errors({k: v for k, v in parsed.items() if v is not None})
    if errors:
        raise ScreeningInputError(errors)
    return ScreeningInput(**parsed)


def parse_screening_text(text: str) -> ScreeningInput:
    """Typed screening from JSON text: syntax errors, NaN and repeated keys are input errors too."""

    def no_constant(name: str) -> Any:
        raise _Bad(translate(T, "{name} is not a number JSON allows").format(name=name))

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ScreeningInputError(
                [FieldError(k, translate(T, "key appears more than once")) for k in repeated]
            )
        return dict(pairs)

    try:
        data = json.loads(text, parse_constant=no_constant, object_pairs_hook=no_repeats)
    except json.JSONDecodeError as exc:
        reason = translate(T, "invalid JSON at line {line} column {column}: {msg}").format(
            line=exc.lineno, column=exc.colno, msg=exc.msg
        )
        raise ScreeningInputError([FieldError(DOCUMENT_KEY, reason)]) from None
    except _Bad as bad:
        raise ScreeningInputError([FieldError(DOCUMENT_KEY, str(bad))]) from None
    return parse_screening(data)


def _value_errors(given: Mapping[str, Any]) -> list[FieldError]:
    """Plausibility of parsed values: ranges and cross-field order; absent keys are skipped."""
    errors: list[FieldError] = []
    for key, (low, high) in RANGES.items():
        if key in given and not low <= given[key] <= high:
            errors.append(
                FieldError(
                    key,
                    translate(T, "must be between {low} and {high}").format(
                        low=f"{low:g}", high=f"{high:g}"
                    ),
                )
            )
    errors += [
        FieldError(k, translate(T, "must not be negative"))
        for k in NON_NEGATIVE
        if given.get(k, 0) < 0
    ]
    systolic, diastolic = given.get("systolic_mmhg"), given.get("diastolic_mmhg")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors.append(FieldError("diastolic_mmhg", translate(T, "must be below systolic_mmhg")))
    assessed_on, born = given.get("assessed_on"), given.get("date_of_birth")
    if assessed_on is not None and born is not None:
        if born > assessed_on:
            errors.append(
                FieldError("date_of_birth", translate(T, "must not be after assessed_on"))
            )
        elif age_on(born, assessed_on) > MAX_AGE_YEARS:
            errors.append(
                FieldError(
                    "date_of_birth",
                    translate(T, "gives an age above {years} years").format(years=MAX_AGE_YEARS),
                )
            )
    surgery = given.get("last_surgery_on")
    if assessed_on is not None and surgery is not None and surgery > assessed_on:
        errors.append(FieldError("last_surgery_on", translate(T, "must not be after assessed_on")))
    return errors


def age_on(born: date, day: date) -> int:
    """Age in completed years on ``day``; a 29 February birthday falls on 1 March in other years."""
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)
