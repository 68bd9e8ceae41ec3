"""Render page 1 of the stored demo session's report to docs/screenshots/report-page1.png.

Usage: python -m tests.kaatsu_desktop.reports.screenshot [OUT.png] [PAGE]. Uses a fresh database
in a temporary folder and the fixed clock of the report tests, so the image is the same each run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main(argv: list[str]) -> int:
    """Write the page image; returns an exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from kaatsu_desktop.reports import write_session_report
    from kaatsu_desktop.storage import open_database
    from tests.kaatsu_desktop.reports.pdf import render_page
    from tests.kaatsu_desktop.reports.stored import clinic_clock, store_session

    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots" / "report-page1.png"
    page = int(argv[1]) - 1 if len(argv) > 1 else 0
    app = QGuiApplication.instance() or QGuiApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        clock = clinic_clock()
        db = open_database(Path(tmp) / "kaatsu.sqlite3", clock=clock, auto_backup=False)
        try:
            stored = store_session(db, clock)
            pdf = Path(tmp) / "report.pdf"
            write_session_report(db, stored.session_id, pdf)
        finally:
            db.close()
        image = render_page(pdf, page, scale=2.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        print(f"cannot write {out}", file=sys.stderr)
        return 1
    print(out)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
