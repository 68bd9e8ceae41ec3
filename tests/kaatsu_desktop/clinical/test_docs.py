"""docs/rules.md is the engine's own rule table, so the documentation cannot drift."""

from __future__ import annotations

from pathlib import Path

from kaatsu_desktop.clinical.render import rules_markdown

DOC = Path(__file__).parents[3] / "docs" / "rules.md"


def test_rule_page_matches_the_engine() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.startswith("# Rule table\n")
    # Regenerate: kaatsu-desktop rules --format markdown, below the page's introduction.
    assert text.endswith("\n\n" + rules_markdown() + "\n")
