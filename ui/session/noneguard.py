"""Guard against a PySide6 6.12.0 defect on Python 3.11: void calls drop a reference to None.

Measured on this project's machines (PySide6 6.12.0, CPython 3.11.7): ``QLabel.setText`` and every
other binding that returns nothing, and every binding that returns a null object pointer
(``QApplication.focusWidget()`` with no focus, ``QGraphicsItem.parentItem()`` of a top item),
return ``None`` without taking a reference. After about 5,000 such calls CPython aborts with
"Fatal Python error: none_dealloc". A live session panel makes hundreds of such calls a second,
so it would take the whole application down within a minute. Bindings returning a bool do the
same to True and False ("bool_dealloc"). PySide6 6.11.3 does not have the defect, and from
Python 3.12 on these singletons are immortal, so neither needs the guard.

The guard gives the singletons a reference count so large that the leak can never exhaust it
(2**40 references last decades at 10,000 leaks a second); they are never deallocated anyway.
It acts only when a probe shows the leak, and only once.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

HEADROOM = 1 << 40
_PROBE_CALLS = 64
_guarded = False


def leaks_none() -> bool:
    """True when a void Qt binding call drops a reference to None (the probe is harmless)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


# The singletons CPython 3.12 made immortal and that the bindings hand out without a reference.
SINGLETONS = (None, True, False, NotImplemented, Ellipsis)


def guard_none_refcount() -> bool:
    """Protect None, True and False from the leak if this Python and PySide6 need it.

    Returns True when it acted. Call it once, right after the QApplication exists.
    """
    global _guarded
    if _guarded or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not leaks_none():
        return False
    for singleton in SINGLETONS:
        # CPython 3.11 keeps the reference count in the first word of every object.
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += HEADROOM
    _guarded = True
    log.warning("PySide6 drops references to None, True and False; their counts were raised")
    return True
