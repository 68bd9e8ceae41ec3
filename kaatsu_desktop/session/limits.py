"""Time limits and monitoring thresholds of a session, and the pure arithmetic on them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from devices.protocol.frames import SECONDS_MAX
from kaatsu_desktop.clinical.settings import ARM_LIMIT_MAX_MIN, LEG_LIMIT_MAX_MIN, ClinicSettings
from kaatsu_desktop.session.model import LimbGroup

# T-TIME-1 / T-TIME-2 hard ceilings in seconds: clinic settings can shorten them, never lengthen.
CEILING_S: Final = {
    LimbGroup.ARMS: ARM_LIMIT_MAX_MIN * 60.0,
    LimbGroup.LEGS: LEG_LIMIT_MAX_MIN * 60.0,
}
TIME_RULE: Final = {LimbGroup.ARMS: "T-TIME-1", LimbGroup.LEGS: "T-TIME-2"}


@dataclass(frozen=True, slots=True)
class GroupLimits:
    """Warning and automatic-release times of one limb group, seconds of restriction time."""

    warning_s: float
    limit_s: float
    rule_id: str


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """Limits a session runs under, taken from the clinic settings and capped by the rule book."""

    arms: GroupLimits
    legs: GroupLimits
    residual_threshold: float  # T-ORD-2: a band reading below this (device unit) is off

    @classmethod
    def from_settings(cls, settings: ClinicSettings) -> SessionLimits:
        """Limits from clinic settings, never above 15 min (arms) and 20 min (legs)."""

        def group(group: LimbGroup, warning_min: int, limit_min: int) -> GroupLimits:
            limit = min(limit_min * 60.0, CEILING_S[group])
            warning = min(warning_min * 60.0, limit)
            return GroupLimits(warning, limit, TIME_RULE[group])

        return cls(
            arms=group(LimbGroup.ARMS, settings.arm_warning_min, settings.arm_limit_min),
            legs=group(LimbGroup.LEGS, settings.leg_warning_min, settings.leg_limit_min),
            residual_threshold=float(settings.residual_pressure_threshold),
        )

    def of(self, group: LimbGroup) -> GroupLimits:
        """Limits of one limb group."""
        return self.arms if group is LimbGroup.ARMS else self.legs


@dataclass(frozen=True, slots=True)
class Tuning:
    """Monitoring thresholds; pressures are in the device unit (never converted)."""

    deviation: float = 15.0  # hold deviation from target that alarms ...
    deviation_s: float = 1.0  # ... when it lasts longer than this
    pump_s: float = 7.0  # leak: pump running longer than this without reaching the target
    target_band: float = 3.0  # the device calls a channel holding within this of its target
    link_stale_s: float = 1.0  # no frame for longer than this: the link is stale
    battery_low_pct: int = 20  # battery below this: low-priority alarm
    over_max_margin: float = 10.0  # a reading above protocol maximum + margin releases the group
    release_confirm_s: float = 2.0  # a release not confirmed within this alarms and is re-sent
    ttl_margin_s: int = 5  # a cycle program's time-to-live: its length plus this
    uncommanded_grace_s: float = 1.0  # inflation nobody asked for is released after this


def inflate_ttl(set_seconds: int, margin_s: int, elapsed_s: float, limit_s: float) -> int:
    """Time-to-live of an inflate command: the set plus a margin, never past the limit (0: none)."""
    left = math.floor(limit_s - elapsed_s)
    return max(0, min(set_seconds + margin_s, left, SECONDS_MAX))
