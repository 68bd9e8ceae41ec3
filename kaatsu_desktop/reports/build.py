"""Report content from stored records: `build_report_data` reads, pure functions assemble.

What is read from a session row (kaatsu_desktop/storage): the protocol JSON (a kaatsu-protocol/1
preset as the session ran it: id, name, mode, unit, level, timing, sets, pressures), the device
JSON (the Device Information strings: manufacturer, model, serial, firmware, address, name;
"maker" is read as manufacturer; optional "sites" lists each channel's band site) and the summary
the session controller writes (``groups.<arms|legs>.restriction_s`` and ``status``; the flat
``restriction_s.<group>`` form is read too). Keys that are absent are shown as not recorded, never
guessed. The limits are the summary's ``limits`` when the session kept them, otherwise the
clinic's settings when the report is made, and the report says which.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

import numpy as np

from devices.protocol.types import Site
from kaatsu_desktop.clinical import TR_CONTEXT as CLINICAL_CONTEXT
from kaatsu_desktop.clinical import ClinicSettings, age_on
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.reports.fidelity import NO_HOLD, channel_fidelity, overall_fidelity
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
)
from kaatsu_desktop.reports.timeline import build_timeline
from kaatsu_desktop.services.settings import CLINIC_NAME_KEY, settings_from_stored
from kaatsu_desktop.session.limits import SessionLimits
from kaatsu_desktop.session.model import LimbGroup, channel_label, site_from_key, site_label
from kaatsu_desktop.session.summary import restriction_seconds
from kaatsu_desktop.storage import (
    ClearanceRecord,
    Database,
    Patient,
    ScreeningRecord,
    SessionEvent,
    SessionRecord,
    get_patient,
    get_session,
    get_settings,
    get_user,
    list_clearances,
    list_screenings,
    list_session_events,
    read_samples,
)
from kaatsu_desktop.storage.errors import NotFound

log = logging.getLogger(__name__)

_CTX = "Reports"
GROUPS = (LimbGroup.ARMS, LimbGroup.LEGS)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def protocol_info(protocol: Mapping[str, Any], summary: Mapping[str, Any] | None) -> ProtocolInfo:
    """The stored protocol as report values; the unit comes from it or from the summary."""
    pressures = protocol.get("pressures")
    rows = []
    for group in GROUPS:
        entry = pressures.get(group.value) if isinstance(pressures, Mapping) else None
        entry = entry if isinstance(entry, Mapping) else {}
        rows.append(
            PressureRow(
                group.value,
                _number(entry.get("low")),
                _number(entry.get("medium")),
                _number(entry.get("high")),
                _number(entry.get("max", entry.get("maximum"))),
            )
        )
    unit = _string(protocol.get("unit")) or _string((summary or {}).get("unit")) or "?"
    protocol_id = _string(protocol.get("id")) or "?"
    return ProtocolInfo(
        protocol_id=protocol_id,
        name=_string(protocol.get("name")) or protocol_id,
        mode=_string(protocol.get("mode")),
        level=_string(protocol.get("level")),
        unit=unit,
        inflation_s=_integer(protocol.get("inflation_s")),
        deflation_s=_integer(protocol.get("deflation_s")),
        cycles=_integer(protocol.get("cycles")),
        step=_number(protocol.get("step")),
        hold_s=_integer(protocol.get("hold_s")),
        sets_per_limb=_integer(protocol.get("sets_per_limb")),
        pressures=tuple(rows),
    )


def device_info(device: Mapping[str, Any] | None) -> DeviceInfo:
    """Device strings as stored with the session (None: not recorded)."""
    d = device or {}
    return DeviceInfo(
        maker=_string(d.get("manufacturer")) or _string(d.get("maker")),
        model=_string(d.get("model")),
        serial=_string(d.get("serial")),
        firmware=_string(d.get("firmware")),
        address=_string(d.get("address")),
        name=_string(d.get("name")),
    )


def _stored_limits(summary: Mapping[str, Any]) -> dict[str, tuple[float, float]] | None:
    limits = summary.get("limits")
    if not isinstance(limits, Mapping):
        return None
    out = {}
    for group in GROUPS:
        entry = limits.get(group.value)
        if not isinstance(entry, Mapping):
            return None
        warning, limit = _number(entry.get("warning_s")), _number(entry.get("limit_s"))
        if warning is None or limit is None:
            return None
        out[group.value] = (warning, limit)
    return out


def group_times(
    summary: Mapping[str, Any] | None,
    events: Sequence[SessionEvent],
    settings: ClinicSettings,
) -> tuple[tuple[GroupTime, ...], bool]:
    """Restriction time per limb group against its limits; True when the session kept limits."""
    s = summary or {}
    groups = s.get("groups") if isinstance(s.get("groups"), Mapping) else {}
    seconds_of = restriction_seconds(s)  # the schema of kaatsu_desktop/session/summary.py
    stored = _stored_limits(s)
    fallback = SessionLimits.from_settings(settings)
    released = {
        str((e.data or {}).get("group"))
        for e in events
        if e.kind == "limit_release" and e.data is not None
    }
    out = []
    for group in GROUPS:
        entry = groups.get(group.value) if isinstance(groups.get(group.value), Mapping) else {}
        seconds = seconds_of[group.value]
        limits = fallback.of(group)
        warning_s, limit_s = stored[group.value] if stored else (limits.warning_s, limits.limit_s)
        out.append(
            GroupTime(
                group=group.value,
                rule_id=limits.rule_id,
                restriction_s=seconds,
                warning_s=warning_s,
                limit_s=limit_s,
                status=_string(entry.get("status")),
                limit_released=group.value in released,
                sets=_integer(entry.get("sets")),
            )
        )
    return tuple(out), stored is not None


def _site_names(value: object) -> dict[int, str]:
    """Channel -> site key from a device's "sites" list or a sites_assigned mapping."""
    out: dict[int, str] = {}
    items: list[tuple[object, object]] = []
    if isinstance(value, list):
        items = list(enumerate(value))
    elif isinstance(value, Mapping):
        items = list(value.items())
    for channel, site in items:
        try:
            ch = int(str(channel))
            key = Site[site.upper()] if isinstance(site, str) else Site(int(str(site)))
        except (KeyError, ValueError):
            continue
        if key is not Site.UNASSIGNED:
            out[ch] = key.name.lower()
    return out


