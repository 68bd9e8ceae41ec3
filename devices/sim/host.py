"""A simulated cuff as a GATT server on the asyncio loop: physics, notifications, commands, link.

`SimulatedCuffHost` owns a `SimulatedCuff` and runs it on the loop clock: a task steps the model
and, while a central is connected and subscribed, sends Pressure Stream frames at the stream rate
and Status frames on change and at least once a second. Control Point and Heartbeat writes go to
the firmware side (`devices/sim/firmware.py`), whose answer the host notifies on Command Result.
Link-level faults (drops, lost notifications, late or missing results, hung disconnects) are
injected here, below bleak, so everything above the radio runs unchanged.

Only `asyncio` loop time and timers are used, so under `VirtualTimeEventLoop` a 20-minute session
runs in seconds. Not thread-safe: call on the device thread (for instance through
`DeviceRuntime.call`).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Protocol

from devices.protocol import encode, uuids
from devices.protocol.frames import CommandResult, DeviceConfig, PressureFrame, StatusFrame
from devices.sim import firmware
from devices.sim.firmware import malformed_result
from devices.sim.link_faults import LinkFaults
from devices.sim.model import SimulatedCuff

__all__ = [
    "Central",
    "DeviceInfo",
    "HostCounters",
    "HostTiming",
    "NotifyCallback",
    "SimulatedCuffHost",
    "malformed_result",
]

logger = logging.getLogger(__name__)

NotifyCallback = Callable[[bytearray], None]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Device Information Service strings (0x180A)."""

    manufacturer: str
    model: str
    serial: str
    firmware: str


@dataclass(frozen=True, slots=True)
class HostTiming:
    """Radio-side timing of a simulated cuff, in seconds of the loop clock."""

    stream_hz: float = 50.0  # Pressure Stream rate; the profile says 50 Hz, 100 Hz is allowed
    status_interval_s: float = 1.0  # Status at least this often, and on every change
    write_latency_s: float = 0.0075  # one connection interval for a write or read round trip
    result_delay_s: float = 0.015  # command received -> Command Result notified (< 100 ms)
    connect_time_s: float = 0.05  # advertisement seen -> connected with services resolved
    disconnect_time_s: float = 0.01
    advertising_interval_s: float = 0.1
    mtu: int = 65  # ATT MTU after the exchange; a 4-channel frame needs at least 51

    def __post_init__(self) -> None:
        if not 1.0 <= self.stream_hz <= 200.0:
            raise ValueError("stream rate must be within 1..200 Hz")
        if self.mtu < 51:
            raise ValueError("a 4-channel Pressure Stream frame needs an ATT MTU of at least 51")


@dataclass(frozen=True, slots=True)
class HostCounters:
    """What the host has done since it was created (for tests and the trainer's panel)."""

    connections: int = 0
    link_drops: int = 0
    stream_frames: int = 0  # Pressure Stream frames sent, lost ones included
    notifications_lost: int = 0
    results_sent: int = 0
    results_dropped: int = 0
    bad_commands: int = 0  # Control Point writes answered BAD_COMMAND
    callback_errors: int = 0  # exceptions raised by the central's notification callbacks
    internal_errors: int = 0  # exceptions inside the simulated device (always a bug)


class Central(Protocol):
    """What the host needs from a connected client backend."""

    def link_lost(self) -> None:
        """The radio link went down without the central asking."""


