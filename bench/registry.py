"""Registry: search-as-you-type over 100,000 patients, and opening a patient with 200 sessions.

Prefixes are typed letter by letter as a receptionist does ("b", "be", "ber", ..., "1975-0",
"KC-00"). For each one the figure is what the registry page does once its debounce fires: the
search through the patient service, the table model reset and the repaint that shows the
result. The storage search alone is reported beside it. Opening a patient is the main window's
``open_patient`` (history read, audit row written, page laid out) until the page is painted.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from bench.common import BenchResult, Figure, main, percentile, qt_offscreen

qt_offscreen()

from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.population import NOW, add_history, registry_copy  # noqa: E402
from kaatsu_desktop.app import build_workstation  # noqa: E402
from kaatsu_desktop.services.patients import SEARCH_LIMIT  # noqa: E402
from kaatsu_desktop.storage import Database, open_database, search_patients  # noqa: E402
from ui.patients.registry import SEARCH_DEBOUNCE_MS  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

# What people type, in full; every prefix of each is one keystroke's search.
TYPED = (
    "berg",
    "hanna berg",
    "müller",
    "o'brien",
    "smith j",
    "1975-03-14",
    "KC-001234",
    "kc-0987",
    "anna 1960",
    "nguyen",
)


@dataclass(frozen=True)
class Params:
    """Size of the registry and how much is measured."""

    patients: int = 100_000
    sessions: int = 200  # of the patient who is opened
    rounds: int = 3  # each typed text is typed this many times
    opens: int = 20


FULL = Params()
TINY = Params(patients=300, sessions=5, rounds=1, opens=2)


def keystrokes(texts: tuple[str, ...] = TYPED) -> list[str]:
    """Every prefix of every text, in typing order."""
    return [text[:i] for text in texts for i in range(1, len(text) + 1)]


def _time_storage(db: Database, prefixes: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for prefix in prefixes:
            started = time.perf_counter()
            search_patients(db, prefix, limit=SEARCH_LIMIT + 1)
            out.append((time.perf_counter() - started) * 1000.0)
    return out


def run(params: Params) -> BenchResult:
    """Search-as-you-type and opening a patient over a synthetic registry."""
    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    prefixes = keystrokes()
    with registry_copy(params.patients) as path:
        db = open_database(path, clock=lambda: NOW, auto_backup=False)
        try:
            rng = random.Random(8)
            busy = db.conn.execute("SELECT max(id) FROM patients").fetchone()[0]
            add_history(db, busy, params.sessions, rng=rng)
            storage_ms = _time_storage(db, prefixes, params.rounds)

            ws = build_workstation(db, demo=False)
            window, registry = ws.window, ws.window.registry
            window.resize(1440, 900)
            window.show()
            for _ in range(5):
                app.processEvents()
            ui_ms: list[float] = []
            truncated = 0
            for _ in range(params.rounds):
                for prefix in prefixes:
                    registry.search_field.setText(prefix)  # starts the debounce timer
                    started = time.perf_counter()
                    registry.refresh()  # what the debounce timer fires
                    app.processEvents()  # the repaint that shows the rows
                    ui_ms.append((time.perf_counter() - started) * 1000.0)
                    truncated += bool(registry.last_search and registry.last_search.truncated)
            registry.search_field.clear()

            open_ms: list[float] = []
            other = db.conn.execute("SELECT min(id) FROM patients").fetchone()[0]
            # The first open also loads what the app loads right after its first paint with
            # the device side (the device link): it is reported on its own.
            for i in range(params.opens + 1):
                window.open_patient(other)  # away and back, so each open lays the page out anew
                app.processEvents()
                started = time.perf_counter()
                window.open_patient(busy)
                app.processEvents()
                open_ms.append((time.perf_counter() - started) * 1000.0)
                if i == 0:
                    shown = len(window.patient_page.history.sessions)  # type: ignore[union-attr]
            first_open_ms, open_ms = open_ms[0], open_ms[1:]
            window.close()
            app.processEvents()
        finally:
            db.close()
    anchor_typing = "a key every 100-200 ms when typing; the debounce waits 100 ms"
    figures = (
        Figure(
            "search as you type p95 (page)",
            percentile(ui_ms, 95),
            "ms",
            20.0,
            anchor=anchor_typing,
        ),
        Figure("search as you type p50 (page)", percentile(ui_ms, 50), "ms"),
        Figure("search as you type max (page)", max(ui_ms), "ms"),
        Figure(
            "storage search p95",
            percentile(storage_ms, 95),
            "ms",
            anchor="search_patients alone (limit 501)",
        ),
        Figure("storage search max", max(storage_ms), "ms"),
        Figure(
            f"open patient with {params.sessions} sessions p95",
            percentile(open_ms, 95),
            "ms",
            100.0,
            anchor="100 ms: the limit of an instantaneous response (Nielsen)",
        ),
        Figure(f"open patient with {params.sessions} sessions p50", percentile(open_ms, 50), "ms"),
        Figure(
            f"open patient with {params.sessions} sessions, first of the run",
            first_open_ms,
            "ms",
            anchor="plus what the app loads after its first paint (the device link)",
        ),
    )
    notes = (
        f"{params.patients:,} patients; {len(prefixes)} keystrokes x {params.rounds} rounds, "
        f"{truncated} of them with more than {SEARCH_LIMIT} matches (the newest shown by name)",
        f"the debounce ({SEARCH_DEBOUNCE_MS} ms) comes before these figures by design",
        f"the opened patient's page listed {shown} sessions; the open writes its audit row",
    )
    params_json = {
        "patients": params.patients,
        "sessions": params.sessions,
        "rounds": params.rounds,
        "opens": params.opens,
    }
    return BenchResult(
        "registry", "Registry: search as you type, open a patient", figures, params_json, notes
    )


if __name__ == "__main__":
    raise SystemExit(main("registry", run, FULL, TINY))
