"""Pressure samples of a session: written in batches (about once a second), read as numpy arrays.

Layout, chosen by measurement (4 channels x 100 Hz x 20 min = 480,000 samples, WAL, synchronous
FULL, one commit per 400-sample batch, noisy cycling pressure):

- one row per sample, WITHOUT ROWID, key (session_id, channel, t_ms): about 20 bytes/sample
  (9.5 MB per session), about 300,000 samples/s, 0.7 s to read a session back;
- chunks, one row per channel per batch with the columns packed as below: about 1.5 bytes/sample
  (under 1 MB per session), over 500,000 samples/s, a session reads back in milliseconds.

The chunk layout keeps every value (integer milliseconds, channel, pressure and target in tenths
of the device unit, phase) exactly, is an order of magnitude smaller, which matters because every
daily backup copies every session, and is faster both ways. Codec 1: zlib (level 1) over the
time deltas (int32), the pressures and the targets (int32, byte-shuffled so that the constant high
bytes compress away), then the phases (uint8).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from kaatsu_desktop.i18n import translate

from .errors import NotFound, StorageError, ValidationError

if TYPE_CHECKING:
    import sqlite_utils

    from .db import Database

SAMPLE_DTYPE = np.dtype(
    [
        ("t_ms", "<i8"),  # milliseconds since the session started
        ("channel", "u1"),
        ("pressure_x10", "<i4"),  # tenths of the device unit (mmHg or SKU, as the device reports)
        ("target_x10", "<i4"),
        ("phase", "u1"),  # devices.protocol.types.Phase
    ]
)
CODEC_ZLIB_SHUFFLE = 1
MAX_CHUNK = 4096  # samples per row: about 40 s of one channel at 100 Hz
MAX_T_MS = 2**31 - 1  # deltas are int32; 24 days is far beyond any session
_INT32 = (-(2**31), 2**31 - 1)


def _tr(text: str) -> str:
    return translate("Storage", text)


def _shuffle(values: npt.NDArray[np.int64]) -> bytes:
    return values.astype("<i4").view(np.uint8).reshape(-1, 4).T.tobytes()


def _unshuffle(data: bytes, n: int) -> npt.NDArray[np.int32]:
    return np.frombuffer(data, np.uint8).reshape(4, n).T.copy().view("<i4").ravel()


def encode_chunk(
    t_ms: npt.NDArray[np.int64],
    pressure_x10: npt.NDArray[np.int64],
    target_x10: npt.NDArray[np.int64],
    phase: npt.NDArray[np.int64],
) -> bytes:
    """Pack one channel's samples (times strictly increasing) into a codec-1 blob."""
    t = np.asarray(t_ms, dtype=np.int64)
    deltas = np.diff(t, prepend=t[:1])
    payload = b"".join(
        (
            _shuffle(deltas),
            _shuffle(np.asarray(pressure_x10, dtype=np.int64)),
            _shuffle(np.asarray(target_x10, dtype=np.int64)),
            np.asarray(phase, dtype=np.uint8).tobytes(),
        )
    )
    return zlib.compress(payload, 1)


def decode_chunk(
    data: bytes, n: int, t_first_ms: int
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint8]
]:
    """Unpack a codec-1 blob of `n` samples into (t_ms, pressure_x10, target_x10, phase)."""
    payload = zlib.decompress(data)
    if len(payload) != 13 * n:
        raise ValueError(f"chunk holds {len(payload)} bytes, expected {13 * n}")
    deltas = _unshuffle(payload[: 4 * n], n)
    t = t_first_ms + np.cumsum(deltas, dtype=np.int64)
    pressure = _unshuffle(payload[4 * n : 8 * n], n)
    target = _unshuffle(payload[8 * n : 12 * n], n)
    phase = np.frombuffer(payload[12 * n :], np.uint8).copy()
    return t, pressure, target, phase


