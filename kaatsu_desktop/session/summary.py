"""A session's stored summary: one schema, written by the controller, read by history and reports.

```
{"state": "finished", "protocol": "cycle-mmhg", "unit": "mmHg", "arm_skip_reason": null,
 "alarms_raised": 3,
 "groups": {"arms": {"status": ..., "restriction_s": 900.0, "minutes": 15.0, "sets": 1}, ...},
 "limits": {"arms": {"warning_s": 600.0, "limit_s": 900.0}, "legs": {...}}}
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from devices.link.events import DeviceInfo
from devices.protocol.types import Site
from kaatsu_desktop.session.protocols import Protocol
from kaatsu_desktop.session.snapshot import SessionSnapshot

GROUP_NAMES = ("arms", "legs")


def session_summary(snapshot: SessionSnapshot, alarms_raised: int) -> dict[str, Any]:
    """Summary of a session for its stored row (restriction time and limits per limb group)."""
    groups = {
        g.group.value: {
            "status": g.status.value,
            "restriction_s": round(g.elapsed_s, 3),
            "minutes": round(g.elapsed_s / 60.0, 2),
            "sets": g.sets_started,
        }
        for g in snapshot.groups
    }
    limits = {
        g.group.value: {"warning_s": g.warning_s, "limit_s": g.limit_s} for g in snapshot.groups
    }
    return {
        "state": snapshot.state.value,
        "protocol": snapshot.protocol_id,
        "unit": snapshot.unit.label,
        "groups": groups,
        "limits": limits,
        "arm_skip_reason": snapshot.arm_skip_reason,
        "alarms_raised": alarms_raised,
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def restriction_seconds(summary: Mapping[str, Any] | None) -> dict[str, float | None]:
    """Restriction seconds per limb group from a stored summary; None where not recorded."""
    groups = (summary or {}).get("groups")
    out: dict[str, float | None] = {}
    for name in GROUP_NAMES:
        entry = groups.get(name) if isinstance(groups, Mapping) else None
        out[name] = _number(entry.get("restriction_s")) if isinstance(entry, Mapping) else None
    return out


def alarms_raised(summary: Mapping[str, Any] | None) -> int | None:
    """How many alarms the session raised, if the summary recorded it."""
    value = (summary or {}).get("alarms_raised")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def protocol_record(protocol: Protocol, sites: Mapping[int, Site]) -> dict[str, Any]:
    """The protocol as the clinician set it, for the stored session row (reports read it)."""
    return {
        "id": protocol.id,
        "name": protocol.name,
        "mode": protocol.mode.value,
        "unit": protocol.unit.label,
        "level": protocol.level.value,
        "inflation_s": protocol.inflation_s,
        "deflation_s": protocol.deflation_s,
        "cycles": protocol.cycles,
        "step": protocol.step,
        "hold_s": protocol.hold_s,
        "sets_per_limb": protocol.sets_per_limb,
        "pressures": {
            "arms": dataclasses.asdict(protocol.arms),
            "legs": dataclasses.asdict(protocol.legs),
        },
        "sites": {str(ch): site.name.lower() for ch, site in sorted(sites.items())},
    }


def device_record(info: DeviceInfo | None, sites: Sequence[Site] = ()) -> dict[str, Any] | None:
    """The cuff's identity (Device Information Service) for the stored session row."""
    if info is None:
        return None
    return {
        "address": info.address,
        "name": info.name,
        "manufacturer": info.manufacturer,
        "model": info.model,
        "serial": info.serial,
        "firmware": info.firmware,
        "sites": [site.name.lower() for site in sites],
    }
