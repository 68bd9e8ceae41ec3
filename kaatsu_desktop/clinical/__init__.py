"""Clinical rule engine: rule catalog, screening assessment, pre-session check, clinic settings.

Pure Python, no I/O. Rule ids (S-*, P-*, T-*) are those of the rule book, clinical-rules.md.
"""

from kaatsu_desktop.clinical._tr import TR_CONTEXT
from kaatsu_desktop.clinical.assessment import Assessment, FiredRule, ThrombosisItem
from kaatsu_desktop.clinical.catalog import (
    GENERAL_READINGS,
    RULES,
    Requirement,
    RuleSpec,
    Stage,
    rule,
    rules_of,
)
from kaatsu_desktop.clinical.engine import assess, assess_json
from kaatsu_desktop.clinical.errors import (
    ClinicalInputError,
    FieldError,
    PreSessionInputError,
    ScreeningInputError,
    SettingsError,
)
from kaatsu_desktop.clinical.presession import (
    MIN_GAP,
    CheckItem,
    Clearance,
    ClearedRule,
    PreSessionInput,
    PreSessionResult,
    ScreeningOnFile,
    check_presession,
)
from kaatsu_desktop.clinical.screening import (
    ScreeningInput,
    age_on,
    parse_screening,
    parse_screening_text,
)
from kaatsu_desktop.clinical.screening_rules import compute_bmi
from kaatsu_desktop.clinical.settings import ARM_LIMIT_MAX_MIN, LEG_LIMIT_MAX_MIN, ClinicSettings
from kaatsu_desktop.clinical.verdicts import CLEAR, Verdict, overall_label, parse_overall
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
)

__all__ = [
    "ARM_LIMIT_MAX_MIN",
    "CLEAR",
    "GENERAL_READINGS",
    "LEG_LIMIT_MAX_MIN",
    "MIN_GAP",
    "RULES",
    "TR_CONTEXT",
    "AcuteCondition",
    "Assessment",
    "BandSite",
    "CheckItem",
    "Clearance",
    "ClearedRule",
    "ClinicSettings",
    "ClinicalInputError",
    "EcgFinding",
    "FieldError",
    "FiredRule",
    "FundusGrade",
    "History",
    "PreSessionInput",
    "PreSessionInputError",
    "PreSessionResult",
    "Pregnancy",
    "Requirement",
    "RuleSpec",
    "ScreeningInput",
    "ScreeningInputError",
    "ScreeningOnFile",
    "SettingsError",
    "Sex",
    "Stage",
    "Symptom",
    "ThrombosisFactor",
    "ThrombosisItem",
    "TreatedDisease",
    "Verdict",
    "age_on",
    "assess",
    "assess_json",
    "check_presession",
    "compute_bmi",
    "overall_label",
    "parse_overall",
    "parse_screening",
    "parse_screening_text",
    "rule",
    "rules_of",
]
