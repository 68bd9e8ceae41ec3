"""Search-as-you-type over 10,000 patients, checked against an independent model of the rules."""

from __future__ import annotations

import functools
import random
import re
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kaatsu_desktop.storage import (
    Database,
    Patient,
    archive_patient,
    create_patients,
    list_patients,
    open_database,
    search_patients,
)
from kaatsu_desktop.storage.patients import MAX_SEARCH_TERMS, fts_query

from .helpers import FakeClock, fields

FAMILY = [
    "Smith", "Smithers", "Smyth", "Schmidt", "Müller", "Mueller", "García", "Garcia", "O'Brien",
    "Nguyễn", "Jones", "Johnson", "Anderson", "Brown", "Li", "Dvořák", "Fernández", "Near",
    "Orr", "Notting-Hill", "Kowalski", "Yamada", "Lefèvre", "Ó Súilleabháin",
]  # fmt: skip
GIVEN = [
    "José", "Jose", "Zoë", "Anna", "Ann", "Andrés", "Chloé", "Mary", "Marie", "Amélie",
    "Jürgen", "François", "Siobhán", "Ken", "Kenji", "Noël", "Anders", "Smitty",
]  # fmt: skip
N_PATIENTS = 10_000
ARCHIVE_EVERY = 50


@pytest.fixture(scope="module")
def population(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Database, list[Patient]]]:
    rng = random.Random(20260302)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    db = open_database(
        tmp_path_factory.mktemp("search") / "kaatsu.sqlite3", clock=clock, auto_backup=False
    )
    many = [
        fields(
            clinic_id=f"KC-{i:05d}",
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=date(1930, 1, 1) + timedelta(days=rng.randrange(27_000)),
            sex=rng.choice(["female", "male", "other"]),
        )
        for i in range(N_PATIENTS)
    ]
    started = time.perf_counter()
    patients = create_patients(db, many, by=None)
    print(f"\ncreated {N_PATIENTS} patients in {time.perf_counter() - started:.2f} s")
    for i in range(0, N_PATIENTS, ARCHIVE_EVERY):
        patients[i] = archive_patient(db, patients[i].id, by=None)
    yield db, patients
    db.close()


# -- an independent model of what must match -----------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def _tokens(text: str) -> list[str]:
    # Letters and digits are token characters, everything else separates (unicode61).
    return re.findall(r"[^\W_]+", _fold(text))


def _word_matches(column_tokens: list[str], word_tokens: list[str]) -> bool:
    """The word's tokens appear in a row in one column, the last one as a prefix."""
    n = len(word_tokens)
    for start in range(len(column_tokens) - n + 1):
        window = column_tokens[start : start + n]
        if window[:-1] == word_tokens[:-1] and window[-1].startswith(word_tokens[-1]):
            return True
    return False


@functools.cache
def _columns(*texts: str) -> tuple[list[str], ...]:
    return tuple(_tokens(t) for t in texts)


def model(patients: list[Patient], query: str, include_archived: bool = False) -> set[int]:
    words = [
        _tokens(w)
        for w in "".join(
            " " if unicodedata.category(c) in ("Cc", "Cf") else c for c in query
        ).split()
    ]
    words = [w for w in words if w][:MAX_SEARCH_TERMS]
    assert words, "the model is for queries with words"
    found = set()
    for p in patients:
        if p.archived and not include_archived:
            continue
        columns = _columns(p.clinic_id, p.given_name, p.family_name, p.date_of_birth.isoformat())
        if all(any(_word_matches(c, w) for c in columns) for w in words):
            found.add(p.id)
    return found


def ids(found: list[Patient]) -> set[int]:
    assert len({p.id for p in found}) == len(found)
    return {p.id for p in found}


