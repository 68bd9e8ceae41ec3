"""A session's stored summary: one schema, written by the controller, read by history and reports.

```
{"state": "finished", "protocol": "cycle-mmhg", "unit": "mmHg", "arm_skip_reason": null,
 "alarms_raised": 3,
 "groups": {"arms": {"status": ..., "restriction_s": 900.0, "minutes": 15.0, "sets": 1}, ...},
 "limits": {"arms": {"warning_s": 600.0, "limit_s": 900.0}, "legs": {...}}}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
