"""Command-line door: start the app, or run one of the engine's commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from kaatsu_desktop import __version__

# Sub-commands: name -> (module, function, help). Modules are imported only when used, so that
# `assess` and `rules` load no Qt widget module (QtCore only, for translations).
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "assess": ("kaatsu_desktop.clinical.cli", "run_assess", "assess a screening JSON file"),
    "rules": ("kaatsu_desktop.clinical.cli", "run_rules", "print the rule table"),
    "backup": ("kaatsu_desktop.storage.cli", "run_backup", "back up the database"),
    "report": ("kaatsu_desktop.reports.cli", "run_report", "write a session report as PDF"),
    "export": ("kaatsu_desktop.exchange.cli", "run_export", "export a session or a patient"),
    "import": ("kaatsu_desktop.exchange.cli", "run_import", "import patients from CSV"),
    "audit": ("kaatsu_desktop.accounts.cli", "run_audit", "check or export the audit trail"),
}


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for the app and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="kaatsu-desktop",
        description="Clinician workstation for KAATSU blood-flow-restriction training.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: in the user data folder)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start in demo mode: a demo database and a simulated cuff",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    assess = sub.add_parser("assess", help=_COMMANDS["assess"][2])
    assess.add_argument("file", help="screening JSON file (kaatsu-screening/1), or - for stdin")
    assess.add_argument(
        "--review-threshold",
        type=int,
        default=None,
        help="thrombosis points at which S-DVT-2 asks for clearance (default: clinic setting)",
    )
    rules = sub.add_parser("rules", help=_COMMANDS["rules"][2])
    rules.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    backup = sub.add_parser("backup", help=_COMMANDS["backup"][2])
    backup.add_argument("dest", type=Path, help="backup file or folder")
    report = sub.add_parser("report", help=_COMMANDS["report"][2])
    report.add_argument("session_id", type=int, help="session number")
    report.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    export = sub.add_parser("export", help=_COMMANDS["export"][2])
    export.add_argument(
        "what", choices=("session-csv", "patient-json", "patient-fhir"), help="what to export"
    )
    export.add_argument("id", type=int, help="session number or patient number")
    export.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    imp = sub.add_parser("import", help=_COMMANDS["import"][2])
    imp.add_argument("file", type=Path, help="patients CSV file")
    imp.add_argument(
        "--dry-run", action="store_true", help="check every line and report; import nothing"
    )
    audit = sub.add_parser("audit", help=_COMMANDS["audit"][2])
    audit.add_argument(
        "action", choices=("verify", "export"), help="verify the hash chain, or export"
    )
    audit.add_argument("-o", "--output", type=Path, default=None, help="file for export (CSV)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `kaatsu-desktop` and `python -m kaatsu_desktop`."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        from kaatsu_desktop.app import run_app

        return run_app(args)
    module, func, _ = _COMMANDS[args.command]
    handler = getattr(importlib.import_module(module), func)
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