def _check_range(name: str, values: npt.NDArray[np.int64], lo: int, hi: int) -> None:
    if values.size and (values.min() < lo or values.max() > hi):
        raise ValidationError(
            f"samples.{name}", _tr("must be between {lo} and {hi}").format(lo=lo, hi=hi)
        )


def _from_columns(columns: dict[str, npt.NDArray[np.generic]]) -> np.ndarray:
    for name, col in columns.items():
        # A fraction is refused rather than truncated: pressures travel as integer tenths.
        if col.dtype.kind == "f":
            if not np.all(np.isfinite(col)) or np.any(col != np.floor(col)):
                raise ValidationError(f"samples.{name}", _tr("must be whole numbers"))
            if col.size and np.max(np.abs(col)) >= 2**62:
                raise ValidationError(f"samples.{name}", _tr("is out of range"))
        elif col.dtype.kind not in "iu":
            raise ValidationError(f"samples.{name}", _tr("must be whole numbers"))
    wide = {n: col.astype(np.int64) for n, col in columns.items()}
    _check_range("t_ms", wide["t_ms"], 0, MAX_T_MS)
    _check_range("channel", wide["channel"], 0, 255)
    _check_range("pressure_x10", wide["pressure_x10"], *_INT32)
    _check_range("target_x10", wide["target_x10"], *_INT32)
    _check_range("phase", wide["phase"], 0, 255)
    out = np.empty(len(wide["t_ms"]), SAMPLE_DTYPE)
    for name, col in wide.items():
        out[name] = col
    return out


def as_sample_array(samples: npt.NDArray[np.void] | Sequence[Sequence[int]]) -> np.ndarray:
    """Check a batch (structured array or (t_ms, channel, pressure_x10, target_x10, phase) rows)."""
    names = SAMPLE_DTYPE.names or ()
    if isinstance(samples, np.ndarray) and samples.dtype.names:
        missing = [n for n in names if n not in samples.dtype.names]
        if missing:
            raise ValidationError(
                "samples", _tr("missing fields: {f}").format(f=", ".join(missing))
            )
        return _from_columns({n: np.asarray(samples[n]).ravel() for n in names})
    raw = np.asarray(samples)
    if raw.size == 0:
        return np.empty(0, SAMPLE_DTYPE)
    if raw.ndim != 2 or raw.shape[1] != len(names):
        raise ValidationError("samples", _tr("each sample must have 5 integer values"))
    return _from_columns({n: raw[:, i] for i, n in enumerate(names)})


def make_samples(
    t_ms: npt.ArrayLike,
    channel: npt.ArrayLike,
    pressure: npt.ArrayLike,
    target: npt.ArrayLike,
    phase: npt.ArrayLike,
) -> np.ndarray:
    """A checked batch from pressures in device units (rounded to tenths); arrays broadcast."""
    t, ch, p, g, ph = (
        np.atleast_1d(a)
        for a in np.broadcast_arrays(
            np.asarray(t_ms),
            np.asarray(channel),
            np.asarray(pressure, dtype=np.float64) * 10,
            np.asarray(target, dtype=np.float64) * 10,
            np.asarray(phase),
        )
    )
    for name, values in (("pressure_x10", p), ("target_x10", g)):
        if not np.all(np.isfinite(values)) or np.any(np.abs(values) >= 2**31 - 1):
            raise ValidationError(f"samples.{name}", _tr("must be finite and within range"))
    return _from_columns(
        {
            "t_ms": t,
            "channel": ch,
            "pressure_x10": np.rint(p).astype(np.int64),
            "target_x10": np.rint(g).astype(np.int64),
            "phase": ph,
        }
    )


def _last_t(sdb: sqlite_utils.Database, session_id: int, channel: int) -> int | None:
    row = sdb.execute(
        "SELECT t_last_ms FROM sample_chunks WHERE session_id = ? AND channel = ?"
        " ORDER BY t_first_ms DESC LIMIT 1",
        [session_id, channel],
    ).fetchone()
    return None if row is None else int(row[0])


