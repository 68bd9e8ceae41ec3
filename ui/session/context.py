"""What the pre-session check needs to know about a patient, read once from the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from devices.protocol.types import Site
from kaatsu_desktop.clinical import (
    BandSite,
    Clearance,
    ClinicSettings,
    PreSessionInput,
    PreSessionResult,
    ScreeningOnFile,
    Verdict,
    check_presession,
)
from kaatsu_desktop.services import Services
from kaatsu_desktop.session import PatientContext
from kaatsu_desktop.storage import SessionStatus

# Arms 15 min, legs 20 min (T-TIME-1, T-TIME-2), set-up and changeover: a generous bound.
LONGEST_SESSION = timedelta(hours=1)
SITES: tuple[Site, ...] = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)


def band_site(site: Site) -> BandSite:
    """The screening vocabulary's name of a device site."""
    return BandSite(site.name.lower())


@dataclass(frozen=True)
class PreSessionContext:
    """The patient, the screening on file, clearances, settings and the session history."""

    patient_id: int | None
    patient_label: str
    screening: ScreeningOnFile | None
    clearances: tuple[Clearance, ...]
    settings: ClinicSettings
    now: datetime
    completed_sessions: int
    last_session_ended_at: datetime | None
    explanation_recorded_before: bool  # P-EXPL-1 was recorded at an earlier session
    demo: bool = False

    @property
    def screening_age_days(self) -> int | None:
        """Days since the screening, None without one."""
        if self.screening is None:
            return None
        return (self.now.date() - self.screening.assessed_on).days

    @property
    def blocked_sites(self) -> frozenset[Site]:
        """Sites whose band the screening blocks (S-LIMB-1 wounds)."""
        if self.screening is None:
            return frozenset()
        blocked = {str(s) for s in self.screening.assessment.blocked_sites}
        return frozenset(s for s in SITES if band_site(s).value in blocked)

    def patient_context(self) -> PatientContext:
        """What T-MODE-1 and T-SETS-1 read; no screening reads as contraindicated (P-SCR-1)."""
        verdict = (
            self.screening.assessment.verdict
            if self.screening is not None
            else Verdict.CONTRAINDICATED
        )
        return PatientContext(self.completed_sessions, verdict)

    def check(self, answers: PreSessionInput) -> PreSessionResult:
        """Every P-rule for these answers now."""
        return check_presession(
            answers,
            screening=self.screening,
            clearances=self.clearances,
            settings=self.settings,
            now=self.now,
        )


def context_from_services(
    services: Services, patient_id: int, now: datetime, *, demo: bool = False
) -> PreSessionContext:
    """Read a patient's pre-session context through the services (no SQLite here)."""
    history = services.patients.history(patient_id)
    patient = history.patient
    completed = [s for s in history.sessions if s.status is SessionStatus.COMPLETED]
    # P-GAP-1 reads when the previous session ended; the history lists when sessions started.
    # The start plus the longest a session can last is never earlier than the true end, so the
    # gap is never overestimated and the caution is never missed (the stricter side).
    started = max((s.started_at for s in history.sessions), default=None)
    last = None if started is None else started + LONGEST_SESSION
    return PreSessionContext(
        patient_id=patient.id,
        patient_label=f"{patient.family_name}, {patient.given_name} ({patient.clinic_id})",
        screening=services.screenings.screening_on_file(patient_id),
        clearances=services.screenings.clearances_on_file(patient_id),
        settings=services.settings.current(),
        now=now,
        completed_sessions=len(completed),
        last_session_ended_at=last,
        # A completed session passed its own pre-session check, P-EXPL-1 included.
        explanation_recorded_before=bool(completed),
        demo=demo,
    )
