"""Value types shared by the codec, the simulated cuff and the link (docs/device-protocol.md)."""

from __future__ import annotations

import enum


class Unit(enum.IntEnum):
    """Pressure unit the device reports in; never converted silently."""

    MMHG = 0
    SKU = 1  # KAATSU's own "standard KAATSU unit", not mmHg

    @property
    def label(self) -> str:
        """Short axis label."""
        return "mmHg" if self is Unit.MMHG else "SKU"


class Phase(enum.IntEnum):
    """Phase of one air channel."""

    IDLE = 0
    INFLATING = 1
    HOLDING = 2
    DEFLATING = 3
    RELEASED = 4


class Site(enum.IntEnum):
    """Where a channel's band sits."""

    UNASSIGNED = 0
    LEFT_ARM = 1
    RIGHT_ARM = 2
    LEFT_LEG = 3
    RIGHT_LEG = 4

    @property
    def is_arm(self) -> bool:
        """True for an upper-limb site."""
        return self in (Site.LEFT_ARM, Site.RIGHT_ARM)

    @property
    def is_leg(self) -> bool:
        """True for a lower-limb site."""
        return self in (Site.LEFT_LEG, Site.RIGHT_LEG)


class ResultCode(enum.IntEnum):
    """Result of a control-point command, echoed with its sequence number."""

    OK = 0
    BAD_COMMAND = 1  # unknown opcode or malformed parameters
    BAD_CHANNEL = 2  # channel mask names a channel the device does not have
    OUT_OF_RANGE = 3  # pressure, timing or TTL outside the device's limits
    BUSY = 4  # channel is releasing and cannot take the command yet
    FAULT = 5  # a device fault forbids inflation
    REFUSED = 6  # refused for safety (for example inflation without heartbeat)
    UNIT_MISMATCH = 7  # the command's unit is not the device's unit (never converted)


class Fault(enum.IntFlag):
    """Device fault bits of the status frame."""

    NONE = 0
    LEAK = 0x01
    OVER_PRESSURE = 0x02
    SENSOR_FAULT = 0x04
    CUFF_UNPLUGGED = 0x08
    WATCHDOG_RELEASE = 0x10  # the device released because the heartbeat stopped
    TTL_RELEASE = 0x20  # the device released because a command's time-to-live ran out
    PUMP_FAULT = 0x40
