"""What the session widgets ask of a running session: the clinician's intents, thread-safe."""

from __future__ import annotations

from typing import Protocol

from devices.protocol.types import Site
from kaatsu_desktop.session import LimbGroup, SkinColour, StopCriterion


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
