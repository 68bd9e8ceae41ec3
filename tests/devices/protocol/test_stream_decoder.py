"""The stream decoder gives decode_pressure_frame's frame or error, reusing unchanged channels."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol import (
    ChannelSample,
    Phase,
    PressureFrame,
    PressureStreamDecoder,
    ProtocolError,
    Unit,
    decode_pressure_frame,
    encode,
)

from .test_properties import EXAMPLES, channel_samples, pressure_frames


def outcome(decode, data: bytes) -> tuple[str, object]:
    """The frame, or the error's reason and text."""
    try:
        return "frame", decode(data)
    except ProtocolError as exc:
        return "error", (exc.reason, str(exc))


@st.composite
def streams(draw: st.DrawFn) -> list[bytes]:
    """Successive notifications: channels held or changed, now and then a corrupted one."""
    frame = draw(pressure_frames())
    out = []
    for seq in range(draw(st.integers(1, 8))):
        channels = list(frame.channels)
        for i in draw(st.sets(st.integers(0, len(channels) - 1))):
            channels[i] = draw(channel_samples())
        frame = dataclasses.replace(frame, sequence=seq, channels=tuple(channels))
        data = bytearray(encode(frame))
        if draw(st.integers(0, 5)) == 0:  # a corrupted byte, or a frame cut short
            if draw(st.booleans()):
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
            else:
                data = data[: draw(st.integers(0, len(data) - 1))]
        out.append(bytes(data))
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(streams())
def test_the_decoder_decodes_every_notification_as_the_function_does(stream: list[bytes]) -> None:
    decoder = PressureStreamDecoder()
    for data in stream:
        assert outcome(decoder, data) == outcome(decode_pressure_frame, data)


def test_a_channel_whose_bytes_repeat_gets_the_previous_sample_back() -> None:
    rest = ChannelSample(0.0, 0.0, Phase.IDLE, False, True, 0, 0, 0)
    busy = ChannelSample(150.2, 150.0, Phase.HOLDING, False, False, 2, 20, 41)
    decoder = PressureStreamDecoder()
    first = decoder(encode(PressureFrame(1, 20, Unit.MMHG, (busy, rest))))
    moved = dataclasses.replace(busy, pressure=150.4)
    second = decoder(bytearray(encode(PressureFrame(2, 40, Unit.MMHG, (moved, rest)))))
    assert second == PressureFrame(2, 40, Unit.MMHG, (moved, rest))
    assert second.channels[1] is first.channels[1]  # unchanged bytes: the same immutable sample
    assert second.channels[0] is not first.channels[0]
