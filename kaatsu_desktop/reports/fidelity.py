"""Pressure fidelity: how much of the hold time a band stayed near its target (pure, numpy).

Which samples count as "hold": samples whose phase is ``Phase.HOLDING`` (the device reports
HOLDING once the band has reached its target, so the inflation ramp and the deflation windows of a
cycle are left out) and whose target is above zero. Each such sample stands for the time until the
next sample of the same channel (zero-order hold, the way the trace is drawn), at most
``MAX_GAP_MS``: a longer gap means the link was stale and the pressure in between is unknown, so it
is counted neither in nor out. The last sample of a channel has no next sample and counts for
nothing.

Two shares of that hold time are reported, both with the edges inclusive and both in the device's
unit (never converted; on a SKU device the absolute band is 15 SKU):

- within ``ABS_TOLERANCE`` (15) of the target: ``|pressure - target| <= 15``;
- within ``REL_TOLERANCE_PCT`` (10 %) of the target: ``|pressure - target| <= 0.10 * target``.

The arithmetic is done on the stored integer tenths, so 15.0 is in and 15.1 is out, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from devices.protocol.types import Phase

ABS_TOLERANCE = 15  # device units (mmHg, or SKU on a SKU device)
REL_TOLERANCE_PCT = 10
MAX_GAP_MS = 1000  # the link's stale threshold: a longer gap is unknown pressure


@dataclass(frozen=True, slots=True)
class Fidelity:
    """Hold time of one channel (or of all of them) and how much of it was near the target."""

    hold_ms: int
    within_abs_ms: int
    within_rel_ms: int

    @property
    def share_abs(self) -> float | None:
        """Share (0..1) of hold time within 15 of the target; None without hold time."""
        return None if self.hold_ms == 0 else self.within_abs_ms / self.hold_ms

    @property
    def share_rel(self) -> float | None:
        """Share (0..1) of hold time within 10 % of the target; None without hold time."""
        return None if self.hold_ms == 0 else self.within_rel_ms / self.hold_ms

    def __add__(self, other: Fidelity) -> Fidelity:
        return Fidelity(
            self.hold_ms + other.hold_ms,
            self.within_abs_ms + other.within_abs_ms,
            self.within_rel_ms + other.within_rel_ms,
        )


NO_HOLD = Fidelity(0, 0, 0)


def channel_fidelity(
    t_ms: np.ndarray, pressure_x10: np.ndarray, target_x10: np.ndarray, phase: np.ndarray
) -> Fidelity:
    """Fidelity of one channel's samples (times strictly increasing, values in tenths)."""
    t = np.asarray(t_ms, dtype=np.int64)
    if t.size < 2:
        return NO_HOLD
    p = np.asarray(pressure_x10, dtype=np.int64)[:-1]
    g = np.asarray(target_x10, dtype=np.int64)[:-1]
    ph = np.asarray(phase)[:-1]
    gaps = np.diff(t)
    weight = np.where(gaps > MAX_GAP_MS, 0, gaps)
    hold = (ph == int(Phase.HOLDING)) & (g > 0)
    error = np.abs(p - g)
    within_abs = hold & (error <= ABS_TOLERANCE * 10)
    # |p - g| <= g * 10 / 100, in integers: 100 * |p - g| <= 10 * g.
    within_rel = hold & (100 * error <= REL_TOLERANCE_PCT * g)
    return Fidelity(
        int(weight[hold].sum()),
        int(weight[within_abs].sum()),
        int(weight[within_rel].sum()),
    )


def session_fidelity(samples: np.ndarray) -> dict[int, Fidelity]:
    """Fidelity per channel of a SAMPLE_DTYPE array (ordered by channel, then time)."""
    out: dict[int, Fidelity] = {}
    for channel in np.unique(samples["channel"]):
        one = samples[samples["channel"] == channel]
        out[int(channel)] = channel_fidelity(
            one["t_ms"], one["pressure_x10"], one["target_x10"], one["phase"]
        )
    return out


def overall_fidelity(per_channel: dict[int, Fidelity]) -> Fidelity:
    """Every channel's hold time together."""
    total = NO_HOLD
    for value in per_channel.values():
        total = total + value
    return total
