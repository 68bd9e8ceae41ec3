"""Child process of the start-up benchmark: the real application, told to report its first paint.

``python -m bench.startup_probe USER_ID [kaatsu-desktop arguments]`` runs
``kaatsu_desktop.cli.main`` unchanged but for two things done from outside:

- the sign-in is a person typing, so ``kaatsu_desktop.app.ask_user`` is replaced by a look-up of
  user USER_ID (a clinician), and the moment it is asked is printed as ``SIGN_IN <t>``;
- an application event filter waits for the main window's first repaint; once it has been
  flushed it prints ``FIRST_PAINT <t>``. What the window builds right after its first paint
  (the session page on a running device thread, the patient page and the screening form) is
  awaited too: ``READY <t>`` once all are there. With ``KAATSU_PROBE_UPKEEP=1`` the probe also
  waits for the database check and today's backup (a worker's, after the paint) and prints
  ``UPKEEP <t>``. Then it quits the event loop, so the app closes its database and device
  thread as on any exit (an unfinished check or backup is stopped).

Times are ``time.monotonic()`` seconds, the clock the parent process reads too.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

MARKS = ("SIGN_IN", "FIRST_PAINT", "READY", "UPKEEP")
READY_TIMEOUT_S = 30.0
UPKEEP_TIMEOUT_S = 300.0
UPKEEPS: list = []  # the app's DatabaseUpkeep, recorded as it is made


def mark(name: str) -> None:
    """Print a named time stamp for the parent."""
    print(f"{name} {time.monotonic():.6f}", flush=True)


class FirstPaint(QObject):
    """Quits the application right after the first main window repaint."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self._app = app
        self._seen = False
        self._window: QMainWindow | None = None
        self._painted_at = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the main window's first update request, report once it has been painted."""
        if (
            not self._seen
            and event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint)
            and isinstance(watched, QMainWindow)
        ):
            self._seen = True
            self._window = watched
            QTimer.singleShot(0, self._report)  # runs after this event, the paint, is done
        return False

    def _report(self) -> None:
        mark("FIRST_PAINT")
        self._painted_at = time.monotonic()
        self._wait_ready()

    def _wait_ready(self) -> None:
        from ui.main_window import SessionPlaceholder

        window = self._window
        mounted = not isinstance(getattr(window, "session_page", None), SessionPlaceholder)
        if mounted and getattr(window, "pages_built", True):
            mark("READY")
            if os.environ.get("KAATSU_PROBE_UPKEEP") == "1":
                self._wait_upkeep()
            else:
                self._app.exit(0)
        elif time.monotonic() - self._painted_at > READY_TIMEOUT_S:
            self._app.exit(3)
        else:
            QTimer.singleShot(5, self._wait_ready)

    def _wait_upkeep(self) -> None:
        if UPKEEPS and UPKEEPS[0].backup is not None:
            mark("UPKEEP")
            self._app.exit(0)
        elif time.monotonic() - self._painted_at > UPKEEP_TIMEOUT_S:
            self._app.exit(4)
        else:
            QTimer.singleShot(20, self._wait_upkeep)


def main() -> int:
    """Run the app with the probe installed."""
    user_id, app_args = int(sys.argv[1]), sys.argv[2:]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    probe = FirstPaint(app)  # type: ignore[arg-type]
    app.installEventFilter(probe)
    import kaatsu_desktop.app as composition
    from kaatsu_desktop.cli import main as app_main
    from kaatsu_desktop.storage import get_user

    def signed_in(db, _auth, **_kwargs):  # type: ignore[no-untyped-def]
        mark("SIGN_IN")
        return get_user(db, user_id)

    class RecordedUpkeep(composition.DatabaseUpkeep):  # type: ignore[name-defined, misc]
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            UPKEEPS.append(self)

    composition.ask_user = signed_in  # type: ignore[assignment]
    composition.DatabaseUpkeep = RecordedUpkeep  # type: ignore[misc]
    return app_main(app_args)


if __name__ == "__main__":
    raise SystemExit(main())
