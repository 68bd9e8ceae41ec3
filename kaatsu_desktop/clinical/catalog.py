# ruff: noqa: E501 - rule texts stay one literal each, so that each is one translatable string
"""The rule catalog: every rule of the rule book (S-*, P-*, T-*) declared once, with its reading.

Texts are declared with ``translate_noop`` and stored in English; show them through
``translate(TR_CONTEXT, text)``. ``reading`` records how an ambiguous rule is read here; where the
book leaves room, the stricter reading is taken (a milder one would be a safety bug).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kaatsu_desktop.clinical._tr import TR_CONTEXT
from kaatsu_desktop.clinical.verdicts import Verdict
from kaatsu_desktop.i18n import translate_noop

_ID_RE = re.compile(r"^(?P<group>[SPT]-[A-Z0-9]+)-(?P<n>\d+)$")

V = Verdict


class Stage(enum.StrEnum):
    """When a rule applies."""

    SCREENING = "screening"
    PRE_SESSION = "pre-session"
    SESSION = "session"


class Requirement(enum.StrEnum):
    """How a rule without its own verdict acts."""

    REQUIRED = "required"  # pre-session item that must be confirmed; unmet: no session today
    ENFORCED = "enforced"  # enforced by the session engine while the bands are on


_STAGES = {"S": Stage.SCREENING, "P": Stage.PRE_SESSION, "T": Stage.SESSION}


@dataclass(frozen=True)
class RuleSpec:
    """One rule of the book: id, possible verdicts, source, text and the reading taken here."""

    id: str
    verdicts: tuple[Verdict, ...]
    source: str
    text: str
    requirement: Requirement | None = None
    reading: str = ""

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")
        if not self.verdicts and self.requirement is None:
            raise ValueError(f"{self.id}: a rule needs a verdict or a requirement")

    @property
    def group(self) -> str:
        """The id without its number, e.g. ``S-BP`` for ``S-BP-2``."""
        match = _ID_RE.match(self.id)
        assert match is not None  # checked in __post_init__
        return match["group"]

    @property
    def stage(self) -> Stage:
        """Screening, pre-session or session, from the id's first letter."""
        return _STAGES[self.id[0]]

    @property
    def verdict(self) -> Verdict | None:
        """The strongest verdict the rule can yield (None for enforced session rules)."""
        return max(self.verdicts) if self.verdicts else None

    @property
    def effect(self) -> str:
        """What the rule table prints in its verdict column."""
        if self.requirement is not None:
            return self.requirement.value
        return " / ".join(v.value for v in self.verdicts)

    @property
    def clearable(self) -> bool:
        """True when a physician clearance can satisfy this rule (it can yield `clearance`)."""
        return Verdict.CLEARANCE in self.verdicts


def _r(
    rule_id: str,
    verdicts: tuple[Verdict, ...],
    source: str,
    text: str,
    reading: str = "",
    requirement: Requirement | None = None,
) -> RuleSpec:
    return RuleSpec(rule_id, verdicts, source, text, requirement, reading)


_REQ = Requirement.REQUIRED
_ENF = Requirement.ENFORCED

