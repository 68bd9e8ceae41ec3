"""A synthetic clinic registry: N patients with their screenings, built once and cached.

Names follow a skewed (Zipf-like) distribution over a few hundred real family and given names,
as a clinic's registry does: some names are common ("Berg", "Müller", "Smith"), most are rare.
Every patient has one to three screenings assessed by the real rules engine, stored through the
storage layer's own functions with their audit rows, so the file looks like a clinic's after
years of use. Building 100,000 patients takes a few minutes; the file is cached per size, seed
and schema version under the user's cache folder, and copied before each use (the app writes
to the file it opens).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from kaatsu_desktop.clinical.engine import assess
from kaatsu_desktop.clinical.screening import parse_screening
from kaatsu_desktop.storage import (
    SCHEMA_VERSION,
    Database,
    NewScreening,
    NewSession,
    PatientFields,
    SessionStatus,
    add_screening,
    create_patients,
    create_session,
    finish_session,
    open_database,
)

log = logging.getLogger(__name__)

GENERATOR_VERSION = 2  # bump when the population changes, so caches are rebuilt
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BATCH = 5_000

_FAMILY_TEXT = (
    "Berg Berger Bergmann Bernard Bertrand Bernhardt Becker Beck Bauer Baker Brown Braun "
    "Brandt Bianchi Blom Bloom Bakker Barros Bjørnstad Bäcklund Bergström Björk Boateng Bose "
    "Byrne Smith Schmidt Schmitt Schneider Schulz Schäfer Smyth Santos Silva Sato Suzuki "
    "Singh Sharma Müller Mueller Meyer Maier Martin Martínez Moreau Mendes Morales Murphy "
    "Moore Molnár Nguyen Nguyễn Nakamura Novak Nowak Nielsen Nilsson Noor Okafor Olsen "
    "O'Brien Ortiz García Garcia González Gómez Grant Gruber Gustafsson Hansen Hoffmann "
    "Huber Hughes Horvat Ivanova Ivanov Jansen Jensen Johansson Johnson Jones Kaya Kim Klein "
    "Koch Kowalski Kozak Larsen Lee Lefèvre Li Lindqvist López Lund Mäkinen Mancini Neumann "
    "Otto Papadopoulos Peeters Petrov Popescu Quinn Rossi Roux Russo Ryan Sánchez Taylor "
    "Tanaka Thomas Virtanen Wagner Walsh Weber Wilson Wójcik Yamada Yilmaz Zhang Zimmermann "
    "Dvořák Fernández Ferrari"
)
_GIVEN_TEXT = (
    "Anna Ann Anne Andreas Anders Andrés Amélie Ahmed Aisha Ali Astrid Ben Benjamin Bernd "
    "Bertil Birgit Björn Brigitte Carla Carlos Chloé Christian Claire Daniel David Dmitri "
    "Elena Elif Emma Erik Eva Fatima Felix François Giulia Hanna Hannah Hans Helena Ines "
    "Ingrid Ivan Jan Jana Javier Jean Johan Jonas José Jose Julia Jürgen Karin Kenji Klaus "
    "Lars Laura Lea Lena Leon Lucas Luca Maria Marie Mark Martin Mary Mateo Mehmet Mia "
    "Michael Mohammed Nadia Nils Noah Noël Olga Omar Oskar Paul Per Peter Priya Rahul Sara "
    "Sarah Siobhán Sofia Stefan Susanne Thomas Tobias Ursula Wei Yuki Zoë Zofia"
)
FAMILY = tuple(_FAMILY_TEXT.split())
GIVEN = tuple(_GIVEN_TEXT.split())


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def screening_input(rng: random.Random, born: date, sex: str, on: date) -> dict[str, Any]:
    """A kaatsu-screening/1 input with plausible, mostly unremarkable values."""
    systolic = rng.randint(100, 165)
    return {
        "format": "kaatsu-screening/1",
        "assessed_on": on.isoformat(),
        "sex": sex if sex != "other" else rng.choice(["female", "male"]),
        "date_of_birth": born.isoformat(),
        "height_cm": rng.randint(150, 195),
        "weight_kg": rng.randint(48, 120),
        "systolic_mmhg": systolic,
        "diastolic_mmhg": rng.randint(60, min(100, systolic - 25)),
        "under_treatment_for": [],
        "symptoms": [],
        "history": [],
        "family_history_premature_cardiac_event": rng.random() < 0.1,
        "ecg_findings": [],
        "acute_conditions": [],
        "pregnancy": "no",
        "thrombosis_factors": [],
        "last_surgery_on": None,
        "wound_sites": [],
        "lower_limb_joint_damage": rng.random() < 0.05,
    }


def patient_fields(rng: random.Random, n: int) -> list[PatientFields]:
    """``n`` patients: skewed names, clinic ids KC-000001.., birth dates 1930..2007."""
    # Which name is common is drawn too, so no letter of the alphabet is favoured by the list.
    family, given = list(FAMILY), list(GIVEN)
    rng.shuffle(family)
    rng.shuffle(given)
    family = rng.choices(family, _zipf_weights(len(family), 0.5), k=n)
    given = rng.choices(given, _zipf_weights(len(given), 0.5), k=n)
    first = date(1930, 1, 1)
    return [
        PatientFields(
            clinic_id=f"KC-{i + 1:06d}",
            given_name=given[i],
            family_name=family[i],
            date_of_birth=first + timedelta(days=rng.randrange(28_000)),
            sex=rng.choice(("female", "male", "female", "male", "other")),
        )
        for i in range(n)
    ]


def _add_screenings(db: Database, rng: random.Random, patients: list[Any]) -> int:
    count = 0
    with db.transaction():  # one transaction per batch: the storage calls nest as savepoints
        for p in patients:
            for k in range(rng.choice((1, 1, 2, 3))):
                on = NOW.date() - timedelta(days=rng.randrange(30, 1500) // (k + 1))
                data = screening_input(rng, p.date_of_birth, p.sex.value, on)
                assessment = assess(parse_screening(data))
                new = NewScreening(p.id, on, data, assessment.to_json(), assessment.overall)
                add_screening(db, new, by=None)
                count += 1
    return count


def build(path: Path, n: int, *, seed: int = 1975) -> Path:
    """Create a registry database of ``n`` patients with their screenings at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    started = time.perf_counter()
    db = open_database(path, clock=lambda: NOW, auto_backup=False)
    try:
        everyone = patient_fields(rng, n)
        screenings = 0
        for lo in range(0, n, BATCH):
            made = create_patients(db, everyone[lo : lo + BATCH], by=None)
            screenings += _add_screenings(db, rng, made)
            log.info("built %d of %d patients", lo + len(made), n)
        db.conn.execute("PRAGMA optimize")
    finally:
        db.close()
    log.warning(
        "registry of %d patients and %d screenings built in %.0f s (%s, %.0f MB)",
        n,
        screenings,
        time.perf_counter() - started,
        path,
        path.stat().st_size / 1e6,
    )
    return path


