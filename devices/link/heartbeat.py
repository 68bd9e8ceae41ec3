"""The heartbeat task: a write without response every 500 ms while connected (section 8)."""

from __future__ import annotations

import asyncio
import logging

from bleak import BleakClient

from devices.link._fanout import RateLimitedLog
from devices.link.commands import WRITE_ERRORS
from devices.protocol import Heartbeat, encode, uuids


class HeartbeatWriter:
    """Feeds the device's watchdog; the device releases every channel when it stops for 2 s."""

    def __init__(self, interval_s: float, log: RateLimitedLog) -> None:
        self._interval = interval_s
        self._log = log
        self._task: asyncio.Task[None] | None = None
        self.paused = False
        self.counter = 0  # continues across connections; the device reports the last one
        self.sent = 0
        self.failures = 0

    def start(self, client: BleakClient) -> None:
        """Start beating on this client (the first beat goes out at once)."""
        self.stop()
        self._task = asyncio.get_running_loop().create_task(
            self._run(client), name="cuff-heartbeat"
        )

    def stop(self) -> None:
        """Stop beating."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def _run(self, client: BleakClient) -> None:
        loop = asyncio.get_running_loop()
        interval = self._interval
        due = loop.time()
        while True:
            if not self.paused:
                self.counter = (self.counter + 1) & 0xFFFF
                data = encode(Heartbeat(self.counter))
                try:
                    async with asyncio.timeout(interval):
                        await client.write_gatt_char(uuids.HEARTBEAT, data, response=False)
                    self.sent += 1
                except WRITE_ERRORS as exc:
                    self.failures += 1
                    self._log(logging.WARNING, "heartbeat", "heartbeat write failed: %s", exc)
            # Fixed cadence on the loop clock; a late beat is not followed by a burst.
            due = max(due + interval, loop.time())
            await asyncio.sleep(due - loop.time())
