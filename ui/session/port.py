"""What the session widgets ask of a running session: the clinician's intents, thread-safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from devices.protocol.types import Site, Unit
from kaatsu_desktop.clinical import PreSessionInput, PreSessionResult
from kaatsu_desktop.session import LimbGroup, PatientContext, SkinColour, StopCriterion
from kaatsu_desktop.session import Protocol as SessionProtocol


@dataclass(frozen=True)
class CuffSummary:
    """A connected cuff as the set-up shows it: unit, band sites per channel, battery."""

    address: str
    name: str
    unit: Unit
    sites: tuple[Site, ...]  # one per channel, as stored on the device
    battery_pct: int | None = None
    simulated: bool = False

    def channels_at(self, sites: frozenset[Site]) -> dict[int, Site]:
        """Channel -> site for the channels whose band sits at one of ``sites``."""
        return {ch: site for ch, site in enumerate(self.sites) if site in sites}


@dataclass(frozen=True)
class StartRequest:
    """Everything the set-up decided: who, which protocol, which bands, what the check said."""

    patient_id: int | None
    patient: PatientContext
    protocol: SessionProtocol
    sites: dict[int, Site]  # channels in use and their sites
    blocked_sites: tuple[Site, ...]  # S-LIMB-1
    answers: PreSessionInput
    result: PreSessionResult
    cuff: CuffSummary
    notes: tuple[str, ...] = field(default=())


class SessionIntents(Protocol):
    """Intents sent from the UI thread; each returns at once (the work runs on the device thread).

    Implementations must never raise from ``release_all`` or ``release_for_stop_criterion``
    (T-REL-1): a release is never refused.
    """

    def release_all(self, reason: str = "clinician") -> None:
        """Release every band at once (T-REL-1)."""

    def release_for_stop_criterion(self, criterion: StopCriterion) -> None:
        """Release every band with a stop criterion as the reason (T-REL-2)."""

    def start_limb_group(self, group: LimbGroup) -> None:
        """Inflate one set on a limb group, if the interlocks allow it."""

    def confirm_arm_bands_off(self) -> None:
        """The clinician confirms the arm bands are off (T-ORD-2)."""

    def skip_arm_phase(self, reason: str) -> None:
        """Skip the arm phase with a recorded reason (T-ORD-1)."""

    def record_skin(self, site: Site, colour: SkinColour) -> None:
        """Skin colour under a band (T-SKIN-1)."""

    def acknowledge(self, alarm_id: str) -> None:
        """Acknowledge one alarm by its condition id."""

    def pause_audio(self) -> None:
        """Silence the alarm tone for its pause."""

    def finish(self) -> None:
        """End the session normally."""

    def abort(self, reason: str) -> None:
        """End the session early; every band is released."""
