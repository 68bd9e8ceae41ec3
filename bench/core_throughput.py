"""Core throughput without the UI: notification bytes decoded, the engine, ring buffers, SQLite.

First a real arm set is recorded: the simulated cuff behind ``BleakClient`` runs a Cycle set at
100 Hz on a virtual clock and every Pressure Stream frame the link decodes is kept, re-encoded to
the bytes the cuff sent. Then those bytes are replayed as fast as the machine allows into a fresh
``SessionController`` with its ``Recorder`` on a SQLite file: each frame is decoded
(``PressureStreamDecoder``, as the link's notification router does), handed to the controller
(engine on every frame, 20 Hz ticks, ring buffers, recorder queue) and committed by the recorder's
writer thread. The figure is samples per second from the first frame to the last commit.
The replay link stands in for the radio only: commands are acknowledged at once.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import BenchResult, CpuMeter, Figure, main
from devices.link import LinkState, PressureReading
from devices.protocol import PressureStreamDecoder, decode_pressure_frame, encode_pressure_frame
from devices.protocol.frames import DeviceConfig
from devices.runtime import DeviceRuntime
from devices.sim.host import HostTiming
from kaatsu_desktop.session.controller import SessionController, SessionListener
from kaatsu_desktop.session.demo import connect_simulated_cuff, demo_setup, virtual_runtime
from kaatsu_desktop.session.recorder import Recorder
from kaatsu_desktop.session.ringbuffer import SessionBuffers
from kaatsu_desktop.storage import NewSession, add_samples, create_session, make_samples
from kaatsu_desktop.storage import open_database as open_db

LIVE_RATE = 4 * 100.0  # samples per second of a 4-channel cuff at 100 Hz


@dataclass(frozen=True)
class Params:
    """How much of an arm set is recorded and replayed."""

    seconds: float = 280.0  # one Cycle set: 8 x (30 s + 5 s)
    stream_hz: float = 100.0


FULL = Params()
TINY = Params(seconds=3.0)


def record_frames(params: Params) -> tuple[list[bytes], DeviceConfig]:
    """The Pressure Stream bytes of a real arm set on the simulated cuff, and its config."""
    rt = virtual_runtime("bench-record")
    try:
        rig = connect_simulated_cuff(rt, timing=HostTiming(stream_hz=params.stream_hz))
        frames: list[bytes] = []
        controller = SessionController(rt, rig.link, demo_setup())
        rig.wait(controller.start())
        rt.advance(0.5)  # the bands read deflated
        rig.wait(controller.start_limb_group("arms"))
        keep = lambda r: frames.append(encode_pressure_frame(r.frame))  # noqa: E731
        rt.call(rig.link.subscribe_pressure, keep)
        rt.advance(params.seconds)
        config = rig.link.config
        assert config is not None
        rig.wait(controller.abort("recorded"))
        return frames, config
    finally:
        rt.stop()


class ReplayLink:
    """What a SessionController needs of a CuffLink, fed with recorded notification bytes."""

    def __init__(self, config: DeviceConfig) -> None:
        self.config = config
        self.info = None
        self.state = LinkState.STREAMING
        self.stale = False
        self._pressure: list[Callable[[PressureReading], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._decode = PressureStreamDecoder()  # the link's own decoder

    def _subscribe(self, subs: list[Any], callback: Any) -> Callable[[], None]:
        subs.append(callback)
        return lambda: subs.remove(callback)

    def subscribe_pressure(self, callback: Callable[[PressureReading], None]) -> Any:
        """Subscribe to decoded frames."""
        return self._subscribe(self._pressure, callback)

    def subscribe_status(self, callback: Any) -> Any:
        """No Status frames are replayed."""
        return self._subscribe([], callback)

    def subscribe_events(self, callback: Any) -> Any:
        """No link events are replayed."""
        return self._subscribe([], callback)

    def feed(self, data: bytes, now: float) -> None:
        """One notification: decode, then hand to subscribers (the router's hot path)."""
        reading = PressureReading(self._decode(data), now, 0)
        for callback in self._pressure:
            callback(reading)

    async def _ok(self, *_args: Any, **_kwargs: Any) -> None:
        """Every command is acknowledged at once (the controller only needs it not to fail)."""

    run_cycle = hold = set_sites = release = release_all = _ok


class _Count(SessionListener):
    """A listener that only counts snapshots."""

    def __init__(self) -> None:
        self.n = 0

    def on_snapshot(self, snapshot: object) -> None:
        self.n += 1


def replay(frames: list[bytes], config: DeviceConfig, db_path: Path, hz: float) -> dict[str, Any]:
    """Replay ``frames`` into a recorded session as fast as possible; counts and seconds."""
    db = open_db(db_path, auto_backup=False)
    rt: DeviceRuntime = virtual_runtime("bench-replay")
    try:
        link = ReplayLink(config)
        recorder = Recorder.create(db, NewSession(None, {"id": "cycle-mmhg"}, demo=True), by=None)
        controller = SessionController(rt, link, demo_setup(), recorder=recorder)  # type: ignore[arg-type]
        snapshots = _Count()
        controller.subscribe(snapshots)  # as the UI bridge does: snapshots are built at 10 Hz
        rt.call(lambda: None).result(5)
        rt.loop.set_free_running()  # type: ignore[attr-defined]
        controller.start().result(5)
        controller.start_limb_group("arms").result(5)
        period = 1.0 / hz

        async def feed_all() -> None:
            loop = asyncio.get_running_loop()
            for data in frames:
                link.feed(data, loop.time())
                await asyncio.sleep(period)  # the loop's next turn: ticks run when due

        cpu = CpuMeter()
        started = time.perf_counter()
        rt.submit(feed_all()).result(600)
        fed = time.perf_counter()
        controller.finish().result(5)
        controller.close("replayed")  # ends the recording: everything queued is committed
        done = time.perf_counter()
        stats = recorder.stats
        return {
            "samples": stats.samples_written,
            "dropped": stats.samples_dropped,
            "seconds": done - started,
            "feed_seconds": fed - started,
            "cpu_percent": cpu.percent(),
            "frames": controller.stats().frames,
            "snapshots": snapshots.n,
        }
    finally:
        rt.stop()
        db.close()


def stage_rates(frames: list[bytes], db_path: Path) -> dict[str, float]:
    """Samples per second of the stages alone: decode, ring buffers, SQLite batches."""
    started = time.perf_counter()
    decoded = [decode_pressure_frame(f) for f in frames]
    decode_s = time.perf_counter() - started
    samples = sum(len(f.channels) for f in decoded)
    buffers = SessionBuffers(4, rate_hz=100.0)
    started = time.perf_counter()
    for i, frame in enumerate(decoded):
        t = i * 0.01
        for ch, s in enumerate(frame.channels):
            buffers.append(ch, t, s.pressure, s.target, int(s.phase))
    ring_s = time.perf_counter() - started
    db = open_db(db_path, auto_backup=False)
    try:
        session = create_session(db, NewSession(None, {"id": "bench"}, demo=True), by=None)
        n = len(decoded)
        t_ms = np.repeat(np.arange(n, dtype=np.int64) * 10, 4)
        channel = np.tile(np.arange(4, dtype=np.int64), n)
        pressure = np.array([s.pressure for f in decoded for s in f.channels], dtype=np.float64)
        target = np.array([s.target for f in decoded for s in f.channels], dtype=np.float64)
        phase = np.array([int(s.phase) for f in decoded for s in f.channels], dtype=np.int64)
        started = time.perf_counter()
        per_batch = 4 * 50  # what the recorder commits every 0.5 s at 4 x 100 Hz
        for lo in range(0, len(t_ms), per_batch):
            sl = slice(lo, lo + per_batch)
            batch = make_samples(t_ms[sl], channel[sl], pressure[sl], target[sl], phase[sl])
            with db.transaction():
                add_samples(db, session.id, batch)
        sqlite_s = time.perf_counter() - started
    finally:
        db.close()
    return {
        "decode": samples / decode_s,
        "ring": samples / ring_s,
        "sqlite": len(t_ms) / sqlite_s,
    }


def run(params: Params) -> BenchResult:
    """Replay a recorded arm set through decode, engine, ring buffers and recorder."""
    frames, config = record_frames(params)
    with tempfile.TemporaryDirectory(prefix="kaatsu-bench-") as tmp:
        result = replay(frames, config, Path(tmp) / "replay.sqlite3", params.stream_hz)
        stages = stage_rates(frames, Path(tmp) / "stages.sqlite3")
    rate = result["samples"] / result["seconds"]
    figures = (
        Figure(
            "decode + engine + ring + recorder to SQLite",
            rate,
            "samples/s",
            50_000.0,
            ">=",
            f"{50_000 / LIVE_RATE:.0f} x the live rate of 4 x 100 Hz",
        ),
        Figure("process CPU during the replay", result["cpu_percent"], "% of a core"),
        Figure("decode alone", stages["decode"], "samples/s"),
        Figure("ring buffers alone", stages["ring"], "samples/s"),
        Figure("SQLite batches alone (0.5 s each)", stages["sqlite"], "samples/s"),
    )
    notes = (
        f"{len(frames):,} frames ({result['samples']:,} samples written, {result['dropped']} "
        f"dropped) of one recorded Cycle arm set; fed in {result['feed_seconds']:.2f} s, "
        f"committed by {result['seconds']:.2f} s; {result['snapshots']:,} snapshots built",
        "the replay link acknowledges commands at once; the radio and the simulator are left out",
    )
    params_json = {"seconds": params.seconds, "stream_hz": params.stream_hz}
    return BenchResult(
        "core_throughput", "Core throughput without the UI", figures, params_json, notes
    )


if __name__ == "__main__":
    raise SystemExit(main("core_throughput", run, FULL, TINY))
