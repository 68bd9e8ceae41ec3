"""CuffLink over BleakClient and the simulated cuff: discovery, set-up, stream, release."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.link import (
    CommandRejected,
    ConnectFailed,
    LinkSetupError,
    LinkState,
    NotConnected,
    Reconciled,
    ReleaseUnconfirmedError,
)
from devices.protocol import Fault, Phase, ResultCode, Unit, WatchdogState
from devices.sim.registry import SIM_MANUFACTURER
from tests.devices.link._rig import Rig, close_rig, hold_all, make_rig, phases, sleep, until

SAMPLE_S = 0.02  # one Pressure Stream period at 50 Hz


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = make_rig()
    yield r
    close_rig(r)


def test_scan_finds_the_cuff_and_connect_streams_four_channels_at_50_hz(rig: Rig) -> None:
    async def scenario() -> tuple[list, Reconciled, float]:
        cuffs = await rig.link.scan(0.5)
        reconciled = await rig.link.connect(cuffs[0])
        t0 = rig.now()
        await sleep(2.0)
        return cuffs, reconciled, t0

    cuffs, reconciled, t0 = rig.run(scenario())
    assert [(c.address, c.name, c.rssi) for c in cuffs] == [(rig.host.address, "KC-4 Test", -60)]
    assert [s.state for s in rig.states()] == [
        LinkState.SCANNING,
        LinkState.IDLE,
        LinkState.CONNECTING,
        LinkState.STREAMING,
    ]
    # Set-up read the configuration and the Device Information Service.
    assert reconciled.config.channel_count == 4 and reconciled.config.unit is Unit.MMHG
    assert reconciled.info.manufacturer == SIM_MANUFACTURER
    assert (reconciled.info.model, reconciled.info.serial) == ("KC-4-SIM", "T-0001")
    assert reconciled.info.firmware == rig.host.info.firmware
    assert not reconciled.reconnect
    assert len(reconciled.state.pressure.channels) == 4
    assert reconciled.state.status is not None
    assert reconciled.state.status.watchdog is WatchdogState.ARMED  # heartbeat runs already
    assert rig.of(Reconciled) == [reconciled]
    # 2 s of stream: at least 50 Hz, every frame with 4 channels, none lost.
    window = rig.after(t0)
    assert len(window) >= 100
    assert all(len(r.frame.channels) == 4 for r in window)
    assert rig.link.stats().frames_lost == 0
    # Heartbeat every 500 ms (the simulated backend refuses a Heartbeat written with response).
    assert 4 <= rig.link.stats().heartbeats_sent - 1 <= 5
    assert rig.link.stats().heartbeat_failures == 0
    assert rig.statuses, "status notifications arrive at least once a second"


def test_connect_by_address_scans_first_and_unknown_address_fails(rig: Rig) -> None:
    async def scenario() -> None:
        await rig.link.connect(rig.host.address.lower())
        assert rig.link.state is LinkState.STREAMING
        await rig.link.disconnect()
        with pytest.raises(ConnectFailed):
            await rig.link.connect("C6:C6:00:00:00:99", scan_timeout_s=0.5)

    rig.run(scenario())
    assert [s.state for s in rig.states()] == [
        LinkState.SCANNING,
        LinkState.CONNECTING,
        LinkState.STREAMING,
        LinkState.DISCONNECTED,
        LinkState.SCANNING,
        LinkState.FAILED,
    ]


def test_too_small_an_mtu_is_refused_at_set_up() -> None:
    rig = make_rig(mtu=23)
    try:
        with pytest.raises(LinkSetupError, match="MTU 23"):
            rig.run(rig.connect())
        assert rig.link.state is LinkState.FAILED
        assert rig.link.client is None
        assert not rig.host.connected  # the half-set-up connection was closed
    finally:
        close_rig(rig)


def test_commands_without_a_link_fail_typed_and_release_is_still_tried(rig: Rig) -> None:
    async def scenario() -> float:
        with pytest.raises(NotConnected):
            await rig.link.hold((0,), unit=Unit.MMHG, pressure=150.0, ttl_s=60)
        t0 = rig.now()
        with pytest.raises(ReleaseUnconfirmedError):
            await rig.link.release_all()
        return rig.now() - t0

    elapsed = rig.run(scenario())
    assert elapsed == pytest.approx(4 * 0.5)  # every attempt kept its 500 ms slot


def test_a_raising_subscriber_never_stops_the_stream(rig: Rig) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("subscriber bug")

    rig.link.subscribe_pressure(broken)
    rig.link.subscribe_status(broken)
    rig.link.subscribe_events(broken)

    async def scenario() -> None:
        await rig.connect()
        await sleep(1.0)
        await rig.link.release_all()

    rig.run(scenario())
    assert len(rig.readings) >= 50
    assert rig.link.state is LinkState.STREAMING


def test_cycle_program_phase_timing_within_one_sample(rig: Rig) -> None:
    inflation, deflation, pressures = 6, 3, (120.0, 140.0)

    async def scenario() -> None:
        await rig.connect()
        result = await rig.link.run_cycle(
            (0, 1),
            unit=Unit.MMHG,
            inflation_s=inflation,
            deflation_s=deflation,
            ttl_s=60,
            pressures=pressures,
        )
        assert result.result is ResultCode.OK and result.channels == (0, 1)
        await sleep(2 * (inflation + deflation) + 1.0)

    rig.run(scenario())
    # Times of the first frame of every (phase-group, cycle) of channel 0.
    starts: list[tuple[str, int, float, float]] = []
    for r in rig.readings:
        ch = r.frame.channels[0]
        group = {Phase.INFLATING: "on", Phase.HOLDING: "on"}.get(ch.phase, ch.phase.name)
        key = (group, ch.cycle)
        if not starts or starts[-1][:2] != key:
            starts.append((*key, r.received_at, ch.target))
    sequence = [(g, c) for g, c, _, _ in starts]
    # The program's own windows, the last cycle's deflation included (protocol section 6).
    assert sequence == [
        ("IDLE", 0),
        ("on", 1),
        ("DEFLATING", 1),
        ("on", 2),
        ("DEFLATING", 2),
        ("RELEASED", 0),
    ]
    t = [at for _, _, at, _ in starts]
    expected = [inflation, deflation, inflation, deflation]
    for k, length in enumerate(expected, start=1):
        assert abs((t[k + 1] - t[k]) - length) <= SAMPLE_S + 1e-6, (k, t[k + 1] - t[k])
    assert [target for _, _, _, target in starts[1:5:2]] == list(pressures)
    # Holding within a few mmHg of the cycle's pressure near the end of each inflation window.
    for k, pressure in ((1, pressures[0]), (3, pressures[1])):
        late = [r for r in rig.readings if t[k + 1] - 1.0 <= r.received_at < t[k + 1] - 0.1]
        assert all(abs(r.frame.channels[0].pressure - pressure) <= 5.0 for r in late)


def test_release_all_confirmed_and_pressure_below_10_within_the_valve_time(rig: Rig) -> None:
    params = rig.host.cuff.params

    async def scenario() -> tuple[float, list[float]]:
        await rig.connect()
        await hold_all(rig, 200.0)
        await until(lambda: phases(rig.readings[-1]) == {Phase.HOLDING}, 30.0)
        before = [c.pressure for c in rig.readings[-1].frame.channels]
        result = await rig.link.release_all()
        assert result.result is ResultCode.OK
        assert result.channels == (0, 1, 2, 3)
        t_release = rig.now()
        await sleep(5.0)
        return t_release, before

    t_release, before = rig.run(scenario())
    config = rig.link.config
    assert config is not None
    for i, site in enumerate(config.sites):
        allowed = params.valve_time_s(site, before[i] + 5.0) + SAMPLE_S
        below = next(
            r.received_at for r in rig.after(t_release) if r.frame.channels[i].pressure < 10.0
        )
        assert below - t_release <= allowed, (i, below - t_release, allowed)
        assert rig.readings[-1].frame.channels[i].phase is Phase.RELEASED


def test_heartbeat_stopped_the_device_releases_every_channel_within_2s(rig: Rig) -> None:
    async def scenario() -> float:
        await rig.connect()
        await hold_all(rig, 180.0)
        await until(lambda: phases(rig.readings[-1]) == {Phase.HOLDING}, 30.0)
        rig.link.pause_heartbeat()
        t_pause = rig.now()
        await until(lambda: phases(rig.readings[-1]) == {Phase.RELEASED}, 3.0)
        released = rig.readings[-1].received_at - t_pause
        await sleep(0.5)
        rig.link.resume_heartbeat()
        await sleep(1.5)
        return released

    released = rig.run(scenario())
    # The watchdog, fed last at most one interval before the pause, fires 2 s after that feed.
    assert 2.0 - 0.5 <= released <= 2.0 + SAMPLE_S
    watchdog = [s.status for s in rig.statuses if s.status.watchdog is WatchdogState.EXPIRED]
    assert watchdog and all(s.device_faults & Fault.WATCHDOG_RELEASE for s in watchdog)
    assert rig.statuses[-1].status.watchdog is WatchdogState.ARMED  # re-armed by the heartbeat
    assert rig.link.state is LinkState.STREAMING  # the link itself never dropped


def test_a_refused_command_raises_with_the_device_result(rig: Rig) -> None:
    async def scenario() -> None:
        await rig.connect()
        with pytest.raises(CommandRejected) as refused:
            await rig.link.hold((0,), unit=Unit.SKU, pressure=150.0, ttl_s=60)
        assert refused.value.result.result is ResultCode.UNIT_MISMATCH
        with pytest.raises(CommandRejected) as too_high:
            await rig.link.hold((1,), unit=Unit.MMHG, pressure=450.0, ttl_s=60)
        assert too_high.value.result.result is ResultCode.OUT_OF_RANGE

    rig.run(scenario())
