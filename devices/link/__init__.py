"""The BLE link to a KAATSU cuff: discovery, supervised connection, heartbeat, commands, events.

`CuffLink` lives on the device runtime's loop: call its coroutines through
`DeviceRuntime.submit`, subscribe from any thread (callbacks run on the loop thread), and register
`link.close` with `DeviceRuntime.add_shutdown_hook` so shutdown releases the cuffs. Pass
`backend=`/`scanner_backend=` (the simulated cuff's bleak backends) for the demo and the tests,
None for the radio.
"""

from devices.link.config import MIN_MTU, LinkConfig
from devices.link.errors import (
    CommandRejected,
    CommandSuperseded,
    CommandTimeout,
    ConnectFailed,
    LinkError,
    LinkLost,
    LinkSetupError,
    NotConnected,
    ReleaseUnconfirmedError,
)
from devices.link.events import (
    DecodeErrors,
    DeviceInfo,
    DeviceState,
    FramesLost,
    LinkEvent,
    LinkFresh,
    LinkStale,
    LinkState,
    LinkStateChanged,
    LinkStats,
    PressureReading,
    Reconciled,
    ReleaseUnconfirmed,
    StatusReading,
)
from devices.link.link import CuffLink
from devices.link.scanner import DiscoveredCuff, discover_cuffs, find_cuff
from devices.link.supervisor import Backoff

__all__ = [
    "MIN_MTU",
    "Backoff",
    "CommandRejected",
    "CommandSuperseded",
    "CommandTimeout",
    "ConnectFailed",
    "CuffLink",
    "DecodeErrors",
    "DeviceInfo",
    "DeviceState",
    "DiscoveredCuff",
    "FramesLost",
    "LinkConfig",
    "LinkError",
    "LinkEvent",
    "LinkFresh",
    "LinkLost",
    "LinkSetupError",
    "LinkStale",
    "LinkState",
    "LinkStateChanged",
    "LinkStats",
    "NotConnected",
    "PressureReading",
    "Reconciled",
    "ReleaseUnconfirmed",
    "ReleaseUnconfirmedError",
    "StatusReading",
    "discover_cuffs",
    "find_cuff",
]
