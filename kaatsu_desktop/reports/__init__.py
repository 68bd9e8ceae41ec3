"""Session reports: content as pure data (`build_report_data`), drawn to PDF with QtGui.

`build_report_data(db, session_id) -> ReportData` reads a session and everything its report
shows; `render_report(data, device)` draws it on a QPdfWriter or a QPrinter;
`write_session_report(db, session_id, path, by=...)` writes the PDF with its audit row.
"""

from kaatsu_desktop.reports.build import CLINIC_NAME_KEY, build_report_data
from kaatsu_desktop.reports.fidelity import (
    ABS_TOLERANCE,
    MAX_GAP_MS,
    REL_TOLERANCE_PCT,
    Fidelity,
    channel_fidelity,
    overall_fidelity,
    session_fidelity,
)
from kaatsu_desktop.reports.model import (
    ChannelData,
    ClearanceLine,
    DeviceInfo,
    GroupTime,
    PatientInfo,
    PressureRow,
    ProtocolInfo,
    ReportData,
    RuleLine,
    ScreeningInForce,
    TimelineEntry,
)
from kaatsu_desktop.reports.render import render_report, write_report_pdf
from kaatsu_desktop.reports.service import ReportWritten, record_report, write_session_report
from kaatsu_desktop.reports.timeline import build_timeline
from kaatsu_desktop.reports.traces import ColumnEnvelope, PhaseSpan, column_envelope, phase_spans

__all__ = [
    "ABS_TOLERANCE",
    "CLINIC_NAME_KEY",
    "MAX_GAP_MS",
    "REL_TOLERANCE_PCT",
    "ChannelData",
    "ClearanceLine",
    "ColumnEnvelope",
    "DeviceInfo",
    "Fidelity",
    "GroupTime",
    "PatientInfo",
    "PhaseSpan",
    "PressureRow",
    "ProtocolInfo",
    "ReportData",
    "ReportWritten",
    "RuleLine",
    "ScreeningInForce",
    "TimelineEntry",
    "build_report_data",
    "build_timeline",
    "channel_fidelity",
    "column_envelope",
    "overall_fidelity",
    "phase_spans",
    "record_report",
    "render_report",
    "session_fidelity",
    "write_report_pdf",
    "write_session_report",
]
