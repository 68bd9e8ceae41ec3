"""The firmware side of the profile on the bare model: Control Point bytes in, frames out."""

from __future__ import annotations

from devices.protocol import Hold, ReadState, ReleaseAll, WatchdogState, encode
from devices.protocol.frames import Opcode
from devices.protocol.types import Phase, ResultCode, Unit
from devices.sim import SimulatedCuff
from devices.sim.firmware import (
    handle_command,
    handle_heartbeat,
    pressure_frame,
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
