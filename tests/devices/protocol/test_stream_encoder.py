"""The fast Pressure Stream encoder gives the reference encoder's bytes, or its very error."""

from __future__ import annotations

import dataclasses
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol import ChannelSample, Phase, PressureFrame, ProtocolError, Unit
from devices.protocol.notify import (
    _encode_pressure_frame_checked,
    encode_pressure_frame,
    encode_pressure_rows,
)

from .test_properties import EXAMPLES, pressure_frames

# Values of every kind a caller might pass by mistake, plus edge values of the valid ranges.
ODD = st.one_of(
    st.integers(-(2**33), 2**33),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [True, False, None, "1", 1.0, 0.05, -50.0, 650.0, 650.04, 650.05, 500.0, 500.05, 65535]
    ),
    st.sampled_from(list(Phase) + list(Unit)),
)
CHANNEL_FIELDS = [f.name for f in dataclasses.fields(ChannelSample)]
FRAME_FIELDS = ["sequence", "device_time_ms", "unit"]


def encode_as_rows(frame: PressureFrame) -> bytes:
    """The frame's fields handed to the row encoder, as a device builds its stream."""
    rows = [tuple(getattr(ch, name) for name in CHANNEL_FIELDS) for ch in frame.channels]
    return encode_pressure_rows(frame.sequence, frame.device_time_ms, frame.unit, rows)


def outcome(encoder, frame: PressureFrame) -> tuple[str, object]:
    """Bytes, or the error's type, reason and text (whatever the reference raises, so does this)."""
    try:
        return "bytes", encoder(frame)
    except ProtocolError as exc:
        return "error", (exc.reason, str(exc))
    except Exception as exc:  # e.g. OverflowError from round() of a float near the maximum
        return type(exc).__name__, str(exc)


@settings(max_examples=EXAMPLES, deadline=None)
@given(pressure_frames())
def test_valid_frames_encode_to_the_reference_bytes(frame: PressureFrame) -> None:
    assert encode_pressure_frame(frame) == _encode_pressure_frame_checked(frame)
    assert encode_as_rows(frame) == encode_pressure_frame(frame)


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(pressure_frames(), st.data())
def test_odd_fields_give_the_reference_result(frame: PressureFrame, data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            name = data.draw(st.sampled_from(FRAME_FIELDS))
            frame = dataclasses.replace(frame, **{name: data.draw(ODD)})
        else:
            i = data.draw(st.integers(0, len(frame.channels) - 1))
            name = data.draw(st.sampled_from(CHANNEL_FIELDS))
            channels = list(frame.channels)
            channels[i] = dataclasses.replace(channels[i], **{name: data.draw(ODD)})
            frame = dataclasses.replace(frame, channels=tuple(channels))
    assert outcome(encode_pressure_frame, frame) == outcome(_encode_pressure_frame_checked, frame)
    assert outcome(encode_as_rows, frame) == outcome(_encode_pressure_frame_checked, frame)


def test_edge_values_take_the_same_path() -> None:
    base = PressureFrame(
        0, 0, Unit.MMHG, (ChannelSample(0.0, 0.0, Phase.IDLE, False, False, 0, 0, 0),) * 2
    )
    for p in (-50.0, -50.04, -50.05, 650.04, 650.05, math.nan, math.inf, -0.0, 1e300, 3, True):
        ch = dataclasses.replace(base.channels[0], pressure=p, target=abs(p) if p == p else p)
        frame = dataclasses.replace(base, channels=(ch, ch))
        assert outcome(encode_pressure_frame, frame) == outcome(
            _encode_pressure_frame_checked, frame
        ), p
