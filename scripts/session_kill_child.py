"""A recorded session in real time on a simulated cuff, run until the process is killed.

Usage: python scripts/session_kill_child.py DB_PATH [SECONDS]

The crash test (tests/kaatsu_desktop/session_live/test_sigkill.py) runs this in a child process
and kills it with SIGKILL. On stdout, flushed line by line:

- ``T0 <seconds>``: the loop clock at the session's start (the default asyncio loop reads
  ``time.monotonic``, the clock the parent also reads), so ``t_ms`` maps onto the parent's time;
- ``F <t_ms>``: every Pressure Stream frame once it has been handed to the recorder;
- ``STREAMING``: the arm bands are inflating and samples flow.

Without a kill it gives up after SECONDS (default 60) and exits with status 3.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devices.runtime import DeviceRuntime  # noqa: E402
from kaatsu_desktop.session.demo import (  # noqa: E402
    connect_simulated_cuff,
    demo_setup,
    start_session,
)
from kaatsu_desktop.session.recorder import Recorder  # noqa: E402
from kaatsu_desktop.storage import NewSession, open_database  # noqa: E402

_OUT = threading.Lock()


def say(line: str) -> None:
    """One whole line to stdout, flushed (print() writes the text and its newline separately)."""
    with _OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class PrintingRecorder(Recorder):
    """Tells the parent about every frame it has queued."""

    def add_frame(self, t_ms: int, samples: Sequence[tuple[int, float, float, int]]) -> None:
        """Queue the frame, then print its time."""
        super().add_frame(t_ms, samples)
        say(f"F {t_ms}")


def main(argv: list[str]) -> int:
    """Run the session until killed."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    faulthandler.dump_traceback_later(15.0)  # a child stuck before streaming says where
    db = open_database(Path(argv[0]), auto_backup=False)
    limit_s = float(argv[1]) if len(argv) > 1 else 60.0
    runtime = DeviceRuntime().start()  # a real-time loop: loop.time() is time.monotonic()
    rig = connect_simulated_cuff(runtime)
    setup = demo_setup()
    recorder = PrintingRecorder.create(
        db, NewSession(None, {"id": setup.protocol.id}, demo=True), by=None
    )
    controller = start_session(rig, setup, recorder=recorder)
    say(f"T0 {controller.t0!r}")
    time.sleep(0.3)  # the first frames: every band reads deflated
    result = controller.start_limb_group("arms").result(5)
    if not result.accepted:
        say(f"REFUSED {result.refusal}")
        return 2
    faulthandler.cancel_dump_traceback_later()
    say("STREAMING")
    time.sleep(limit_s)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
