"""Pre-session check (P-* rules): may this patient have a session now, and what must be shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from kaatsu_desktop.clinical._tr import TR_CONTEXT
from kaatsu_desktop.clinical.assessment import Assessment, FiredRule
from kaatsu_desktop.clinical.catalog import RULES, Stage
from kaatsu_desktop.clinical.errors import FieldError, PreSessionInputError
from kaatsu_desktop.clinical.screening import RANGES
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.clinical.verdicts import Verdict
from kaatsu_desktop.clinical.vocab import BandSite, values
from kaatsu_desktop.i18n import translate, translate_noop

V = Verdict
T = TR_CONTEXT

MIN_GAP = timedelta(hours=4)  # P-GAP-1 (002: at least 4 h between sessions); a rule, not a setting
BP_LIMIT = (160, 95)  # P-BP-1: today's reading must be below both
BP_CLEARED_LIMIT = (180, 100)  # P-BP-1: below both with an S-BP-2 clearance on file

# fmt: off
MSG_BP_MISSING = translate_noop(T, "Today's seated blood pressure is not recorded.")
MSG_BP_CLEARED = translate_noop(T, "Blood pressure today is 160/95 mmHg or more: session allowed under the S-BP-2 clearance on file.")  # noqa: E501
MSG_SICK_MISSING = translate_noop(T, "Not recorded whether the patient feels unwell today.")
MSG_NOT_HYDRATED = translate_noop(T, "Patient is not hydrated: no session until hydrated.")
MSG_NOT_EXPLAINED = translate_noop(T, "Petechiae and numbness have not been explained to the patient.")  # noqa: E501
MSG_NO_AED = translate_noop(T, "No AED or emergency plan available: no session.")
MSG_NO_SITES = translate_noop(T, "No band site chosen for this session.")
MSG_SITE_WOUND = translate_noop(T, "The screening records a wound under this band site: its band cannot be used.")  # noqa: E501
MSG_NO_SCREENING = translate_noop(T, "No screening on file: no session until a screening is done.")
MSG_SCREENING_OLD = translate_noop(T, "The screening is older than the clinic's validity: a new screening is needed.")  # noqa: E501
MSG_SCREENING_FUTURE = translate_noop(T, "The screening is dated after today: it is not valid.")
MSG_CONTRAINDICATED = translate_noop(T, "The screening's verdict is contraindicated: no session until a new screening.")  # noqa: E501
MSG_NEEDS_CLEARANCE = translate_noop(T, "Physician clearance required: no valid clearance on file for this rule today.")  # noqa: E501
MSG_FLARE_LATER = translate_noop(T, "An arthritis flare was recorded at screening: check that it has settled before the session.")  # noqa: E501
MSG_INCOMPLETE = translate_noop(T, "The screening is incomplete: some rules could not be assessed.")
# fmt: on


@dataclass(frozen=True)
class Clearance:
    """A physician clearance: who, when, why, which rules it covers and when it stops counting."""

    physician: str
    issued_on: date
    note: str
    rules: frozenset[str]
    expires_on: date  # first day on which the clearance no longer counts

    def __post_init__(self) -> None:
        errors = [
            FieldError(k, translate(T, "must not be empty"))
            for k in ("physician", "note")
            if not getattr(self, k).strip()
        ]
        if not self.rules:
            errors.append(FieldError("rules", translate(T, "must name at least one rule")))
        for rule_id in sorted(self.rules):
            spec = RULES.get(rule_id)
            if spec is None or spec.stage is not Stage.SCREENING or not spec.clearable:
                errors.append(
                    FieldError(
                        "rules",
                        translate(T, "{rule} is not a rule a clearance can cover").format(
                            rule=repr(rule_id)
                        ),
                    )
                )
        if self.expires_on <= self.issued_on:
            errors.append(FieldError("expires_on", translate(T, "must be after issued_on")))
        if errors:
            raise PreSessionInputError(errors)

    def covers(self, rule_id: str, day: date) -> bool:
        """True when it names ``rule_id`` and counts on ``day`` (issued_on <= day < expires_on)."""
        return rule_id in self.rules and self.issued_on <= day < self.expires_on


@dataclass(frozen=True)
class ScreeningOnFile:
    """The patient's latest screening: its date and its assessment."""

    assessed_on: date
    assessment: Assessment


