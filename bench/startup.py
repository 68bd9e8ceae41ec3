"""Start-up: from process start to the first painted main window over a 100,000-patient registry.

Each trial starts ``python -m bench.startup_probe`` (the real application, see that module) on a
copy of the synthetic registry, with a clinician signed in without the sign-in dialog, and reads
the time of the main window's first paint against the moment the parent started the process.

The first start of a day is reported on its own: it compiles the program's bytecode (kept in a
cache of the run, as an installed program keeps it; the sandbox's PYTHONDONTWRITEBYTECODE
would compile every module at every start) and, after its paint, checks the whole file and
makes the daily backup; the probe waits for both and reports when they were done. The figure
is the median of the starts after it, each of which checks the whole file after its paint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchResult, Figure, main, median, percentile
from bench.population import NOW, registry_copy
from kaatsu_desktop.storage import Role, create_user, open_database


@dataclass(frozen=True)
class Params:
    """Registry size and number of starts."""

    patients: int = 100_000
    starts: int = 7
    timeout_s: float = 120.0
    first_of_day: bool = True  # start once more first: the daily backup, reported on its own


FULL = Params()
TINY = Params(patients=300, starts=1, first_of_day=False)


@dataclass(frozen=True)
class Start:
    """One start: seconds from process start to the sign-in, the first paint and ready."""

    sign_in_s: float
    first_paint_s: float
    ready_s: float  # the session page mounted, the patient page and screening form built
    upkeep_s: float = float("nan")  # the whole-file check and today's backup done (if awaited)


def child_env(bytecode: Path, *, upkeep: bool = False) -> dict[str, str]:
    """The probe's environment: offscreen Qt, bytecode kept under ``bytecode``."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode)  # the work tree is left as it is
    if upkeep:
        env["KAATSU_PROBE_UPKEEP"] = "1"
    return env


def start_once(db_path: Path, user_id: int, timeout_s: float, env: dict[str, str]) -> Start:
    """Start the application once and read its marks."""
    cmd = [sys.executable, "-m", "bench.startup_probe", str(user_id), "--db", str(db_path)]
    started = time.monotonic()
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=timeout_s, cwd=root, check=False
    )
    marks = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("SIGN_IN", "FIRST_PAINT", "READY", "UPKEEP"):
            marks[name] = float(value) - started
    if done.returncode != 0 or "FIRST_PAINT" not in marks:
        raise RuntimeError(
            f"the application did not report its first paint (exit {done.returncode}):\n"
            f"{done.stderr[-2000:]}"
        )
    nan = float("nan")
    return Start(
        marks.get("SIGN_IN", nan),
        marks["FIRST_PAINT"],
        marks.get("READY", nan),
        marks.get("UPKEEP", nan),
    )


def run(params: Params) -> BenchResult:
    """Start the application several times over the registry; time to the first paint."""
    with registry_copy(params.patients) as path, tempfile.TemporaryDirectory() as bytecode:
        db = open_database(path, clock=lambda: NOW, auto_backup=False)
        try:
            user = create_user(db, "Bench Clinician", Role.CLINICIAN, by=None)
        finally:
            db.close()
        cache = Path(bytecode)
        first = None
        if params.first_of_day:
            first = start_once(path, user.id, params.timeout_s, child_env(cache, upkeep=True))
        env = child_env(cache)
        starts = [start_once(path, user.id, params.timeout_s, env) for _ in range(params.starts)]
        size_mb = path.stat().st_size / 1e6
    paint = [s.first_paint_s for s in starts]
    figures = (
        Figure(
            "start to first paint, median",
            median(paint),
            "s",
            1.5,
            anchor="a clinic opens the app between patients; 1.5 s feels immediate",
        ),
        Figure("start to first paint, max", max(paint), "s"),
        Figure("start to sign-in, median", median([s.sign_in_s for s in starts]), "s"),
        Figure(
            "start to ready, median",
            median([s.ready_s for s in starts]),
            "s",
            anchor="session page on its device thread, patient page and form built",
        ),
    )
    if first is not None:
        figures += (
            Figure(
                "first start of the day: first paint",
                first.first_paint_s,
                "s",
                anchor="bytecode compiled; check and backup wait for the paint",
            ),
            Figure(
                "first start of the day: check and backup done",
                first.upkeep_s,
                "s",
                anchor="on their own worker after the paint; the window is usable meanwhile",
            ),
        )
    notes = (
        f"{params.patients:,} patients, database file {size_mb:.0f} MB; {params.starts} starts "
        f"after the first; p90 {percentile(paint, 90):.2f} s",
        "the sign-in dialog (a person typing, then the password check) is left out",
        "bytecode compiled once and kept, as an installed program's is",
    )
    params_json = {"patients": params.patients, "starts": params.starts}
    return BenchResult(
        "startup", "Start-up to the first painted main window", figures, params_json, notes
    )


if __name__ == "__main__":
    raise SystemExit(main("startup", run, FULL, TINY))
