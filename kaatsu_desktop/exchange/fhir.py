"""A patient as an HL7 FHIR R4 Bundle, built and validated with the fhir.resources models.

fhir.resources ships R4B (4.3) models, the technical correction of R4 (4.0.1): the resources used
here are the same in both (Patient, Observation and Bundle are normative in R4 and unchanged;
Procedure did not change in R4B), so the Bundle is valid R4. Every resource is a model instance,
so the library checks required fields, types and cardinalities while the Bundle is built.

What goes in (a "collection" Bundle, entries with ``urn:uuid`` full URLs that are stable from
one export to the next):

- Patient: clinic id as identifier (system PATIENT_ID_SYSTEM), name, gender, birth date, active
  (not archived). Free-text contact and clinical notes are not exported: FHIR has no place for
  unstructured contact text, and notes stay in the clinic.
- Per screening, dated on its day: blood pressure (LOINC 85354-9 panel with systolic 8480-6 and
  diastolic 8462-4, mm[Hg]), BMI (39156-5, kg/m2, as the screening computed it), body height
  (8302-2, cm), body weight (29463-7, kg), and when recorded fasting glucose (1558-6), total
  cholesterol (2093-3) and triglycerides (2571-8), in mg/dL. Units are UCUM.
- Per session, a Procedure: status (completed, in-progress, or stopped with the end reason),
  performed period, and a note with the protocol, restriction time per limb group and device.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from kaatsu_desktop.exchange.patient_json import PatientRecord
from kaatsu_desktop.storage import ScreeningRecord, SessionRecord, SessionStatus

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PATIENT_ID_SYSTEM = "urn:kaatsu-desktop:clinic-id"  # a clinic may map it to its own URI
PROCEDURE_SYSTEM = "urn:kaatsu-desktop:procedure"
PROCEDURE_CODE = "kaatsu-session"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kaatsu-desktop")

# Screening input key -> (LOINC code, display, UCUM unit, category).
MEASURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("height_cm", "8302-2", "Body height", "cm", "vital-signs"),
    ("weight_kg", "29463-7", "Body weight", "kg", "vital-signs"),
    ("fasting_glucose_mg_dl", "1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma",
     "mg/dL", "laboratory"),
    ("total_cholesterol_mg_dl", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma",
     "mg/dL", "laboratory"),
    ("triglycerides_mg_dl", "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma",
     "mg/dL", "laboratory"),
)  # fmt: skip
PROCEDURE_STATUS = {
    SessionStatus.RUNNING: "in-progress",
    SessionStatus.COMPLETED: "completed",
    SessionStatus.ABORTED: "stopped",
    SessionStatus.INTERRUPTED: "stopped",
}


def resource_uuid(*parts: object) -> str:
    """A stable urn:uuid for one resource of one patient."""
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _loinc(code: str, display: str) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=LOINC, code=code, display=display)], text=display)


def _category(code: str) -> list[CodeableConcept]:
    display = "Vital Signs" if code == "vital-signs" else "Laboratory"
    return [CodeableConcept(coding=[Coding(system=CATEGORY, code=code, display=display)])]


def _quantity(value: float, unit: str) -> Quantity:
    return Quantity(value=value, unit=unit, system=UCUM, code=unit)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def fhir_patient(record: PatientRecord) -> FhirPatient:
    """The Patient resource."""
    p = record.patient
    return FhirPatient(
        identifier=[Identifier(system=PATIENT_ID_SYSTEM, value=p.clinic_id)],
        active=not p.archived,
        name=[HumanName(use="official", family=p.family_name, given=[p.given_name])],
        gender=p.sex.value,
        birthDate=p.date_of_birth.isoformat(),
    )


def screening_observations(
    screening: ScreeningRecord, subject: Reference, key: str
) -> list[tuple[str, Observation]]:
    """(full URL, Observation) for each measurement of one screening."""
    inp: Mapping[str, Any] = screening.input
    day = screening.assessed_on.isoformat()
    out: list[tuple[str, Observation]] = []

    def add(name: str, code: CodeableConcept, category: str, **value: Any) -> None:
        observation = Observation(
            status="final",
            category=_category(category),
            code=code,
            subject=subject,
            effectiveDateTime=day,
            **value,
        )
        out.append((resource_uuid(key, "screening", screening.id, name), observation))

    systolic, diastolic = _number(inp.get("systolic_mmhg")), _number(inp.get("diastolic_mmhg"))
    if systolic is not None and diastolic is not None:
        add(
            "bp",
            _loinc("85354-9", "Blood pressure panel with all children optional"),
            "vital-signs",
            component=[
                ObservationComponent(
                    code=_loinc("8480-6", "Systolic blood pressure"),
                    valueQuantity=_quantity(systolic, "mm[Hg]"),
                ),
                ObservationComponent(
                    code=_loinc("8462-4", "Diastolic blood pressure"),
                    valueQuantity=_quantity(diastolic, "mm[Hg]"),
                ),
            ],
        )
    bmi = _number(screening.assessment.get("bmi"))
    if bmi is not None:
        add(
            "bmi",
            _loinc("39156-5", "Body mass index (BMI) [Ratio]"),
            "vital-signs",
            valueQuantity=_quantity(round(bmi, 1), "kg/m2"),
        )
    for field, code, display, unit, category in MEASURES:
        value = _number(inp.get(field))
        if value is not None:
            add(field, _loinc(code, display), category, valueQuantity=_quantity(value, unit))
    return out


def _session_note(session: SessionRecord) -> str:
    protocol = session.protocol
    parts = [f"Protocol: {protocol.get('name') or protocol.get('id') or 'not recorded'}"]
    unit = protocol.get("unit") or (session.summary or {}).get("unit")
    if unit:
        parts.append(f"pressures in {unit}")
    groups = (session.summary or {}).get("groups")
    if isinstance(groups, Mapping):
        for group in ("arms", "legs"):
            seconds = _number((groups.get(group) or {}).get("restriction_s"))
            if seconds is not None:
                parts.append(f"restriction time {group} {seconds / 60:.1f} min")
    device = session.device or {}
    if device.get("model") or device.get("serial"):
        parts.append(f"device {device.get('model') or '?'} serial {device.get('serial') or '?'}")
    if session.demo:
        parts.insert(0, "DEMO session on a simulated cuff")
    return "; ".join(parts) + "."


def session_procedure(session: SessionRecord, subject: Reference) -> Procedure:
    """The Procedure resource of one session."""
    status = PROCEDURE_STATUS[session.status]
    return Procedure(
        status=status,
        statusReason=CodeableConcept(text=session.end_reason)
        if status == "stopped" and session.end_reason
        else None,
        code=CodeableConcept(
            coding=[
                Coding(
                    system=PROCEDURE_SYSTEM,
                    code=PROCEDURE_CODE,
                    display="KAATSU blood-flow-restriction training session",
                )
            ],
            text="KAATSU blood-flow-restriction training session",
        ),
        subject=subject,
        performedPeriod=Period(
            start=session.started_at.isoformat(),
            end=None if session.ended_at is None else session.ended_at.isoformat(),
        ),
        note=[Annotation(text=_session_note(session))],
    )


def patient_bundle(record: PatientRecord, *, timestamp: datetime) -> Bundle:
    """The patient as a FHIR "collection" Bundle; the models validate it as it is built."""
    key = f"patient/{record.patient.clinic_id}/{record.patient.id}"
    patient_url = resource_uuid(key)
    subject = Reference(reference=patient_url)
    entries = [BundleEntry(fullUrl=patient_url, resource=fhir_patient(record))]
    for screening in record.screenings:
        for url, observation in screening_observations(screening, subject, key):
            entries.append(BundleEntry(fullUrl=url, resource=observation))
    for session in record.sessions:
        url = resource_uuid(key, "session", session.record.id)
        entries.append(
            BundleEntry(fullUrl=url, resource=session_procedure(session.record, subject))
        )
    return Bundle(type="collection", timestamp=timestamp.isoformat(), entry=entries)


def bundle_json(bundle: Bundle) -> str:
    """The Bundle as FHIR JSON."""
    return bundle.model_dump_json(indent=1, exclude_none=True)


def parse_bundle(text: str) -> Bundle:
    """Parse and validate FHIR JSON into a Bundle (pydantic ValidationError when invalid)."""
    return Bundle.model_validate_json(text)
