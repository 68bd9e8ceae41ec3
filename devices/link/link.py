"""CuffLink: the BLE link to one KAATSU cuff through the public bleak API.

The same code drives a real radio (backend=None) and the simulated cuff (a custom bleak client
backend). Everything runs on one event loop, the device runtime's; callbacks run on that loop's
thread, and every delay and deadline reads the loop clock, so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random as _random
from collections.abc import Callable

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import BaseBleakScanner

from devices.link import gatt
from devices.link import scanner as _scanner
from devices.link._fanout import RateLimitedLog, Subscribers, Unsubscribe
from devices.link.commands import CommandDispatcher, WriteFn
from devices.link.config import LinkConfig
from devices.link.errors import (
    CommandTimeout,
    ConnectFailed,
    LinkSetupError,
    ReleaseUnconfirmedError,
)
from devices.link.events import (
    DeviceInfo,
    DeviceState,
    LinkEvent,
    LinkState,
    LinkStats,
    PressureReading,
    Reconciled,
    StatusReading,
)
from devices.link.heartbeat import HeartbeatWriter
from devices.link.stream import NotificationRouter
from devices.link.supervisor import ConnectionSupervisor
from devices.protocol import (
    CommandResult,
    DeviceConfig,
    Hold,
    ReadState,
    RunCycle,
    SetSites,
    Site,
    Unit,
    uuids,
)

log = logging.getLogger(__name__)

Target = BLEDevice | _scanner.DiscoveredCuff | str


class CuffLink:
    """One cuff: discovery, connection, heartbeat, commands, readings and events."""

    def __init__(
        self,
        *,
        backend: type[BaseBleakClient] | None = None,
        scanner_backend: type[BaseBleakScanner] | None = None,
        config: LinkConfig | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self._backend = backend
        self._scanner_backend = scanner_backend
        self._config = cfg = config or LinkConfig()
        self._loop: asyncio.AbstractEventLoop | None = None
        limiter = RateLimitedLog(log, self._now, cfg.log_every_s)
        self._events: Subscribers[LinkEvent] = Subscribers("event", limiter)
        self._pressure: Subscribers[PressureReading] = Subscribers("pressure", limiter)
        self._status: Subscribers[StatusReading] = Subscribers("status", limiter)
        self._dispatcher = CommandDispatcher(
            clock=self._now,
            emit_event=self._events.emit,
            result_timeout_s=cfg.result_timeout_s,
            release_attempts=cfg.release_attempts,
        )
        self._router = NotificationRouter(
            clock=self._now,
            events=self._events,
            pressure=self._pressure,
            status=self._status,
            on_result=self._dispatcher.on_result,
            on_stale=self._on_stale,
            log_limiter=limiter,
            stale_after_s=cfg.stale_after_s,
            report_every_s=cfg.report_every_s,
        )
        self._supervisor = ConnectionSupervisor(
            clock=self._now,
            emit=self._events.emit,
            backoff=cfg.backoff,
            random=random or _random.Random().random,
            reopen=self._reopen,
            drop=self._drop,
        )
        self._connect_lock: asyncio.Lock | None = None
        self._device: BLEDevice | None = None
        self._client: BleakClient | None = None
        self._generation = 0
        self._heartbeat = HeartbeatWriter(cfg.heartbeat_interval_s, limiter)
        self.config: DeviceConfig | None = None
        self.info: DeviceInfo | None = None

    # -- clock and subscriptions -------------------------------------------------------------------

    def _now(self) -> float:
        loop = self._loop
        return loop.time() if loop is not None else asyncio.get_running_loop().time()

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._connect_lock = asyncio.Lock()
        elif self._loop is not loop:
            raise RuntimeError("a CuffLink lives on one event loop (the device runtime's)")

    def subscribe_pressure(self, callback: Callable[[PressureReading], None]) -> Unsubscribe:
        """Call back with every decoded Pressure Stream frame (loop thread); returns unsubscribe."""
        return self._pressure.add(callback)

    def subscribe_status(self, callback: Callable[[StatusReading], None]) -> Unsubscribe:
        """Call back with every decoded Status frame (loop thread); returns unsubscribe."""
        return self._status.add(callback)

    def subscribe_events(self, callback: Callable[[LinkEvent], None]) -> Unsubscribe:
        """Call back with every link event (loop thread); returns unsubscribe."""
        return self._events.add(callback)

    # -- state -------------------------------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        """The supervisor's current state."""
        return self._supervisor.state

    @property
    def stale(self) -> bool:
        """True while no Pressure Stream frame has arrived for the stale threshold."""
        return self._router.stale

    @property
    def client(self) -> BleakClient | None:
        """The current bleak client (None while not connected)."""
        return self._client

    def stats(self) -> LinkStats:
        """Counters since the link was created."""
        r, d = self._router, self._dispatcher
        return LinkStats(
            frames_received=r.frames_received,
            frames_lost=r.frames_lost,
            decode_errors=dict(r.decode_errors),
            results_unmatched=d.results_unmatched,
            heartbeats_sent=self._heartbeat.sent,
            heartbeat_failures=self._heartbeat.failures,
            commands_sent=d.commands_sent,
            releases_unconfirmed=d.releases_unconfirmed,
            reconnects=self._supervisor.reconnects,
        )

    # -- discovery and connection ------------------------------------------------------------------

    async def scan(self, timeout_s: float = 5.0) -> list[_scanner.DiscoveredCuff]:
        """Scan for cuffs (state SCANNING meanwhile) and return them, strongest first."""
        self._bind_loop()
        before = self.state
        # A scan beside a live connection (a second cuff) does not hide the connection's state.
        shown = before in (LinkState.IDLE, LinkState.DISCONNECTED, LinkState.FAILED)
        if shown:
            self._supervisor.set_state(LinkState.SCANNING)
        try:
            return await _scanner.discover_cuffs(timeout_s, backend=self._scanner_backend)
        finally:
            if shown:
                self._supervisor.set_state(before)

    async def connect(self, target: Target, *, scan_timeout_s: float = 10.0) -> Reconciled:
        """Connect, set up and read the device state back; ConnectFailed / LinkSetupError."""
        self._bind_loop()
        assert self._connect_lock is not None
        sup = self._supervisor
        if sup.state is LinkState.STREAMING:
            raise ConnectFailed("already connected; disconnect first")
        await sup.cancel_recovery()
        if isinstance(target, str):
            sup.set_state(LinkState.SCANNING)
            found = await _scanner.find_cuff(target, scan_timeout_s, backend=self._scanner_backend)
            if found is None:
                sup.set_state(LinkState.FAILED, reason=f"cuff {target} not found")
                raise ConnectFailed(f"cuff {target} not found")
            target = found
        device = target.device if isinstance(target, _scanner.DiscoveredCuff) else target
        if self._device is not None and self._device.address != device.address:
            self._dispatcher.forget_release_debt()  # an unconfirmed release was for another cuff
        self._device = device
        sup.expected_disconnect = False
        sup.set_state(LinkState.CONNECTING)
        try:
            async with self._connect_lock:
                reconciled = await self._open(reconnect=False)
        except BaseException as exc:
            self._router.unwatch()
            sup.set_state(LinkState.FAILED, reason=f"{type(exc).__name__}: {exc}")
            if not isinstance(exc, Exception) or isinstance(exc, LinkSetupError | ConnectFailed):
                raise
            raise ConnectFailed(f"{type(exc).__name__}: {exc}") from exc
        sup.set_state(LinkState.STREAMING)
        self._events.emit(reconciled)
        return reconciled

    async def _reopen(self) -> None:
        assert self._connect_lock is not None
        async with self._connect_lock:
            reconciled = await self._open(reconnect=True)
        self._supervisor.set_state(LinkState.STREAMING, reason="reconnected")
        self._events.emit(reconciled)

    async def _open(self, *, reconnect: bool) -> Reconciled:
        assert self._device is not None and self._loop is not None
        self._generation += 1
        generation = self._generation
        cfg = self._config
        client = await gatt.establish(
            self._device,
            backend=self._backend,
            on_disconnect=self._on_bleak_disconnect,
            attempts=cfg.connect_attempts,
            timeout_s=cfg.connect_timeout_s,
        )
        self._client = client
        try:
            await gatt.check_mtu(client, cfg.min_mtu)
            config = await gatt.read_config(client, cfg.read_attempts)
            info = await gatt.read_info(client, self._device, cfg.read_attempts)
            for uuid, handler in (
                (uuids.COMMAND_RESULT, self._router.result),
                (uuids.STATUS, self._router.status),
                (uuids.PRESSURE_STREAM, self._router.pressure),
            ):
                await client.start_notify(uuid, self._notify_handler(generation, handler))
            self._dispatcher.attach(self._control_writer(client))
            self._heartbeat.start(client)
            self._router.watch(self._loop)
            self.config, self.info = config, info
            await self._settle_release_debt()
            state = await self.read_state()
        except BaseException:
            await self._drop("set-up failed")
            raise
        log.info("cuff %s streaming (%s %s)", info.address, info.model, info.firmware)
        return Reconciled(self._now(), state, config, info, reconnect)

    def _notify_handler(
        self, generation: int, handler: Callable[[bytearray], None]
    ) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        def on_notify(_: BleakGATTCharacteristic, data: bytearray) -> None:
            # A client we already dropped may still deliver; its frames are not current.
            if generation == self._generation:
                handler(data)

        return on_notify

    def _control_writer(self, client: BleakClient) -> WriteFn:
        async def write(data: bytes) -> None:
            await client.write_gatt_char(uuids.CONTROL_POINT, data, response=True)

        return write

    def _on_bleak_disconnect(self, client: BleakClient) -> None:
        if client is not self._client:
            return
        self._supervisor.link_lost("the device disconnected")

    def _on_stale(self) -> None:
        if self._config.reconnect_on_stale:
            self._supervisor.link_lost("no pressure frame within the stale threshold")

    # -- heartbeat ---------------------------------------------------------------------------------

    def pause_heartbeat(self) -> None:
        """Stop writing heartbeats (diagnostics): the device releases every channel after 2 s."""
        self._heartbeat.paused = True

    def resume_heartbeat(self) -> None:
        """Write heartbeats again."""
        self._heartbeat.paused = False

    # -- commands ----------------------------------------------------------------------------------

    async def run_cycle(
        self,
        channels: tuple[int, ...],
        *,
        unit: Unit,
        inflation_s: int,
        deflation_s: int,
        ttl_s: int,
        pressures: tuple[float, ...],
    ) -> CommandResult:
        """RUN_CYCLE on the channels; the unit must be the device's (never converted)."""
        return await self._dispatcher.send(
            lambda seq: RunCycle(seq, channels, unit, inflation_s, deflation_s, ttl_s, pressures),
            channels=channels,
        )

    async def hold(
        self, channels: tuple[int, ...], *, unit: Unit, pressure: float, ttl_s: int
    ) -> CommandResult:
        """HOLD a constant pressure; sent again it renews the time-to-live."""
        return await self._dispatcher.send(
            lambda seq: Hold(seq, channels, unit, pressure, ttl_s), channels=channels
        )

    async def set_sites(self, channels: tuple[int, ...], sites: tuple[Site, ...]) -> CommandResult:
        """SET_SITES: store the site label of each channel."""
        return await self._dispatcher.send(lambda seq: SetSites(seq, channels, sites))

    async def release(self, channels: tuple[int, ...]) -> CommandResult:
        """RELEASE the channels now (jumps every queue); ReleaseUnconfirmedError if unconfirmed."""
        return await self._dispatcher.release(tuple(channels))

    async def release_all(self) -> CommandResult:
        """RELEASE_ALL now (jumps every queue); ReleaseUnconfirmedError if unconfirmed."""
        return await self._dispatcher.release(None)

    async def read_state(self) -> DeviceState:
        """READ_STATE: the result, then the Pressure Stream and Status frames that follow it."""
        captures = []
        await self._dispatcher.send(
            ReadState,
            attempts=self._config.read_state_attempts,
            on_ok=lambda _: captures.append(self._router.capture_next_state()),
        )
        capture = captures[-1]
        timeout = self._config.result_timeout_s
        try:
            try:
                async with asyncio.timeout(timeout):
                    pressure = await capture.pressure
            except TimeoutError:
                raise CommandTimeout(ReadState(0), 1) from None
            status = None
            try:
                async with asyncio.timeout(timeout):
                    status = await capture.status
            except TimeoutError:
                log.warning("READ_STATE: no Status frame followed the Pressure Stream frame")
        finally:
            self._router.discard_capture(capture)
        return DeviceState(pressure, status, self._now())

    async def _settle_release_debt(self) -> None:
        debt = self._dispatcher.release_debt
        if debt is not None and not debt:
            return
        # A release went unconfirmed while the link was down: send it again before anything else.
        log.warning("re-sending an unconfirmed release after reconnecting")
        # If it is still unconfirmed it is reported again; set-up goes on to read the state back.
        with contextlib.suppress(ReleaseUnconfirmedError):
            await self._dispatcher.release(None if debt is None else tuple(sorted(debt)))

    # -- disconnect and close ----------------------------------------------------------------------

    async def _drop(self, reason: str, timeout_s: float | None = None) -> None:
        """Tear the current client down, never waiting longer than the disconnect cap."""
        self._heartbeat.stop()
        self._dispatcher.detach(reason)
        client, self._client = self._client, None
        if client is None:
            return
        cap = self._config.disconnect_timeout_s if timeout_s is None else timeout_s
        task = asyncio.get_running_loop().create_task(client.disconnect())
        done, _ = await asyncio.wait({task}, timeout=cap)
        if not done:
            # A hung bleak disconnect: abandon that client rather than block the link.
            task.cancel()
            log.warning("disconnect did not finish within %.1f s; client dropped", cap)
            return
        exc = None if task.cancelled() else task.exception()
        if exc is not None:
            log.warning("disconnect failed: %s", exc)

    async def disconnect(self, *, timeout_s: float | None = None) -> None:
        """Requested disconnect (capped at 5 s even if bleak hangs); state DISCONNECTED."""
        self._bind_loop()
        sup = self._supervisor
        sup.expected_disconnect = True
        await sup.cancel_recovery()
        await self._drop("disconnect requested", timeout_s)
        self._router.unwatch()
        sup.set_state(LinkState.DISCONNECTED, reason="requested")

    async def close(self, *, timeout_s: float = 4.5) -> None:
        """Release every channel (best effort), stop the heartbeat and disconnect, within timeout_s.

        Fits DeviceRuntime.add_shutdown_hook, which allows a hook 5 s.
        """
        self._bind_loop()
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        await self._supervisor.cancel_recovery()
        if self._client is not None:
            try:
                async with asyncio.timeout_at(end - 1.0):
                    await self.release_all()
            except (ReleaseUnconfirmedError, TimeoutError) as exc:
                log.error("release at close not confirmed: %s", exc)
        self._heartbeat.stop()
        await self.disconnect(
            timeout_s=max(0.5, min(self._config.disconnect_timeout_s, end - loop.time()))
        )
        self._router.unwatch()