@dataclass(frozen=True)
class PreSessionInput:
    """What the clinician records before a session; None means not answered yet."""

    systolic_mmhg: int | None = None  # P-BP-1, seated, today
    diastolic_mmhg: int | None = None
    feels_unwell: bool | None = None  # P-SICK-1
    hydrated: bool | None = None  # P-HYD-1
    explanation_given: bool | None = None  # P-EXPL-1, today
    explanation_recorded_before: bool = False  # P-EXPL-1 was recorded at an earlier session
    aed_available: bool | None = None  # P-AED-1
    sites_in_use: frozenset[BandSite] = frozenset()
    band_fit_confirmed: frozenset[BandSite] = frozenset()  # P-FIT-1, per site
    last_session_ended_at: datetime | None = None  # P-GAP-1

    def __post_init__(self) -> None:
        errors = _input_errors(self)
        if errors:
            raise PreSessionInputError(errors)


@dataclass(frozen=True)
class CheckItem:
    """One line of the check: the rule, its verdict, a declared message and the facts behind it."""

    rule_id: str
    verdict: Verdict
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClearedRule:
    """A screening rule satisfied today by a clearance on file."""

    rule_id: str
    clearance: Clearance


@dataclass(frozen=True)
class PreSessionResult:
    """Outcome: blocking items, missing required items, warnings to show, rules cleared."""

    blocking: tuple[CheckItem, ...]
    missing: tuple[CheckItem, ...]
    warnings: tuple[CheckItem, ...]
    cleared: tuple[ClearedRule, ...]

    @property
    def allowed(self) -> bool:
        """True only when nothing blocks and no required item is missing."""
        return not self.blocking and not self.missing


class _Collector:
    def __init__(self) -> None:
        self.blocking: list[CheckItem] = []
        self.missing: list[CheckItem] = []
        self.warnings: list[CheckItem] = []
        self.cleared: list[ClearedRule] = []

    def block(self, rule_id: str, message: str, **details: Any) -> None:
        self.blocking.append(CheckItem(rule_id, _verdict_of(rule_id), message, details))

    def need(self, rule_id: str, message: str, **details: Any) -> None:
        self.missing.append(CheckItem(rule_id, V.BLOCKED_TODAY, message, details))

    def warn(self, rule_id: str, verdict: Verdict, message: str, **details: Any) -> None:
        self.warnings.append(CheckItem(rule_id, verdict, message, details))

    def result(self) -> PreSessionResult:
        return PreSessionResult(
            tuple(self.blocking), tuple(self.missing), tuple(self.warnings), tuple(self.cleared)
        )


def check_presession(
    inp: PreSessionInput,
    *,
    screening: ScreeningOnFile | None,
    clearances: Iterable[Clearance],
    settings: ClinicSettings,
    now: datetime,
) -> PreSessionResult:
    """Run every P-* rule (and the screening's rules it carries) for a session starting ``now``."""
    today = now.date()
    clearances = tuple(clearances)
    out = _Collector()
    _check_screening(out, screening, clearances, settings, today, inp.sites_in_use)
    _check_blood_pressure(out, inp, clearances, today)
    _check_answers(out, inp)
    _check_gap(out, inp.last_session_ended_at, now)
    return out.result()


