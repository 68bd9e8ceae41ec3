"""The rule table printed from the catalog itself: plain table, JSON and Markdown."""

from __future__ import annotations

import json
import textwrap

from kaatsu_desktop.clinical._tr import TR_CONTEXT
from kaatsu_desktop.clinical.catalog import GENERAL_READINGS, RULES, RuleSpec
from kaatsu_desktop.i18n import translate


def _tr(text: str) -> str:
    return translate(TR_CONTEXT, text) if text else ""


def rules_json() -> str:
    """Every rule as a JSON array (id, group, stage, verdict, source, text, reading)."""
    rows = [
        {
            "id": spec.id,
            "group": spec.group,
            "stage": spec.stage.value,
            "verdict": spec.effect,
            "source": spec.source,
            "text": _tr(spec.text),
            "reading": _tr(spec.reading),
        }
        for spec in RULES.values()
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def rules_table(width: int = 120) -> str:
    """Every rule as an aligned plain-text table, the text wrapped to ``width`` columns."""
    specs = list(RULES.values())
    w_id = max(len(s.id) for s in specs)
    w_verdict = max(len(s.effect) for s in specs)
    w_source = max(len(s.source) for s in specs)
    indent = w_id + w_verdict + w_source + 6
    lines = [f"{'id':<{w_id}}  {'verdict':<{w_verdict}}  {'source':<{w_source}}  text"]
    for spec in specs:
        head = f"{spec.id:<{w_id}}  {spec.effect:<{w_verdict}}  {spec.source:<{w_source}}  "
        wrapped = textwrap.wrap(_tr(spec.text), max(width - indent, 30)) or [""]
        lines.append(head + wrapped[0])
        lines += [" " * indent + more for more in wrapped[1:]]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_row(spec: RuleSpec) -> str:
    cells = (spec.id, f"`{spec.effect}`", spec.source, _tr(spec.text))
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def rules_markdown() -> str:
    """Every rule as a Markdown table, followed by the readings taken where the book is open."""
    lines = ["| id | verdict | source | text |", "| --- | --- | --- | --- |"]
    lines += [_md_row(spec) for spec in RULES.values()]
    lines += ["", "Readings (where the rule book leaves room, the stricter reading is taken):", ""]
    lines += [f"- {_tr(text)}" for text in GENERAL_READINGS]
    lines += [f"- **{spec.id}**: {_tr(spec.reading)}" for spec in RULES.values() if spec.reading]
    return "\n".join(lines)
