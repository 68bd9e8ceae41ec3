"""Benchmark: a full session (arms 15 min, changeover, legs 20 min) in virtual time, stored.

The same scenario as tests/kaatsu_desktop/session_live/test_full_session.py, through BleakClient
and the simulated cuff at 50 Hz on 4 channels, with the recorder writing to a fresh database.
Prints wall and CPU time against the 10 s target of issue 4, with the machine's load average (other
work on the two cores inflates both figures). Run from the repository root:

    .venv/bin/python bench/full_session.py [--repeat N] [--profile]

``--profile`` profiles the device thread (where the simulated cuff, the link and the session engine
run) with the standard library's cProfile and prints its heaviest functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.storage import count_samples
from tests.kaatsu_desktop.session_live._support import live_session, open_db

TARGET_S = 10.0


def run_once(folder: Path, profiler: cProfile.Profile | None = None) -> tuple[float, float, int]:
    """One full session; returns wall seconds, CPU seconds and the number of stored samples."""
    wall, cpu = time.perf_counter(), time.process_time()
    db = open_db(folder / "kaatsu.sqlite3")
    try:
        with live_session(db=db, collect=False) as s:
            c = s.controller
            if profiler is not None:
                s.on_loop(profiler.enable)  # cProfile follows the thread that enables it
            assert s.do(c.start_limb_group("arms")).accepted
            arms_start = s.on_loop(lambda: c.engine.group_state(LimbGroup.ARMS).started_at)
            s.advance(900.5 - (s.now() - arms_start))
            assert s.do(c.acknowledge("limit_release:arms")).accepted
            s.advance(1.5)
            assert s.do(c.confirm_arm_bands_off()).accepted
            assert s.do(c.start_limb_group("legs")).accepted
            legs_start = s.on_loop(lambda: c.engine.group_state(LimbGroup.LEGS).started_at)
            s.advance(1200.5 - (s.now() - legs_start))
            assert s.do(c.acknowledge("limit_release:legs")).accepted
            assert s.do(c.finish()).accepted
            s.advance(2.5)
            assert s.recorder is not None and s.recorder.finish_future is not None
            record = s.recorder.finish_future.result(10)
            streamed = s.frames[0]
            if profiler is not None:
                s.on_loop(profiler.disable)
        elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
        stored = count_samples(db, record.id)
        assert stored == 4 * streamed, (stored, streamed)
        return elapsed, used, stored
    finally:
        db.close()


def main() -> int:
    """Run the scenario and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile the device thread")
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.profile else None
    for i in range(args.repeat):
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, used, stored = run_once(Path(tmp), profiler)
        verdict = "within" if elapsed < TARGET_S else "OVER"
        print(
            f"run {i + 1}: {elapsed:.2f} s wall, {used:.2f} s CPU, {stored} samples stored "
            f"({verdict} the {TARGET_S:.0f} s target), load average {load:.2f} before the run"
        )
    if profiler is not None:
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
