"""Words for the screening format's keys and vocabularies, as people read them on screen."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_CTX = "Labels"

# Field keys of kaatsu-screening/1 (screening-input.md) and of the patient and clearance forms.
FIELDS: dict[str, str] = {
    "assessed_on": QT_TRANSLATE_NOOP("Labels", "Screening date"),
    "sex": QT_TRANSLATE_NOOP("Labels", "Sex"),
    "date_of_birth": QT_TRANSLATE_NOOP("Labels", "Date of birth"),
    "height_cm": QT_TRANSLATE_NOOP("Labels", "Height (cm)"),
    "weight_kg": QT_TRANSLATE_NOOP("Labels", "Weight (kg)"),
    "systolic_mmhg": QT_TRANSLATE_NOOP("Labels", "Systolic (mmHg)"),
    "diastolic_mmhg": QT_TRANSLATE_NOOP("Labels", "Diastolic (mmHg)"),
    "fasting_glucose_mg_dl": QT_TRANSLATE_NOOP("Labels", "Fasting glucose (mg/dl)"),
    "urinary_ketones_positive": QT_TRANSLATE_NOOP("Labels", "Urinary ketone bodies positive"),
    "diabetic_retinopathy": QT_TRANSLATE_NOOP("Labels", "Diabetic retinopathy"),
    "total_cholesterol_mg_dl": QT_TRANSLATE_NOOP("Labels", "Total cholesterol (mg/dl)"),
    "triglycerides_mg_dl": QT_TRANSLATE_NOOP("Labels", "Triglycerides (mg/dl)"),
    "cardiothoracic_ratio_pct": QT_TRANSLATE_NOOP("Labels", "Cardiothoracic ratio (%)"),
    "ecg_dangerous_arrhythmia_or_ischaemia": QT_TRANSLATE_NOOP(
        "Labels", "ECG: life-threatening arrhythmia or ischaemic change"
    ),
    "exercise_test_confirmed_safe": QT_TRANSLATE_NOOP(
        "Labels", "Exercise tolerance test confirmed safety"
    ),
    "urinary_protein_mg_dl": QT_TRANSLATE_NOOP("Labels", "Urinary protein (mg/dl)"),
    "fundus_hypertensive_grade": QT_TRANSLATE_NOOP("Labels", "Hypertensive fundus change"),
    "under_treatment_for": QT_TRANSLATE_NOOP("Labels", "Under treatment for"),
    "symptoms": QT_TRANSLATE_NOOP("Labels", "Symptoms"),
    "history": QT_TRANSLATE_NOOP("Labels", "Medical history"),
    "family_history_premature_cardiac_event": QT_TRANSLATE_NOOP(
        "Labels",
        "First-degree relative with myocardial infarction or sudden death (male < 55, female < 65)",
    ),
    "ecg_findings": QT_TRANSLATE_NOOP("Labels", "Resting ECG findings"),
    "lifestyle_guidance_needed": QT_TRANSLATE_NOOP(
        "Labels", "Lifestyle guidance needed (exercise, diet, smoking, alcohol)"
    ),
    "acute_conditions": QT_TRANSLATE_NOOP("Labels", "Acute conditions"),
    "pregnancy": QT_TRANSLATE_NOOP("Labels", "Pregnancy"),
    "thrombosis_factors": QT_TRANSLATE_NOOP("Labels", "Thrombosis risk factors"),
    "last_surgery_on": QT_TRANSLATE_NOOP("Labels", "Date of last surgery"),
    "wound_sites": QT_TRANSLATE_NOOP("Labels", "Wounds under a band site"),
    "lower_limb_joint_damage": QT_TRANSLATE_NOOP("Labels", "Lower-limb joint damage"),
    "specialist_advice_recorded": QT_TRANSLATE_NOOP("Labels", "Specialist advice recorded"),
    # patient form
    "clinic_id": QT_TRANSLATE_NOOP("Labels", "Clinic ID"),
    "given_name": QT_TRANSLATE_NOOP("Labels", "Given name"),
    "family_name": QT_TRANSLATE_NOOP("Labels", "Family name"),
    "contact": QT_TRANSLATE_NOOP("Labels", "Contact"),
    "notes": QT_TRANSLATE_NOOP("Labels", "Notes"),
    # clearance form
    "physician": QT_TRANSLATE_NOOP("Labels", "Physician"),
    "issued_on": QT_TRANSLATE_NOOP("Labels", "Date of clearance"),
    "note": QT_TRANSLATE_NOOP("Labels", "Note"),
    "rules": QT_TRANSLATE_NOOP("Labels", "Rules covered"),
    "expires_on": QT_TRANSLATE_NOOP("Labels", "Expires on"),
}

# Items of every closed vocabulary (values are unique across the vocabularies).
ITEMS: dict[str, str] = {
    "female": QT_TRANSLATE_NOOP("Labels", "Female"),
    "male": QT_TRANSLATE_NOOP("Labels", "Male"),
    "other": QT_TRANSLATE_NOOP("Labels", "Other"),
    "no": QT_TRANSLATE_NOOP("Labels", "Not pregnant"),
    "early": QT_TRANSLATE_NOOP("Labels", "Early pregnancy"),
    "late": QT_TRANSLATE_NOOP("Labels", "Late pregnancy"),
    "none": QT_TRANSLATE_NOOP("Labels", "No change"),
    "I": QT_TRANSLATE_NOOP("Labels", "Grade I"),
    "IIa": QT_TRANSLATE_NOOP("Labels", "Grade IIa"),
    "IIb": QT_TRANSLATE_NOOP("Labels", "Grade IIb"),
    "III": QT_TRANSLATE_NOOP("Labels", "Grade III"),
    "IV": QT_TRANSLATE_NOOP("Labels", "Grade IV"),
    "hypertension": QT_TRANSLATE_NOOP("Labels", "Hypertension"),
    "diabetes": QT_TRANSLATE_NOOP("Labels", "Diabetes"),
    "hyperlipidaemia": QT_TRANSLATE_NOOP("Labels", "Hyperlipidaemia"),
    "obesity": QT_TRANSLATE_NOOP("Labels", "Obesity"),
    "chest_pain": QT_TRANSLATE_NOOP("Labels", "Chest pain or discomfort"),
    "palpitation": QT_TRANSLATE_NOOP("Labels", "Palpitation"),
    "shortness_of_breath": QT_TRANSLATE_NOOP("Labels", "Shortness of breath"),
    "dizziness": QT_TRANSLATE_NOOP("Labels", "Dizziness"),
    "fainting": QT_TRANSLATE_NOOP("Labels", "Fainting"),
    "intermittent_claudication": QT_TRANSLATE_NOOP("Labels", "Intermittent claudication"),
    "spondylosis": QT_TRANSLATE_NOOP("Labels", "Spondylosis"),
    "joint_symptoms": QT_TRANSLATE_NOOP("Labels", "Joint symptoms"),
    "cardiovascular_disease": QT_TRANSLATE_NOOP("Labels", "Cardiovascular disease"),
    "orthopaedic_disorder": QT_TRANSLATE_NOOP("Labels", "Orthopaedic disorder"),
    "stroke": QT_TRANSLATE_NOOP("Labels", "Stroke"),
    "cancer": QT_TRANSLATE_NOOP("Labels", "Cancer"),
    "pacemaker": QT_TRANSLATE_NOOP("Labels", "Pacemaker"),
    "lymphectomy": QT_TRANSLATE_NOOP("Labels", "Lymphectomy"),
    "controlled_hypertension": QT_TRANSLATE_NOOP("Labels", "Controlled hypertension"),
    "severe_hypertension": QT_TRANSLATE_NOOP("Labels", "Severe hypertension"),
    "haemodynamically_unstable": QT_TRANSLATE_NOOP("Labels", "Haemodynamically unstable"),
    "reduced_cardiac_function": QT_TRANSLATE_NOOP("Labels", "Markedly reduced cardiac function"),
    "anticoagulant_therapy": QT_TRANSLATE_NOOP("Labels", "Anticoagulant therapy"),
    "thrombocytopenia": QT_TRANSLATE_NOOP("Labels", "Thrombocytopenia"),
    "arthritis_flare": QT_TRANSLATE_NOOP("Labels", "Uncontrolled arthritis flare"),
    "old_mi": QT_TRANSLATE_NOOP("Labels", "Old myocardial infarction"),
    "st_t_abnormality": QT_TRANSLATE_NOOP("Labels", "ST-T abnormality"),
    "ventricular_arrhythmia": QT_TRANSLATE_NOOP("Labels", "Ventricular arrhythmia"),
    "other_important": QT_TRANSLATE_NOOP("Labels", "Other important finding"),
    "dvt": QT_TRANSLATE_NOOP("Labels", "Acute deep vein thrombosis"),
    "pulmonary_embolism": QT_TRANSLATE_NOOP("Labels", "Pulmonary embolism"),
    "infection": QT_TRANSLATE_NOOP("Labels", "Acute infection"),
    "venous_return_prohibited": QT_TRANSLATE_NOOP("Labels", "Increased venous return prohibited"),
    "dvt_history": QT_TRANSLATE_NOOP("Labels", "History of DVT"),
    "hereditary_thrombophilia": QT_TRANSLATE_NOOP("Labels", "Hereditary thrombotic tendency"),
    "antiphospholipid_syndrome": QT_TRANSLATE_NOOP("Labels", "Antiphospholipid syndrome"),
    "varicose_veins": QT_TRANSLATE_NOOP("Labels", "Varicose veins of the legs"),
    "prolonged_immobility": QT_TRANSLATE_NOOP("Labels", "Prolonged immobility"),
    "atrial_fibrillation": QT_TRANSLATE_NOOP("Labels", "Atrial fibrillation"),
    "heart_failure": QT_TRANSLATE_NOOP("Labels", "Heart failure"),
    "malignancy": QT_TRANSLATE_NOOP("Labels", "Malignancy"),
    "lower_limb_tourniquet": QT_TRANSLATE_NOOP("Labels", "Lower-limb tourniquet use"),
    "oral_contraceptives": QT_TRANSLATE_NOOP("Labels", "Oral contraceptives"),
    "corticosteroids": QT_TRANSLATE_NOOP("Labels", "Corticosteroids"),
    "quadriplegia": QT_TRANSLATE_NOOP("Labels", "Quadriplegia"),
    "high_haemoglobin": QT_TRANSLATE_NOOP("Labels", "High haemoglobin"),
    "bedridden": QT_TRANSLATE_NOOP("Labels", "Bedridden"),
    "post_operative": QT_TRANSLATE_NOOP("Labels", "Post-operative"),
    "left_arm": QT_TRANSLATE_NOOP("Labels", "Left arm"),
    "right_arm": QT_TRANSLATE_NOOP("Labels", "Right arm"),
    "left_leg": QT_TRANSLATE_NOOP("Labels", "Left leg"),
    "right_leg": QT_TRANSLATE_NOOP("Labels", "Right leg"),
    # Scored thrombosis items of the assessment (001 Point 5).
    "atrial_fibrillation_or_heart_failure": QT_TRANSLATE_NOOP(
        "Labels", "Atrial fibrillation or heart failure"
    ),
    "oral_contraceptives_or_corticosteroids": QT_TRANSLATE_NOOP(
        "Labels", "Oral contraceptives or corticosteroids"
    ),
    "pregnancy": QT_TRANSLATE_NOOP("Labels", "Pregnancy"),
    "age_over_60": QT_TRANSLATE_NOOP("Labels", "Age over 60"),
    "age_40_60": QT_TRANSLATE_NOOP("Labels", "Age 40 to 60"),
    "bmi_30_or_more": QT_TRANSLATE_NOOP("Labels", "BMI 30 or more"),
    "bmi_25_to_30": QT_TRANSLATE_NOOP("Labels", "BMI 25 to under 30"),
    "sex_other": QT_TRANSLATE_NOOP("Labels", "Sex recorded as other"),
}


def field_label(key: str) -> str:
    """Label of a form field by its key (the key itself when none is declared)."""
    text = FIELDS.get(key)
    return QCoreApplication.translate(_CTX, text) if text else key


def item_label(value: str) -> str:
    """Label of a vocabulary item or thrombosis item (the value itself when none is declared)."""
    text = ITEMS.get(value)
    return QCoreApplication.translate(_CTX, text) if text else value
