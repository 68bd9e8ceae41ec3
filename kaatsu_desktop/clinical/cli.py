"""Command-line door to the rule engine: `assess FILE|-` and `rules` (see kaatsu_desktop/cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kaatsu_desktop.clinical._tr import TR_CONTEXT as T
from kaatsu_desktop.clinical.engine import assess
from kaatsu_desktop.clinical.errors import ClinicalInputError
from kaatsu_desktop.clinical.render import rules_json, rules_markdown, rules_table
from kaatsu_desktop.clinical.screening import parse_screening_text
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.i18n import translate

EXIT_OK = 0
EXIT_INPUT = 2  # bad input: unreadable file, bad JSON, field errors, bad option


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8")


def run_assess(args: argparse.Namespace) -> int:
    """Print the assessment JSON of one screening file (or stdin); input errors to stderr, 2."""
    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = translate(T, "cannot read {file}: {reason}").format(file=args.file, reason=reason)
        print(message, file=sys.stderr)
        return EXIT_INPUT
    try:
        settings = ClinicSettings()
        if args.review_threshold is not None:
            settings = ClinicSettings(thrombosis_review_threshold=args.review_threshold)
        inp = parse_screening_text(text)
    except ClinicalInputError as exc:
        for error in exc.errors:
            key = "--review-threshold" if error.key == "thrombosis_review_threshold" else error.key
            print(f"{key}: {error.reason}", file=sys.stderr)
        return EXIT_INPUT
    print(json.dumps(assess(inp, settings).to_json(), indent=2, ensure_ascii=False))
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    """Print every rule of the catalog as a table, JSON or Markdown."""
    render = {"table": rules_table, "json": rules_json, "markdown": rules_markdown}[args.format]
    print(render())
    return EXIT_OK
