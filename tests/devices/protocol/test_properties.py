"""Property tests: every frame round-trips; random bytes raise nothing but ProtocolError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol import (
    CHANNEL_COUNTS,
    DECODERS,
    ChannelSample,
    CommandResult,
    DeviceConfig,
    Fault,
    Frame,
    Heartbeat,
    Hold,
    Opcode,
    Phase,
    PressureFrame,
    ProtocolError,
    ReadState,
    Release,
    ReleaseAll,
    ResultCode,
    RunCycle,
    SetSites,
    Site,
    StatusFrame,
    Unit,
    WatchdogState,
    decode,
    encode,
    uuids,
)

EXAMPLES = 150

u16 = st.integers(0, 0xFFFF)
seconds = st.integers(1, 3600)
units = st.sampled_from(Unit)
faults = st.integers(0, 0x7F).map(Fault)


def tenths(low: int, high: int) -> st.SearchStrategy[float]:
    """Pressures exactly representable on the wire (0.1 unit)."""
    return st.integers(low, high).map(lambda raw: raw / 10)


channel_sets = st.sets(st.integers(0, 3), min_size=1).map(lambda s: tuple(sorted(s)))


@st.composite
def channel_samples(draw: st.DrawFn) -> ChannelSample:
    cycle_count = draw(st.integers(0, 32))
    return ChannelSample(
        pressure=draw(st.none() | tenths(-500, 6500)),
        target=draw(tenths(0, 5000)),
        phase=draw(st.sampled_from(Phase)),
        pump_on=draw(st.booleans()),
        valve_open=draw(st.booleans()),
        cycle=draw(st.integers(1, cycle_count)) if cycle_count else 0,
        cycle_count=cycle_count,
        seconds_left=draw(u16),
    )


@st.composite
def pressure_frames(draw: st.DrawFn) -> PressureFrame:
    count = draw(st.sampled_from(CHANNEL_COUNTS))
    samples = draw(st.lists(channel_samples(), min_size=count, max_size=count))
    return PressureFrame(draw(u16), draw(st.integers(0, 2**32 - 1)), draw(units), tuple(samples))


status_frames = st.builds(
    StatusFrame,
    battery_percent=st.none() | st.integers(0, 100),
    device_faults=faults,
    watchdog=st.sampled_from(WatchdogState),
    uptime_s=st.integers(0, 2**32 - 1),
    heartbeat_counter=u16,
    channel_faults=st.sampled_from(CHANNEL_COUNTS).flatmap(
        lambda n: st.lists(faults, min_size=n, max_size=n).map(tuple)
    ),
)
results = st.builds(
    CommandResult,
    sequence=u16,
    opcode=st.sampled_from(Opcode),
    result=st.sampled_from(ResultCode),
    channels=st.sets(st.integers(0, 3)).map(lambda s: tuple(sorted(s))),
)
configs = st.builds(
    DeviceConfig,
    protocol_major=st.just(1),
    protocol_minor=st.integers(0, 255),
    unit=units,
    max_pressure=tenths(1, 5000),
    max_ttl_s=seconds,
    max_inflation_s=seconds,
    max_deflation_s=seconds,
    max_cycles=st.integers(1, 32),
    heartbeat_timeout_ms=st.integers(1000, 2000),
    sites=st.sampled_from(CHANNEL_COUNTS).flatmap(
        lambda n: st.lists(st.sampled_from(Site), min_size=n, max_size=n).map(tuple)
    ),
)


@st.composite
def set_sites(draw: st.DrawFn) -> SetSites:
    channels = draw(channel_sets)
    sites = draw(st.lists(st.sampled_from(Site), min_size=len(channels), max_size=len(channels)))
    return SetSites(draw(u16), channels, tuple(sites))


commands = st.one_of(
    st.builds(
        RunCycle,
        sequence=u16,
        channels=channel_sets,
        unit=units,
        inflation_s=seconds,
        deflation_s=seconds,
        ttl_s=seconds,
        pressures=st.lists(tenths(1, 5000), min_size=1, max_size=32).map(tuple),
    ),
    st.builds(
        Hold,
        sequence=u16,
        channels=channel_sets,
        unit=units,
        pressure=tenths(1, 5000),
        ttl_s=seconds,
    ),
    st.builds(Release, sequence=u16, channels=channel_sets),
    st.builds(ReleaseAll, sequence=u16),
    st.builds(ReadState, sequence=u16),
    set_sites(),
)

CHARACTERISTIC: dict[type, str] = {
    PressureFrame: uuids.PRESSURE_STREAM,
    StatusFrame: uuids.STATUS,
    CommandResult: uuids.COMMAND_RESULT,
    DeviceConfig: uuids.DEVICE_CONFIGURATION,
    Heartbeat: uuids.HEARTBEAT,
}


def _round_trip(frame: Frame) -> None:
    characteristic = CHARACTERISTIC.get(type(frame), uuids.CONTROL_POINT)
    assert decode(characteristic, encode(frame)) == frame


@settings(max_examples=EXAMPLES)
@given(st.one_of(pressure_frames(), status_frames, results, configs, commands))
def test_every_frame_round_trips(frame: Frame) -> None:
    _round_trip(frame)


@settings(max_examples=40)
@given(st.builds(Heartbeat, counter=u16))
def test_heartbeat_round_trips(frame: Heartbeat) -> None:
    _round_trip(frame)


def _decodes_canonically_or_raises_protocol_error(characteristic: str, data: bytes) -> None:
    """Decoding either raises ProtocolError or yields a frame that encodes to the same bytes."""
    try:
        frame = DECODERS[characteristic](data)
    except ProtocolError:
        return
    if isinstance(frame, ReleaseAll | ReadState):
        data = data[:3] + b"\x00"  # their mask is ignored on the way in, sent as 0
    assert encode(frame) == data


@settings(max_examples=EXAMPLES)
@given(st.sampled_from(sorted(DECODERS)), st.binary(max_size=80))
def test_random_bytes_raise_only_protocol_error(characteristic: str, data: bytes) -> None:
    _decodes_canonically_or_raises_protocol_error(characteristic, data)


@settings(max_examples=EXAMPLES * 2)
@given(st.one_of(pressure_frames(), status_frames, results, configs, commands), st.data())
def test_mutated_frames_raise_only_protocol_error(frame: Frame, data: st.DataObject) -> None:
    # Random bytes rarely have a valid length; changing bytes of a valid frame reaches deeper.
    characteristic = CHARACTERISTIC.get(type(frame), uuids.CONTROL_POINT)
    raw = bytearray(encode(frame))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    _decodes_canonically_or_raises_protocol_error(characteristic, bytes(raw))


def test_not_bytes_raises_protocol_error() -> None:
    for decoder in DECODERS.values():
        for value in (None, 42, "text", [1, 2]):
            try:
                decoder(value)  # type: ignore[arg-type]
            except ProtocolError:
                continue
            raise AssertionError(f"{decoder.__name__} accepted {value!r}")
