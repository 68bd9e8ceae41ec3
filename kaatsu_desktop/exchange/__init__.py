"""Data exchange: session CSV, patient JSON, patient FHIR R4 Bundle, patients CSV import.

Every export and import is written to the audit log (see `service`).
"""

from kaatsu_desktop.exchange.csvsafe import number_cell, text_cell
from kaatsu_desktop.exchange.fhir import bundle_json, parse_bundle, patient_bundle
from kaatsu_desktop.exchange.patient_json import (
    PatientFileError,
    PatientRecord,
    SessionExport,
    load_patient_record,
    parse_patient_json,
    patient_json_text,
    read_patient_json,
    write_patient_json,
)
from kaatsu_desktop.exchange.patients_csv import CsvPatients, LineError, parse_patients_csv
from kaatsu_desktop.exchange.service import (
    ExportWritten,
    ImportResult,
    check_patients_csv,
    export_patient_fhir,
    export_patient_json,
    export_session_csv,
    import_patients_csv,
)
from kaatsu_desktop.exchange.session_csv import write_session_csv

__all__ = [
    "CsvPatients",
    "ExportWritten",
    "ImportResult",
    "LineError",
    "PatientFileError",
    "PatientRecord",
    "SessionExport",
    "bundle_json",
    "check_patients_csv",
    "export_patient_fhir",
    "export_patient_json",
    "export_session_csv",
    "import_patients_csv",
    "load_patient_record",
    "number_cell",
    "parse_bundle",
    "parse_patient_json",
    "parse_patients_csv",
    "patient_bundle",
    "patient_json_text",
    "read_patient_json",
    "text_cell",
    "write_patient_json",
    "write_session_csv",
]
