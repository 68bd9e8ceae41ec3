"""Virtual-time loop and device runtime: 20 virtual minutes in milliseconds, stepped outside."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from devices.runtime import DeviceRuntime, RuntimeNotRunning
from devices.vtime import ScaledTimeEventLoop, VirtualTimeEventLoop


def test_free_running_virtual_loop_jumps_over_sleeps() -> None:
    loop = VirtualTimeEventLoop()
    try:
        t0 = time.perf_counter()
        loop.run_until_complete(asyncio.sleep(20 * 60))
        assert loop.time() == pytest.approx(1200.0)
        assert time.perf_counter() - t0 < 1.0
    finally:
        loop.close()


def test_wait_for_timeout_follows_virtual_clock() -> None:
    loop = VirtualTimeEventLoop()

    async def never() -> None:
        await asyncio.Event().wait()

    try:
        with pytest.raises(TimeoutError):
            loop.run_until_complete(asyncio.wait_for(never(), timeout=5.0))
        assert loop.time() == pytest.approx(5.0)
    finally:
        loop.close()


def test_runtime_advance_runs_exactly_the_due_timers() -> None:
    rt = DeviceRuntime(lambda: VirtualTimeEventLoop(horizon=0.0)).start()
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.1)
            ticks.append(rt.clock())

    try:
        rt.submit(ticker())
        reached = rt.advance(1.0)
        assert reached == pytest.approx(1.0)
        # 10 ticks due at 0.1 .. 1.0 (float sums may put the 10th just past 1.0)
        assert len(ticks) in (9, 10)
        n = len(ticks)
        time.sleep(0.05)  # the loop must stay parked at the horizon in real time
        assert len(ticks) == n
        rt.advance(60.0)
        assert 600 <= len(ticks) <= 610
    finally:
        rt.stop()


def test_call_and_submit_run_on_runtime_thread() -> None:
    rt = DeviceRuntime().start()
    try:
        assert rt.call(threading.current_thread).result(2) is rt.thread

        async def where() -> threading.Thread:
            return threading.current_thread()

        assert rt.submit(where()).result(2) is rt.thread
        with pytest.raises(ZeroDivisionError):
            rt.call(lambda: 1 / 0).result(2)
    finally:
        rt.stop()
    assert not rt.running
    with pytest.raises(RuntimeNotRunning):
        rt.call(print)


def test_shutdown_hooks_run_newest_first() -> None:
    rt = DeviceRuntime(VirtualTimeEventLoop).start()
    order: list[str] = []

    async def first() -> None:
        order.append("first")

    async def second() -> None:
        await asyncio.sleep(1.0)
        order.append("second")

    rt.add_shutdown_hook(first)
    rt.add_shutdown_hook(second)
    rt.stop()
    assert order == ["second", "first"]


def test_scaled_loop_runs_faster_than_real_time() -> None:
    loop = ScaledTimeEventLoop(50.0)
    try:
        t0 = time.perf_counter()
        loop.run_until_complete(asyncio.sleep(5.0))
        elapsed = time.perf_counter() - t0
        assert 0.05 <= elapsed < 0.5
        assert loop.time() >= 5.0
    finally:
        loop.close()


def test_real_io_is_polled_before_virtual_time_jumps() -> None:
    loop = VirtualTimeEventLoop()
    a, b = socket.socketpair()
    seen: list[float] = []

    def readable() -> None:
        a.recv(16)
        seen.append(loop.time())

    try:
        loop.add_reader(a, readable)
        b.send(b"x")
        loop.run_until_complete(asyncio.sleep(10.0))
        assert seen == [0.0]  # handled before the 10 s jump, not at the end of it
        loop.remove_reader(a)
    finally:
        loop.close()
        a.close()
        b.close()


def test_work_handed_in_from_another_thread_stops_a_jump() -> None:
    loop = VirtualTimeEventLoop()
    ran: list[float] = []
    try:
        # As if another thread's call landed after the loop chose to sleep 5 s: the selector
        # sees the ready callback and does not move the clock.
        loop.call_soon_threadsafe(lambda: ran.append(loop.time()))
        loop._selector.select(5.0)  # type: ignore[attr-defined]
        assert loop.time() == 0.0
        loop.run_until_complete(asyncio.sleep(0))
        assert ran == [0.0]
    finally:
        loop.close()


def test_a_wake_up_left_in_the_pipe_is_drained_before_parking_at_the_horizon() -> None:
    loop = VirtualTimeEventLoop(horizon=1.0)
    try:
        # A byte of a thread-safe call the loop already ran: polled and drained with the clock
        # unmoved, so the loop does not park at the horizon only to wake at once and run a
        # timer just past it.
        loop._write_to_self()  # type: ignore[attr-defined]
        assert loop._selector.select(5.0)  # type: ignore[attr-defined]
        assert loop.time() == 0.0
    finally:
        loop.close()
