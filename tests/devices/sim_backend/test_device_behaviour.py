"""Device behaviour seen through BleakClient: programs, release, watchdog, TTL, result codes."""

from __future__ import annotations

import asyncio
import itertools

from devices.protocol import (
    Hold,
    Opcode,
    ReadState,
    Release,
    ReleaseAll,
    RunCycle,
    SetSites,
    WatchdogState,
    decode_device_config,
    uuids,
)
from devices.protocol.types import Fault, Phase, ResultCode, Site, Unit
from devices.sim.registry import CuffRegistry

from ._support import TWO, Cuff, add_cuff, run_virtual

PERIOD = 0.02  # 50 Hz stream


def _transition(frames, start, channel, predicate):
    """Receive time of the first frame at or after `start` whose channel satisfies predicate."""
    for t, frame in frames:
        if t >= start and predicate(frame.channels[channel]):
            return t
    raise AssertionError("transition never streamed")


def test_cycle_program_phase_timing_is_right_within_one_sample_period():
    # Progressive Cycle: 6 s inflated, 3 s deflated, 100 then 120 mmHg (ch0 arm, ch2 leg).
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        cmd = RunCycle(cuff.next_seq(), (0, 2), Unit.MMHG, 6, 3, 60, (100.0, 120.0))
        t0 = asyncio.get_running_loop().time()
        result = await cuff.command(cmd)
        await asyncio.sleep(20.0)
        await cuff.close()
        return t0, result, cuff.rec.frames

    t0, result, frames = run_virtual(scenario)
    assert result.result is ResultCode.OK and result.channels == (0, 2)
    # Receive time equals device time at a constant offset (frames are notified as sampled).
    offsets = {round(t - f.device_time_ms / 1000, 3) for t, f in frames}
    assert max(offsets) - min(offsets) <= 0.001
    for ch in (0, 2):
        expected = [
            (6.0, lambda c: c.phase is Phase.DEFLATING and c.cycle == 1),
            (9.0, lambda c: c.cycle == 2 and c.phase in (Phase.INFLATING, Phase.HOLDING)),
            # The last cycle ends with its own deflation window too (section 6), then releases.
            (15.0, lambda c: c.phase is Phase.DEFLATING and c.cycle == 2 and c.valve_open),
            (18.0, lambda c: c.phase is Phase.RELEASED and c.cycle == c.cycle_count == 0),
        ]
        seen = t0
        for at, predicate in expected:
            seen = _transition(frames, seen, ch, predicate)
            assert 0.0 <= seen - (t0 + at) < PERIOD + 1e-6, (ch, at, seen - t0)
        started = _transition(frames, t0, ch, lambda c: c.cycle_count == 2)
        assert started - t0 < PERIOD + 1e-6
        last_window = [f.channels[ch] for t, f in frames if t0 + 15.1 < t < t0 + 17.9]
        assert all(c.phase is Phase.DEFLATING and c.target == 0 for c in last_window)
        assert all(f.channels[ch].phase is Phase.RELEASED for t, f in frames if t > t0 + 18.1)
    # The targets follow the program, and the band holds within a few mmHg of them.
    holding = [f.channels[0] for t, f in frames if t0 + 4.5 < t < t0 + 6.0]
    assert all(c.phase is Phase.HOLDING and abs(c.pressure - 100.0) < 5.0 for c in holding)
    second = [f.channels[0] for t, f in frames if t0 + 13.5 < t < t0 + 15.0]
    assert all(c.target == 120.0 and abs(c.pressure - 120.0) < 5.0 for c in second)
    mid_deflation = next(f.channels[0] for t, f in frames if t >= t0 + 7.0)
    assert mid_deflation.valve_open and mid_deflation.seconds_left == 2
    mid_last = next(f.channels[0] for t, f in frames if t >= t0 + 16.0)
    assert mid_last.seconds_left == 2 and mid_last.pressure < 10.0  # the band emptied