def channel_sites(
    device: Mapping[str, Any] | None, events: Sequence[SessionEvent]
) -> dict[int, list[str]]:
    """Every band site each channel had during the session, in order."""
    sites: dict[int, list[str]] = {}

    def note(mapping: dict[int, str]) -> None:
        for ch, site in mapping.items():
            seen = sites.setdefault(ch, [])
            if not seen or seen[-1] != site:
                seen.append(site)

    note(_site_names((device or {}).get("sites")))
    for e in events:
        if e.kind == "sites_assigned" and e.data:
            note(_site_names(e.data.get("sites")))
    return sites


def channel_groups(events: Sequence[SessionEvent]) -> dict[int, str]:
    """Channel -> limb group from the sets started on it (the last one wins)."""
    out: dict[int, str] = {}
    for e in events:
        data = e.data or {}
        if e.kind == "set_started" and isinstance(data.get("channels"), list):
            for ch in data["channels"]:
                if isinstance(ch, int):
                    out[ch] = str(data.get("group"))
    return out


def channel_data(
    samples: np.ndarray, sites: Mapping[int, list[str]], groups: Mapping[int, str]
) -> tuple[ChannelData, ...]:
    """Per channel: label, limb group, samples and fidelity."""
    out = []
    for channel in np.unique(samples["channel"]).tolist():
        one = samples[samples["channel"] == channel]
        label = channel_label(channel)
        if sites.get(channel):
            label += " · " + " / ".join(site_label(site_from_key(s)) for s in sites[channel])
        out.append(
            ChannelData(
                channel=channel,
                label=label,
                group=groups.get(channel),
                fidelity=channel_fidelity(
                    one["t_ms"], one["pressure_x10"], one["target_x10"], one["phase"]
                ),
                t_ms=one["t_ms"].copy(),
                pressure_x10=one["pressure_x10"].copy(),
                target_x10=one["target_x10"].copy(),
                phase=one["phase"].copy(),
            )
        )
    return tuple(out)


