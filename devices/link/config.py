"""Timing and retry policy of the cuff link (defaults from docs/device-protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.link.supervisor import Backoff

MIN_MTU = 51  # a 4-channel Pressure Stream frame is 48 bytes plus the 3-byte ATT header


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """Timing and retry policy of the link."""

    heartbeat_interval_s: float = 0.5
    result_timeout_s: float = 0.5
    release_attempts: int = 4  # the first write and 3 retries
    read_state_attempts: int = 2  # READ_STATE is idempotent: one retry
    stale_after_s: float = 1.0
    reconnect_on_stale: bool = True  # a silent stream is a lost link: do not wait for bleak
    disconnect_timeout_s: float = 5.0
    connect_attempts: int = 3  # per connection, inside bleak-retry-connector
    connect_timeout_s: float = 30.0
    read_attempts: int = 3  # GATT reads during set-up, on transient errors
    min_mtu: int = MIN_MTU
    report_every_s: float = 1.0  # decode-error and lost-frame reports
    log_every_s: float = 5.0  # repeated warnings of one kind at most this often
    backoff: Backoff = field(default_factory=Backoff)
