"""CuffLink under link faults injected into the simulated cuff: drops, lost results, hangs."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest

from devices.link import (
    Backoff,
    CommandSuperseded,
    CommandTimeout,
    FramesLost,
    LinkConfig,
    LinkFresh,
    LinkStale,
    LinkState,
    Reconciled,
    ReleaseUnconfirmed,
    ReleaseUnconfirmedError,
)
from devices.protocol import Fault, Opcode, Phase, ResultCode, Unit, uuids
from devices.sim.registry import ARMS
from tests.devices.link._rig import SEED, Rig, close_rig, hold_all, make_rig, phases, sleep, until


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = make_rig()
    yield r
    close_rig(r)


def test_release_jumps_the_queue_while_a_slow_command_waits(rig: Rig) -> None:
    async def scenario() -> dict[str, float]:
        await rig.connect()
        rig.host.link.delay_results(0.4, count=1, opcodes=[Opcode.HOLD])
        done: dict[str, float] = {}

        async def timed(name: str, coro: object) -> None:
            try:
                await coro  # type: ignore[misc]
                done[name] = rig.now()
            except CommandSuperseded:
                done[name + " superseded"] = rig.now()

        t0 = rig.now()
        slow = asyncio.create_task(
            timed("slow hold", rig.link.hold((0, 1), unit=Unit.MMHG, pressure=150.0, ttl_s=60))
        )
        await sleep(0.05)
        queued = asyncio.create_task(
            timed("queued hold", rig.link.hold((0,), unit=Unit.MMHG, pressure=160.0, ttl_s=60))
        )
        await sleep(0.05)
        release = asyncio.create_task(timed("release", rig.link.release_all()))
        await asyncio.gather(slow, queued, release)
        await sleep(1.0)
        return {k: v - t0 for k, v in done.items()}

    done = rig.run(scenario())
    # The release went out at 0.1 s and was confirmed while the slow HOLD still waited (0.4 s).
    assert done["release"] < 0.15
    assert done["release"] < done["slow hold"]
    assert 0.4 <= done["slow hold"] < 0.5
    # The HOLD queued before the release never followed it to the device.
    assert "queued hold superseded" in done
    assert [c.phase for c in rig.readings[-1].frame.channels[:2]] == [Phase.RELEASED] * 2


def test_release_retried_on_missing_results_then_reported_unconfirmed(rig: Rig) -> None:
    async def scenario() -> float:
        await rig.connect()
        await hold_all(rig, 150.0)
        rig.host.link.drop_results(opcodes=[Opcode.RELEASE_ALL])
        t0 = rig.now()
        with pytest.raises(ReleaseUnconfirmedError) as unconfirmed:
            await rig.link.release_all()
        assert unconfirmed.value.attempts == 4
        return rig.now() - t0

    elapsed = rig.run(scenario())
    assert elapsed == pytest.approx(4 * 0.5)
    [event] = rig.of(ReleaseUnconfirmed)
    assert (event.channels, event.attempts, event.last_result) == (None, 4, None)
    assert rig.host.counters.results_dropped == 4  # the device saw all four writes
    assert rig.link.stats().releases_unconfirmed == 1


def test_release_refused_every_time_is_unconfirmed_with_the_last_result() -> None:
    rig = make_rig(sites=ARMS)  # 2 channels: releasing channel 3 is answered BAD_CHANNEL
    try:

        async def scenario() -> None:
            await rig.connect()
            with pytest.raises(ReleaseUnconfirmedError):
                await rig.link.release((0, 3))

        rig.run(scenario())
        [event] = rig.of(ReleaseUnconfirmed)
        assert (event.channels, event.attempts) == ((0, 3), 4)
        assert event.last_result is ResultCode.BAD_CHANNEL
    finally:
        close_rig(rig)


def test_a_late_release_result_still_confirms_it(rig: Rig) -> None:
    async def scenario() -> float:
        await rig.connect()
        rig.host.link.delay_results(0.7, count=1, opcodes=[Opcode.RELEASE_ALL])
        t0 = rig.now()
        result = await rig.link.release_all()
        assert result.result is ResultCode.OK
        return rig.now() - t0

    elapsed = rig.run(scenario())
    assert 0.5 < elapsed < 1.0  # retried after 500 ms; the first attempt's late OK confirmed it
    assert not rig.of(ReleaseUnconfirmed)


def test_read_state_retried_once_other_commands_time_out_without_retry(rig: Rig) -> None:
    async def scenario() -> None:
        await rig.connect()
        rig.host.link.drop_results(count=1, opcodes=[Opcode.READ_STATE])
        t0 = rig.now()
        state = await rig.link.read_state()
        assert 0.5 <= rig.now() - t0 < 1.0
        assert len(state.pressure.channels) == 4 and state.status is not None
        rig.host.link.drop_results(count=1, opcodes=[Opcode.HOLD])
        sent = rig.link.stats().commands_sent
        t1 = rig.now()
        with pytest.raises(CommandTimeout):
            await rig.link.hold((0,), unit=Unit.MMHG, pressure=150.0, ttl_s=60)
        assert rig.now() - t1 == pytest.approx(0.5)
        assert rig.link.stats().commands_sent == sent + 1  # a HOLD is not repeated
        assert (await rig.link.hold((1,), unit=Unit.MMHG, pressure=150.0, ttl_s=60)).channels == (
            1,
        )

    rig.run(scenario())


@pytest.mark.parametrize(
    ("drop_s", "program_survives"),
    [(3.0, False), (1.3, True)],  # longer than the 2 s watchdog, and shorter
)
def test_link_dropped_mid_inflation_stale_reconnect_and_reconcile(
    rig: Rig, drop_s: float, program_survives: bool
) -> None:
    async def scenario() -> tuple[float, float]:
        await rig.connect()
        await hold_all(rig, 220.0)
        await until(lambda: 80.0 < rig.readings[-1].frame.channels[0].pressure < 150.0, 10.0)
        assert rig.readings[-1].frame.channels[0].phase is Phase.INFLATING
        last_frame = rig.readings[-1].received_at
        rig.host.drop_link(drop_s)
        t_drop = rig.now()
        await until(lambda: len(rig.of(Reconciled)) == 2, 10.0)
        await sleep(0.5)
        return t_drop, last_frame

    t_drop, last_frame = rig.run(scenario())
    [stale] = rig.of(LinkStale)
    assert stale.at - t_drop <= 1.0  # from the loop clock, not from bleak's callback
    assert stale.at == pytest.approx(last_frame + 1.0)
    [fresh] = rig.of(LinkFresh)
    assert fresh.at > t_drop + drop_s
    states = [s for s in rig.states() if s.at >= t_drop]
    assert [s.state for s in states] == [LinkState.RECONNECTING, LinkState.STREAMING]
    expected_delay = Backoff().delay(1, random.Random(SEED).random())
    assert (states[0].attempt, states[0].delay_s) == (1, pytest.approx(expected_delay))
    assert rig.link.stats().reconnects == 1
    reconciled = rig.of(Reconciled)[-1]
    assert reconciled.reconnect
    device = reconciled.state
    assert device.status is not None
    if program_survives:
        # Back within the watchdog timeout: the HOLD ran on; the app's view is the device's.
        assert {c.phase for c in device.pressure.channels} <= {Phase.INFLATING, Phase.HOLDING}
        assert all(c.target == 220.0 for c in device.pressure.channels)
        assert not device.status.device_faults & Fault.WATCHDOG_RELEASE
    else:
        # The watchdog released every channel while the link was down; reconciliation says so.
        assert {c.phase for c in device.pressure.channels} == {Phase.RELEASED}
        assert device.status.device_faults & Fault.WATCHDOG_RELEASE


def test_reconnect_backs_off_exponentially_then_fails() -> None:
    backoff = Backoff(base_s=0.25, factor=2.0, cap_s=0.8, jitter=0.5, max_attempts=4)
    config = LinkConfig(backoff=backoff, connect_timeout_s=1.0, connect_attempts=1)
    rig = make_rig(config=config)
    try:

        async def scenario() -> None:
            await rig.connect()
            rig.host.drop_link(None)  # gone for good
            await until(lambda: rig.link.state is LinkState.FAILED, 30.0)

        rig.run(scenario())
        reconnecting = [s for s in rig.states() if s.state is LinkState.RECONNECTING]
        draws = random.Random(SEED)
        expected = [backoff.delay(n, draws.random()) for n in range(1, 5)]
        assert [s.attempt for s in reconnecting] == [1, 2, 3, 4]
        assert [s.delay_s for s in reconnecting] == pytest.approx(expected)
        assert expected[3] < 0.8 and expected[2] <= 0.8  # capped, and jitter only shortens
        assert rig.states()[-1].state is LinkState.FAILED
        assert len(rig.of(LinkStale)) == 1
    finally:
        close_rig(rig)


def test_release_asked_during_a_drop_is_resent_on_reconnect(rig: Rig) -> None:
    async def scenario() -> None:
        await rig.connect()
        await hold_all(rig, 150.0)
        await until(lambda: phases(rig.readings[-1]) == {Phase.HOLDING}, 30.0)
        rig.host.drop_link(1.0)
        await sleep(0.01)
        result = await rig.link.release_all()  # the link is down now; it comes back in time
        assert result.result is ResultCode.OK
        await sleep(1.0)

    rig.run(scenario())
    assert not rig.of(ReleaseUnconfirmed)
    reconciled = rig.of(Reconciled)[-1]
    assert reconciled.reconnect
    # Released by the re-sent release before READ_STATE, not by the watchdog.
    assert {c.phase for c in reconciled.state.pressure.channels} == {Phase.RELEASED}
    assert reconciled.state.status is not None
    assert not reconciled.state.status.device_faults & Fault.WATCHDOG_RELEASE


def test_a_hung_disconnect_is_capped_at_5s(rig: Rig) -> None:
    async def scenario() -> float:
        await rig.connect()
        rig.host.link.hang_disconnect()  # bleak's disconnect never returns
        t0 = rig.now()
        await rig.link.disconnect()
        elapsed = rig.now() - t0
        assert rig.link.state is LinkState.DISCONNECTED and rig.link.client is None
        rig.host.link.hang_disconnect(0.0)
        await rig.connect()  # the abandoned client does not block a new connection
        assert rig.link.state is LinkState.STREAMING
        return elapsed

    assert rig.run(scenario()) == pytest.approx(5.0)
    assert not [s for s in rig.states() if s.state is LinkState.RECONNECTING]  # it was asked for


def test_close_releases_then_disconnects_within_its_budget_even_if_bleak_hangs(rig: Rig) -> None:
    async def scenario() -> float:
        await rig.connect()
        await hold_all(rig, 150.0)
        await until(lambda: phases(rig.readings[-1]) == {Phase.HOLDING}, 30.0)
        rig.host.link.hang_disconnect()
        t0 = rig.now()
        await rig.link.close()
        elapsed = rig.now() - t0
        await sleep(0.5)
        return elapsed

    assert rig.run(scenario()) <= 4.5
    assert rig.link.state is LinkState.DISCONNECTED
    cuff = rig.host.cuff_now().snapshot()
    assert {c.phase for c in cuff.channels} == {Phase.RELEASED}
    assert not cuff.device_faults & Fault.WATCHDOG_RELEASE  # released by command, not watchdog


def test_lost_notifications_are_counted_as_lost_frames_without_going_stale(rig: Rig) -> None:
    async def scenario() -> None:
        await rig.connect()
        rig.host.link.lose_notifications(
            0.3, duration_s=3.0, characteristics=[uuids.PRESSURE_STREAM]
        )
        await sleep(4.0)

    rig.run(scenario())
    lost = rig.host.counters.notifications_lost
    assert lost > 20
    assert rig.link.stats().frames_lost == lost
    assert sum(e.count for e in rig.of(FramesLost)) == lost
    assert rig.of(FramesLost)[-1].total == lost
    assert sum(r.lost_before for r in rig.readings) == lost
    assert not rig.of(LinkStale)
