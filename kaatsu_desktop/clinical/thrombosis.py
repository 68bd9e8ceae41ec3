"""Thrombosis risk points (001 Point 5): listed factors plus the derived ones."""

from __future__ import annotations

from decimal import Decimal

from kaatsu_desktop.clinical.assessment import ThrombosisItem
from kaatsu_desktop.clinical.screening import ScreeningInput
from kaatsu_desktop.clinical.vocab import Pregnancy, Sex, ThrombosisFactor, TreatedDisease

TF = ThrombosisFactor

# The 5-point factors: any one of them fires S-DVT-1.
FIVE_POINT = (TF.DVT_HISTORY, TF.HEREDITARY_THROMBOPHILIA, TF.ANTIPHOSPHOLIPID_SYNDROME)

# Scored items made of listed factors, in the source's order. An item named "a or b" in the
# source scores once even when both are present (S-DVT-2 reading).
_LISTED: tuple[tuple[str, int, tuple[ThrombosisFactor, ...]], ...] = (
    *((f.value, 5, (f,)) for f in FIVE_POINT),
    ("varicose_veins", 3, (TF.VARICOSE_VEINS,)),
    ("prolonged_immobility", 3, (TF.PROLONGED_IMMOBILITY,)),
    ("atrial_fibrillation_or_heart_failure", 3, (TF.ATRIAL_FIBRILLATION, TF.HEART_FAILURE)),
    ("malignancy", 2, (TF.MALIGNANCY,)),
    ("lower_limb_tourniquet", 2, (TF.LOWER_LIMB_TOURNIQUET,)),
    ("oral_contraceptives_or_corticosteroids", 2, (TF.ORAL_CONTRACEPTIVES, TF.CORTICOSTEROIDS)),
    ("quadriplegia", 2, (TF.QUADRIPLEGIA,)),
    ("high_haemoglobin", 2, (TF.HIGH_HAEMOGLOBIN,)),
)
# bedridden and post_operative carry no points; they fire S-DVT-3.

BMI_TWO_POINTS = Decimal("30.0")  # "BMI > 30"; 30.0 itself counts too (no gap at 30)
BMI_ONE_POINT = Decimal("25.0")  # "25 < BMI < 30"; 25.0 counts, the stricter side


def thrombosis_items(
    inp: ScreeningInput, age: int, bmi: Decimal, lipid_class: int
) -> tuple[ThrombosisItem, ...]:
    """Every scored factor with its points, strongest first (S-DVT-1, S-DVT-2)."""
    items = [
        ThrombosisItem(name, points)
        for name, points, factors in _LISTED
        if inp.thrombosis_factors & set(factors)
    ]
    if inp.pregnancy is not Pregnancy.NO:
        items.append(ThrombosisItem("pregnancy", 4))
    if TreatedDisease.HYPERLIPIDAEMIA in inp.under_treatment_for or lipid_class > 0:
        items.append(ThrombosisItem("hyperlipidaemia", 2))
    if age > 60:
        items.append(ThrombosisItem("age_over_60", 2))
    elif age >= 40:
        # The source prints 40-58; the rule book widens it to 40-60, the stricter reading.
        items.append(ThrombosisItem("age_40_60", 1))
    if bmi >= BMI_TWO_POINTS:
        items.append(ThrombosisItem("bmi_30_or_more", 2))
    elif bmi >= BMI_ONE_POINT:
        items.append(ThrombosisItem("bmi_25_to_30", 1))
    if inp.sex is Sex.FEMALE:
        items.append(ThrombosisItem("female", 1))
    elif inp.sex is Sex.OTHER:
        # The source scores women only; for `other` the point is kept (stricter reading).
        items.append(ThrombosisItem("sex_other", 1))
    return tuple(sorted(items, key=lambda item: -item.points))
