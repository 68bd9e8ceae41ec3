"""Suggested file names for exports: clinic id, session and date, safe on every file system."""

from __future__ import annotations

import re
from datetime import datetime

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str) -> str:
    """``text`` with every run of characters a file system may refuse turned into one ``_``."""
    return _UNSAFE.sub("_", text).strip("._") or "record"


def session_file_name(
    clinic_id: str | None, session_id: int, started_at: datetime, ext: str
) -> str:
    """E.g. ``KC-0042_session-12_2026-03-02.pdf`` (local date); ``demo`` without a patient."""
    owner = safe_part(clinic_id) if clinic_id else "demo"
    day = started_at.astimezone().date().isoformat()
    return f"{owner}_session-{session_id}_{day}.{ext}"


def patient_file_name(clinic_id: str, kind: str, ext: str = "json") -> str:
    """E.g. ``KC-0042_patient.json`` or ``KC-0042_fhir-bundle.json``."""
    return f"{safe_part(clinic_id)}_{kind}.{ext}"
