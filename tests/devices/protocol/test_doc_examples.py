"""The worked examples of docs/device-protocol.md decode as the page says (the doc cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devices.protocol import (
    ChannelSample,
    CommandResult,
    DeviceConfig,
    Fault,
    Heartbeat,
    Hold,
    Opcode,
    Phase,
    PressureFrame,
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

DOC = Path(__file__).resolve().parents[3] / "docs" / "device-protocol.md"
_BLOCK = re.compile(r"<!-- example: (\S+) -->\s*```text\n(.*?)```", re.DOTALL)
_HEX = re.compile(r"[0-9a-f]{2}")

S = ChannelSample
EXPECTED = {
    "pressure-stream-4": (
        uuids.PRESSURE_STREAM,
        PressureFrame(
            42,
            123456,
            Unit.MMHG,
            (
                S(152.3, 150.0, Phase.HOLDING, False, False, 2, 5, 17),
                S(80.5, 150.0, Phase.INFLATING, True, False, 2, 5, 24),
                S(-0.4, 0.0, Phase.RELEASED, False, True, 0, 0, 0),
                S(None, 0.0, Phase.IDLE, False, False, 0, 0, 0),
            ),
        ),
    ),
    "pressure-stream-2": (
        uuids.PRESSURE_STREAM,
        PressureFrame(
            65535,
            5000,
            Unit.SKU,
            (
                S(12.0, 0.0, Phase.DEFLATING, False, True, 3, 3, 4),
                S(200.0, 200.0, Phase.HOLDING, False, False, 0, 0, 285),
            ),
        ),
    ),
    "status-4": (
        uuids.STATUS,
        StatusFrame(
            87,
            Fault.NONE,
            WatchdogState.ARMED,
            3600,
            1234,
            (Fault.NONE, Fault.LEAK, Fault.NONE, Fault.CUFF_UNPLUGGED),
        ),
    ),
    "status-2": (
        uuids.STATUS,
        StatusFrame(
            None,
            Fault.WATCHDOG_RELEASE,
            WatchdogState.EXPIRED,
            65,
            7,
            (Fault.NONE, Fault.OVER_PRESSURE),
        ),
    ),
    "result-ok": (uuids.COMMAND_RESULT, CommandResult(42, Opcode.RUN_CYCLE, ResultCode.OK, (0, 1))),
    "result-bad-channel": (
        uuids.COMMAND_RESULT,
        CommandResult(43, Opcode.HOLD, ResultCode.BAD_CHANNEL, (2, 3)),
    ),
    "device-config": (
        uuids.DEVICE_CONFIGURATION,
        DeviceConfig(
            1,
            0,
            Unit.MMHG,
            300.0,
            1200,
            300,
            60,
            10,
            2000,
            (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG),
        ),
    ),
    "run-cycle": (
        uuids.CONTROL_POINT,
        RunCycle(42, (0, 1), Unit.MMHG, 30, 5, 600, (100.0, 120.0, 140.0)),
    ),
    "hold": (uuids.CONTROL_POINT, Hold(43, (2, 3), Unit.SKU, 180.0, 300)),
    "release": (uuids.CONTROL_POINT, Release(44, (0,))),
    "release-all": (uuids.CONTROL_POINT, ReleaseAll(45)),
    "read-state": (uuids.CONTROL_POINT, ReadState(46)),
    "set-sites": (uuids.CONTROL_POINT, SetSites(47, (0, 1), (Site.LEFT_LEG, Site.RIGHT_LEG))),
    "heartbeat": (uuids.HEARTBEAT, Heartbeat(513)),
}


def _examples() -> dict[str, bytes]:
    """Every example block of the doc: the hex before each '#' comment, line by line."""
    examples = {}
    for name, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        data = bytearray()
        for line in body.splitlines():
            tokens = line.split("#", 1)[0].split()
            assert all(_HEX.fullmatch(t) for t in tokens), f"{name}: bad hex line {line!r}"
            data += bytes(int(t, 16) for t in tokens)
        examples[name] = bytes(data)
    return examples


DOC_EXAMPLES = _examples()


def test_every_example_is_checked() -> None:
    assert set(DOC_EXAMPLES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_decodes_and_encodes_as_documented(name: str) -> None:
    characteristic, frame = EXPECTED[name]
    assert decode(characteristic, DOC_EXAMPLES[name]) == frame
    assert encode(frame) == DOC_EXAMPLES[name]


def test_documented_uuids_match_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    for uuid in (
        uuids.CUFF_SERVICE,
        uuids.PRESSURE_STREAM,
        uuids.CONTROL_POINT,
        uuids.COMMAND_RESULT,
        uuids.STATUS,
        uuids.HEARTBEAT,
        uuids.DEVICE_CONFIGURATION,
    ):
        assert f"`{uuid}`" in text
