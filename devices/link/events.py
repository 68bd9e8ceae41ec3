"""Typed payloads of the cuff link: connection states, readings, link events and counters."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from devices.protocol import DeviceConfig, PressureFrame, ResultCode, StatusFrame
from devices.protocol.errors import Reason


class LinkState(enum.Enum):
    """Visible state of the connection supervisor."""

    IDLE = "idle"  # nothing asked yet
    SCANNING = "scanning"  # looking for cuffs that advertise the Cuff Service
    CONNECTING = "connecting"  # first connection and its set-up
    STREAMING = "streaming"  # connected, set up, heartbeat running, frames expected
    RECONNECTING = "reconnecting"  # the link was lost unexpectedly; retrying with backoff
    FAILED = "failed"  # gave up; a new connect() is needed
    DISCONNECTED = "disconnected"  # a requested disconnect (or close) finished


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Device Information Service strings (None when the device does not expose one)."""

    address: str
    name: str | None
    manufacturer: str | None
    model: str | None
    serial: str | None
    firmware: str | None


@dataclass(frozen=True, slots=True)
class PressureReading:
    """A decoded Pressure Stream frame as delivered to subscribers."""

    frame: PressureFrame
    received_at: float  # loop clock, seconds
    lost_before: int  # frames the sequence numbers say were lost just before this one


@dataclass(frozen=True, slots=True)
class StatusReading:
    """A decoded Status frame as delivered to subscribers."""

    status: StatusFrame
    received_at: float  # loop clock, seconds


@dataclass(frozen=True, slots=True)
class DeviceState:
    """What a READ_STATE returned: the full Pressure Stream frame and the Status that follow it."""

    pressure: PressureFrame
    status: StatusFrame | None  # None only if the Status frame did not arrive in time
    read_at: float  # loop clock, seconds


# --- link events (subscribe_events) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkStateChanged:
    """The supervisor moved to another state."""

    state: LinkState
    previous: LinkState
    at: float
    attempt: int = 0  # reconnect attempt (1-based) while RECONNECTING, else 0
    delay_s: float = 0.0  # backoff before that attempt
    reason: str = ""  # why (plain text for the log, not for display)


@dataclass(frozen=True, slots=True)
class LinkStale:
    """No Pressure Stream frame for the stale threshold (1 s); readings are not current."""

    at: float
    last_frame_at: float | None  # None: no frame since this connection began


@dataclass(frozen=True, slots=True)
class LinkFresh:
    """Pressure Stream frames arrive again after a LinkStale."""

    at: float
    stale_for_s: float


@dataclass(frozen=True, slots=True)
class ReleaseUnconfirmed:
    """A release was retried and never confirmed by the device: raise a high-priority alarm."""

    at: float
    channels: tuple[int, ...] | None  # None: RELEASE_ALL
    attempts: int
    last_result: ResultCode | None  # None: no result arrived at all


@dataclass(frozen=True, slots=True)
class DecodeErrors:
    """Malformed notifications were dropped on one characteristic since the last report."""

    at: float
    characteristic: str  # "pressure", "result" or "status"
    count: int  # new since the previous report
    total: int  # since the link was created
    last_reason: Reason | None


@dataclass(frozen=True, slots=True)
class FramesLost:
    """Sequence gaps revealed lost Pressure Stream frames since the last report."""

    at: float
    count: int
    total: int


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The device state was read back after a (re)connection; the app reconciles its view."""

    at: float
    state: DeviceState
    config: DeviceConfig
    info: DeviceInfo
    reconnect: bool  # False after the first connection, True after a recovery


LinkEvent = (
    LinkStateChanged
    | LinkStale
    | LinkFresh
    | ReleaseUnconfirmed
    | DecodeErrors
    | FramesLost
    | Reconciled
)


@dataclass(frozen=True, slots=True)
class LinkStats:
    """Counters since the link was created."""

    frames_received: int = 0
    frames_lost: int = 0
    decode_errors: Mapping[str, int] = field(default_factory=dict)
    results_unmatched: int = 0
    heartbeats_sent: int = 0
    heartbeat_failures: int = 0
    commands_sent: int = 0
    releases_unconfirmed: int = 0
    reconnects: int = 0