def test_release_all_is_confirmed_and_pressure_falls_below_10_within_the_valve_time():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        cuff = await Cuff(registry, host).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        hold = await cuff.command(Hold(cuff.next_seq(), (0, 1, 2, 3), Unit.MMHG, 200.0, 120))
        assert hold.result is ResultCode.OK
        await asyncio.sleep(12.0)
        at_release = cuff.rec.frames[-1][1]
        assert all(c.phase is Phase.HOLDING for c in at_release.channels)
        t0 = asyncio.get_running_loop().time()
        result = await cuff.command(ReleaseAll(cuff.next_seq()))
        await asyncio.sleep(3.0)
        await cuff.close()
        return host, t0, result, cuff.frames_after(t0)

    host, t0, result, frames = run_virtual(scenario)
    assert result.opcode is Opcode.RELEASE_ALL and result.result is ResultCode.OK
    assert result.channels == (0, 1, 2, 3)
    p = host.cuff.params
    sites = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
    for ch, site in enumerate(sites):
        # From the top of the regulation band; the first *reading* below 10 may trail the band's
        # true crossing by three noise deviations over the decay slope at 10 (tau * 3 sd / 10).
        valve_time = p.valve_time_s(site, 200.0 + p.bleed_above)
        tau = p.valve_tau_s * p.volume_factor(site)
        noise = tau * 3 * p.noise_sd / p.residual
        below = _transition(frames, t0, ch, lambda c: c.pressure < 10.0)
        assert below - t0 <= valve_time + noise + PERIOD, (ch, below - t0, valve_time)
        assert below - t0 > 0.5 * valve_time  # the valve is a physical valve, not a switch
    last = frames[-1][1]
    assert all(c.phase is Phase.RELEASED and c.valve_open and c.target == 0 for c in last.channels)


def test_heartbeat_stopped_releases_every_channel_within_two_seconds():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        await cuff.command(Hold(cuff.next_seq(), (0, 1, 2, 3), Unit.MMHG, 150.0, 300))
        await asyncio.sleep(9.0)
        await cuff.stop_heartbeats()
        await cuff.heartbeat()
        last_beat = asyncio.get_running_loop().time()
        await asyncio.sleep(3.0)
        refused = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 300))
        status_before = cuff.rec.statuses[-1][1]
        await cuff.heartbeat()
        accepted = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 300))
        await asyncio.sleep(0.1)
        status_after = cuff.rec.statuses[-1][1]
        await cuff.close()
        return last_beat, cuff.rec.frames, status_before, refused, accepted, status_after

    last_beat, frames, status, refused, accepted, status_after = run_virtual(scenario)
    before = [f for t, f in frames if last_beat + 1.0 < t < last_beat + 1.98]
    assert before and all(c.phase is Phase.HOLDING for f in before for c in f.channels)
    for ch in range(4):
        released = _transition(frames, last_beat, ch, lambda c: c.phase is Phase.RELEASED)
        assert 2.0 <= released - last_beat < 2.0 + PERIOD + 1e-6
    assert status.device_faults & Fault.WATCHDOG_RELEASE
    assert status.watchdog is WatchdogState.EXPIRED
    assert refused.result is ResultCode.REFUSED  # no inflation until the heartbeat is back
    assert accepted.result is ResultCode.OK
    assert not status_after.device_faults & Fault.WATCHDOG_RELEASE  # cleared by the command
    assert status_after.watchdog is WatchdogState.ARMED


def test_time_to_live_expiry_releases_only_that_channel():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        cuff.start_heartbeats()
        await asyncio.sleep(0.6)
        t0 = asyncio.get_running_loop().time()
        short = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 120.0, 5))
        long = await cuff.command(Hold(cuff.next_seq(), (1,), Unit.MMHG, 120.0, 60))
        await asyncio.sleep(7.0)
        await cuff.close()
        return t0, short, long, cuff.rec.frames, cuff.rec.statuses

    t0, short, long, frames, statuses = run_virtual(scenario)
    assert short.result is ResultCode.OK and long.result is ResultCode.OK
    released = _transition(frames, t0, 0, lambda c: c.phase is Phase.RELEASED)
    assert 0.0 <= released - (t0 + 5.0) < PERIOD + 0.01  # the second HOLD went 7.5 ms later
    at_four = next(f for t, f in frames if t >= t0 + 4.0).channels[0]
    assert at_four.phase is Phase.HOLDING and at_four.seconds_left == 1
    assert at_four.cycle == at_four.cycle_count == 0  # a HOLD is no cycle program
    assert frames[-1][1].channels[1].phase is Phase.HOLDING
    final = statuses[-1][1]
    assert final.channel_faults[0] & Fault.TTL_RELEASE
    assert not final.channel_faults[1] & Fault.TTL_RELEASE


def test_read_state_answers_result_then_a_full_frame_then_status():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        await asyncio.sleep(0.3)
        start = len(cuff.rec.order)
        frames_before = len(cuff.rec.frames)
        result = await cuff.command(ReadState(cuff.next_seq()))
        await cuff.close()
        return result, cuff.rec, start, frames_before

    result, rec, start, frames_before = run_virtual(scenario)
    assert result.result is ResultCode.OK and result.channels == ()
    order = rec.order[start:]
    i = order.index(uuids.COMMAND_RESULT)
    assert order[i : i + 3] == [uuids.COMMAND_RESULT, uuids.PRESSURE_STREAM, uuids.STATUS]
    frames = [f for _, f in rec.frames[frames_before - 1 :]]
    assert all(b.sequence == a.sequence + 1 for a, b in itertools.pairwise(frames))


