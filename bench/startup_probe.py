"""Child process of the start-up benchmark: the real application, told to report its first paint.

``python -m bench.startup_probe USER_ID [kaatsu-desktop arguments]`` runs
``kaatsu_desktop.cli.main`` unchanged but for two things done from outside:

- the sign-in is a person typing, so ``kaatsu_desktop.app.ask_user`` is replaced by a look-up of
  user USER_ID (a clinician), and the moment it is asked is printed as ``SIGN_IN <t>``;
- an application event filter waits for the main window's first repaint; once it has been
  flushed it prints ``FIRST_PAINT <t>``. What the window builds right after its first paint
  (the session page on a running device thread, the patient page and the screening form) is
  awaited too: ``READY <t>`` once all are there. Then the probe quits the event loop, so the
  app closes its database and device thread as on any exit.

Times are ``time.monotonic()`` seconds, the clock the parent process reads too.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

MARKS = ("SIGN_IN", "FIRST_PAINT", "READY")
READY_TIMEOUT_S = 30.0


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
            self._app.exit(0)
        elif time.monotonic() - self._painted_at > READY_TIMEOUT_S:
            self._app.exit(3)
        else:
            QTimer.singleShot(5, self._wait_ready)


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

    composition.ask_user = signed_in  # type: ignore[assignment]
    return app_main(app_args)


if __name__ == "__main__":
    raise SystemExit(main())
