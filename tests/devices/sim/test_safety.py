"""Firmware safety: heartbeat watchdog, time-to-live, release, battery, reboot."""

from __future__ import annotations

import pytest

from devices.protocol.types import Fault, Phase, ResultCode
from devices.sim import SimFault

from ._drive import ready_cuff, run


def _inflated(seed: int = 1, mask: int = 0b1111, ttl: float = 600.0):
    cuff = ready_cuff(seed=seed)
    assert cuff.hold(mask, 180.0, ttl) is ResultCode.OK
    run(cuff, 8.0)
    assert all(c.phase is Phase.HOLDING for c in cuff.snapshot().channels if mask >> c.index & 1)
    return cuff


def test_heartbeats_keep_the_watchdog_fed():
    cuff = _inflated()
    run(cuff, 10.0)
    snap = cuff.snapshot()
    assert snap.watchdog_armed and not snap.watchdog_expired
    assert all(c.phase is Phase.HOLDING for c in snap.channels)


def test_heartbeat_stopped_releases_every_channel_after_two_seconds_not_before():
    cuff = _inflated()
    cuff.heartbeat()
    last = cuff.now
    run(cuff, 1.99, heartbeat=False)
    assert all(c.phase is Phase.HOLDING for c in cuff.snapshot().channels)
    assert not cuff.snapshot().faults & Fault.WATCHDOG_RELEASE
    run(cuff, 0.02, heartbeat=False)
    snap = cuff.snapshot()
    assert cuff.now - last == pytest.approx(2.01)
    assert all(c.phase is Phase.RELEASED and c.valve_open for c in snap.channels)
    assert snap.device_faults & Fault.WATCHDOG_RELEASE
    assert snap.watchdog_expired and not snap.watchdog_armed
    # Inflation waits for the heartbeat to resume; the flag stays until a new command runs.
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED
    run(cuff, 2.0, heartbeat=False)
    assert max(c.true_pressure for c in cuff.snapshot().channels) < 10.0
    cuff.heartbeat()
    assert cuff.snapshot().faults & Fault.WATCHDOG_RELEASE
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK
    assert not cuff.snapshot().faults & Fault.WATCHDOG_RELEASE


def test_watchdog_silence_with_nothing_inflated_disarms_without_a_release():
    # Section 8: nothing inflating, holding or deflating -> back to disarmed, no flag.
    cuff = ready_cuff(seed=1)
    run(cuff, 1.9, heartbeat=False)
    assert cuff.snapshot().watchdog_armed
    run(cuff, 1.1, heartbeat=False)
    snap = cuff.snapshot()
    assert not snap.watchdog_expired and not snap.watchdog_armed and snap.faults == Fault.NONE
    assert all(c.phase is Phase.IDLE for c in snap.channels)  # nothing was released
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED  # disarmed refuses inflation
    cuff.heartbeat()
    assert cuff.snapshot().watchdog_armed
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK


def test_watchdog_silence_after_a_release_disarms_and_a_venting_band_is_not_pressurised():
    cuff = _inflated(mask=0b1)
    cuff.release(0b1)
    cuff.heartbeat()
    run(cuff, 2.1, heartbeat=False)
    snap = cuff.snapshot()
    assert not snap.watchdog_expired and not snap.watchdog_armed
    assert not snap.device_faults & Fault.WATCHDOG_RELEASE
    assert snap.channels[0].phase is Phase.RELEASED


def test_watchdog_release_turns_idle_channels_released_too():
    # Every channel is released when any one was pressurised; the idle ones become RELEASED.
    cuff = _inflated(mask=0b1)
    cuff.heartbeat()
    run(cuff, 2.1, heartbeat=False)
    snap = cuff.snapshot()
    assert snap.watchdog_expired and snap.device_faults & Fault.WATCHDOG_RELEASE
    assert all(c.phase is Phase.RELEASED for c in snap.channels)


def test_new_connection_must_heartbeat_before_inflating_but_watchdog_keeps_running():
    cuff = _inflated()
    cuff.heartbeat()
    cuff.connection_started()
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED
    run(cuff, 2.1, heartbeat=False)
    assert all(c.phase is Phase.RELEASED for c in cuff.snapshot().channels)


