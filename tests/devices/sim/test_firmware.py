"""The firmware side of the profile on the bare model: Control Point bytes in, frames out."""

from __future__ import annotations

import math

from devices.protocol import Hold, ReadState, ReleaseAll, WatchdogState, encode
from devices.protocol.frames import Opcode
from devices.protocol.types import Phase, ResultCode, Unit
from devices.sim import SimulatedCuff
from devices.sim.firmware import (
    handle_command,
    handle_heartbeat,
    pressure_frame,
    pressure_frame_bytes,
    status_frame,
)

from ._drive import FOUR, ready_cuff, run


def test_a_decoded_hold_reaches_the_model_and_names_its_channels():
    cuff = ready_cuff(seed=1)
    answer = handle_command(cuff, encode(Hold(7, (0, 2), Unit.MMHG, 150.0, 60)))
    assert not answer.malformed and not answer.follow_state
    assert (answer.result.sequence, answer.result.opcode) == (7, Opcode.HOLD)
    assert (answer.result.result, answer.result.channels) == (ResultCode.OK, (0, 2))
    phases = [c.phase for c in cuff.snapshot().channels]
    assert phases == [Phase.INFLATING, Phase.IDLE, Phase.INFLATING, Phase.IDLE]


def test_read_state_asks_for_the_frame_and_status_to_follow():
    answer = handle_command(ready_cuff(seed=1), encode(ReadState(9)))
    assert answer.follow_state and answer.result.result is ResultCode.OK
    assert answer.result.channels == ()


def test_release_all_well_formed_or_not_releases_every_channel_once_answered():
    cuff = ready_cuff(seed=1)
    ok = handle_command(cuff, encode(ReleaseAll(3)))
    assert (ok.result.result, ok.result.channels) == (ResultCode.OK, (0, 1, 2, 3))
    assert all(c.phase is Phase.RELEASED for c in cuff.snapshot().channels)
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1111, 150.0, 60)
    bad = handle_command(cuff, bytes([0x04, 0x03, 0x00, 0x00, 0xEE]))
    assert bad.malformed and bad.result.result is ResultCode.BAD_COMMAND
    assert all(c.phase is Phase.RELEASED for c in cuff.snapshot().channels)


def test_garbage_is_malformed_and_changes_nothing():
    cuff = ready_cuff(seed=1)
    answer = handle_command(cuff, bytes([0x02, 0x01]))
    assert answer.malformed and answer.result.result is ResultCode.BAD_COMMAND
    assert all(c.phase is Phase.IDLE for c in cuff.snapshot().channels)


def test_status_watchdog_follows_the_model_through_disarmed_armed_expired():
    cuff = SimulatedCuff(FOUR, seed=1)
    assert status_frame(cuff).watchdog is WatchdogState.DISARMED  # after boot
    handle_heartbeat(cuff, b"\x05\x00")
    assert status_frame(cuff).watchdog is WatchdogState.ARMED
    assert status_frame(cuff).heartbeat_counter == 5
    run(cuff, 2.1, heartbeat=False)
    assert status_frame(cuff).watchdog is WatchdogState.DISARMED  # nothing was inflated
    handle_heartbeat(cuff, b"\xff")  # malformed, still feeds the watchdog (section 8)
    assert status_frame(cuff).watchdog is WatchdogState.ARMED
    assert status_frame(cuff).heartbeat_counter == 5  # the last readable counter stays
    cuff.hold(0b1, 150.0, 60)
    run(cuff, 2.1, heartbeat=False)
    assert status_frame(cuff).watchdog is WatchdogState.EXPIRED


def test_pressure_frame_zeroes_cycle_numbers_of_a_hold_only():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b01, 150.0, 60)
    cuff.run_cycle(0b10, 10.0, 5.0, 3, [150.0] * 3, 60)
    run(cuff, 0.5)
    frame = pressure_frame(cuff, 12)
    assert frame.sequence == 12 and frame.unit is Unit.MMHG
    assert [(c.cycle, c.cycle_count) for c in frame.channels] == [(0, 0), (1, 3), (0, 0), (0, 0)]
    assert [c.seconds_left for c in frame.channels[:2]] == [60, 10]  # rounded up


def _status_from_snapshot(cuff: SimulatedCuff) -> tuple:
    """The Status fields derived from the full snapshot, as the firmware once built them."""
    snap = cuff.snapshot()
    return (
        min(100, max(0, round(snap.battery_pct))),
        snap.device_faults,
        snap.watchdog_armed,
        snap.watchdog_expired,
        snap.heartbeat_counter & 0xFFFF,
        tuple(c.faults for c in snap.channels),
    )


def test_status_fields_match_the_full_snapshot_through_faults_watchdog_and_battery():
    cuff = SimulatedCuff(FOUR, seed=3, battery_pct=37.4)
    seen = [cuff.status_fields()]
    assert cuff.status_fields() == _status_from_snapshot(cuff)
    handle_heartbeat(cuff, b"\x34\x12")
    cuff.hold(0b0101, 150.0, 60)
    run(cuff, 1.0)
    cuff.faults.leak(0, 50.0)
    cuff.faults.stuck_sensor(2)
    run(cuff, 4.0)
    seen.append(cuff.status_fields())
    assert cuff.status_fields() == _status_from_snapshot(cuff)
    cuff.set_battery(80.6)
    run(cuff, 2.5, heartbeat=False)  # watchdog expiry: every channel released
    seen.append(cuff.status_fields())
    assert cuff.status_fields() == _status_from_snapshot(cuff)
    assert len(set(seen)) == 3  # each stage is a Status change
    frame = status_frame(cuff)
    assert frame.battery_percent == 81 and frame.watchdog is WatchdogState.EXPIRED
    assert frame.uptime_s == cuff.snapshot().uptime_ms // 1000
    assert frame.channel_faults == _status_from_snapshot(cuff)[5]


def test_pressure_frame_carries_the_stream_sample_through_a_cycle_a_hold_and_a_fault():
    cuff = ready_cuff(seed=4)
    cuff.run_cycle(0b0011, 3.0, 2.0, 2, (150.0, 180.0), 60)
    cuff.hold(0b0100, 120.0, 4)
    cuff.faults.stuck_sensor(3)
    seen = set()

    def check(_t: float, _snap: object) -> None:
        step = len(seen_steps)
        seen_steps.append(step)
        s = cuff.stream_sample()
        frame = pressure_frame(cuff, step)
        assert frame.device_time_ms == s.uptime_ms and frame.sequence == step
        for i, ch in enumerate(frame.channels):
            p = s.pressures[i]
            assert ch.pressure == (None if p is None else min(650.0, max(-50.0, p)))
            assert (ch.target, ch.phase, ch.pump_on, ch.valve_open) == (
                s.targets[i],
                s.phases[i],
                s.pumps[i],
                s.valves[i],
            )
            assert (ch.cycle, ch.cycle_count) == (s.cycles[i], s.cycle_counts[i])
            left = s.seconds_left[i]
            assert ch.seconds_left == (min(0xFFFF, math.ceil(left - 1e-6)) if left > 0 else 0)
            seen.add(ch.phase)
        # What the host notifies: the frame's bytes, encoded without building the frame.
        assert pressure_frame_bytes(cuff, step) == encode(frame)

    seen_steps: list[int] = []
    run(cuff, 8.0, on_sample=check)
    assert {Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING, Phase.RELEASED} <= seen
