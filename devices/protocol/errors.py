"""The one typed error of the cuff protocol codec."""

from __future__ import annotations

import enum


class Reason(enum.Enum):
    """Why a frame was refused; stable names for counting bad frames."""

    TOO_SHORT = "too short"
    TOO_LONG = "too long"
    BAD_LENGTH = "length does not match the frame's own counts"
    UNKNOWN_OPCODE = "unknown opcode"
    UNKNOWN_VALUE = "unknown enumeration value"
    RESERVED_BITS = "reserved bits set"
    CHANNEL_COUNT = "unsupported channel count"
    CHANNEL_MISMATCH = "channel list does not match"
    OUT_OF_RANGE = "value out of range"
    UNSUPPORTED_VERSION = "unsupported protocol major version"
    NOT_A_FRAME = "not a frame"


class ProtocolError(ValueError):
    """A frame that is malformed on the wire or cannot be encoded."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
