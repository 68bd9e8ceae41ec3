"""Drawing a ReportData on any paged paint device (QPdfWriter for files, a printer for paper).

QtGui's own PDF writer: text stays text (searchable, copyable, extractable by QtPdf), the traces
are vector paths, fonts are embedded, and no other library is needed; the UI can hand the same
function a QPrinter.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPagedPaintDevice, QPageLayout, QPageSize, QPainter, QPdfWriter

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.reports.canvas import (
    ACCENT,
    DEMO_RED,
    LEFT,
    MUTED,
    RIGHT,
    Canvas,
    Column,
)
from kaatsu_desktop.reports.fidelity import ABS_TOLERANCE, REL_TOLERANCE_PCT, Fidelity
from kaatsu_desktop.reports.model import ReportData
from kaatsu_desktop.reports.plots import draw_traces, time_label
from kaatsu_desktop.reports.timeline import category_label
from kaatsu_desktop.session.model import LimbGroup

_CTX = "Reports"
PDF_RESOLUTION = 300  # dots per inch of the writer's coordinate system
VERDICT_FILL = {
    "contraindicated": QColor("#f8d7d7"),
    "blocked_today": QColor("#f8d7d7"),
    "clearance": QColor("#fdebc8"),
    "caution": QColor("#fff7cc"),
}


def tr(text: str) -> str:
    """Translate a report string."""
    return translate(_CTX, text)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return tr("not recorded")
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _spoken_duration(seconds: float | None) -> str:
    if seconds is None:
        return tr("not recorded")
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return tr("{h} h {m} min {s} s").format(h=hours, m=minutes, s=secs)
    return tr("{m} min {s} s").format(m=minutes, s=secs)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _pressure(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _group(group: str) -> str:
    try:
        return LimbGroup(group).label
    except ValueError:
        return group


def _or_missing(value: str | None) -> str:
    return value if value else tr("not recorded")


# -- page furniture -----------------------------------------------------------------------------


def _decorator(data: ReportData, pages: list[int]):
    """Header, footer and (demo) watermark of every page; returns the content band."""

    def decorate(canvas: Canvas) -> tuple[float, float]:
        w, h = canvas.width, canvas.height
        title = canvas.font(14, bold=True)
        small = canvas.font(7.5)
        title_h = canvas.measure(data.clinic, title, w * 0.6)
        canvas.draw_text(QRectF(0, 0, w * 0.62, title_h), data.clinic, title, color=ACCENT)
        sub = tr("Session report · session {n}").format(n=data.session_id)
        sub_h = canvas.measure(sub, canvas.font(9), w * 0.6)
        canvas.draw_text(QRectF(0, title_h, w * 0.62, sub_h), sub, canvas.font(9), color=MUTED)
        if data.demo:
            demo_font = canvas.font(16, bold=True)
            text = tr("DEMO")
            box_w = canvas.text_width(text, demo_font) + canvas.mm(6)
            box = QRectF(w - box_w, 0, box_w, title_h + sub_h * 0.6)
            if canvas.painter is not None:
                canvas.painter.setPen(DEMO_RED)
                canvas.painter.drawRect(box)
            canvas.draw_text(
                box, text, demo_font, color=DEMO_RED, flags=int(Qt.AlignmentFlag.AlignCenter)
            )
        else:
            when = _stamp(data.started_at)
            canvas.draw_text(
                QRectF(w * 0.62, 0, w * 0.38, title_h), when, canvas.font(10), flags=RIGHT
            )
        top = title_h + sub_h + canvas.mm(1.5)
        canvas.line(0, top, w, top, ACCENT)
        foot_h = canvas.measure("X", small, w)
        foot_y = h - foot_h
        canvas.line(0, foot_y - canvas.mm(1.2), w, foot_y - canvas.mm(1.2))
        who = data.patient.name if data.patient else tr("no patient")
        left = tr("Session {n} · {who} · printed {when}").format(
            n=data.session_id, who=who, when=_stamp(data.generated_at)
        )
        if data.demo:
            left = tr("DEMO: simulated session, not a clinical record") + " · " + left
        canvas.draw_text(QRectF(0, foot_y, w * 0.8, foot_h), left, small, color=MUTED, flags=LEFT)
        page = tr("Page {i} of {n}").format(i=canvas.page + 1, n=pages[0] or "?")
        canvas.draw_text(
            QRectF(w * 0.8, foot_y, w * 0.2, foot_h), page, small, color=MUTED, flags=RIGHT
        )
        return top + canvas.mm(3), foot_y - canvas.mm(3)

    return decorate


def _watermark(canvas: Canvas) -> None:
    """A large diagonal DEMO over the page; light enough to read everything through it."""
    p = canvas.painter
    if p is None:
        return
    p.save()
    p.translate(QPointF(canvas.width / 2, canvas.height / 2))
    p.rotate(-35)
    font = canvas.font(110, bold=True)
    p.setFont(font)
    color = QColor(DEMO_RED)
    color.setAlpha(30)
    p.setPen(color)
    size = canvas.mm(200)
    p.drawText(
        QRectF(-size / 2, -size / 4, size, size / 2), int(Qt.AlignmentFlag.AlignCenter), tr("DEMO")
    )
    p.restore()


# -- sections -----------------------------------------------------------------------------------


def _session(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Session"))
    pt = d.patient
    status = d.status + (f" ({d.end_reason})" if d.end_reason else "")
    if d.ended_at is None:
        ended = tr("still running")
    elif d.ended_at.date() == d.started_at.date():
        ended = d.ended_at.strftime("%H:%M:%S")
    else:
        ended = _stamp(d.ended_at)
    items = [
        (tr("Patient"), pt.name if pt else tr("none (demo session)")),
        (tr("Clinic id"), pt.clinic_id if pt else "—"),
        (
            tr("Date of birth"),
            tr("{dob} (age {age})").format(dob=pt.date_of_birth.isoformat(), age=pt.age)
            if pt
            else "—",
        ),
        (tr("Sex"), pt.sex if pt else "—"),
        (tr("Clinician"), _or_missing(d.clinician)),
        (tr("Date"), d.started_at.strftime("%Y-%m-%d")),
        (tr("Started / ended"), f"{d.started_at.strftime('%H:%M:%S')} – {ended}"),
        (tr("Duration"), _spoken_duration(d.duration_s)),
        (tr("Status"), status),
        (tr("Samples"), f"{d.sample_count:,}"),
    ]
    canvas.pairs(items)


def _screening(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Screening in force"))
    s = d.screening
    if s is None:
        canvas.paragraph(tr("No screening on file on or before the session's day."), color=MUTED)
        return
    canvas.paragraph(
        tr("Screening of {day}: verdict {verdict}.").format(
            day=s.assessed_on.isoformat(), verdict=s.verdict.upper().replace("_", " ")
        ),
        9.5,
        bold=True,
    )
    extra = []
    if s.thrombosis_points is not None:
        extra.append(tr("thrombosis points {n}").format(n=s.thrombosis_points))
    if s.blocked_sites:
        extra.append(tr("blocked band sites (S-LIMB-1): {s}").format(s=", ".join(s.blocked_sites)))
    if s.not_assessed:
        extra.append(tr("not assessed: {ids}").format(ids=", ".join(s.not_assessed)))
    if extra:
        canvas.paragraph("; ".join(extra) + ".", 8.5, color=MUTED)
    canvas.space(1)
    if s.rules:
        canvas.table(
            [Column(tr("Rule"), 0.12), Column(tr("Verdict"), 0.15), Column(tr("Warning"), 0.73)],
            [[r.rule_id, r.verdict, r.message] for r in s.rules],
            row_colors=[VERDICT_FILL.get(r.verdict) for r in s.rules],
        )
    else:
        canvas.paragraph(tr("No rule fired: the screening is clear."))
    if d.clearances:
        canvas.space(1)
        canvas.paragraph(tr("Physician clearances in force"), 9, bold=True)
        canvas.table(
            [
                Column(tr("Physician"), 0.22),
                Column(tr("Rules"), 0.18),
                Column(tr("Issued"), 0.13),
                Column(tr("Valid until (excl.)"), 0.15),
                Column(tr("Note"), 0.32),
            ],
            [
                [
                    c.physician,
                    ", ".join(c.rules),
                    c.issued_on.isoformat(),
                    c.expires_on.isoformat(),
                    c.note,
                ]
                for c in d.clearances
            ],
        )


def _protocol(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Protocol"))
    pr = d.protocol
    if pr.mode == "constant":
        timing = tr("holds of {s} s").format(s=pr.hold_s) if pr.hold_s else tr("not recorded")
    elif pr.cycles is not None:
        timing = tr("{n} cycles of {i} s inflation + {d} s deflation").format(
            n=pr.cycles, i=pr.inflation_s, d=pr.deflation_s
        )
        if pr.step:
            timing += tr(", rising {step:g} {unit} per cycle").format(step=pr.step, unit=pr.unit)
    else:
        timing = tr("not recorded")
    canvas.pairs(
        [
            (tr("Protocol"), tr("{name}, id {id}").format(name=pr.name, id=pr.protocol_id)),
            (tr("Mode"), _or_missing(pr.mode)),
            (tr("Timing"), timing),
            (tr("Starting level"), _or_missing(pr.level)),
            (
                tr("Sets per limb"),
                str(pr.sets_per_limb) if pr.sets_per_limb else tr("not recorded"),
            ),
            (
                tr("Unit"),
                tr("{unit} (as the device reports; never converted)").format(unit=pr.unit),
            ),
        ]
    )
    canvas.space(1)
    unit = pr.unit
    canvas.table(
        [
            Column(tr("Limb group"), 0.28),
            Column(tr("Low ({u})").format(u=unit), 0.18, True),
            Column(tr("Medium ({u})").format(u=unit), 0.18, True),
            Column(tr("High ({u})").format(u=unit), 0.18, True),
            Column(tr("Maximum ({u})").format(u=unit), 0.18, True),
        ],
        [
            [
                _group(r.group),
                _pressure(r.low),
                _pressure(r.medium),
                _pressure(r.high),
                _pressure(r.maximum),
            ]
            for r in pr.pressures
        ],
    )


def _restriction(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Restriction time per limb group"))
    rows = []
    colors = []
    for g in d.groups:
        used = g.restriction_s
        share = None if used is None or g.limit_s <= 0 else used / g.limit_s
        state = g.status.replace("_", " ") if g.status else tr("not recorded")
        if g.limit_released:
            state += " · " + tr("released at the limit")
        rows.append(
            [
                _group(g.group),
                g.rule_id,
                _duration(used),
                _duration(g.warning_s),
                _duration(g.limit_s),
                _share(share),
                state,
            ]
        )
        colors.append(QColor("#fdebc8") if share is not None and share >= 1.0 - 1e-6 else None)
    canvas.table(
        [
            Column(tr("Limb group"), 0.13),
            Column(tr("Rule"), 0.12),
            Column(tr("Restriction (min:s)"), 0.14, True),
            Column(tr("Warning at (min:s)"), 0.13, True),
            Column(tr("Limit (min:s)"), 0.11, True),
            Column(tr("Of limit"), 0.11, True),
            Column(tr("Status"), 0.26),
        ],
        rows,
        row_colors=colors,
    )
    source = (
        tr("Limits as the session ran them.")
        if d.limits_from_session
        else tr("Limits: the clinic's settings when this report was made (the session kept none).")
    )
    canvas.paragraph(
        source
        + " "
        + tr(
            "Restriction time counts from the first inflation of the group, through"
            " deflations (T-TIME-3)."
        ),
        7.5,
        color=MUTED,
    )


def _fidelity_row(label: str, f: Fidelity) -> list[str]:
    return [label, _duration(f.hold_ms / 1000), _share(f.share_abs), _share(f.share_rel)]


def _fidelity(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Pressure fidelity"))
    unit = d.unit
    rows = [_fidelity_row(c.label, c.fidelity) for c in d.channels]
    rows.append(_fidelity_row(tr("All channels"), d.fidelity))
    canvas.table(
        [
            Column(tr("Channel"), 0.34),
            Column(tr("Hold time (min:s)"), 0.18, True),
            Column(tr("Within {n} {u}").format(n=ABS_TOLERANCE, u=unit), 0.24, True),
            Column(tr("Within {n} %").format(n=REL_TOLERANCE_PCT), 0.24, True),
        ],
        rows,
    )
    canvas.paragraph(
        tr(
            "Share of hold time with the pressure within {n} {u} and within {pct} % of the target"
            " (edges included). Hold time: samples the device reported as holding, each counted"
            " until the channel's next sample; gaps over 1 s are left out."
        ).format(n=ABS_TOLERANCE, u=unit, pct=REL_TOLERANCE_PCT),
        7.5,
        color=MUTED,
    )


def _device(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Device"))
    dev = d.device
    canvas.pairs(
        [
            (tr("Maker"), _or_missing(dev.maker)),
            (tr("Model"), _or_missing(dev.model)),
            (tr("Serial"), _or_missing(dev.serial)),
            (tr("Firmware"), _or_missing(dev.firmware)),
            (tr("Name"), _or_missing(dev.name)),
            (tr("Address"), _or_missing(dev.address)),
        ]
    )


def _timeline(canvas: Canvas, d: ReportData) -> None:
    canvas.heading(tr("Timeline: alarms, releases and skin observations"))
    if not d.timeline:
        canvas.paragraph(tr("No events were recorded."), color=MUTED)
        return
    canvas.table(
        [
            Column(tr("Time (min:s)"), 0.09, True),
            Column(tr("Kind"), 0.11),
            Column(tr("Rule"), 0.11),
            Column(tr("Priority"), 0.1),
            Column(tr("What happened"), 0.59),
        ],
        [
            [
                time_label(e.t_ms),
                category_label(e.category),
                e.rule_id or "",
                e.priority or "",
                e.text,
            ]
            for e in d.timeline
        ],
        row_colors=[QColor("#f8d7d7") if e.priority == "high" else None for e in d.timeline],
    )


def _layout(canvas: Canvas, data: ReportData) -> None:
    _session(canvas, data)
    _screening(canvas, data)
    _protocol(canvas, data)
    _restriction(canvas, data)
    _fidelity(canvas, data)
    _device(canvas, data)
    _timeline(canvas, data)
    canvas.new_page()
    canvas.heading(tr("Pressure traces"))
    draw_traces(canvas, data)
    canvas.finish_page()


def render_report(data: ReportData, device: QPagedPaintDevice) -> int:
    """Draw the report on ``device`` (a QPdfWriter or a QPrinter); returns the page count."""
    pages = [0]
    finish = _watermark if data.demo else None
    counting = Canvas(device, None, _decorator(data, pages), finish)
    _layout(counting, data)
    pages[0] = counting.page + 1
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(tr("Cannot start drawing the report."))
    try:
        _layout(Canvas(device, painter, _decorator(data, pages), finish), data)
    finally:
        painter.end()
    return pages[0]


def pdf_writer(path: Path, data: ReportData) -> QPdfWriter:
    """An A4 PDF writer at PDF_RESOLUTION with 15 mm side margins."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 12, 15, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(tr("KAATSU session report {n}").format(n=data.session_id))
    writer.setCreator("KAATSU Desktop")
    return writer


def write_report_pdf(data: ReportData, path: Path) -> int:
    """Write the report as a PDF file at ``path``; returns the page count."""
    writer = pdf_writer(Path(path), data)
    pages = render_report(data, writer)
    del writer  # the file is complete once the writer is gone
    return pages


__all__ = ["PDF_RESOLUTION", "pdf_writer", "render_report", "write_report_pdf"]