def last_sample_t_ms(sdb: sqlite_utils.Database, session_id: int) -> int | None:
    """The latest sample time of a session over all channels (None without samples)."""
    row = sdb.execute(
        "SELECT max(t_last_ms) FROM sample_chunks WHERE session_id = ?", [session_id]
    ).fetchone()
    return None if row[0] is None else int(row[0])


def add_samples(
    db: Database, session_id: int, samples: npt.NDArray[np.void] | Sequence[Sequence[int]]
) -> int:
    """Append a batch to a running session in one transaction; returns the number stored."""
    batch = as_sample_array(samples)
    if batch.size == 0:
        return 0
    rows = []
    with db.transaction() as sdb:
        status = sdb.execute("SELECT status FROM sessions WHERE id = ?", [session_id]).fetchone()
        if status is None:
            raise NotFound("session", session_id)
        if status[0] != "running":
            raise ValidationError("session_id", _tr("the session is not running"))
        for channel in np.unique(batch["channel"]):
            one = batch[batch["channel"] == channel]
            t = one["t_ms"]
            if np.any(np.diff(t) <= 0):
                raise ValidationError(
                    "samples.t_ms",
                    _tr("channel {ch}: times must increase").format(ch=int(channel)),
                )
            last = _last_t(sdb, session_id, int(channel))
            if last is not None and int(t[0]) <= last:
                raise ValidationError(
                    "samples.t_ms",
                    _tr(
                        "channel {ch}: {t} ms is not after the last stored sample ({last} ms)"
                    ).format(ch=int(channel), t=int(t[0]), last=last),
                )
            for start in range(0, len(one), MAX_CHUNK):
                part = one[start : start + MAX_CHUNK]
                blob = encode_chunk(
                    part["t_ms"], part["pressure_x10"], part["target_x10"], part["phase"]
                )
                rows.append(
                    (
                        session_id,
                        int(channel),
                        int(part["t_ms"][0]),
                        int(part["t_ms"][-1]),
                        len(part),
                        CODEC_ZLIB_SHUFFLE,
                        blob,
                    )
                )
        sdb.conn.executemany(
            "INSERT INTO sample_chunks (session_id, channel, t_first_ms, t_last_ms, n, codec, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return int(batch.size)


def read_samples(db: Database, session_id: int, *, channel: int | None = None) -> np.ndarray:
    """A session's samples as a SAMPLE_DTYPE array, ordered by channel, then time."""
    sql = "SELECT channel, t_first_ms, n, codec, data FROM sample_chunks WHERE session_id = ?"
    params: list[int] = [session_id]
    if channel is not None:
        sql += " AND channel = ?"
        params.append(channel)
    sql += " ORDER BY channel, t_first_ms"
    with db.reading() as sdb:
        rows = sdb.execute(sql, params).fetchall()
    out = np.empty(sum(r[2] for r in rows), SAMPLE_DTYPE)
    pos = 0
    for ch, t_first, n, codec, data in rows:
        if codec != CODEC_ZLIB_SHUFFLE:
            raise StorageError(f"session {session_id}: unknown sample codec {codec}")
        try:
            t, p, g, ph = decode_chunk(data, n, t_first)
        except (ValueError, zlib.error) as exc:
            raise StorageError(f"session {session_id}: damaged sample chunk ({exc})") from exc
        part = out[pos : pos + n]
        part["t_ms"], part["channel"] = t, ch
        part["pressure_x10"], part["target_x10"], part["phase"] = p, g, ph
        pos += n
    return out


def count_samples(db: Database, session_id: int) -> int:
    """How many samples a session holds."""
    with db.reading() as sdb:
        row = sdb.execute(
            "SELECT coalesce(sum(n), 0) FROM sample_chunks WHERE session_id = ?", [session_id]
        ).fetchone()
    return int(row[0])