def test_result_codes_follow_the_documented_check_order_and_name_the_channels():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry, TWO)
        cuff = await Cuff(registry, host).connect()
        seq = cuff.next_seq
        codes = {}
        codes["refused"] = await cuff.command(Hold(seq(), (0,), Unit.MMHG, 150.0, 60))
        cuff.start_heartbeats()
        await asyncio.sleep(0.1)
        codes["bad_channel"] = await cuff.command(Hold(seq(), (1, 2, 3), Unit.MMHG, 150.0, 60))
        # The wrong unit wins over the out-of-range pressure (section 6 order).
        codes["unit"] = await cuff.command(Hold(seq(), (0,), Unit.SKU, 450.0, 60))
        codes["range"] = await cuff.command(Hold(seq(), (0,), Unit.MMHG, 450.0, 60))
        codes["cycles"] = await cuff.command(RunCycle(seq(), (0,), Unit.MMHG, 5, 5, 60, (1.0,)))
        codes["hold"] = await cuff.command(Hold(seq(), (0, 1), Unit.MMHG, 200.0, 60))
        await asyncio.sleep(8.0)
        codes["sites_busy"] = await cuff.command(SetSites(seq(), (0,), (Site.LEFT_LEG,)))
        codes["release"] = await cuff.command(Release(seq(), (0, 3)))
        codes["busy"] = await cuff.command(Hold(seq(), (0, 1), Unit.MMHG, 150.0, 60))
        await asyncio.sleep(3.0)
        codes["sites"] = await cuff.command(SetSites(seq(), (0,), (Site.LEFT_LEG,)))
        config = decode_device_config(await cuff.client.read_gatt_char(uuids.DEVICE_CONFIGURATION))
        host.cuff_now().faults.unplug(1)
        codes["release_1"] = await cuff.command(Release(seq(), (1,)))
        await asyncio.sleep(3.0)
        codes["inflate_unplugged"] = await cuff.command(Hold(seq(), (0, 1), Unit.MMHG, 150.0, 60))
        await asyncio.sleep(2.0)
        codes["fault"] = await cuff.command(Hold(seq(), (0, 1), Unit.MMHG, 150.0, 60))
        status = cuff.rec.statuses[-1][1]
        await cuff.close()
        return codes, config, status

    codes, config, status = run_virtual(scenario)
    got = {k: (r.result, r.channels) for k, r in codes.items()}
    assert got["refused"] == (ResultCode.REFUSED, (0,))
    assert got["bad_channel"] == (ResultCode.BAD_CHANNEL, (2, 3))
    assert got["unit"] == (ResultCode.UNIT_MISMATCH, (0,))
    assert got["range"] == (ResultCode.OUT_OF_RANGE, (0,))
    assert got["cycles"] == (ResultCode.OUT_OF_RANGE, (0,))  # below the device's min pressure
    assert got["hold"] == (ResultCode.OK, (0, 1))
    assert got["sites_busy"] == (ResultCode.REFUSED, (0,))
    assert got["release"] == (ResultCode.BAD_CHANNEL, (3,))  # channel 0 released all the same
    assert got["busy"] == (ResultCode.BUSY, (0,))  # channel 0 still venting, 1 holding
    assert got["sites"] == (ResultCode.OK, (0,))
    assert config.sites == (Site.LEFT_LEG, Site.RIGHT_ARM)
    assert got["release_1"] == (ResultCode.OK, (1,))
    assert got["inflate_unplugged"][0] is ResultCode.OK  # not yet detected
    assert got["fault"] == (ResultCode.FAULT, (1,))
    assert status.channel_faults[1] & Fault.CUFF_UNPLUGGED


def test_status_is_notified_once_a_second_when_nothing_changes_and_at_once_on_a_change():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        cuff = await Cuff(registry, host).connect()
        await asyncio.sleep(3.05)  # no heartbeat: nothing in the Status changes
        quiet = list(cuff.rec.statuses)
        host.cuff_now().set_battery(42.0)
        changed_at = asyncio.get_running_loop().time()
        await asyncio.sleep(0.2)
        await cuff.close()
        return quiet, cuff.rec.statuses[len(quiet) :], changed_at

    quiet, after, changed_at = run_virtual(scenario)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(quiet)]
    assert len(quiet) >= 3 and all(abs(g - 1.0) < 0.03 for g in gaps)  # the 1 s refresh only
    # The battery change is told at the next stream tick, not at the next refresh.
    first = next((t, s) for t, s in after if s.battery_percent == 42)
    assert first[0] - changed_at <= 0.021
    assert len(after) < 5  # a change is told once, not at every tick
