"""Session reports: content as pure data (`build_report_data`), drawn to PDF with QtGui.

`build_report_data(db, session_id) -> ReportData` reads a session and everything its report
shows; `render_report(data, device)` draws it on a QPdfWriter or a QPrinter;
`write_session_report(db, session_id, path, by=...)` writes the PDF with its audit row.

Names are imported lazily (PEP 562): nothing of the report is loaded until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaatsu_desktop.lazy import lazy_names

if TYPE_CHECKING:
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
    from kaatsu_desktop.reports.traces import (
        ColumnEnvelope,
        PhaseSpan,
        column_envelope,
        phase_spans,
    )

# Each name and the module that defines it; a module is imported at the first use of one
# of its names, so that the workstation starts without what it needs only later.
_WHERE = {
    "ABS_TOLERANCE": "kaatsu_desktop.reports.fidelity",
    "CLINIC_NAME_KEY": "kaatsu_desktop.reports.build",
    "MAX_GAP_MS": "kaatsu_desktop.reports.fidelity",
    "REL_TOLERANCE_PCT": "kaatsu_desktop.reports.fidelity",
    "ChannelData": "kaatsu_desktop.reports.model",
    "ClearanceLine": "kaatsu_desktop.reports.model",
    "ColumnEnvelope": "kaatsu_desktop.reports.traces",
    "DeviceInfo": "kaatsu_desktop.reports.model",
    "Fidelity": "kaatsu_desktop.reports.fidelity",
    "GroupTime": "kaatsu_desktop.reports.model",
    "PatientInfo": "kaatsu_desktop.reports.model",
    "PhaseSpan": "kaatsu_desktop.reports.traces",
    "PressureRow": "kaatsu_desktop.reports.model",
    "ProtocolInfo": "kaatsu_desktop.reports.model",
    "ReportData": "kaatsu_desktop.reports.model",
    "ReportWritten": "kaatsu_desktop.reports.service",
    "RuleLine": "kaatsu_desktop.reports.model",
    "ScreeningInForce": "kaatsu_desktop.reports.model",
    "TimelineEntry": "kaatsu_desktop.reports.model",
    "build_report_data": "kaatsu_desktop.reports.build",
    "build_timeline": "kaatsu_desktop.reports.timeline",
    "channel_fidelity": "kaatsu_desktop.reports.fidelity",
    "column_envelope": "kaatsu_desktop.reports.traces",
    "overall_fidelity": "kaatsu_desktop.reports.fidelity",
    "phase_spans": "kaatsu_desktop.reports.traces",
    "record_report": "kaatsu_desktop.reports.service",
    "render_report": "kaatsu_desktop.reports.render",
    "session_fidelity": "kaatsu_desktop.reports.fidelity",
    "write_report_pdf": "kaatsu_desktop.reports.render",
    "write_session_report": "kaatsu_desktop.reports.service",
}

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


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
