"""The rule catalog and verdict order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kaatsu_desktop.clinical import (
    CLEAR,
    RULES,
    Requirement,
    Stage,
    Verdict,
    overall_label,
    parse_overall,
    rule,
    rules_of,
)

RULE_BOOK = Path(__file__).parents[3] / ".." / "shared" / "clinical-rules.md"
RULE_ID = re.compile(r"\b[SPT]-[A-Z0-9]+-\d+\b")


def book_ids() -> set[str]:
    """Every rule id named in the rule book; skips when the book is not beside the repo."""
    if not RULE_BOOK.is_file():
        pytest.skip(f"rule book not found at {RULE_BOOK}")
    return set(RULE_ID.findall(RULE_BOOK.read_text(encoding="utf-8")))


def test_catalog_holds_exactly_the_rule_books_ids() -> None:
    ids = book_ids()
    assert len(ids) >= 50  # the regex really found the tables
    assert set(RULES) == ids


def test_verdicts_are_ordered_mildest_to_strongest() -> None:
    order = [
        Verdict.INFO,
        Verdict.CAUTION,
        Verdict.CLEARANCE,
        Verdict.BLOCKED_TODAY,
        Verdict.CONTRAINDICATED,
    ]
    assert sorted(reversed(order)) == order
    assert Verdict.CAUTION < Verdict.CLEARANCE <= Verdict.CLEARANCE < Verdict.CONTRAINDICATED
    assert Verdict.BLOCKED_TODAY > Verdict.CLEARANCE >= Verdict.INFO
    assert max(order) is Verdict.CONTRAINDICATED


def test_overall_label_is_clear_only_when_nothing_above_info() -> None:
    assert overall_label(Verdict.INFO) == CLEAR == "clear"
    assert overall_label(Verdict.CAUTION) == "caution"
    assert parse_overall("clear") is Verdict.INFO
    assert parse_overall("blocked_today") is Verdict.BLOCKED_TODAY
    with pytest.raises(ValueError):
        parse_overall("fine")


def test_rule_lookup_and_unknown_id() -> None:
    spec = rule("S-BP-2")
    assert (spec.group, spec.stage, spec.verdict) == ("S-BP", Stage.SCREENING, Verdict.CLEARANCE)
    assert spec.source == "001 Table 2" and "160-179" in spec.text
    with pytest.raises(KeyError, match="S-XX-1"):
        rule("S-XX-1")


def test_stages_and_effects() -> None:
    assert all(s.requirement is Requirement.ENFORCED for s in rules_of(Stage.SESSION))
    assert all(s.verdict is None and s.effect == "enforced" for s in rules_of(Stage.SESSION))
    assert {s.id for s in rules_of(Stage.PRE_SESSION) if s.effect == "required"} == {
        "P-HYD-1",
        "P-EXPL-1",
        "P-AED-1",
        "P-FIT-1",
    }
    assert all(s.verdicts and s.requirement is None for s in rules_of(Stage.SCREENING))
    assert rule("S-ORG-2").effect == "clearance / contraindicated"
    assert rule("S-REL-2").verdict is Verdict.CONTRAINDICATED


def test_verdicts_match_the_rule_book() -> None:
    expected = {
        "S-BP-1": "caution",
        "S-BP-2": "clearance",
        "S-BP-3": "contraindicated",
        "S-DM-3": "contraindicated",
        "S-T1-3": "caution",
        "S-T1-7": "info",
        "S-REL-6": "caution",
        "S-REL-7": "blocked_today",
        "S-SURG-1": "contraindicated",
        "S-SURG-2": "clearance",
        "S-DVT-1": "contraindicated",
        "S-DVT-2": "clearance",
        "S-DVT-3": "caution",
        "P-GAP-1": "caution",
        "P-SICK-1": "blocked_today",
    }
    assert {k: rule(k).effect for k in expected} == expected


def test_every_rule_has_text_and_source() -> None:
    for spec in RULES.values():
        assert spec.text.strip() and spec.source.strip(), spec.id
        assert spec.text.endswith("."), spec.id
