"""Closed vocabularies of the screening format (kaatsu-screening/1), as string enums."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

E = TypeVar("E", bound=enum.Enum)


class Sex(enum.StrEnum):
    """Sex as recorded on the screening."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Pregnancy(enum.StrEnum):
    """Pregnancy state (S-REL-2); ordered no < early < late."""

    NO = "no"
    EARLY = "early"
    LATE = "late"


class FundusGrade(enum.StrEnum):
    """Hypertensive fundus change (S-ORG-3); ordered none < I < IIa < IIb < III < IV."""

    NONE = "none"
    I = "I"  # noqa: E741 - the grade's own name
    IIA = "IIa"
    IIB = "IIb"
    III = "III"
    IV = "IV"

    @property
    def above_iib(self) -> bool:
        """True for grades above IIb (S-ORG-3)."""
        return self in (FundusGrade.III, FundusGrade.IV)


class TreatedDisease(enum.StrEnum):
    """Lifestyle disease under treatment (S-AGE-1)."""

    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"
    HYPERLIPIDAEMIA = "hyperlipidaemia"
    OBESITY = "obesity"


class Symptom(enum.StrEnum):
    """Subjective symptom (Table 1, S-T1-1..3)."""

    CHEST_PAIN = "chest_pain"
    PALPITATION = "palpitation"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    DIZZINESS = "dizziness"
    FAINTING = "fainting"
    INTERMITTENT_CLAUDICATION = "intermittent_claudication"
    SPONDYLOSIS = "spondylosis"
    JOINT_SYMPTOMS = "joint_symptoms"


class History(enum.StrEnum):
    """Medical history item (S-T1, S-REL)."""

    CARDIOVASCULAR_DISEASE = "cardiovascular_disease"
    ORTHOPAEDIC_DISORDER = "orthopaedic_disorder"
    STROKE = "stroke"
    CANCER = "cancer"
    PACEMAKER = "pacemaker"
    LYMPHECTOMY = "lymphectomy"
    CONTROLLED_HYPERTENSION = "controlled_hypertension"
    SEVERE_HYPERTENSION = "severe_hypertension"
    HAEMODYNAMICALLY_UNSTABLE = "haemodynamically_unstable"
    REDUCED_CARDIAC_FUNCTION = "reduced_cardiac_function"
    ANTICOAGULANT_THERAPY = "anticoagulant_therapy"
    THROMBOCYTOPENIA = "thrombocytopenia"
    ARTHRITIS_FLARE = "arthritis_flare"


class EcgFinding(enum.StrEnum):
    """Resting ECG finding (S-T1-6)."""

    OLD_MI = "old_mi"
    ST_T_ABNORMALITY = "st_t_abnormality"
    VENTRICULAR_ARRHYTHMIA = "ventricular_arrhythmia"
    OTHER_IMPORTANT = "other_important"


class AcuteCondition(enum.StrEnum):
    """Acute condition (S-ABS-1..4)."""

    DVT = "dvt"
    PULMONARY_EMBOLISM = "pulmonary_embolism"
    INFECTION = "infection"
    VENOUS_RETURN_PROHIBITED = "venous_return_prohibited"


class ThrombosisFactor(enum.StrEnum):
    """Listed thrombosis risk factor (001 Point 5); derived factors are not listed here."""

    DVT_HISTORY = "dvt_history"
    HEREDITARY_THROMBOPHILIA = "hereditary_thrombophilia"
    ANTIPHOSPHOLIPID_SYNDROME = "antiphospholipid_syndrome"
    VARICOSE_VEINS = "varicose_veins"
    PROLONGED_IMMOBILITY = "prolonged_immobility"
    ATRIAL_FIBRILLATION = "atrial_fibrillation"
    HEART_FAILURE = "heart_failure"
    MALIGNANCY = "malignancy"
    LOWER_LIMB_TOURNIQUET = "lower_limb_tourniquet"
    ORAL_CONTRACEPTIVES = "oral_contraceptives"
    CORTICOSTEROIDS = "corticosteroids"
    QUADRIPLEGIA = "quadriplegia"
    HIGH_HAEMOGLOBIN = "high_haemoglobin"
    BEDRIDDEN = "bedridden"
    POST_OPERATIVE = "post_operative"


class BandSite(enum.StrEnum):
    """Where a band sits (S-LIMB-1, P-FIT-1)."""

    LEFT_ARM = "left_arm"
    RIGHT_ARM = "right_arm"
    LEFT_LEG = "left_leg"
    RIGHT_LEG = "right_leg"

    @property
    def is_arm(self) -> bool:
        """True for an upper-limb site."""
        return self in (BandSite.LEFT_ARM, BandSite.RIGHT_ARM)

    @property
    def is_leg(self) -> bool:
        """True for a lower-limb site."""
        return not self.is_arm


def ordered(items: Iterable[E], enum_cls: type[E]) -> list[E]:
    """Items in the enum's declaration order (stable output for sets)."""
    order = {member: i for i, member in enumerate(enum_cls)}
    return sorted(set(items), key=order.__getitem__)


def values(items: Iterable[enum.Enum], enum_cls: type[enum.Enum]) -> list[str]:
    """String values of ``items`` in declaration order (for JSON)."""
    return [str(m.value) for m in ordered(items, enum_cls)]
