"""The Qt binding in use must not corrupt reference counts when Python code emits signals."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


def test_signal_emit_keeps_reference_counts(qapp: object) -> None:
    # PySide6 6.12.0 dropped one reference to True per emit and aborted the interpreter after a
    # few hundred (pyproject.toml excludes it). The app emits from Python on every snapshot.
    emitter = _Emitter()
    got: list[object] = []
    emitter.fired.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.fired.emit(i)
    assert len(got) == 200
    assert sys.getrefcount(True) - before > -50, "Signal.emit leaks references to True"
