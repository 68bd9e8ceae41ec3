"""IEEE 11073-20601 16-bit SFLOAT, the number format of the SIG health services."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.sig.errors import SigDecodeError, SigReason


class SFloatSpecial(enum.IntEnum):
    """The reserved SFLOAT codes (exponent 0): none of them is a number."""

    POSITIVE_INFINITY = 0x07FE
    NAN = 0x07FF
    NRES = 0x0800  # "not at this resolution"
    RESERVED = 0x0801
    NEGATIVE_INFINITY = 0x0802


_SPECIALS = {int(s): s for s in SFloatSpecial}


@dataclass(frozen=True, slots=True)
class SFloat:
    """A finite SFLOAT: mantissa × 10^exponent."""

    mantissa: int  # -2048..2047
    exponent: int  # -8..7

    @property
    def value(self) -> float:
        """The number as a float (division keeps 120.5 exact where 1205 × 0.1 would not)."""
        if self.exponent >= 0:
            return float(self.mantissa * 10**self.exponent)
        return self.mantissa / 10**-self.exponent


def parse_sfloat(raw: int) -> SFloat | SFloatSpecial:
    """Split a 16-bit SFLOAT: 4-bit exponent and 12-bit mantissa, both two's complement."""
    if not isinstance(raw, int) or not 0 <= raw <= 0xFFFF:
        raise SigDecodeError(SigReason.OUT_OF_RANGE, f"SFLOAT must be 16 bits, got {raw!r}")
    special = _SPECIALS.get(raw)
    if special is not None:
        return special
    mantissa = raw & 0x0FFF
    if mantissa >= 0x0800:
        mantissa -= 0x1000
    exponent = raw >> 12
    if exponent >= 0x8:
        exponent -= 0x10
    return SFloat(mantissa, exponent)


def sfloat_value(raw: int, what: str) -> float:
    """The number an SFLOAT holds; SigDecodeError (SPECIAL_VALUE) for NaN, NRes and infinities."""
    parsed = parse_sfloat(raw)
    if isinstance(parsed, SFloatSpecial):
        raise SigDecodeError(SigReason.SPECIAL_VALUE, f"{what} is {parsed.name}", parsed)
    return parsed.value
