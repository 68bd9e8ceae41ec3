"""Shared value types of the session engine: limb groups, states, skin colours, readings."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.protocol.types import Phase, Site
from kaatsu_desktop.i18n import translate, translate_noop

if TYPE_CHECKING:
    from devices.protocol.frames import ChannelSample

_CTX = "Session"


class LimbGroup(enum.StrEnum):
    """Bands that are inflated together and share one restriction clock (T-TIME-1, T-TIME-2)."""

    ARMS = "arms"
    LEGS = "legs"

    @property
    def label(self) -> str:
        """Translated name for people."""
        return translate(_CTX, _GROUP_LABELS[self])


_GROUP_LABELS = {
    LimbGroup.ARMS: translate_noop(_CTX, "arms"),
    LimbGroup.LEGS: translate_noop(_CTX, "legs"),
}

# The keys the screening format uses for S-LIMB-1 wound sites.
SITE_KEYS: dict[Site, str] = {
    Site.LEFT_ARM: "left_arm",
    Site.RIGHT_ARM: "right_arm",
    Site.LEFT_LEG: "left_leg",
    Site.RIGHT_LEG: "right_leg",
}
_SITE_LABELS = {
    Site.UNASSIGNED: translate_noop(_CTX, "unassigned"),
    Site.LEFT_ARM: translate_noop(_CTX, "left arm"),
    Site.RIGHT_ARM: translate_noop(_CTX, "right arm"),
    Site.LEFT_LEG: translate_noop(_CTX, "left leg"),
    Site.RIGHT_LEG: translate_noop(_CTX, "right leg"),
}


def group_of(site: Site) -> LimbGroup | None:
    """Limb group of a band site; None for an unassigned channel."""
    if site.is_arm:
        return LimbGroup.ARMS
    if site.is_leg:
        return LimbGroup.LEGS
    return None


def site_from_key(key: str | Site) -> Site:
    """Site from a screening key such as ``left_arm`` (a Site passes through)."""
    if isinstance(key, Site):
        return key
    for site, name in SITE_KEYS.items():
        if name == key:
            return site
    raise ValueError(f"unknown site {key!r}")


def site_label(site: Site) -> str:
    """Translated site name for people."""
    return translate(_CTX, _SITE_LABELS[site])


def channel_label(channel: int) -> str:
    """People count channels from 1; the device and the engine count from 0."""
    return f"ch{channel + 1}"


class SessionState(enum.StrEnum):
    """States of one session (T-ORD-1)."""

    SETUP = "setup"
    ARM_PHASE = "arm_phase"
    CHANGEOVER = "changeover"
    LEG_PHASE = "leg_phase"
    FINISHED = "finished"
    ABORTED = "aborted"

    @property
    def terminal(self) -> bool:
        """True once the session is over."""
        return self in (SessionState.FINISHED, SessionState.ABORTED)


class SkinColour(enum.StrEnum):
    """Skin colour observed under a band (T-SKIN-1)."""

    PINK = "pink"
    ROSY = "rosy"
    RED_PURPLE = "red_purple"
    WHITE = "white"
    GREY = "grey"
    BLUE = "blue"

    @property
    def favourable(self) -> bool:
        """Pink or rosy is the target colour; anything else proposes release."""
        return self in (SkinColour.PINK, SkinColour.ROSY)

    @property
    def label(self) -> str:
        """Translated name for people."""
        return translate(_CTX, _SKIN_LABELS[self])


_SKIN_LABELS = {
    SkinColour.PINK: translate_noop(_CTX, "pink"),
    SkinColour.ROSY: translate_noop(_CTX, "rosy"),
    SkinColour.RED_PURPLE: translate_noop(_CTX, "red-purple"),
    SkinColour.WHITE: translate_noop(_CTX, "white"),
    SkinColour.GREY: translate_noop(_CTX, "grey"),
    SkinColour.BLUE: translate_noop(_CTX, "blue"),
}


class StopCriterion(enum.StrEnum):
    """One-click release reasons (T-REL-2)."""

    DISCOMFORT = "discomfort"
    DIZZINESS = "dizziness"
    COLD_OR_CLAMMY = "cold_or_clammy"
    NUMBNESS = "numbness"
    UNFAVOURABLE_SKIN_COLOUR = "unfavourable_skin_colour"

    @property
    def label(self) -> str:
        """Translated name for people."""
        return translate(_CTX, _STOP_LABELS[self])


_STOP_LABELS = {
    StopCriterion.DISCOMFORT: translate_noop(_CTX, "discomfort"),
    StopCriterion.DIZZINESS: translate_noop(_CTX, "dizziness"),
    StopCriterion.COLD_OR_CLAMMY: translate_noop(_CTX, "cold or clammy limbs"),
    StopCriterion.NUMBNESS: translate_noop(_CTX, "numbness"),
    StopCriterion.UNFAVOURABLE_SKIN_COLOUR: translate_noop(_CTX, "unfavourable skin colour"),
}


@dataclass(frozen=True, slots=True)
class ChannelReading:
    """One channel's observation from the device, pressures in the device unit."""

    channel: int  # 0-based, as on the wire
    pressure: float | None  # None: the sensor reports a fault
    target: float
    phase: Phase
    pump_on: bool
    valve_open: bool
    cycle: int = 0  # 1-based cycle of the running program, 0 when none runs
    cycle_count: int = 0
    seconds_left: int | None = None  # seconds left in the current timed phase, if known

    @classmethod
    def from_sample(cls, channel: int, sample: ChannelSample) -> ChannelReading:
        """Adapt one channel of a decoded Pressure Stream frame."""
        return cls(
            channel,
            sample.pressure,
            sample.target,
            sample.phase,
            sample.pump_on,
            sample.valve_open,
            sample.cycle,
            sample.cycle_count,
            sample.seconds_left,
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an intent or a protocol was refused, with the rule that forbids it (None: technical)."""

    rule_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}" if self.rule_id else self.message
