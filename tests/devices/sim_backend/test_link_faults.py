"""Link-level faults injected below bleak: drops, lost notifications, late and missing results."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from bleak.exc import BleakError

from devices.protocol import (
    Hold,
    Opcode,
    ReadState,
    ReleaseAll,
    WatchdogState,
    encode,
    sequence_delta,
    uuids,
)
from devices.protocol.types import Fault, Phase, ResultCode, Unit
from devices.sim.registry import CuffRegistry

from ._support import TWO, Cuff, add_cuff, run_virtual, wait_until


async def _holding(registry: CuffRegistry, sites=TWO, **client_kwargs) -> Cuff:
    cuff = await Cuff(registry, add_cuff(registry, sites), **client_kwargs).connect()
    cuff.start_heartbeats()
    await asyncio.sleep(0.6)
    result = await cuff.command(Hold(cuff.next_seq(), (0, 1), Unit.MMHG, 150.0, 600))
    assert result.result is ResultCode.OK
    await asyncio.sleep(6.0)
    return cuff


def test_link_drop_disconnects_the_client_and_the_watchdog_releases_after_two_seconds():
    async def scenario(registry: CuffRegistry):
        cuff = await _holding(registry, timeout=1.0)
        host = cuff.host
        loop = asyncio.get_running_loop()
        await cuff.stop_heartbeats()
        await cuff.heartbeat()
        last_beat = loop.time()
        await asyncio.sleep(0.3)
        dropped_at = loop.time()
        host.drop_link(5.0)
        assert cuff.disconnects == [dropped_at]  # at once, through bleak's callback
        assert not cuff.client.is_connected
        with pytest.raises(BleakError):
            await cuff.heartbeat()
        # The cuff runs on: still holding just before 2 s of silence, released just after.
        await asyncio.sleep(last_beat + 1.95 - loop.time())
        assert all(c.phase is Phase.HOLDING for c in host.cuff_now().snapshot().channels)
        await asyncio.sleep(0.1)
        snap = host.cuff_now().snapshot()
        assert all(c.phase is Phase.RELEASED for c in snap.channels)
        assert snap.device_faults & Fault.WATCHDOG_RELEASE
        with pytest.raises(TimeoutError):
            await cuff.client.connect()  # out of range: no advertisement within the timeout
        await asyncio.sleep(dropped_at + 5.0 - loop.time())
        await cuff.connect()
        assert host.counters.link_drops == 1 and host.counters.connections == 2
        start = len(cuff.rec.statuses)
        state = await cuff.command(ReadState(cuff.next_seq()))
        await asyncio.sleep(0.05)
        frame = cuff.rec.frames[-1][1]
        status = cuff.rec.statuses[start][1]
        await cuff.close()
        return state, frame, status

    state, frame, status = run_virtual(scenario)
    assert state.result is ResultCode.OK
    assert all(c.phase is Phase.RELEASED and c.pressure < 10.0 for c in frame.channels)
    assert status.device_faults & Fault.WATCHDOG_RELEASE
    assert status.watchdog is WatchdogState.EXPIRED


def test_a_drop_shorter_than_the_watchdog_finds_the_program_still_running():
    async def scenario(registry: CuffRegistry):
        cuff = await _holding(registry)
        cuff.host.drop_link(1.0)
        await asyncio.sleep(0.2)
        await cuff.stop_heartbeats()
        await cuff.connect()  # waits for the first advertisement after the link returns
        cuff.start_heartbeats()
        await cuff.command(ReadState(cuff.next_seq()))
        await asyncio.sleep(5.0)
        frame = cuff.rec.frames[-1][1]
        await cuff.close()
        return frame, cuff.disconnects

    frame, disconnects = run_virtual(scenario)
    assert len(disconnects) == 2  # the drop, then the requested disconnect
    assert all(c.phase is Phase.HOLDING and abs(c.pressure - 150.0) < 5 for c in frame.channels)


def test_a_fraction_of_lost_notifications_shows_as_sequence_gaps():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        await asyncio.sleep(0.5)
        cuff.host.link.lose_notifications(0.3, characteristics=[uuids.PRESSURE_STREAM])
        start = asyncio.get_running_loop().time()
        await asyncio.sleep(10.0)
        cuff.host.link.stop_losing_notifications()
        frames = [f for t, f in cuff.rec.frames if t >= start]
        counters = cuff.host.counters
        await cuff.close()
        return frames, counters

    frames, counters = run_virtual(scenario)
    gaps = [sequence_delta(a.sequence, b.sequence) for a, b in itertools.pairwise(frames)]
    assert min(gaps) >= 1  # never a duplicate or a reordering
    missing = sum(g - 1 for g in gaps)
    assert 0.2 < missing / (missing + len(frames)) < 0.4
    assert counters.notifications_lost >= missing


def test_a_window_of_lost_notifications_leaves_a_silent_gap_then_the_stream_resumes():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        await asyncio.sleep(0.5)
        cuff.host.link.lose_notifications(duration_s=1.5)
        await asyncio.sleep(3.0)
        times = [t for t, _ in cuff.rec.frames]
        frames = [f for _, f in cuff.rec.frames]
        await cuff.close()
        return times, frames

    times, frames = run_virtual(scenario)
    silences = [b - a for a, b in itertools.pairwise(times)]
    assert max(silences) == pytest.approx(1.5, abs=0.021)  # a link that looks stale for 1.5 s
    i = silences.index(max(silences))
    # The device sent every frame: the sequence jump matches the silence, frame for frame.
    jump = sequence_delta(frames[i].sequence, frames[i + 1].sequence)
    assert jump == round(silences[i] / 0.02)
    assert frames[i + 1].device_time_ms - frames[i].device_time_ms == jump * 20


def test_late_and_missing_command_results():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        link = cuff.host.link
        loop = asyncio.get_running_loop()
        out = {}
        link.delay_results(0.4, count=1)
        sent = loop.time()
        late = await cuff.command(ReadState(cuff.next_seq()), timeout=1.0)
        out["late_after"] = cuff.rec.results[-1][0] - sent
        sent = loop.time()
        await cuff.command(ReadState(cuff.next_seq()))
        out["on_time_after"] = cuff.rec.results[-1][0] - sent
        link.drop_results(count=2, opcodes=[Opcode.RELEASE_ALL])
        out["read_state"] = await cuff.command(ReadState(cuff.next_seq()))  # not a release
        for attempt in range(2):
            with pytest.raises(TimeoutError):
                await cuff.command(ReleaseAll(cuff.next_seq()))
            out[f"dropped_{attempt}"] = True
        out["third"] = await cuff.command(ReleaseAll(cuff.next_seq()))
        out["counters"] = cuff.host.counters
        await cuff.close()
        return late, out

    late, out = run_virtual(scenario)
    assert late.result is ResultCode.OK
    assert 0.4 <= out["late_after"] < 0.4 + 0.03
    assert out["on_time_after"] < 0.03
    assert out["read_state"].result is ResultCode.OK
    assert out["third"].result is ResultCode.OK and out["third"].opcode is Opcode.RELEASE_ALL
    assert out["counters"].results_dropped == 2


def test_dropped_results_do_not_stop_the_command_from_applying():
    async def scenario(registry: CuffRegistry):
        cuff = await _holding(registry)
        cuff.host.link.drop_results()
        await cuff.write(encode(ReleaseAll(cuff.next_seq())))
        await asyncio.sleep(3.0)
        frame = cuff.rec.frames[-1][1]
        results = len(cuff.rec.results)
        await cuff.close()
        return frame, results

    frame, results = run_virtual(scenario)
    assert results == 1  # only the HOLD's result ever came
    assert all(c.phase is Phase.RELEASED and c.pressure < 10 for c in frame.channels)


def test_a_hung_disconnect_hangs_until_cancelled_and_leaves_the_client_disconnected():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        cuff.host.link.hang_disconnect()
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(cuff.client.disconnect(), 5.0)  # the link's 5 s cap
        capped = loop.time() - start
        assert not cuff.client.is_connected and len(cuff.disconnects) == 1
        assert not cuff.host.connected
        # A hang without a cap really hangs.
        cuff.host.link.hang_disconnect()
        await cuff.connect()
        task = loop.create_task(cuff.client.disconnect())
        await asyncio.sleep(60.0)
        assert not task.done()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # A finite hang completes.
        cuff.host.link.hang_disconnect(1.0)
        await cuff.connect()
        start = loop.time()
        await cuff.client.disconnect()
        finite = loop.time() - start
        return capped, finite

    capped, finite = run_virtual(scenario)
    assert capped == pytest.approx(5.0)
    assert 1.0 <= finite < 1.1


def test_reboot_drops_the_link_and_the_device_comes_back_fresh():
    async def scenario(registry: CuffRegistry):
        cuff = await _holding(registry)
        seq_before = cuff.rec.frames[-1][1].sequence
        boot = cuff.host.cuff.boot_id
        new_boot = cuff.host.reboot(downtime_s=1.0)
        assert new_boot != boot and len(cuff.disconnects) == 1
        await cuff.stop_heartbeats()
        t = await wait_until(lambda: cuff.host.available, 2.0)
        await cuff.connect()
        await asyncio.sleep(0.5)
        refused = await cuff.command(Hold(cuff.next_seq(), (0,), Unit.MMHG, 150.0, 60))
        first = next(f for rt, f in cuff.rec.frames if rt > t)
        status = cuff.rec.statuses[-1][1]
        await cuff.close()
        return seq_before, first, status, refused

    seq_before, first, status, refused = run_virtual(scenario)
    assert seq_before > 300 and first.sequence == 0  # RAM lost: the stream starts over
    assert first.device_time_ms < 1200
    assert all(c.phase is Phase.IDLE and c.target == 0 for c in first.channels)
    assert status.watchdog is WatchdogState.DISARMED
    assert refused.result is ResultCode.REFUSED  # no heartbeat since the reconnection
