"""Seen through BleakClient, the simulated cuff keeps docs/device-protocol.md to the letter."""

from __future__ import annotations

import asyncio

from devices.protocol import Hold, ReleaseAll, RunCycle, SetSites, WatchdogState
from devices.protocol.types import Fault, Phase, ResultCode, Site, Unit
from devices.sim import Program
from devices.sim.registry import CuffRegistry

from ._support import TWO, Cuff, add_cuff, run_virtual


def test_release_all_on_an_idle_cuff_reports_every_channel_released():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        await asyncio.sleep(0.3)
        before = cuff.rec.frames[-1][1]
        result = await cuff.command(ReleaseAll(cuff.next_seq()))
        await asyncio.sleep(0.1)
        after = cuff.rec.frames[-1][1]
        await cuff.close()
        return before, result, after

    before, result, after = run_virtual(scenario)
    assert all(c.phase is Phase.IDLE for c in before.channels)
    assert result.result is ResultCode.OK and result.channels == (0, 1, 2, 3)
    assert all(c.phase is Phase.RELEASED and c.valve_open for c in after.channels)
    assert all(c.target == 0 and c.cycle == c.cycle_count == 0 for c in after.channels)


def test_heartbeat_silence_with_nothing_inflated_reports_disarmed_not_expired():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        await cuff.heartbeat()
        await asyncio.sleep(1.5)
        armed = cuff.rec.statuses[-1][1]
        await asyncio.sleep(1.0)  # 2.5 s without a heartbeat
        silent = cuff.rec.statuses[-1][1]
        frame = cuff.rec.frames[-1][1]
        refused = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 60))
        await cuff.heartbeat()
        accepted = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 60))
        await asyncio.sleep(0.05)
        rearmed = cuff.rec.statuses[-1][1]
        await cuff.close()
        return armed, silent, frame, refused, accepted, rearmed

    armed, silent, frame, refused, accepted, rearmed = run_virtual(scenario)
    assert armed.watchdog is WatchdogState.ARMED
    assert silent.watchdog is WatchdogState.DISARMED  # section 8: nothing inflated
    assert silent.device_faults == Fault.NONE  # nothing was released by the watchdog
    assert all(c.phase is Phase.IDLE for c in frame.channels)
    assert refused.result is ResultCode.REFUSED  # disarmed: no inflation
    assert accepted.result is ResultCode.OK
    assert rearmed.watchdog is WatchdogState.ARMED


def test_heartbeat_silence_during_a_hold_expires_and_releases_the_idle_channel_too():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 60))
        await asyncio.sleep(3.0)
        await cuff.stop_heartbeats()
        await asyncio.sleep(2.6)
        status = cuff.rec.statuses[-1][1]
        frame = cuff.rec.frames[-1][1]
        await cuff.close()
        return status, frame

    status, frame = run_virtual(scenario)
    assert status.watchdog is WatchdogState.EXPIRED
    assert status.device_faults & Fault.WATCHDOG_RELEASE
    assert [c.phase for c in frame.channels] == [Phase.RELEASED, Phase.RELEASED]


def test_a_hold_streams_no_cycle_numbers_beside_a_one_cycle_program():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry, TWO)
        cuff = await Cuff(registry, host).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 60))
        await cuff.command(RunCycle(cuff.next_seq(), (1,), Unit.MMHG, 20, 5, 60, (150.0,)))
        await asyncio.sleep(1.0)
        frame = cuff.rec.frames[-1][1]
        programs = host.cuff_now().stream_sample().programs
        await cuff.close()
        return frame, programs

    frame, programs = run_virtual(scenario)
    hold, cycle = frame.channels
    assert (hold.cycle, hold.cycle_count) == (0, 0)  # a HOLD is no cycle program (section 5)
    assert 58 <= hold.seconds_left <= 59  # its time-to-live
    assert (cycle.cycle, cycle.cycle_count) == (1, 1)
    assert 18 <= cycle.seconds_left <= 19  # its inflation window
    assert programs == (Program.HOLD, Program.CYCLE)


def test_check_order_unit_before_range_and_set_sites_refused_while_pressurised():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        seq = cuff.next_seq
        got = {
            "cycle_unit": await cuff.command(
                RunCycle(seq(), (0,), Unit.SKU, 5, 5, 60, (450.0, 5.0))
            ),
            "cycle_range": await cuff.command(
                RunCycle(seq(), (0,), Unit.MMHG, 5, 5, 60, (150.0, 5.0))
            ),
            "hold_min": await cuff.command(Hold(seq(), (0,), Unit.MMHG, 9.9, 60)),
            "hold_at_min": await cuff.command(Hold(seq(), (1,), Unit.MMHG, 10.0, 60)),
            "hold": await cuff.command(Hold(seq(), (0,), Unit.MMHG, 150.0, 60)),
        }
        await asyncio.sleep(1.0)
        got["sites_inflating"] = await cuff.command(SetSites(seq(), (0, 1), (Site.LEFT_LEG,) * 2))
        await cuff.close()
        return {k: (r.result, r.channels) for k, r in got.items()}

    got = run_virtual(scenario)
    assert got["cycle_unit"] == (ResultCode.UNIT_MISMATCH, (0,))
    assert got["cycle_range"] == (ResultCode.OUT_OF_RANGE, (0,))  # 5.0 is below the minimum
    assert got["hold_min"] == (ResultCode.OUT_OF_RANGE, (0,))
    assert got["hold_at_min"] == (ResultCode.OK, (1,))
    assert got["hold"] == (ResultCode.OK, (0,))
    assert got["sites_inflating"] == (ResultCode.REFUSED, (0, 1))
