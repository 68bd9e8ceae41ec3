"""The one typed error of the Bluetooth SIG decoders."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devices.sig.ieee11073 import SFloatSpecial


class SigReason(enum.Enum):
    """Why a SIG characteristic value was refused; stable names for counting."""

    NOT_A_FRAME = "not a frame"
    TOO_SHORT = "too short"
    TOO_LONG = "too long"
    RESERVED_FLAGS = "reserved flag bits set"
    SPECIAL_VALUE = "special SFLOAT value where a reading was expected"
    OUT_OF_RANGE = "value out of range"
    BAD_TIMESTAMP = "invalid date and time"


class SigDecodeError(ValueError):
    """A SIG characteristic value that is malformed or carries no reading."""

    def __init__(
        self, reason: SigReason, detail: str, special: SFloatSpecial | None = None
    ) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.special = special  # set when reason is SPECIAL_VALUE
