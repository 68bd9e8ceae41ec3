"""The sections of a session report in reading order, drawn on a Canvas from ReportData."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QColor

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.reports.canvas import MUTED, Canvas, Column
from kaatsu_desktop.reports.fidelity import ABS_TOLERANCE, REL_TOLERANCE_PCT, Fidelity
from kaatsu_desktop.reports.model import ReportData
from kaatsu_desktop.reports.plots import draw_traces, time_label
from kaatsu_desktop.reports.timeline import category_label
from kaatsu_desktop.session.model import LimbGroup

_CTX = "Reports"
VERDICT_FILL = {
    "contraindicated": QColor("#f8d7d7"),
    "blocked_today": QColor("#f8d7d7"),
    "clearance": QColor("#fdebc8"),
    "caution": QColor("#fff7cc"),
}


def tr(text: str) -> str:
    """Translate a report string."""
    return translate(_CTX, text)


def stamp(value: datetime) -> str:
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
        ended = stamp(d.ended_at)
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


def layout(canvas: Canvas, data: ReportData) -> None:
    """Every section in reading order; the traces start a page of their own."""
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