def cache_dir() -> Path:
    """Where built registries are kept between runs (KAATSU_BENCH_CACHE overrides it)."""
    chosen = os.environ.get("KAATSU_BENCH_CACHE")
    return Path(chosen) if chosen else Path(platformdirs.user_cache_dir("kaatsu-desktop-bench"))


def cached_registry(n: int, *, seed: int = 1975) -> Path:
    """The cached registry of ``n`` patients: built first if missing, migrated if older."""
    name = f"registry-{n}-s{seed}-g{GENERATOR_VERSION}.sqlite3"
    path = cache_dir() / name
    if not path.exists():
        partial = path.with_suffix(".building")
        shutil.rmtree(partial, ignore_errors=True)
        built = build(partial / name, n, seed=seed)
        built.replace(path)
        shutil.rmtree(partial, ignore_errors=True)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        log.warning("migrating the cached registry %s to schema v%d", path, SCHEMA_VERSION)
        backups = Path(tempfile.mkdtemp(prefix="kaatsu-bench-premigration-"))
        try:
            open_database(path, clock=lambda: NOW, auto_backup=False, backup_dir=backups).close()
        finally:
            shutil.rmtree(backups, ignore_errors=True)
    return path


@contextmanager
def registry_copy(n: int, *, seed: int = 1975) -> Iterator[Path]:
    """A private copy of the cached registry in a temporary folder (removed afterwards)."""
    source = cached_registry(n, seed=seed)
    with tempfile.TemporaryDirectory(prefix="kaatsu-bench-") as tmp:
        target = Path(tmp) / "kaatsu.sqlite3"
        shutil.copyfile(source, target)
        yield target


def add_history(db: Database, patient_id: int, sessions: int, *, rng: random.Random) -> None:
    """Give one patient ``sessions`` finished sessions with their summaries."""
    with db.transaction():
        for i in range(sessions):
            record = create_session(db, NewSession(patient_id, {"id": "cycle-mmhg"}), by=None)
            arms, legs = rng.uniform(300, 900), rng.uniform(600, 1200)
            sets = 1 + i % 3
            summary = {
                "state": "finished",
                "protocol": "cycle-mmhg",
                "unit": "mmHg",
                "groups": {
                    "arms": _group(arms, sets, 900.0),
                    "legs": _group(legs, sets, 1200.0),
                },
                "limits": {
                    "arms": {"warning_s": 600.0, "limit_s": 900.0},
                    "legs": {"warning_s": 900.0, "limit_s": 1200.0},
                },
                "arm_skip_reason": None,
                "alarms_raised": rng.choice((0, 0, 0, 1, 2)),
            }
            finish_session(db, record.id, SessionStatus.COMPLETED, by=None, summary=summary)


def _group(seconds: float, sets: int, limit_s: float) -> dict[str, Any]:
    status = "limit_reached" if seconds >= limit_s else "ended"
    return {
        "status": status,
        "restriction_s": round(seconds, 3),
        "minutes": round(seconds / 60.0, 2),
        "sets": sets,
    }