class SimulatedCuffHost:
    """A simulated cuff reachable over a simulated radio; see the module docstring."""

    def __init__(
        self,
        address: str,
        cuff: SimulatedCuff,
        *,
        name: str,
        info: DeviceInfo,
        timing: HostTiming | None = None,
        rssi: int = -60,
        tx_power: int | None = None,
        seed: int = 0,
    ) -> None:
        self.address = address.upper()
        self.name = name
        self.info = info
        self.timing = timing or HostTiming()
        self.rssi = rssi
        self.tx_power = tx_power
        self._cuff = cuff
        self.link = LinkFaults(self._now, seed)
        self._count = {f.name: 0 for f in fields(HostCounters)}
        self._loop: asyncio.AbstractEventLoop | None = None
        # The device's tick is a chain of loop timers rather than a task sleeping: a sleep costs a
        # future, a timer and a task step per tick, 50 times a second.
        self._timer: asyncio.TimerHandle | None = None
        self._due = 0.0
        self._offset = 0.0  # loop time minus model time
        self._central: Central | None = None
        self._conn_id = 0
        self._subs: dict[str, NotifyCallback] = {}
        self._down_until = -math.inf
        self._stream_seq = 0
        # What the last Status notified, less the uptime (`SimulatedCuff.status_fields`).
        self._status_key: tuple[object, ...] | None = None
        self._status_at = -math.inf

    # -- state -------------------------------------------------------------------------------------

    @property
    def cuff(self) -> SimulatedCuff:
        """The device model (its clock may lag the loop until the next tick; see `cuff_now`)."""
        return self._cuff

    def cuff_now(self) -> SimulatedCuff:
        """The device model advanced to the loop's present: inject physical faults through it."""
        self._sync()
        return self._cuff

    @property
    def counters(self) -> HostCounters:
        """Counts of what the host did."""
        return HostCounters(**self._count)

    @property
    def connected(self) -> bool:
        """True while a central is connected."""
        return self._central is not None

    @property
    def available(self) -> bool:
        """True when the cuff advertises and accepts a connection (link up, no central)."""
        return self._central is None and self._now() >= self._down_until

    @property
    def mtu(self) -> int:
        """The ATT MTU a connection negotiates."""
        return self.timing.mtu

    def attach(self) -> None:
        """Run on the current loop (idempotent); the model's clock continues where it stopped."""
        loop = asyncio.get_running_loop()
        if self._loop is loop and self._timer is not None and not self._timer.cancelled():
            return
        if self._loop is not None and self._loop is not loop and self._loop.is_running():
            raise RuntimeError(f"simulated cuff {self.address} runs on another loop")
        self._loop = loop
        self._offset = loop.time() - self._cuff.now
        self._central = None
        self._subs = {}
        self._down_until = -math.inf
        self._due = loop.time()
        self._schedule_tick(loop)
        logger.info("simulated cuff %s (%s) running", self.address, self.name)

    async def close(self) -> None:
        """Drop any central and stop the device task."""
        if self._central is not None:
            self._lose_central()
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self._loop = None

    # -- trainer and test controls -----------------------------------------------------------------

    def drop_link(self, duration_s: float | None = None) -> None:
        """Take the radio link down: the central sees a disconnect, the cuff keeps running.

        The cuff is unreachable (no advertising, connects wait) for duration_s seconds, or
        until `restore_link` when None.
        """
        if duration_s is not None and not (math.isfinite(duration_s) and duration_s >= 0.0):
            raise ValueError("duration must be a non-negative number of seconds")
        now = self._now()
        self._down_until = math.inf if duration_s is None else now + duration_s
        if self._central is not None:
            self._count["link_drops"] += 1
            self._lose_central()
        logger.info("sim link %s dropped", self.address)

    def restore_link(self) -> None:
        """Bring the radio link back: the cuff advertises and accepts a connection again."""
        self._down_until = -math.inf

    def reboot(self, downtime_s: float = 1.0) -> int:
        """Restart the firmware: the link drops, RAM is lost, back after downtime_s; new boot id."""
        self._sync()
        boot_id = self._cuff.reboot()
        self._stream_seq = 0
        self._status_key = None
        self._down_until = max(self._down_until, self._now() + downtime_s)
        if self._central is not None:
            self._lose_central()
        return boot_id

    # -- frames ------------------------------------------------------------------------------------

    def device_config(self) -> DeviceConfig:
        """The Device Configuration value."""
        return firmware.device_config(self._cuff)

    def status(self) -> StatusFrame:
        """The Status value at the model's present."""
        return firmware.status_frame(self._cuff)

    def pressure_frame(self, sequence: int) -> PressureFrame:
        """A Pressure Stream frame with this sequence number, at the model's present."""
        return firmware.pressure_frame(self._cuff, sequence)

    def read_value(self, uuid: str) -> bytes:
        """The value a read of this characteristic returns."""
        self._sync()
        values: dict[str, Callable[[], bytes]] = {
            uuids.DEVICE_CONFIGURATION: lambda: encode(self.device_config()),
            uuids.STATUS: lambda: encode(self.status()),
            uuids.MANUFACTURER_NAME: lambda: self.info.manufacturer.encode(),
            uuids.MODEL_NUMBER: lambda: self.info.model.encode(),
            uuids.SERIAL_NUMBER: lambda: self.info.serial.encode(),
            uuids.FIRMWARE_REVISION: lambda: self.info.firmware.encode(),
        }
        return values[uuid]()

    # -- connection (called by the client backend) -------------------------------------------------

    async def connect(self, central: Central, timeout: float) -> None:
        """Wait for an advertisement and connect; TimeoutError when none comes in time."""
        self.attach()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while not self.available:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError(f"simulated cuff {self.address} did not answer")
                await asyncio.sleep(min(self.timing.advertising_interval_s, left))
            await asyncio.sleep(self.timing.connect_time_s)
            if self.available:
                break
        self._sync()
        self._central = central
        self._conn_id += 1
        self._subs = {}
        self._status_key = None
        self._cuff.connection_started()
        self._count["connections"] += 1
        logger.info("sim cuff %s connected", self.address)

    async def disconnect(self, central: Central) -> None:
        """Carry out a requested disconnect (after any injected hang, even when cancelled)."""
        try:
            hang = self.link.disconnect_hang_s
            if math.isinf(hang):
                await asyncio.get_running_loop().create_future()  # never resolves
            elif hang > 0:
                await asyncio.sleep(hang)
            await asyncio.sleep(self.timing.disconnect_time_s)
        finally:
            if self._central is central:
                self._end_connection()
                logger.info("sim cuff %s disconnected", self.address)

    def is_current(self, central: Central) -> bool:
        """True while this central holds the connection."""
        return self._central is central

    def subscribe(self, central: Central, uuid: str, callback: NotifyCallback) -> None:
        """Enable notifications of a characteristic for the connected central."""
        if self._central is central:
            self._subs[uuid] = callback

    def unsubscribe(self, central: Central, uuid: str) -> None:
        """Disable notifications of a characteristic."""
        if self._central is central:
            self._subs.pop(uuid, None)

    def write(self, central: Central, uuid: str, data: bytes) -> None:
        """A write arrives at the device; nothing a central sends can raise here."""
        if self._central is not central:
            return
        try:
            if uuid == uuids.HEARTBEAT:
                self._on_heartbeat(data)
            elif uuid == uuids.CONTROL_POINT:
                self._on_command(data)
        except Exception:
            self._count["internal_errors"] += 1
            logger.exception("simulated cuff %s failed on a write", self.address)

    # -- internals ---------------------------------------------------------------------------------

    def _now(self) -> float:
        if self._loop is None:
            self.attach()
        assert self._loop is not None
        return self._loop.time()

    def _sync(self) -> None:
        if self._loop is None:
            return
        t = self._loop.time() - self._offset
        if t > self._cuff.now:
            self._cuff.advance_to(t)

    def _end_connection(self) -> None:
        self._central = None
        self._subs = {}

    def _lose_central(self) -> None:
        central = self._central
        self._end_connection()
        if central is not None:
            try:
                central.link_lost()
            except Exception:
                self._count["callback_errors"] += 1
                logger.exception("central's disconnect handling failed")

    def _schedule_tick(self, loop: asyncio.AbstractEventLoop) -> None:
        """Set the timer of the next tick, one stream period after the last one was due."""
        period = 1.0 / self.timing.stream_hz
        while True:
            self._due += period
            now = loop.time()
            delay = self._due - now
            if delay > 0:
                # now + delay, as a sleep of delay would compute it: the same timer to the bit.
                self._timer = loop.call_at(now + delay, self._on_timer, loop)
                return
            if delay < -10 * period:
                self._due = now  # far behind (a stalled real-time loop): skip, do not burst
            self._run_tick()
            if self._loop is not loop:
                return

    def _on_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not loop:
            return  # closed, or attached to another loop since
        self._run_tick()
        if self._loop is loop:
            self._schedule_tick(loop)

    def _run_tick(self) -> None:
        try:
            self._tick()
        except Exception:
            self._count["internal_errors"] += 1
            logger.exception("simulated cuff %s tick failed", self.address)

    def _tick(self) -> None:
        self._sync()
        if self._central is None:
            return
        if uuids.PRESSURE_STREAM in self._subs:
            self._send_stream_frame()
        if uuids.STATUS in self._subs:
            self._send_status(force=False)

    def _send_stream_frame(self) -> None:
        if uuids.PRESSURE_STREAM not in self._subs:
            return
        seq = self._stream_seq
        self._stream_seq = (seq + 1) & 0xFFFF
        self._count["stream_frames"] += 1
        self._notify(uuids.PRESSURE_STREAM, firmware.pressure_frame_bytes(self._cuff, seq))

    def _send_status(self, *, force: bool) -> None:
        # Compared without building the frame: this runs at every stream tick.
        key = self._cuff.status_fields()  # uptime alone is no change
        now = self._now()
        due = now - self._status_at >= self.timing.status_interval_s - 1e-9
        if force or due or key != self._status_key:
            self._status_key = key
            self._status_at = now
            self._notify(uuids.STATUS, encode(self.status()))

    def _notify(self, uuid: str, payload: bytes) -> bool:
        callback = self._subs.get(uuid)
        if callback is None:
            return False
        if self.link.loses(uuid):
            self._count["notifications_lost"] += 1
            return False
        try:
            callback(bytearray(payload))
        except Exception:
            self._count["callback_errors"] += 1
            logger.exception("notification callback failed on %s", uuid)
        return True

    def _on_heartbeat(self, data: bytes) -> None:
        self._sync()
        firmware.handle_heartbeat(self._cuff, data)

    def _on_command(self, data: bytes) -> None:
        self._sync()
        answer = firmware.handle_command(self._cuff, data)
        if answer.malformed:
            self._count["bad_commands"] += 1
        self._send_result(answer.result, follow_state=answer.follow_state)

    def _send_result(self, result: CommandResult, *, follow_state: bool) -> None:
        assert self._loop is not None
        extra = self.link.result_plan(result.opcode)
        payload = None if extra is None else encode(result)
        if payload is None:
            self._count["results_dropped"] += 1
        delay = self.timing.result_delay_s + (extra or 0.0)
        self._loop.call_later(delay, self._deliver_result, self._conn_id, payload, follow_state)

    def _deliver_result(self, conn_id: int, payload: bytes | None, follow_state: bool) -> None:
        if conn_id != self._conn_id or self._central is None:
            return  # the connection that asked is gone
        try:
            if payload is not None and self._notify(uuids.COMMAND_RESULT, payload):
                self._count["results_sent"] += 1
            if follow_state:
                # READ_STATE: the result, then at once a full frame and a Status (section 6).
                self._sync()
                self._send_stream_frame()
                self._send_status(force=True)
        except Exception:
            self._count["internal_errors"] += 1
            logger.exception("simulated cuff %s failed to answer", self.address)
