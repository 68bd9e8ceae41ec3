"""A session process killed with SIGKILL loses at most its last second; the cuff releases alone.

The child (scripts/session_kill_child.py) records a real-time session on a simulated cuff into a
real database file and prints every frame it has queued. After the kill, every frame queued more
than 1 s before it must be in the database on every channel, the file must pass
``integrity_check``, and the next open must mark the session interrupted and keep its samples.
The simulated cuff dies with the child, so its watchdog is shown in-process below.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from devices.protocol import uuids
from devices.protocol.types import Fault, Phase
from kaatsu_desktop.session import EventKind
from kaatsu_desktop.storage import SessionStatus, get_session, read_samples
from tests.kaatsu_desktop.session_live._support import live_session, open_db

ROOT = Path(__file__).resolve().parents[3]
CHILD = ROOT / "scripts" / "session_kill_child.py"


class LineReader(threading.Thread):
    """Collects the child's stdout lines."""

    def __init__(self, stream: object) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.streaming = threading.Event()

    def run(self) -> None:
        for line in self.stream:  # type: ignore[attr-defined]
            self.lines.append(line.strip())
            if line.startswith(("STREAMING", "REFUSED")):
                self.streaming.set()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_keeps_every_sample_older_than_1_s_and_the_next_open_interrupts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kill.sqlite3"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)],
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "child.log").open("w"),
        text=True,
        env=env,
        cwd=ROOT,
    )
    reader = LineReader(proc.stdout)
    reader.start()
    try:
        started = reader.streaming.wait(30)
        assert started, (reader.lines[-3:], (tmp_path / "child.log").read_text()[-3000:])
        assert "STREAMING" in reader.lines, reader.lines[-3:]
        time.sleep(3.0)
        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    reader.join(10)
    assert proc.returncode == -signal.SIGKILL
    t0 = next(float(x.split()[1]) for x in reader.lines if x.startswith("T0 "))
    queued = np.array([int(x.split()[1]) for x in reader.lines if x.startswith("F ")])
    cutoff_ms = (killed_at - 1.0 - t0) * 1000.0
    due = queued[queued < cutoff_ms]
    assert len(due) >= 100  # at least 2 s of 50 Hz frames before the last second

    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    db = open_db(path)
    try:
        assert db.opened_after_unclean_shutdown
        (session_id,) = db.interrupted_sessions
        assert get_session(db, session_id).status is SessionStatus.INTERRUPTED
        samples = read_samples(db, session_id)
        for ch in range(4):
            stored = samples["t_ms"][samples["channel"] == ch]
            missing = np.setdiff1d(due, stored)
            assert missing.size == 0, f"channel {ch}: {missing.size} samples lost"
        lost = len(queued) - len(samples) // 4
        print(
            f"\nSIGKILL: {len(due)} frames older than 1 s all stored; "
            f"{lost} of the last {len(queued) - len(due)} frames lost"
        )
        assert samples["phase"][samples["t_ms"] >= due[-1]].max() > Phase.IDLE  # inflating
    finally:
        db.close()


def test_the_cuff_releases_on_its_own_within_2_s_when_the_heartbeat_stops(tmp_path: Path) -> None:
    db = open_db(tmp_path / "heartbeat.sqlite3")
    try:
        with live_session(db=db) as s:
            c = s.controller
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(10.0)  # holding
            snap = s.on_loop(s.rig.host.cuff_now).snapshot()
            assert snap.channels[0].phase is Phase.HOLDING
            s.on_loop(s.rig.link.pause_heartbeat)  # the app's heartbeat stops; nothing else does
            stopped = s.now()
            s.advance(2.5)
            beats = [r.at for r in s.rig.writes.records() if r.uuid == uuids.HEARTBEAT]
            last_beat = max(beats)
            assert last_beat <= stopped
            snap = s.on_loop(s.rig.host.cuff_now).snapshot()
            assert snap.device_faults & Fault.WATCHDOG_RELEASE
            assert all(ch.phase is Phase.RELEASED for ch in snap.channels[:2])
            series = c.buffers.live[0].snapshot()  # type: ignore[union-attr]
            holding = series.t[series.phase == Phase.HOLDING] + c.t0
            released_at = series.t[(series.phase == Phase.RELEASED) & (series.t + c.t0 > stopped)]
            assert holding.max() <= last_beat + 2.0 + 0.02
            assert released_at.min() + c.t0 - last_beat <= 2.0 + 0.02
            s.advance(0.5)
            kinds = s.collector.kinds()
            assert EventKind.DEVICE_RELEASED.value in kinds
    finally:
        db.close()
