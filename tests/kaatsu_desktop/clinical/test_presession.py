"""Pre-session check: every P-rule on both sides, clearances, and the screening carried through."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

import pytest

from kaatsu_desktop.clinical import (
    BandSite,
    Clearance,
    ClinicSettings,
    PreSessionInput,
    PreSessionInputError,
    PreSessionResult,
    ScreeningOnFile,
    Verdict,
    check_presession,
)
from tests.kaatsu_desktop.clinical.builders import (
    NOW,
    TODAY,
    clearance,
    on_file,
    ready,
)

LEGS = frozenset({BandSite.LEFT_LEG, BandSite.RIGHT_LEG})


def check(
    inp: PreSessionInput | None = None,
    screening: ScreeningOnFile | str | None = "default",
    clearances: tuple[Clearance, ...] = (),
    settings: ClinicSettings | None = None,
    now: Any = NOW,
) -> PreSessionResult:
    return check_presession(
        inp or ready(),
        screening=on_file() if screening == "default" else screening,  # type: ignore[arg-type]
        clearances=clearances,
        settings=settings or ClinicSettings(),
        now=now,
    )


def ids(items: tuple[Any, ...]) -> list[str]:
    return [i.rule_id for i in items]


def test_complete_check_with_clear_screening_is_allowed() -> None:
    result = check()
    assert result.allowed
    assert (result.blocking, result.missing, result.warnings, result.cleared) == ((), (), (), ())


# --- P-SCR-1 -------------------------------------------------------------------------------------


def test_no_screening_blocks() -> None:
    result = check(screening=None)
    assert not result.allowed and ids(result.blocking) == ["P-SCR-1"]
    assert result.blocking[0].verdict is Verdict.CONTRAINDICATED


@pytest.mark.parametrize(
    ("validity", "days_ago", "allowed"),
    [(90, 90, True), (90, 91, False), (30, 30, True), (30, 31, False), (90, 0, True)],
)
def test_screening_validity_both_sides(validity: int, days_ago: int, allowed: bool) -> None:
    settings = ClinicSettings(screening_validity_days=validity)
    result = check(screening=on_file(days_ago), settings=settings)
    assert result.allowed is allowed
    if not allowed:
        assert ids(result.blocking) == ["P-SCR-1"]
        assert result.blocking[0].details["age_days"] == days_ago


def test_screening_dated_after_today_is_not_valid() -> None:
    future = ScreeningOnFile(TODAY + timedelta(days=1), on_file().assessment)
    assert ids(check(screening=future).blocking) == ["P-SCR-1"]


def test_contraindicated_screening_blocks_and_names_its_rules() -> None:
    result = check(screening=on_file(acute_conditions=["infection"], systolic_mmhg=185))
    assert not result.allowed
    [item] = result.blocking
    assert item.rule_id == "P-SCR-1" and item.details["rules"] == ["S-BP-3", "S-ABS-3"]


# --- clearance-verdict screening rules -------------------------------------------------------


def test_clearance_rule_without_clearance_blocks() -> None:
    result = check(screening=on_file(systolic_mmhg=165))
    assert ids(result.blocking) == ["S-BP-2"]
    assert result.blocking[0].verdict is Verdict.CLEARANCE
    assert "160-179" in result.blocking[0].details["screening_message"]


def test_clearance_rule_with_valid_clearance_is_allowed() -> None:
    c = clearance("S-BP-2", "S-T1-1")
    result = check(screening=on_file(systolic_mmhg=165, symptoms=["chest_pain"]), clearances=(c,))
    assert result.allowed
    assert [(r.rule_id, r.clearance) for r in result.cleared] == [("S-BP-2", c), ("S-T1-1", c)]


def test_clearance_must_cover_every_clearance_rule() -> None:
    screening = on_file(systolic_mmhg=165, symptoms=["chest_pain"])
    result = check(screening=screening, clearances=(clearance("S-BP-2"),))
    assert ids(result.blocking) == ["S-T1-1"]


@pytest.mark.parametrize(
    ("issued_days_ago", "valid_days", "counts"),
    [
        (30, 31, True),  # expires tomorrow
        (30, 30, False),  # expires today: no longer counts
        (0, 10, True),  # issued today
        (-1, 10, False),  # issued tomorrow
    ],
)
def test_clearance_dates_both_sides(issued_days_ago: int, valid_days: int, counts: bool) -> None:
    c = clearance("S-DVT-2", issued_days_ago=issued_days_ago, valid_days=valid_days)
    result = check(screening=on_file(thrombosis_factors=["varicose_veins"]), clearances=(c,))
    assert result.allowed is counts
    assert c.covers("S-DVT-2", TODAY) is counts
    assert not c.covers("S-BP-2", TODAY)


# --- P-BP-1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "with_clearance", "outcome"),
    [
        (159, 94, False, "allowed"),
        (160, 80, False, "blocked"),
        (120, 95, False, "blocked"),
        (159, 94, True, "allowed"),
        (160, 80, True, "cleared"),
        (179, 99, True, "cleared"),
        (180, 80, True, "blocked"),
        (120, 100, True, "blocked"),
    ],
)
def test_blood_pressure_today(
    systolic: int, diastolic: int, with_clearance: bool, outcome: str
) -> None:
    clearances = (clearance("S-BP-2"),) if with_clearance else ()
    inp = ready(systolic_mmhg=systolic, diastolic_mmhg=diastolic)
    result = check(inp, clearances=clearances)
    assert result.allowed is (outcome != "blocked")
    assert ids(result.blocking) == (["P-BP-1"] if outcome == "blocked" else [])
    assert ids(result.warnings) == (["P-BP-1"] if outcome == "cleared" else [])
    if outcome == "blocked":
        assert result.blocking[0].details == {
            "systolic_mmhg": systolic,
            "diastolic_mmhg": diastolic,
        }
        assert result.blocking[0].verdict is Verdict.BLOCKED_TODAY
    if outcome == "cleared":
        assert result.warnings[0].verdict is Verdict.CAUTION


def test_blood_pressure_with_an_expired_or_other_clearance_blocks() -> None:
    inp = ready(systolic_mmhg=170, diastolic_mmhg=90)
    expired = clearance("S-BP-2", issued_days_ago=100, valid_days=50)
    other = clearance("S-DM-2")
    assert ids(check(inp, clearances=(expired, other)).blocking) == ["P-BP-1"]


def test_blood_pressure_missing_is_a_missing_item() -> None:
    result = check(ready(systolic_mmhg=None, diastolic_mmhg=None))
    assert not result.allowed and ids(result.missing) == ["P-BP-1"] and not result.blocking


# --- P-SICK-1, P-HYD-1, P-EXPL-1, P-AED-1, P-FIT-1 -----------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad", "rule_id"),
    [
        ("feels_unwell", True, "P-SICK-1"),
        ("hydrated", False, "P-HYD-1"),
        ("explanation_given", False, "P-EXPL-1"),
        ("aed_available", False, "P-AED-1"),
    ],
)
def test_answers_block_or_are_missing(field: str, bad: bool, rule_id: str) -> None:
    blocked = check(ready(**{field: bad}))
    assert not blocked.allowed and ids(blocked.blocking) == [rule_id] and not blocked.missing
    unanswered = check(ready(**{field: None}))
    assert not unanswered.allowed and ids(unanswered.missing) == [rule_id]
    assert not unanswered.blocking


@pytest.mark.parametrize("today", [None, False, True])
def test_explanation_recorded_before_satisfies_p_expl_1(today: bool | None) -> None:
    assert check(ready(explanation_given=today, explanation_recorded_before=True)).allowed


def test_band_fit_per_site_in_use() -> None:
    inp = ready(sites_in_use=LEGS, band_fit_confirmed=frozenset({BandSite.LEFT_LEG}))
    result = check(inp)
    assert not result.allowed
    assert [(i.rule_id, i.details) for i in result.missing] == [("P-FIT-1", {"site": "right_leg"})]
    assert check(ready(sites_in_use=LEGS, band_fit_confirmed=LEGS)).allowed


def test_no_band_site_chosen_is_missing() -> None:
    result = check(ready(sites_in_use=frozenset(), band_fit_confirmed=frozenset()))
    assert ids(result.missing) == ["P-FIT-1"] and not result.allowed


def test_wounded_site_in_use_blocks_that_site_only() -> None:
    screening = on_file(wound_sites=["left_arm"])
    result = check(screening=screening)
    assert [(i.rule_id, i.details) for i in result.blocking] == [("S-LIMB-1", {"site": "left_arm"})]
    assert result.blocking[0].verdict is Verdict.BLOCKED_TODAY
    legs_only = check(ready(sites_in_use=LEGS, band_fit_confirmed=LEGS), screening=screening)
    assert legs_only.allowed
    assert ids(legs_only.warnings) == ["S-LIMB-1"]  # the screening's caution is still shown


# --- P-GAP-1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "caution"),
    [
        (timedelta(hours=3, minutes=59, seconds=59), True),
        (timedelta(hours=4), False),
        (timedelta(hours=30), False),
        (timedelta(minutes=-5), True),  # an end time after now: the stricter side
    ],
)
def test_gap_since_last_session(ago: timedelta, caution: bool) -> None:
    result = check(ready(last_session_ended_at=NOW - ago))
    assert result.allowed  # P-GAP-1 is a caution, never a block
    assert ids(result.warnings) == (["P-GAP-1"] if caution else [])
    if caution:
        assert result.warnings[0].verdict is Verdict.CAUTION


def test_no_previous_session_has_no_gap_caution() -> None:
    assert check(ready(last_session_ended_at=None)).warnings == ()


def test_gap_with_mixed_timezone_awareness_is_an_error() -> None:
    with pytest.raises(PreSessionInputError) as exc:
        check(now=NOW.replace(tzinfo=UTC))
    assert exc.value.errors[0].key == "last_session_ended_at"


# --- the screening carried through ---------------------------------------------------------------


def test_arthritis_flare_blocks_only_the_screening_day() -> None:
    same_day = check(screening=on_file(0, history=["arthritis_flare"]))
    assert ids(same_day.blocking) == ["S-REL-7"]
    assert same_day.blocking[0].verdict is Verdict.BLOCKED_TODAY
    next_day = check(screening=on_file(1, history=["arthritis_flare"]))
    assert next_day.allowed
    assert [(i.rule_id, i.verdict) for i in next_day.warnings] == [("S-REL-7", Verdict.CAUTION)]


def test_caution_and_info_rules_are_carried_as_warnings() -> None:
    screening = on_file(history=["anticoagulant_therapy"], lifestyle_guidance_needed=True)
    result = check(screening=screening)
    assert result.allowed
    assert [(i.rule_id, i.verdict) for i in result.warnings] == [
        ("S-REL-6", Verdict.CAUTION),
        ("S-T1-7", Verdict.INFO),
    ]


def test_incomplete_screening_is_shown() -> None:
    result = check(screening=on_file(fasting_glucose_mg_dl=None))
    assert result.allowed
    [item] = result.warnings
    assert item.rule_id == "P-SCR-1" and item.details["rules"] == ["S-DM-1", "S-DM-2", "S-DM-3"]


def test_everything_wrong_at_once_is_all_reported() -> None:
    inp = PreSessionInput(feels_unwell=True, hydrated=False, sites_in_use=LEGS)
    result = check(inp, screening=None, now=NOW)
    assert ids(result.blocking) == ["P-SCR-1", "P-SICK-1", "P-HYD-1"]
    assert ids(result.missing) == ["P-BP-1", "P-EXPL-1", "P-AED-1", "P-FIT-1", "P-FIT-1"]


# --- typed input validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"systolic_mmhg": 301}, "systolic_mmhg"),
        ({"diastolic_mmhg": 19}, "diastolic_mmhg"),
        ({"systolic_mmhg": True}, "systolic_mmhg"),
        ({"systolic_mmhg": 120.0}, "systolic_mmhg"),
        ({"diastolic_mmhg": None}, "diastolic_mmhg"),
        ({"systolic_mmhg": None}, "systolic_mmhg"),
        ({"systolic_mmhg": 90, "diastolic_mmhg": 90}, "diastolic_mmhg"),
        ({"feels_unwell": "no"}, "feels_unwell"),
        ({"hydrated": 1}, "hydrated"),
        ({"explanation_recorded_before": None}, "explanation_recorded_before"),
        ({"sites_in_use": {BandSite.LEFT_ARM}}, "sites_in_use"),
        ({"band_fit_confirmed": frozenset({"left_arm"})}, "band_fit_confirmed"),
        ({"last_session_ended_at": date(2025, 6, 30)}, "last_session_ended_at"),
    ],
)
def test_pre_session_input_errors_name_the_field(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(PreSessionInputError) as exc:
        ready(**overrides)
    assert [e.key for e in exc.value.errors] == [key]


@pytest.mark.parametrize(
    ("overrides", "keys"),
    [
        ({"physician": " "}, ["physician"]),
        ({"note": ""}, ["note"]),
        ({"rules": frozenset()}, ["rules"]),
        ({"rules": frozenset({"S-XX-1"})}, ["rules"]),
        ({"rules": frozenset({"S-BP-3"})}, ["rules"]),  # a contraindication is never cleared
        ({"rules": frozenset({"P-BP-1"})}, ["rules"]),
        ({"expires_on": date(2025, 6, 1)}, ["expires_on"]),
    ],
)
def test_clearance_errors_name_the_field(overrides: dict[str, Any], keys: list[str]) -> None:
    fields: dict[str, Any] = {
        "physician": "Dr. B",
        "issued_on": date(2025, 6, 1),
        "note": "cleared",
        "rules": frozenset({"S-BP-2"}),
        "expires_on": date(2025, 9, 1),
        **overrides,
    }
    with pytest.raises(PreSessionInputError) as exc:
        Clearance(**fields)
    assert [e.key for e in exc.value.errors] == keys


def test_clearance_can_cover_rules_that_are_contraindicated_unless_lifted() -> None:
    # S-ORG-2 and S-REL-4 yield `clearance` once the test or the specialist advice is recorded.
    c = clearance("S-ORG-2", "S-REL-4", "S-REL-2")
    assert c.covers("S-ORG-2", TODAY)
