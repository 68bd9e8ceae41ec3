"""Per-channel and per-limb-group bookkeeping of the engine (mutable, private to the session)."""

from __future__ import annotations

from devices.protocol.frames import ChannelSample
from devices.protocol.types import Site
from kaatsu_desktop.session.limits import GroupLimits
from kaatsu_desktop.session.model import ChannelReading, LimbGroup, channel_label


class ChannelState:
    """What the engine knows and watches on one air channel."""

    __slots__ = (
        "_last",
        "_sample",
        "blocked",
        "channel",
        "command_id",
        "commanded",
        "deviating",
        "deviation_id",
        "deviation_since",
        "group",
        "label",
        "last_at",
        "leak_flag",
        "leak_id",
        "leak_reading",
        "max_target",
        "over",
        "over_id",
        "pump_since",
        "release_above",
        "released_at",
        "seen_active",
        "site",
    )

    def __init__(self, channel: int, site: Site, group: LimbGroup | None, blocked: bool) -> None:
        self.channel = channel
        self.label = channel_label(channel)
        self.deviation_id = f"pressure_deviation:{self.label}"
        self.leak_id = f"leak:{self.label}"
        self.over_id = f"over_pressure:{self.label}"
        self.site = site
        self.group = group
        self.blocked = blocked
        self.max_target = 0.0
        self.release_above = 0.0
        self.commanded = False  # under a pressure command the engine sent and did not end
        self.command_id = -1
        self.seen_active = False  # the device showed the command running (end detection)
        self.released_at = float("-inf")
        self._last: ChannelReading | None = None
        self._sample: ChannelSample | None = None  # the last frame's, until read as a reading
        self.last_at = float("-inf")
        self.deviation_since: float | None = None
        self.deviating = False
        self.pump_since: float | None = None
        self.leak_reading = False
        self.leak_flag = False
        self.over = False

    @property
    def last(self) -> ChannelReading | None:
        """The last observation of this channel (None before the first)."""
        sample = self._sample
        if sample is not None:
            # Built when someone looks (a snapshot, ~10 Hz), not for every frame (50-100 Hz).
            self._last = ChannelReading.from_sample(self.channel, sample)
            self._sample = None
        return self._last

    @last.setter
    def last(self, reading: ChannelReading | None) -> None:
        self._last = reading
        self._sample = None

    def observe(self, sample: ChannelSample, now: float) -> None:
        """This channel's sample of a Pressure Stream frame arrived at ``now``."""
        self._sample = sample
        self.last_at = now

    def command(self, command_id: int) -> None:
        """The engine sent a pressure command for this channel."""
        self.commanded = True
        self.command_id = command_id
        self.seen_active = False

    def release(self, now: float) -> None:
        """The engine (or the device) released this channel."""
        self.commanded = False
        self.seen_active = False
        self.released_at = now

    def pressure_now(self, now: float, stale_s: float) -> float | None:
        """Last valid pressure if it is fresh, else None (unknown)."""
        last = self._sample if self._sample is not None else self._last
        if last is None or now - self.last_at > stale_s:
            return None
        return last.pressure


class GroupState:
    """Restriction clock and sets of one limb group (T-TIME-1..3, T-SETS-1)."""

    __slots__ = (
        "channels",
        "ended_at",
        "group",
        "limit_id",
        "limit_reached",
        "limits",
        "sets_started",
        "skip_reason",
        "started_at",
        "warned",
        "warning_id",
    )

    def __init__(self, group: LimbGroup, limits: GroupLimits) -> None:
        self.group = group
        self.limits = limits
        self.channels: tuple[ChannelState, ...] = ()  # every channel whose band is in this group
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.warned = False
        self.limit_reached = False
        self.sets_started = 0
        self.skip_reason: str | None = None
        self.warning_id = f"time_warning:{group.value}"
        self.limit_id = f"limit_release:{group.value}"

    @property
    def usable(self) -> tuple[ChannelState, ...]:
        """Channels this group may inflate (S-LIMB-1 blocked sites excluded)."""
        return tuple(c for c in self.channels if not c.blocked)

    @property
    def open(self) -> bool:
        """The clock runs: started and neither ended nor released at the limit."""
        return self.started_at is not None and self.ended_at is None

    @property
    def running(self) -> bool:
        """Some channel of the group is under a pressure command."""
        return any(c.commanded for c in self.channels)

    def elapsed(self, now: float) -> float:
        """Restriction time: from the first inflation, through deflations and pauses."""
        if self.started_at is None:
            return 0.0
        end = now if self.ended_at is None else self.ended_at
        return max(0.0, end - self.started_at)

    def next_deadline(self) -> float:
        """Next time the clock must be looked at (warning or limit), inf when none."""
        if not self.open or self.started_at is None:
            return float("inf")
        if not self.warned:
            return self.started_at + self.limits.warning_s
        return self.started_at + self.limits.limit_s
