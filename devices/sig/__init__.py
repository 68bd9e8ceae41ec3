"""Decoders for Bluetooth SIG characteristics, one module per service."""

from devices.sig.errors import SigDecodeError, SigReason
from devices.sig.ieee11073 import SFloat, SFloatSpecial, parse_sfloat
from devices.sig.intermediate_cuff_pressure import (
    BLOOD_PRESSURE_SERVICE,
    INTERMEDIATE_CUFF_PRESSURE,
    CuffPressureReading,
    MeasurementStatus,
    PressureUnit,
    PulseRateRange,
    parse_intermediate_cuff_pressure,
)

__all__ = [
    "BLOOD_PRESSURE_SERVICE",
    "INTERMEDIATE_CUFF_PRESSURE",
    "CuffPressureReading",
    "MeasurementStatus",
    "PressureUnit",
    "PulseRateRange",
    "SFloat",
    "SFloatSpecial",
    "SigDecodeError",
    "SigReason",
    "parse_intermediate_cuff_pressure",
    "parse_sfloat",
]
