"""The inactivity lock model: timing on both sides of the boundary, activity, manual lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaatsu_desktop.accounts import AccountSettings, InactivityLock

TEN_MIN = 600.0


def test_default_clinic_setting_is_ten_minutes() -> None:
    assert AccountSettings().inactivity_timeout == timedelta(minutes=10)


def test_locks_at_the_timeout_not_a_moment_before() -> None:
    lock = InactivityLock(timedelta(minutes=10), now=1000.0)
    assert not lock.tick(1000.0 + TEN_MIN - 0.001)
    assert lock.remaining(1000.0 + TEN_MIN - 0.5) == pytest.approx(0.5)
    assert lock.tick(1000.0 + TEN_MIN)
    assert lock.locked and lock.locked_at == 1000.0 + TEN_MIN and lock.remaining(2000.0) == 0


def test_activity_restarts_the_idle_time() -> None:
    lock = InactivityLock(TEN_MIN, now=0.0)
    lock.activity(500.0)
    assert not lock.tick(1099.9)
    assert lock.tick(1100.0)


def test_input_while_locked_does_not_unlock_and_unlock_restarts() -> None:
    lock = InactivityLock(TEN_MIN, now=0.0)
    assert lock.tick(TEN_MIN)
    lock.activity(TEN_MIN + 5)  # a key pressed on the lock screen
    assert lock.tick(TEN_MIN + 6)
    lock.unlock(2000.0)
    assert not lock.locked and lock.locked_at is None
    assert not lock.tick(2000.0 + TEN_MIN - 1) and lock.tick(2000.0 + TEN_MIN)


def test_manual_lock_and_a_changed_setting() -> None:
    lock = InactivityLock(TEN_MIN, now=0.0)
    lock.lock(30.0)
    assert lock.locked and lock.locked_at == 30.0 and lock.tick(31.0)
    lock.unlock(100.0)
    lock.set_timeout(timedelta(minutes=2))
    assert not lock.tick(219.9) and lock.tick(220.0)
    with pytest.raises(ValueError):
        InactivityLock(0, now=0.0)
    with pytest.raises(ValueError):
        lock.set_timeout(timedelta(seconds=-1))


def test_a_late_timer_locks_at_the_time_the_idle_period_ended() -> None:
    lock = InactivityLock(TEN_MIN, now=0.0)
    assert lock.tick(5000.0)  # the UI's timer was held up (system sleep)
    assert lock.locked_at == TEN_MIN


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=900.0), min_size=1, max_size=20),
    st.floats(min_value=1.0, max_value=1200.0),
)
def test_locked_exactly_when_the_last_activity_is_a_timeout_old(
    gaps: list[float], timeout: float
) -> None:
    lock = InactivityLock(timeout, now=0.0)
    now, last, expect = 0.0, 0.0, False
    for gap in gaps:
        now += gap
        expect = expect or now - last >= timeout
        assert lock.tick(now) is expect
        if not expect:
            lock.activity(now)
            last = now
