"""The lock file beside the database: one live instance at a time, and a trace of unclean shutdowns.

The file holds the owner's pid and start time. It is created at open and removed at a clean close,
so finding it at open means the last instance did not close cleanly. Liveness is decided by an
operating-system lock on the file (flock / msvcrt), never by the pid alone: the kernel drops that
lock when a process dies, however it dies, and a recycled pid cannot fool it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import socket
import sys
from datetime import datetime
from pathlib import Path

from kaatsu_desktop.i18n import translate

from .errors import DatabaseInUse, StorageError

log = logging.getLogger(__name__)

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    # Windows byte-range locks are mandatory, so lock one byte far past the text others must read.
    _LOCK_OFFSET = 1 << 20

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclasses.dataclass(frozen=True, slots=True)
class LockInfo:
    """What a lock file says about its owner."""

    pid: int | None
    started_at: str | None
    host: str | None

    def describe(self) -> str:
        """Short human-readable owner description."""
        return f"process {self.pid} on {self.host or '?'}, started {self.started_at or '?'}"

    @classmethod
    def parse(cls, text: str) -> LockInfo:
        """Read lock file text; unreadable content gives an info with unknown fields."""
        try:
            data = json.loads(text)
            pid = data.get("pid")
            return cls(
                pid=pid if isinstance(pid, int) else None,
                started_at=str(data.get("started_at")) if data.get("started_at") else None,
                host=str(data.get("host")) if data.get("host") else None,
            )
        except (ValueError, AttributeError):
            return cls(pid=None, started_at=None, host=None)


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", "replace")


class InstanceLock:
    """An acquired lock file; `stale` tells what an unclean shutdown left behind (or None)."""

    def __init__(self, path: Path, fd: int, stale: LockInfo | None) -> None:
        self.path = path
        self._fd: int | None = fd
        self.stale = stale

    @classmethod
    def acquire(cls, path: Path) -> InstanceLock:
        """Take the lock or raise DatabaseInUse; never blocks."""
        while True:
            existed = path.exists()
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StorageError(
                    translate("Storage", "Cannot create the lock file {path}: {detail}").format(
                        path=path, detail=exc.strerror or exc
                    )
                ) from exc
            if not _try_lock(fd):
                owner = LockInfo.parse(_read(fd))
                os.close(fd)
                raise DatabaseInUse(path, owner.describe())
            # The previous owner may have removed the file between our open and our lock: then
            # we hold a lock on a deleted inode and must start again on the new path.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                break
            _unlock(fd)
            os.close(fd)
        stale = LockInfo.parse(_read(fd)) if existed else None
        if stale is not None:
            log.warning("Lock file %s left by an unclean shutdown (%s)", path, stale.describe())
        return cls(path, fd, stale)

    def write_owner(self, started_at: datetime) -> None:
        """Record this process as the owner (done once the database has opened successfully)."""
        assert self._fd is not None
        text = json.dumps(
            {"pid": os.getpid(), "started_at": started_at.isoformat(), "host": socket.gethostname()}
        )
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.ftruncate(self._fd, 0)
        os.write(self._fd, text.encode("utf-8"))
        os.fsync(self._fd)

    def release(self, *, remove: bool = True) -> None:
        """Give the lock up; `remove` deletes the file (a clean close)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if sys.platform == "win32":  # pragma: no cover - Windows cannot delete an open file
            _unlock(fd)
            os.close(fd)
            if remove:
                with contextlib.suppress(OSError):
                    self.path.unlink()
            return
        if remove:
            # Unlink while still holding the lock, so no newcomer can lock the old inode and
            # believe it owns the database (acquire() checks the inode for the same reason).
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        _unlock(fd)
        os.close(fd)

    @property
    def held(self) -> bool:
        """True until released."""
        return self._fd is not None