# fmt: off
_SCREENING = (
    _r("S-BP-1", (V.CAUTION,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Seated blood pressure 140-159 mmHg systolic or 90-94 mmHg diastolic: indication, watch the blood pressure."),
       reading=translate_noop(TR_CONTEXT, "Systolic and diastolic are classed separately; only the stronger blood-pressure class fires."),
    ),
    _r("S-BP-2", (V.CLEARANCE,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Seated blood pressure 160-179 mmHg systolic or 95-99 mmHg diastolic: conditional indication, physician clearance required."),
    ),
    _r("S-BP-3", (V.CONTRAINDICATED,), "001 Table 2 and text",
       translate_noop(TR_CONTEXT, "Seated blood pressure 180 mmHg systolic or more, or 100 mmHg diastolic or more: contraindicated."),
    ),
    _r("S-ORG-1", (V.CONTRAINDICATED,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Cardiothoracic ratio of 55 % or more on chest X-ray: contraindicated."),
    ),
    _r("S-ORG-2", (V.CLEARANCE, V.CONTRAINDICATED), "001 Table 2",
       translate_noop(TR_CONTEXT, "Life-threatening arrhythmia or ischaemic change on ECG: contraindicated unless an exercise tolerance test confirmed safety, then physician clearance required."),
       reading=translate_noop(TR_CONTEXT, "An exercise test that is not recorded counts as not done: contraindicated."),
    ),
    _r("S-ORG-3", (V.CONTRAINDICATED,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Urinary protein of 100 mg/dl or more, or hypertensive fundus change above grade IIb: contraindicated."),
    ),
    _r("S-DM-1", (V.CAUTION,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Fasting glucose 110-139 mg/dl: indication, watch the glucose."),
       reading=translate_noop(TR_CONTEXT, "A value between two printed ranges belongs to the stronger one: S-DM-1 above 109, S-DM-2 above 139, S-DM-3 above 249 mg/dl; only the stronger class fires."),
    ),
    _r("S-DM-2", (V.CLEARANCE,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Fasting glucose 140-249 mg/dl: conditional indication, physician clearance required."),
    ),
    _r("S-DM-3", (V.CONTRAINDICATED,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Fasting glucose 250 mg/dl or more, urinary ketone bodies positive, or diabetic retinopathy: contraindicated."),
    ),
    _r("S-LIP-1", (V.CAUTION,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Total cholesterol 220-249 mg/dl or triglycerides 150-299 mg/dl: indication."),
       reading=translate_noop(TR_CONTEXT, "A value between two printed ranges belongs to the stronger one (total cholesterol above 219 and 249, triglycerides above 149 and 299 mg/dl); only the stronger class fires."),
    ),
    _r("S-LIP-2", (V.CLEARANCE,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Total cholesterol 250 mg/dl or more, or triglycerides 300 mg/dl or more: physician clearance required."),
    ),
    _r("S-BMI-1", (V.CAUTION,), "001 Table 2",
       translate_noop(TR_CONTEXT, "BMI 24.0-29.9: indication."),
       reading=translate_noop(TR_CONTEXT, "BMI is computed exactly in decimal from height and weight, rounded half up to 0.1, and the rounded value is compared, so the verdict always matches the BMI shown."),
    ),
    _r("S-BMI-2", (V.CLEARANCE,), "001 Table 2 and text",
       translate_noop(TR_CONTEXT, "BMI 30 or more: physician clearance required; examine for coexisting ischaemic heart disease."),
    ),
    _r("S-BMI-3", (V.CLEARANCE,), "001 Table 2",
       translate_noop(TR_CONTEXT, "BMI 24.0 or more with lower-limb joint damage: physician clearance required; orthopaedic examination; leg exercise restricted."),
       reading=translate_noop(TR_CONTEXT, "The book says 24.0-29.9; it also fires at 30 or more, so a heavier patient never loses the orthopaedic restriction. With joint damage it replaces S-BMI-1."),
    ),
    _r("S-AGE-1", (V.CAUTION,), "001 Table 2",
       translate_noop(TR_CONTEXT, "Man over 40 or woman over 50 under treatment for hypertension, diabetes, hyperlipidaemia or obesity: exercise tolerance test advised."),
       reading=translate_noop(TR_CONTEXT, "Age is in completed years on the screening date (over 40 means 41 or older); sex `other` takes the lower threshold, 40."),
    ),
    _r("S-T1-1", (V.CLEARANCE,), "001 Table 1",
       translate_noop(TR_CONTEXT, "Chest pain or discomfort, palpitation or shortness of breath: exercise tolerance test, physician clearance required."),
    ),
    _r("S-T1-2", (V.CLEARANCE,), "001 Table 1",
       translate_noop(TR_CONTEXT, "Dizziness, fainting or intermittent claudication: exercise tolerance test, physician clearance required."),
    ),
    _r("S-T1-3", (V.CAUTION,), "001 Table 1",
       translate_noop(TR_CONTEXT, "Spondylosis or joint symptoms, or an orthopaedic disorder: orthopaedic examination and guidance."),
    ),
    _r("S-T1-4", (V.CLEARANCE,), "001 Table 1",
       translate_noop(TR_CONTEXT, "History of cardiovascular disease: exercise tolerance test, physician clearance required."),
    ),
    _r("S-T1-5", (V.CLEARANCE,), "001 Table 1",
       translate_noop(TR_CONTEXT, "First-degree relative with myocardial infarction or sudden death (male under 55, female under 65): exercise tolerance test, physician clearance required."),
    ),
    _r("S-T1-6", (V.CLEARANCE,), "001 Table 1",
       translate_noop(TR_CONTEXT, "Resting ECG finding (old myocardial infarction, ST-T abnormality, ventricular arrhythmia or another important finding): exercise tolerance test, physician clearance required."),
    ),
    _r("S-T1-7", (V.INFO,), "001 Table 1",
       translate_noop(TR_CONTEXT, "Lifestyle habits (exercise, diet, smoking, alcohol): lifestyle guidance."),
    ),
    _r("S-ABS-1", (V.CONTRAINDICATED,), "000",
       translate_noop(TR_CONTEXT, "Acute deep vein thrombosis: contraindicated."),
    ),
    _r("S-ABS-2", (V.CONTRAINDICATED,), "000",
       translate_noop(TR_CONTEXT, "Pulmonary embolism: contraindicated."),
    ),
    _r("S-ABS-3", (V.CONTRAINDICATED,), "000, 003",
       translate_noop(TR_CONTEXT, "Acute infection: contraindicated."),
    ),
    _r("S-ABS-4", (V.CONTRAINDICATED,), "000",
       translate_noop(TR_CONTEXT, "A condition in which increased venous return is prohibited: contraindicated."),
    ),
    _r("S-REL-1", (V.CLEARANCE,), "000",
       translate_noop(TR_CONTEXT, "Controlled hypertension, lymphectomy or cardiovascular history: physician clearance required; use lower pressure."),
    ),
    _r("S-REL-2", (V.CLEARANCE, V.CONTRAINDICATED), "000, 001 Point 5",
       translate_noop(TR_CONTEXT, "Pregnancy: physician clearance required in early pregnancy; late pregnancy is contraindicated."),
    ),
    _r("S-REL-3", (V.CLEARANCE,), "000 item 10",
       translate_noop(TR_CONTEXT, "Cardiovascular disease, stroke history, cancer, severe hypertension or pacemaker: physician clearance required."),
    ),
    _r("S-REL-4", (V.CLEARANCE, V.CONTRAINDICATED), "001 Point 6",
       translate_noop(TR_CONTEXT, "Haemodynamically unstable: contraindicated unless specialist advice is recorded, then physician clearance required."),
       reading=translate_noop(TR_CONTEXT, "Recorded specialist advice lifts the rule to `clearance`, never to clear; advice that is not recorded counts as absent."),
    ),
    _r("S-REL-5", (V.CLEARANCE,), "001 section III",
       translate_noop(TR_CONTEXT, "Markedly reduced cardiac pumping function: physician clearance required; reduce pressure; consider upper limbs only or one side."),
    ),
    _r("S-REL-6", (V.CAUTION,), "001 Point 4",
       translate_noop(TR_CONTEXT, "Anticoagulant therapy or thrombocytopenia: watch for petechiae; stop if serious."),
    ),
    _r("S-REL-7", (V.BLOCKED_TODAY,), "003",
       translate_noop(TR_CONTEXT, "Uncontrolled arthritis flare: no session today."),
       reading=translate_noop(TR_CONTEXT, "The pre-session check blocks the screening's own day; on later days it shows the flare as a caution to be re-checked."),
    ),
    _r("S-SURG-1", (V.CONTRAINDICATED,), "000",
       translate_noop(TR_CONTEXT, "Surgery less than 24 hours ago: contraindicated."),
       reading=translate_noop(TR_CONTEXT, "Dates carry no time of day, so surgery on the screening date or the day before (0 or 1 days) may be less than 24 hours ago: both are read as S-SURG-1."),
    ),
    _r("S-SURG-2", (V.CLEARANCE,), "000",
       translate_noop(TR_CONTEXT, "Surgery 24 hours to 7 days ago: physician clearance required; the incision must be stable."),
       reading=translate_noop(TR_CONTEXT, "2 to 7 calendar days before the screening date (surely 24 hours or more); 8 days or more: no rule fires. A surgery date after the screening date is an input error."),
    ),
    _r("S-LIMB-1", (V.CAUTION,), "000 item 11",
       translate_noop(TR_CONTEXT, "Wound, healing cut or surgical site under a band position: that band site is blocked; other limbs are unaffected."),
       reading=translate_noop(TR_CONTEXT, "The screening lists the site in blocked_sites with a caution; the pre-session check blocks a session that uses it."),
    ),
    _r("S-DVT-1", (V.CONTRAINDICATED,), "001 Point 5",
       translate_noop(TR_CONTEXT, "Thrombosis risk factor worth 5 points (history of DVT, hereditary thrombotic tendency, antiphospholipid antibody syndrome): should be avoided, contraindicated."),
    ),
    _r("S-DVT-2", (V.CLEARANCE,), "001 Point 5",
       translate_noop(TR_CONTEXT, "Thrombosis risk points at or above the clinic's review threshold: physician clearance required."),
       reading=translate_noop(TR_CONTEXT, "Points: age over 60 (61 or older) 2, age 40-60 1; female 1 (sex `other` also 1); BMI 30.0 or more 2, 25.0-29.9 1 (rounded BMI); atrial fibrillation or heart failure is one 3-point item, oral contraceptives or corticosteroids one 2-point item; bedridden and post-operative carry no points (S-DVT-3)."),
    ),
    _r("S-DVT-3", (V.CAUTION,), "001 Point 7.8, Point 5",
       translate_noop(TR_CONTEXT, "Age over 60, bedridden or post-operative: venous thrombosis may pre-exist; consider ultrasound."),
    ),
)

_PRE_SESSION = (
    _r("P-BP-1", (V.CAUTION, V.BLOCKED_TODAY), "001 Point 7.9, Table 2",
       translate_noop(TR_CONTEXT, "Seated blood pressure today must be below 160 mmHg systolic and below 95 mmHg diastolic; below 180/100 mmHg only with an S-BP-2 clearance on file."),
       reading=translate_noop(TR_CONTEXT, "A session under the S-BP-2 clearance is allowed with a caution; a missing reading is a missing required item."),
    ),
    _r("P-SICK-1", (V.BLOCKED_TODAY,), "001 Point 7.12",
       translate_noop(TR_CONTEXT, "Patient feels sick or unwell today: no session today."),
    ),
    _r("P-HYD-1", (V.BLOCKED_TODAY,), "000 item 1; 001 rhabdomyolysis note",
       translate_noop(TR_CONTEXT, "Patient is hydrated."),
       requirement=_REQ,
    ),
    _r("P-EXPL-1", (V.BLOCKED_TODAY,), "001 Point 4, Point 7.4",
       translate_noop(TR_CONTEXT, "Petechiae and numbness explained to the patient (first session, then recorded once)."),
       requirement=_REQ,
    ),
    _r("P-AED-1", (V.BLOCKED_TODAY,), "001 Point 7.10",
       translate_noop(TR_CONTEXT, "AED and emergency plan available."),
       requirement=_REQ,
    ),
    _r("P-FIT-1", (V.BLOCKED_TODAY,), "000 item 2",
       translate_noop(TR_CONTEXT, "Band tightness checked for every band in use: one finger, two or three for sensitive skin."),
       requirement=_REQ,
    ),
    _r("P-GAP-1", (V.CAUTION,), "002",
       translate_noop(TR_CONTEXT, "Previous session of this patient ended less than 4 hours ago."),
       reading=translate_noop(TR_CONTEXT, "Exactly 4 hours is not less than 4 hours; an end time later than now counts as less."),
    ),
    _r("P-SCR-1", (V.CONTRAINDICATED,), "this rule book",
       translate_noop(TR_CONTEXT, "No screening on file, the screening is older than the clinic's validity, or its verdict is contraindicated: no session until a new screening."),
       reading=translate_noop(TR_CONTEXT, "A screening is valid up to and including its validity day count; one dated after today is not valid. Rules the screening could not assess are shown, not blocking."),
    ),
)

_SESSION = (
    _r("T-ORD-1", (), "000 item 7",
       translate_noop(TR_CONTEXT, "Arms first, then legs: the leg phase opens only after the arm phase has ended or was skipped with a recorded reason; once the leg phase has begun, arm bands cannot be inflated again in this session."),
       requirement=_ENF,
    ),
    _r("T-ORD-2", (), "000 item 7",
       translate_noop(TR_CONTEXT, "Arm and leg bands are never inflated at the same time: leg inflation is refused while any arm channel reads above the residual-pressure threshold, and the clinician confirms the arm bands are off."),
       requirement=_ENF,
    ),
    _r("T-TIME-1", (), "001 Point 7.11",
       translate_noop(TR_CONTEXT, "Upper limbs: warning at 10 minutes of restriction time, automatic release of the arm bands at 15 minutes."),
       requirement=_ENF,
    ),
    _r("T-TIME-2", (), "001 Point 7.11",
       translate_noop(TR_CONTEXT, "Lower limbs: warning at 15 minutes, automatic release of the leg bands at 20 minutes."),
       requirement=_ENF,
    ),
    _r("T-TIME-3", (), "001 Point 1",
       translate_noop(TR_CONTEXT, "Restriction time counts from the first inflation of the limb group and keeps running through cycle deflations; pausing does not reset it."),
       requirement=_ENF,
    ),
    _r("T-REL-1", (), "000 item 9; 001 Point 7.12",
       translate_noop(TR_CONTEXT, "One action releases every band at once: a button always visible and a keyboard shortcut, no confirmation dialog; the release is logged with the time and the reason."),
       requirement=_ENF,
    ),
    _r("T-REL-2", (), "000 item 9",
       translate_noop(TR_CONTEXT, "Stop criteria offered as one-click release reasons: discomfort, dizziness, cold or clammy limbs, numbness, unfavourable skin colour."),
       requirement=_ENF,
    ),
    _r("T-SKIN-1", (), "000 item 6",
       translate_noop(TR_CONTEXT, "Skin colour is recorded per limb: pink or rosy is the target; red-purple, white, grey or blue raise an alarm that proposes release."),
       requirement=_ENF,
    ),
    _r("T-MODE-1", (), "000 items 3-4",
       translate_noop(TR_CONTEXT, "New users (no completed session) and patients whose screening is not fully clear use Cycle or Progressive Cycle mode at low pressure only; Constant mode is refused for them."),
       requirement=_ENF,
    ),
    _r("T-SETS-1", (), "000 item 5",
       translate_noop(TR_CONTEXT, "First session: one cycle set per limb; later sessions at most three sets per limb."),
       requirement=_ENF,
    ),
    _r("T-LOAD-1", (), "001 Point 1; 002; 003",
       translate_noop(TR_CONTEXT, "Low-intensity exercise only (about 20-30 % of 1-RM); the session notes the exercise and load."),
       requirement=_ENF,
    ),
)

# Readings that apply to several rules; printed with the rule table.
GENERAL_READINGS: tuple[str, ...] = (
    translate_noop(TR_CONTEXT, "An optional input that is missing is never read as normal: its rules are listed under not_assessed unless they fired on the inputs that are present."),
    translate_noop(TR_CONTEXT, "A clearance counts from its issue date up to the day before its expiry date, and only for the rule ids it names."),
    translate_noop(TR_CONTEXT, "An optional screening key given as null counts as absent; a required key given as null is an input error (last_surgery_on may be null)."),
)
# fmt: on

RULES: Mapping[str, RuleSpec] = MappingProxyType(
    {spec.id: spec for spec in (*_SCREENING, *_PRE_SESSION, *_SESSION)}
)
if len(RULES) != len(_SCREENING) + len(_PRE_SESSION) + len(_SESSION):
    raise RuntimeError("duplicate rule id in the catalog")


def rule(rule_id: str) -> RuleSpec:
    """The rule with this id; KeyError naming the id when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def rules_of(stage: Stage) -> tuple[RuleSpec, ...]:
    """Rules of one stage, in rule-book order."""
    return tuple(spec for spec in RULES.values() if spec.stage is stage)
