"""Malformed Control Point writes: the device-side rules, and 100,000 random bytes."""

from __future__ import annotations

import asyncio
import random

from devices.protocol import (
    Hold,
    Opcode,
    ProtocolError,
    RunCycle,
    StatusFrame,
    decode,
    decode_command,
    uuids,
)
from devices.protocol.types import Phase, ResultCode, Unit
from devices.sim.registry import CuffRegistry

from ._support import TWO, Cuff, add_cuff, run_virtual

PRESSURISED = (Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING)


async def _answer(cuff: Cuff, data: bytes):
    start = len(cuff.rec.results)
    await cuff.write(data)
    await asyncio.sleep(0.05)
    (answer,) = [r for _, r in cuff.rec.results[start:]]
    return answer


def test_malformed_writes_are_answered_bad_command_with_what_the_header_reveals():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        answers = {
            "empty": await _answer(cuff, b""),
            "unknown": await _answer(cuff, bytes([0x7F, 0x05, 0x00, 0x01])),
            "short": await _answer(cuff, bytes([0x02])),
            # HOLD 9 on channels 0 and 1, one byte short: no inflation.
            "hold_short": await _answer(
                cuff, bytes([0x02, 0x09, 0x00, 0x03, 0x00, 0xDC, 0x05, 0x3C])
            ),
            # HOLD 10 with reserved mask bit 4 set.
            "reserved": await _answer(
                cuff, bytes([0x02, 0x0A, 0x00, 0x13, 0, 0xDC, 0x05, 0x3C, 0])
            ),
        }
        await asyncio.sleep(1.0)
        idle = cuff.rec.frames[-1][1]
        await cuff.command(Hold(cuff.next_seq(), (0, 1), Unit.MMHG, 150.0, 60))
        await asyncio.sleep(6.0)
        holding = cuff.rec.frames[-1][1]
        # Any write whose first byte is 0x04 releases every channel, malformed or not.
        answers["release_all_long"] = await _answer(cuff, bytes([0x04, 0x2D, 0x00, 0x00, 0xFF]))
        released = cuff.rec.frames[-1][1]
        await cuff.close()
        return answers, idle, holding, released

    answers, idle, holding, released = run_virtual(scenario)
    got = {k: (a.sequence, a.opcode, a.result, a.channels) for k, a in answers.items()}
    bad = ResultCode.BAD_COMMAND
    assert got["empty"] == (0, Opcode.NONE, bad, ())
    assert got["unknown"] == (5, Opcode.NONE, bad, ())
    assert got["short"] == (0, Opcode.HOLD, bad, ())
    assert got["hold_short"] == (9, Opcode.HOLD, bad, (0, 1))
    assert got["reserved"] == (10, Opcode.HOLD, bad, (0, 1))
    assert got["release_all_long"] == (0x2D, Opcode.RELEASE_ALL, bad, ())
    assert all(c.phase is Phase.IDLE for c in idle.channels)
    assert all(c.phase is Phase.HOLDING for c in holding.channels)
    assert all(c.phase is Phase.RELEASED and c.valve_open for c in released.channels)


def test_any_heartbeat_write_feeds_the_watchdog_even_malformed():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        await cuff.client.write_gatt_char(uuids.HEARTBEAT, b"\x01\x02\x03", response=False)
        result = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 120.0, 60))
        status = decode(uuids.STATUS, await cuff.client.read_gatt_char(uuids.STATUS))
        await cuff.close()
        return result, status

    result, status = run_virtual(scenario)
    assert result.result is ResultCode.OK  # armed by a write that is not a heartbeat frame
    assert isinstance(status, StatusFrame) and status.heartbeat_counter == 0


def _garbage(rng: random.Random) -> bytes:
    size = rng.randint(0, 20)
    data = bytearray(rng.randbytes(size))
    if data and rng.random() < 0.5:
        data[0] = rng.randint(1, 6)  # a known opcode with a random body
    return bytes(data)


def test_100k_random_bytes_on_the_control_point_never_inflate_and_never_raise():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        cuff = await Cuff(registry, host).connect()
        cuff.start_heartbeats()  # armed: a garbage pressure command would be obeyed
        await asyncio.sleep(0.6)
        rng = random.Random(3)
        written: list[bytes] = []
        total = 0
        while total < 100_000:
            data = _garbage(rng)
            total += len(data)
            start = len(cuff.rec.results)
            await cuff.write(data)
            written.append(data)
            assert len(cuff.rec.results) <= start + 1
        await asyncio.sleep(0.2)
        counters = host.counters
        await cuff.close()
        return written, cuff.rec, counters

    written, rec, counters = run_virtual(scenario)
    results = [r for _, r in rec.results]
    assert len(results) == len(written)  # exactly one answer per write
    valid_pressure = 0
    malformed = 0
    for data, result in zip(written, results, strict=True):
        try:
            command = decode_command(data)
        except ProtocolError:
            malformed += 1
            assert result.result is ResultCode.BAD_COMMAND, data.hex()
            assert (result.opcode is Opcode.NONE) == (not data or not 1 <= data[0] <= 6)
            assert (result.sequence == 0) or len(data) >= 3
        else:
            assert result.sequence == command.sequence
            valid_pressure += isinstance(command, Hold | RunCycle)
    assert malformed > 0.95 * len(written)
    assert counters.bad_commands == malformed
    assert counters.internal_errors == 0 and counters.callback_errors == 0
    assert valid_pressure == 0  # so nothing may ever have inflated
    assert all(
        c.phase not in PRESSURISED and c.pressure < 10.0 for _, f in rec.frames for c in f.channels
    )
    assert len(rec.frames) > 1000  # the stream ran throughout