def _check_screening(
    out: _Collector,
    screening: ScreeningOnFile | None,
    clearances: tuple[Clearance, ...],
    settings: ClinicSettings,
    today: date,
    sites_in_use: frozenset[BandSite],
) -> None:
    """P-SCR-1, then the screening's own rules: clearances, S-REL-7, S-LIMB-1, cautions."""
    if screening is None:
        out.block("P-SCR-1", MSG_NO_SCREENING)
        return
    age_days = (today - screening.assessed_on).days
    on = {"assessed_on": screening.assessed_on.isoformat()}
    if age_days < 0:
        out.block("P-SCR-1", MSG_SCREENING_FUTURE, **on)
        return
    if age_days > settings.screening_validity_days:
        out.block(
            "P-SCR-1",
            MSG_SCREENING_OLD,
            **on,
            age_days=age_days,
            validity_days=settings.screening_validity_days,
        )
        return
    assessment = screening.assessment
    contraindicated = [r.id for r in assessment.rules if r.verdict is V.CONTRAINDICATED]
    if contraindicated:
        out.block("P-SCR-1", MSG_CONTRAINDICATED, **on, rules=contraindicated)
    for fired in assessment.rules:
        _carry(out, fired, clearances, today, screening.assessed_on)
    for site in values(sites_in_use & set(assessment.blocked_sites), BandSite):
        out.block("S-LIMB-1", MSG_SITE_WOUND, site=site)
    if assessment.not_assessed:
        out.warn("P-SCR-1", V.INFO, MSG_INCOMPLETE, rules=list(assessment.not_assessed))


def _carry(
    out: _Collector,
    fired: FiredRule,
    clearances: tuple[Clearance, ...],
    today: date,
    screened_on: date,
) -> None:
    """What one fired screening rule means today."""
    if fired.verdict is V.CLEARANCE:
        valid = [c for c in clearances if c.covers(fired.id, today)]
        if valid:
            out.cleared.append(ClearedRule(fired.id, max(valid, key=lambda c: c.expires_on)))
        else:
            out.block(fired.id, MSG_NEEDS_CLEARANCE, screening_message=fired.message)
    elif fired.verdict is V.BLOCKED_TODAY:
        # S-REL-7 reading: "no session today" is the screening's own day; later days re-check.
        if today == screened_on:
            out.block(fired.id, fired.message, **fired.inputs)
        else:
            out.warn(fired.id, V.CAUTION, MSG_FLARE_LATER, screened_on=screened_on.isoformat())
    elif fired.verdict <= V.CAUTION:
        out.warn(fired.id, fired.verdict, fired.message, **fired.inputs)


def _check_blood_pressure(
    out: _Collector, inp: PreSessionInput, clearances: tuple[Clearance, ...], today: date
) -> None:
    """P-BP-1: below 160/95; below 180/100 only with an S-BP-2 clearance valid today."""
    systolic, diastolic = inp.systolic_mmhg, inp.diastolic_mmhg
    if systolic is None or diastolic is None:
        out.need("P-BP-1", MSG_BP_MISSING)
        return
    reading = {"systolic_mmhg": systolic, "diastolic_mmhg": diastolic}
    if systolic < BP_LIMIT[0] and diastolic < BP_LIMIT[1]:
        return
    cleared = [c for c in clearances if c.covers("S-BP-2", today)]
    if cleared and systolic < BP_CLEARED_LIMIT[0] and diastolic < BP_CLEARED_LIMIT[1]:
        clearance = max(cleared, key=lambda c: c.expires_on)
        out.warn("P-BP-1", V.CAUTION, MSG_BP_CLEARED, **reading, physician=clearance.physician)
        return
    out.block("P-BP-1", RULES["P-BP-1"].text, **reading)


def _check_answers(out: _Collector, inp: PreSessionInput) -> None:
    """P-SICK-1, P-HYD-1, P-EXPL-1, P-AED-1 and P-FIT-1 per band site in use."""
    if inp.feels_unwell is None:
        out.need("P-SICK-1", MSG_SICK_MISSING)
    elif inp.feels_unwell:
        out.block("P-SICK-1", RULES["P-SICK-1"].text)
    for rule_id, answer, refusal in (
        ("P-HYD-1", inp.hydrated, MSG_NOT_HYDRATED),
        # P-EXPL-1: explained at the first session and recorded once; afterwards satisfied.
        (
            "P-EXPL-1",
            True if inp.explanation_recorded_before else inp.explanation_given,
            MSG_NOT_EXPLAINED,
        ),
        ("P-AED-1", inp.aed_available, MSG_NO_AED),
    ):
        if answer is None:
            out.need(rule_id, RULES[rule_id].text)
        elif not answer:
            out.block(rule_id, refusal)
    if not inp.sites_in_use:
        out.need("P-FIT-1", MSG_NO_SITES)
    for site in values(inp.sites_in_use - inp.band_fit_confirmed, BandSite):
        out.need("P-FIT-1", RULES["P-FIT-1"].text, site=site)


def _check_gap(out: _Collector, ended_at: datetime | None, now: datetime) -> None:
    """P-GAP-1: a caution when the previous session ended less than 4 h before now."""
    if ended_at is None:
        return
    if (ended_at.tzinfo is None) != (now.tzinfo is None):
        raise PreSessionInputError(
            [
                FieldError(
                    "last_session_ended_at",
                    translate(T, "must be timezone-aware exactly when now is"),
                )
            ]
        )
    since = now - ended_at
    # An end time after now (clock trouble) counts as less than 4 h: the stricter side.
    if since < MIN_GAP:
        out.warn(
            "P-GAP-1",
            V.CAUTION,
            RULES["P-GAP-1"].text,
            last_session_ended_at=ended_at.isoformat(),
            minutes_since=int(since.total_seconds() // 60),
        )


def _verdict_of(rule_id: str) -> Verdict:
    """Verdict of a blocking item: `clearance` for a rule that needs one, else the rule's own."""
    spec = RULES[rule_id]
    assert spec.verdict is not None
    if spec.clearable:
        return V.CLEARANCE
    # S-LIMB-1 is a caution on the screening, but a band on a wounded site means no session today.
    return max(spec.verdict, V.BLOCKED_TODAY) if spec.stage is Stage.SCREENING else spec.verdict


def _input_errors(inp: PreSessionInput) -> list[FieldError]:
    errors: list[FieldError] = []
    systolic, diastolic = inp.systolic_mmhg, inp.diastolic_mmhg
    for key, value in (("systolic_mmhg", systolic), ("diastolic_mmhg", diastolic)):
        if value is None:
            continue
        low, high = RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(key, translate(T, "must be an integer")))
        elif not low <= value <= high:
            errors.append(
                FieldError(
                    key,
                    translate(T, "must be between {low} and {high}").format(
                        low=f"{low:g}", high=f"{high:g}"
                    ),
                )
            )
    if (systolic is None) != (diastolic is None):
        missing = "diastolic_mmhg" if diastolic is None else "systolic_mmhg"
        errors.append(
            FieldError(
                missing, translate(T, "required when the other blood pressure value is given")
            )
        )
    elif not errors and systolic is not None and diastolic is not None and diastolic >= systolic:
        errors.append(FieldError("diastolic_mmhg", translate(T, "must be below systolic_mmhg")))
    for key in ("feels_unwell", "hydrated", "explanation_given", "aed_available"):
        if not isinstance(getattr(inp, key), bool | None):
            errors.append(FieldError(key, translate(T, "must be true, false or not answered")))
    if not isinstance(inp.explanation_recorded_before, bool):
        errors.append(
            FieldError("explanation_recorded_before", translate(T, "must be true or false"))
        )
    for key in ("sites_in_use", "band_fit_confirmed"):
        sites = getattr(inp, key)
        if not isinstance(sites, frozenset) or not all(isinstance(s, BandSite) for s in sites):
            errors.append(FieldError(key, translate(T, "must be a frozenset of band sites")))
    if inp.last_session_ended_at is not None and not isinstance(
        inp.last_session_ended_at, datetime
    ):
        errors.append(FieldError("last_session_ended_at", translate(T, "must be a date and time")))
    return errors