def test_ttl_expiry_releases_only_that_channel():
    cuff = ready_cuff(seed=3)
    cuff.hold(0b0001, 150.0, 6.0)
    cuff.hold(0b0010, 150.0, 60.0)
    run(cuff, 5.99)
    assert cuff.snapshot().channels[0].phase is Phase.HOLDING
    run(cuff, 0.02)
    snap = cuff.snapshot()
    assert snap.channels[0].phase is Phase.RELEASED
    assert snap.channels[0].faults == Fault.TTL_RELEASE
    assert snap.channels[1].phase is Phase.HOLDING and snap.channels[1].faults == Fault.NONE
    assert snap.faults == Fault.TTL_RELEASE
    run(cuff, 2.0)
    assert cuff.snapshot().channels[0].true_pressure < 10.0
    # A new accepted command on the channel clears its TTL flag.
    assert cuff.hold(0b0001, 150.0, 60.0) is ResultCode.OK
    assert cuff.snapshot().faults == Fault.NONE


def test_ttl_shorter_than_a_cycle_program_cuts_it():
    cuff = ready_cuff(seed=3)
    cuff.run_cycle(0b1, 10.0, 5.0, 3, [150.0] * 3, 12.0)
    run(cuff, 12.01)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.RELEASED and c.faults & Fault.TTL_RELEASE and c.cycle == 0


def test_release_is_accepted_even_with_faults_and_bad_masks():
    cuff = _inflated(mask=0b0011)
    cuff.faults.runaway_pump(0)
    run(cuff, 8.0)
    assert cuff.snapshot().channels[0].faults & Fault.OVER_PRESSURE
    assert cuff.release(0b0001) is ResultCode.OK
    # A mask naming a channel the device lacks still releases the ones it has.
    assert cuff.release(0b100010) is ResultCode.BAD_CHANNEL
    assert cuff.snapshot().channels[1].phase is Phase.RELEASED
    assert cuff.release_all() is ResultCode.OK


def test_battery_drains_faster_with_pumps_and_reports_low():
    idle = ready_cuff(seed=1)
    run(idle, 60.0)
    busy = ready_cuff(seed=1)
    busy.run_cycle(0b1111, 20.0, 10.0, 2, [250.0, 250.0], 120)
    run(busy, 60.0)
    idle_drop = 100.0 - idle.battery_pct
    busy_drop = 100.0 - busy.battery_pct
    assert 0.0 < idle_drop < busy_drop
    assert busy.snapshot().battery_low is False
    busy.set_battery(19.0)
    assert busy.snapshot().battery_low is True


def test_empty_battery_releases_everything():
    cuff = _inflated()
    cuff.set_battery(0.00001)
    run(cuff, 0.1)
    snap = cuff.snapshot()
    assert snap.battery_pct == 0.0
    assert all(c.phase is Phase.RELEASED for c in snap.channels)


def test_reboot_loses_state_releases_and_needs_a_heartbeat():
    cuff = _inflated()
    cuff.faults.stuck_valve(3)
    before = cuff.snapshot()
    assert before.uptime_ms == 8000
    boot = cuff.reboot()
    assert boot != before.boot_id
    snap = cuff.snapshot()
    assert snap.boot_id == boot and snap.uptime_ms == 0
    assert not snap.heartbeat_seen and not snap.watchdog_armed
    assert all(c.phase is Phase.IDLE and c.valve_open and c.target == 0.0 for c in snap.channels)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED
    run(cuff, 2.0, heartbeat=False)
    snap = cuff.snapshot()
    assert snap.uptime_ms == 2000
    # Valves are de-energised (open): the bands empty; a jammed valve stays jammed.
    assert all(c.true_pressure < 10.0 for c in snap.channels[:3])
    assert snap.channels[3].true_pressure > 170.0
    assert snap.channels[3].injected == frozenset({SimFault.STUCK_VALVE})
    cuff.heartbeat()
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK
