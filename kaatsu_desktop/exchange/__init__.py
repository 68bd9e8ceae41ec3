"""Data exchange: session CSV, patient JSON, patient FHIR R4 Bundle, patients CSV import.

Every export and import is written to the audit log (see `service`).

Names are imported lazily (PEP 562): FHIR's models load only when an export needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaatsu_desktop.lazy import lazy_names

if TYPE_CHECKING:
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

# Each name and the module that defines it; a module is imported at the first use of one
# of its names, so that the workstation starts without what it needs only later.
_WHERE = {
    "CsvPatients": "kaatsu_desktop.exchange.patients_csv",
    "ExportWritten": "kaatsu_desktop.exchange.service",
    "ImportResult": "kaatsu_desktop.exchange.service",
    "LineError": "kaatsu_desktop.exchange.patients_csv",
    "PatientFileError": "kaatsu_desktop.exchange.patient_json",
    "PatientRecord": "kaatsu_desktop.exchange.patient_json",
    "SessionExport": "kaatsu_desktop.exchange.patient_json",
    "bundle_json": "kaatsu_desktop.exchange.fhir",
    "check_patients_csv": "kaatsu_desktop.exchange.service",
    "export_patient_fhir": "kaatsu_desktop.exchange.service",
    "export_patient_json": "kaatsu_desktop.exchange.service",
    "export_session_csv": "kaatsu_desktop.exchange.service",
    "import_patients_csv": "kaatsu_desktop.exchange.service",
    "load_patient_record": "kaatsu_desktop.exchange.patient_json",
    "number_cell": "kaatsu_desktop.exchange.csvsafe",
    "parse_bundle": "kaatsu_desktop.exchange.fhir",
    "parse_patient_json": "kaatsu_desktop.exchange.patient_json",
    "parse_patients_csv": "kaatsu_desktop.exchange.patients_csv",
    "patient_bundle": "kaatsu_desktop.exchange.fhir",
    "patient_json_text": "kaatsu_desktop.exchange.patient_json",
    "read_patient_json": "kaatsu_desktop.exchange.patient_json",
    "text_cell": "kaatsu_desktop.exchange.csvsafe",
    "write_patient_json": "kaatsu_desktop.exchange.patient_json",
    "write_session_csv": "kaatsu_desktop.exchange.session_csv",
}

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


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