QUERIES = [
    "smi",  # prefix: Smith, Smithers, Smitty
    "SMITH",
    "smith",
    "jose",  # diacritics folded: José and Jose
    "josé",
    "JOSE smi",  # every word must match
    "muller",  # Müller, not Mueller
    "nguyen",
    "dvorak",
    "garc",
    "o'brien",
    "brien",
    "suil",
    "KC-0012",  # clinic id prefix: KC-00120 .. KC-00129
    "KC-01234",
    "kc 00999",
    "1960",
    "1960-04",
    "1960-04-1",
    "1975-11-23",
    "zoe 19",
    "an",
    "Anders Anderson",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_returns_exactly_the_right_rows(
    population: tuple[Database, list[Patient]], query: str
) -> None:
    db, patients = population
    everyone = model(patients, query, include_archived=True)
    archived = {p.id for p in patients if p.archived}
    assert ids(search_patients(db, query, limit=N_PATIENTS)) == everyone - archived
    assert ids(search_patients(db, query, include_archived=True, limit=N_PATIENTS)) == everyone


def test_the_queries_exercise_what_they_claim(population: tuple[Database, list[Patient]]) -> None:
    _, patients = population
    by_id = {p.id: p for p in patients}

    def names(query: str) -> set[str]:
        return {by_id[i].family_name for i in model(patients, query)}

    smi = [by_id[i] for i in model(patients, "smi")]
    assert {p.family_name for p in smi if p.given_name != "Smitty"} == {"Smith", "Smithers"}
    assert {by_id[i].given_name for i in model(patients, "jose")} == {"José", "Jose"}
    assert names("muller") == {"Müller"}
    assert {by_id[i].clinic_id for i in model(patients, "KC-0012")} == {
        f"KC-0012{d}" for d in range(10) if int(f"12{d}") % ARCHIVE_EVERY
    }
    in_april_1960 = {p.id for p in patients if p.date_of_birth.isoformat().startswith("1960-04")}
    assert model(patients, "1960-04") == {i for i in in_april_1960 if not by_id[i].archived}
    assert len(model(patients, "1960-04")) > 5
    archived_hits = model(patients, "smi", include_archived=True) - model(patients, "smi")
    assert archived_hits, "some archived patients must match, or the archive check proves nothing"


HOSTILE = [
    '"',
    '""',
    "*",
    "-",
    "- smith",
    "-smith",
    "smi*",
    "*smi",
    'smi"th',
    '"smith',
    "smith'",
    "NEAR",
    "NEAR(smith jones)",
    "NEAR(smith jones, 2)",
    "smith OR jones",
    "smith AND",
    "AND",
    "OR",
    "NOT smith",
    "(smi",
    "smi)",
    "((",
    "^smi",
    "family_name:smi",
    "given_name : jose",
    "{given_name family_name}: smi",
    "'; DROP TABLE patients; --",
    "\\",
    "%",
    "_",
    "+smi",
    "smi\x00th",
    "\u202esmi",
    "smi\tjo",
    "a" * 1000,
    " ".join(["s"] * 50),
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_break_the_syntax(
    population: tuple[Database, list[Patient]], query: str
) -> None:
    db, patients = population
    if fts_query(query) is None:
        # Nothing searchable typed: the list as it is when the box is empty.
        assert search_patients(db, query, limit=100) == list_patients(db, limit=100)
    else:
        assert ids(search_patients(db, query, limit=N_PATIENTS)) == model(patients, query)


def test_operators_are_searched_as_words(population: tuple[Database, list[Patient]]) -> None:
    db, patients = population
    # "AND" is a name prefix (Anderson, Andrés, Anders), not an operator; "NEAR" a surname.
    assert {p.family_name for p in search_patients(db, "near", limit=N_PATIENTS)} == {"Near"}
    assert {p.id for p in search_patients(db, "AND", limit=N_PATIENTS)} == model(patients, "and")
    notting = search_patients(db, "NOT", limit=N_PATIENTS)
    assert notting and {p.family_name for p in notting} == {"Notting-Hill"}


def test_limit_and_empty_query(population: tuple[Database, list[Patient]]) -> None:
    db, _ = population
    assert len(search_patients(db, "a")) == 50
    assert len(search_patients(db, "a", limit=7)) == 7
    assert search_patients(db, "   ", limit=20) == list_patients(db, limit=20)
    assert search_patients(db, "zzzzzz") == []


def test_search_speed_is_reported(population: tuple[Database, list[Patient]]) -> None:
    db, _ = population
    started = time.perf_counter()
    for prefix in ("s", "sm", "smi", "smit", "smith", "j", "jo", "jos", "jose", "1", "19", "196"):
        search_patients(db, prefix)
    per_query_ms = (time.perf_counter() - started) / 12 * 1000
    print(f"\nsearch-as-you-type over {N_PATIENTS} patients: {per_query_ms:.2f} ms per keystroke")
    with db.reading() as sdb:  # the external-content index agrees with the table
        sdb.conn.execute("INSERT INTO patients_fts (patients_fts) VALUES ('integrity-check')")


def test_model_sanity(tmp_path: Path) -> None:
    # Guards the test's own model against a vacuous pass.
    assert _tokens("O'Brien-Smith 1960-04-12") == ["o", "brien", "smith", "1960", "04", "12"]
    assert _tokens("Nguyễn José") == ["nguyen", "jose"]
    assert _word_matches(["1960", "04", "12"], ["1960", "04"])
    assert not _word_matches(["1960", "04", "12"], ["04", "1960"])