def screening_in_force(screenings: Sequence[ScreeningRecord], day: date) -> ScreeningInForce | None:
    """The latest screening assessed on or before ``day`` (screenings newest first or any order)."""
    candidates = [s for s in screenings if s.assessed_on <= day]
    if not candidates:
        return None
    record = max(candidates, key=lambda s: (s.assessed_on, s.id))
    assessment = record.assessment
    rules = tuple(
        RuleLine(
            str(r.get("id")),
            str(r.get("verdict")),
            translate(CLINICAL_CONTEXT, str(r.get("message", ""))),
        )
        for r in assessment.get("rules", [])
        if isinstance(r, Mapping)
    )
    return ScreeningInForce(
        screening_id=record.id,
        assessed_on=record.assessed_on,
        verdict=record.verdict,
        rules=rules,
        not_assessed=tuple(str(x) for x in assessment.get("not_assessed", [])),
        blocked_sites=tuple(str(x) for x in assessment.get("blocked_sites", [])),
        thrombosis_points=_integer(assessment.get("thrombosis_points")),
    )


def clearances_in_force(records: Sequence[ClearanceRecord], day: date) -> tuple[ClearanceLine, ...]:
    """Clearances that count on ``day`` (expires_on is the first day they no longer count)."""
    return tuple(
        ClearanceLine(c.physician, c.rules, c.issued_on, c.expires_on, c.note)
        for c in records
        if c.valid_on(day)
    )


def patient_info(patient: Patient, day: date) -> PatientInfo:
    """The patient's identifying lines for the report."""
    return PatientInfo(
        clinic_id=patient.clinic_id,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex.value,
        age=age_on(patient.date_of_birth, day),
    )


def build_report_data(
    db: Database, session_id: int, *, tz: tzinfo | None = None, clinic: str | None = None
) -> ReportData:
    """Read a session and everything its report shows; storage.NotFound for a missing session."""
    session: SessionRecord = get_session(db, session_id)
    zone = tz or db.local_time().tzinfo
    started = session.started_at.astimezone(zone)
    day = started.date()
    stored_settings = get_settings(db)
    events = list_session_events(db, session_id)
    samples = read_samples(db, session_id)
    patient = screening = None
    clearances: tuple[ClearanceLine, ...] = ()
    if session.patient_id is not None:
        record = get_patient(db, session.patient_id)
        patient = patient_info(record, day)
        screening = screening_in_force(list_screenings(db, record.id), day)
        clearances = clearances_in_force(list_clearances(db, record.id), day)
    clinician = None
    if session.created_by is not None:
        try:
            clinician = get_user(db, session.created_by).name
        except NotFound:
            clinician = None
    groups, from_session = group_times(
        session.summary, events, settings_from_stored(stored_settings)
    )
    channels = channel_data(samples, channel_sites(session.device, events), channel_groups(events))
    name = stored_settings.get(CLINIC_NAME_KEY)
    return ReportData(
        clinic=clinic
        or (name if isinstance(name, str) and name.strip() else None)
        or translate(_CTX, "Clinic"),
        session_id=session.id,
        demo=session.demo,
        status=session.status.value,
        end_reason=session.end_reason,
        started_at=started,
        ended_at=None if session.ended_at is None else session.ended_at.astimezone(zone),
        clinician=clinician,
        patient=patient,
        screening=screening,
        clearances=clearances,
        protocol=protocol_info(session.protocol, session.summary),
        groups=groups,
        limits_from_session=from_session,
        channels=channels,
        fidelity=overall_fidelity({c.channel: c.fidelity for c in channels})
        if channels
        else NO_HOLD,
        timeline=build_timeline(events),
        device=device_info(session.device),
        generated_at=db.local_time().astimezone(zone),
        sample_count=int(samples.size),
    )
