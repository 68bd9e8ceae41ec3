"""Pure parts of the link: backoff, scan filtering, subscriber isolation, rate-limited log."""

from __future__ import annotations

import logging

import pytest
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from devices.link._fanout import RateLimitedLog, Subscribers
from devices.link.commands import CommandDispatcher
from devices.link.scanner import cuffs_from_advertisements
from devices.link.supervisor import Backoff
from devices.protocol import uuids


def test_backoff_doubles_up_to_the_cap() -> None:
    b = Backoff(base_s=0.25, factor=2.0, cap_s=5.0, jitter=0.25)
    assert [b.delay(n, 0.0) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_backoff_jitter_only_shortens_and_follows_the_random_source() -> None:
    b = Backoff(base_s=1.0, factor=2.0, cap_s=8.0, jitter=0.5)
    assert b.delay(3, 0.0) == 4.0
    assert b.delay(3, 0.5) == pytest.approx(3.0)
    assert b.delay(3, 0.999) == pytest.approx(2.002)


def _adv(name: str | None, services: list[str], rssi: int) -> AdvertisementData:
    return AdvertisementData(name, {}, {}, services, None, rssi, ())


def test_scan_results_keep_only_cuffs_strongest_first() -> None:
    a = BLEDevice("AA:00:00:00:00:01", "far", {})
    b = BLEDevice("AA:00:00:00:00:02", None, {})
    other = BLEDevice("AA:00:00:00:00:03", "heart-rate belt", {})
    seen = {
        a.address: (a, _adv("KC-4 far", [uuids.CUFF_SERVICE], -80)),
        b.address: (b, _adv("KC-2 near", [uuids.CUFF_SERVICE.upper()], -40)),
        other.address: (other, _adv("belt", ["0000180d-0000-1000-8000-00805f9b34fb"], -30)),
    }
    cuffs = cuffs_from_advertisements(seen)
    assert [c.address for c in cuffs] == [b.address, a.address]
    assert [c.name for c in cuffs] == ["KC-2 near", "KC-4 far"]
    assert cuffs[0].device is b and cuffs[0].rssi == -40


def test_a_raising_subscriber_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    subs: Subscribers[int] = Subscribers(
        "pressure", RateLimitedLog(logging.getLogger("t"), lambda: 0.0, 5.0)
    )
    got: list[int] = []

    def bad(_: int) -> None:
        raise RuntimeError("subscriber bug")

    subs.add(bad)
    unsubscribe = subs.add(got.append)
    with caplog.at_level(logging.ERROR):
        subs.emit(1)
        subs.emit(2)
    assert got == [1, 2]
    assert sum("subscriber" in r.getMessage() for r in caplog.records) == 1  # rate-limited
    unsubscribe()
    unsubscribe()  # idempotent
    subs.emit(3)
    assert got == [1, 2]
    assert len(subs) == 1


def test_the_same_callback_subscribed_twice_is_removed_one_at_a_time() -> None:
    subs: Subscribers[int] = Subscribers(
        "x", RateLimitedLog(logging.getLogger("t"), lambda: 0.0, 1.0)
    )
    got: list[int] = []
    first = subs.add(got.append)
    subs.add(got.append)
    first()
    subs.emit(7)
    assert got == [7]


def test_rate_limited_log_counts_what_it_held_back(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    limited = RateLimitedLog(logging.getLogger("t"), lambda: now[0], 5.0)
    with caplog.at_level(logging.WARNING):
        for _ in range(10):
            limited(logging.WARNING, "k", "bad frame")
        now[0] = 5.0
        limited(logging.WARNING, "k", "bad frame")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["bad frame", "bad frame (9 similar messages suppressed)"]


def test_sequence_numbers_step_by_one_wrap_and_skip_zero() -> None:
    dispatcher = CommandDispatcher(
        clock=lambda: 0.0, emit_event=lambda _: None, result_timeout_s=0.5, release_attempts=4
    )
    seen = [dispatcher.next_sequence() for _ in range(0x10001)]
    assert seen[:3] == [1, 2, 3]
    assert seen[0xFFFE] == 0xFFFF
    # Sequence 0 answers unreadable writes (device-protocol.md section 6), so it is never used.
    assert seen[0xFFFF:] == [1, 2]
    assert 0 not in seen


def test_a_release_must_be_retried_at_least_three_times() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        CommandDispatcher(
            clock=lambda: 0.0, emit_event=lambda _: None, result_timeout_s=0.5, release_attempts=3
        )
