"""A realistic stored session built through the storage API, shared by report and exchange tests.

A demo session on a four-channel cuff (channels 0-1 on the arms, 2-3 on the legs), sampled at
20 Hz like the device stream: arms cycle 30 s + 5 s at 100 mmHg until the 15-minute limit
releases them (T-TIME-1, with the 10-minute warning), a red-purple skin observation on the left
arm (T-SKIN-1), the changeover (T-ORD-2), legs at 140 mmHg for 10 minutes until the patient feels
dizzy (T-REL-2 stop criterion, release with its reason) and the session is aborted.

The hold pressures follow a fixed pattern of ten samples, so the fidelity figures are known by
construction: arms 90 % of hold time within 15 mmHg and 80 % within 10 %; legs 90 % and 90 %
(with the 10 % edge, +14 on 140, counted in).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from devices.protocol.types import Phase
from kaatsu_desktop.clinical import assess, parse_screening
from kaatsu_desktop.storage import (
    Database,
    NewClearance,
    NewScreening,
    NewSession,
    Patient,
    PatientFields,
    SessionEvent,
    User,
    add_clearance,
    add_samples,
    add_screening,
    add_session_events,
    create_patient,
    create_session,
    create_user,
    finish_session,
    make_samples,
)
from tests.kaatsu_desktop.storage.helpers import FakeClock

CLINIC_TZ = timezone(timedelta(hours=1))
START = datetime(2026, 3, 2, 10, 15, tzinfo=CLINIC_TZ)
RATE_MS = 50
CYCLE_MS, RAMP_MS, HOLD_END_MS = 35_000, 2_000, 30_000
ARMS_START_MS, ARMS_RUN_MS = 5_000, 900_000  # T-TIME-1: released at 15 min
LEGS_START_MS, LEGS_RUN_MS = 930_000, 600_000  # stopped after 10 min (T-REL-2)
END_MS = LEGS_START_MS + LEGS_RUN_MS + 10_000
ARM_TARGET, LEG_TARGET = 100.0, 140.0
# Offsets from the target over ten hold samples.
ARM_PATTERN = (2, 2, 2, 2, 2, 2, 2, 2, 12, 20)  # 9/10 within 15; 8/10 within 10 % of 100
LEG_PATTERN = (1, 1, 1, 1, 1, 1, 1, 14, 14, -16)  # 9/10 within 15; 9/10 within 10 % of 140
PRESETS = Path(__file__).resolve().parents[3] / "resources" / "protocols"

DEVICE = {
    "address": "C6:C6:5E:55:00:01",
    "name": "KC-4 Demo",
    "manufacturer": "KAATSU Global (simulated)",
    "model": "KC-4",
    "serial": "SIM-0001",
    "firmware": "1.4.2",
    "sites": ["left_arm", "right_arm", "left_leg", "right_leg"],
}


def clinic_clock() -> FakeClock:
    """The database clock: the morning of the session, in the clinic's time zone (UTC+1)."""
    return FakeClock(START - timedelta(minutes=30))


def screening_input(day: date) -> dict[str, object]:
    """A screening with warnings: S-BP-2 (clearance), S-DM-1, S-LIP-1, S-BMI-1 (caution)."""
    return {
        "format": "kaatsu-screening/1",
        "assessed_on": day.isoformat(),
        "sex": "female",
        "date_of_birth": "1958-03-14",
        "height_cm": 164,
        "weight_kg": 71.5,
        "systolic_mmhg": 166,
        "diastolic_mmhg": 92,
        "fasting_glucose_mg_dl": 118,
        "total_cholesterol_mg_dl": 236,
        "triglycerides_mg_dl": 140,
        "under_treatment_for": ["hypertension"],
        "symptoms": [],
        "history": ["controlled_hypertension"],
        "family_history_premature_cardiac_event": False,
        "ecg_findings": [],
        "acute_conditions": [],
        "pregnancy": "no",
        "thrombosis_factors": [],
        "last_surgery_on": None,
        "wound_sites": [],
        "lower_limb_joint_damage": False,
    }


def channel_samples(
    channel: int, start_ms: int, run_ms: int, target: float, pattern: tuple[int, ...]
) -> tuple[np.ndarray, int]:
    """One channel's samples over the whole session, and how many of them are holding."""
    t = np.arange(0, END_MS + 1, RATE_MS, dtype=np.int64)
    rel = t - start_ms
    pos = rel % CYCLE_MS
    rng = np.random.default_rng(channel)
    idle = np.round(rng.uniform(-0.3, 0.3, t.size), 1)  # sensor offset: small negative readings
    pressure, tgt = idle.copy(), np.zeros(t.size)
    phase = np.full(t.size, int(Phase.IDLE))
    active = (rel >= 0) & (rel < run_ms)
    ramp = active & (pos < RAMP_MS)
    hold = active & (pos >= RAMP_MS) & (pos < HOLD_END_MS)
    down = active & (pos >= HOLD_END_MS)
    k = (pos - RAMP_MS) // RATE_MS
    offsets = np.asarray(pattern, dtype=np.float64)[k % len(pattern)]
    pressure[ramp] = target * pos[ramp] / RAMP_MS
    pressure[hold] = target + offsets[hold]
    pressure[down] = target * (1 - (pos[down] - HOLD_END_MS) / (CYCLE_MS - HOLD_END_MS))
    tgt[ramp | hold] = target
    phase[ramp], phase[hold], phase[down] = Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING
    released = rel >= run_ms
    phase[released] = Phase.RELEASED
    return make_samples(t, channel, pressure, tgt, phase), int(hold.sum())


def events() -> list[SessionEvent]:
    """The session's events, in time order, as the recorder stores them."""
    arm_warn = "Restriction time on the arms: 10 min; automatic release at 15 min."
    arm_limit = "Time limit of 15 min reached on the arms: bands released."
    skin = "Skin under the left arm band: red-purple."
    a0, l0 = ARMS_START_MS, LEGS_START_MS
    return [
        SessionEvent(a0, "state_changed", "Session state: arm_phase.", "T-ORD-1", None,
                     {"old": "setup", "new": "arm_phase"}),
        SessionEvent(a0, "set_started", "Set 1 of 1 started on the arms.", "T-SETS-1", None,
                     {"group": "arms", "set": 1, "channels": [0, 1], "mode": "cycle",
                      "pressures": [ARM_TARGET] * 26, "ttl_s": 915, "command_id": 1}),
        SessionEvent(a0 + 40, "command_confirmed", "Command 1 confirmed."),
        SessionEvent(a0 + 300_000, "skin_observed", skin, "T-SKIN-1", None,
                     {"site": "left_arm", "colour": "red_purple"}),
        SessionEvent(a0 + 300_000, "alarm_raised", skin, "T-SKIN-1", "high",
                     {"condition_id": "skin:left_arm", "priority": "high",
                      "proposes_release": True}),
        SessionEvent(a0 + 320_000, "skin_observed", "Skin under the left arm band: pink.",
                     "T-SKIN-1", None, {"site": "left_arm", "colour": "pink"}),
        SessionEvent(a0 + 600_000, "time_warning", arm_warn, "T-TIME-1", None, {"group": "arms"}),
        SessionEvent(a0 + 600_000, "alarm_raised", arm_warn, "T-TIME-1", "medium",
                     {"condition_id": "time_warning:arms", "priority": "medium"}),
        SessionEvent(a0 + 700_000, "intent_refused", "Legs only after the arm phase.", "T-ORD-1",
                     None, {"intent": "start_limb_group"}),
        SessionEvent(a0 + ARMS_RUN_MS, "limit_release", arm_limit, "T-TIME-1", None,
                     {"group": "arms"}),
        SessionEvent(a0 + ARMS_RUN_MS, "alarm_raised", arm_limit, "T-TIME-1", "high",
                     {"condition_id": "limit_release:arms", "priority": "high"}),
        SessionEvent(920_000, "arm_bands_confirmed_off", "Arm bands confirmed off.", "T-ORD-2"),
        SessionEvent(920_000, "state_changed", "Session state: changeover.", "T-ORD-1", None,
                     {"old": "arm_phase", "new": "changeover"}),
        SessionEvent(l0, "state_changed", "Session state: leg_phase.", "T-ORD-1", None,
                     {"old": "changeover", "new": "leg_phase"}),
        SessionEvent(l0, "set_started", "Set 1 of 1 started on the legs.", "T-SETS-1", None,
                     {"group": "legs", "set": 1, "channels": [2, 3], "mode": "cycle",
                      "pressures": [LEG_TARGET] * 18, "ttl_s": 635, "command_id": 2}),
        SessionEvent(l0 + LEGS_RUN_MS, "stop_criterion", "Stop criterion: dizziness.", "T-REL-2",
                     None, {"criterion": "dizziness"}),
        SessionEvent(l0 + LEGS_RUN_MS, "release", "All bands released: dizziness", "T-REL-2",
                     None, {"reason": "dizziness"}),
        SessionEvent(l0 + LEGS_RUN_MS + 5_000, "state_changed", "Session state: aborted.",
                     "T-ORD-1", None, {"old": "leg_phase", "new": "aborted",
                                       "reason": "patient dizzy"}),
    ]  # fmt: skip


@dataclass(frozen=True)
class StoredSession:
    """What was stored, and the figures the report must show for it."""

    db: Database
    clock: FakeClock
    clinician: User
    patient: Patient
    session_id: int
    arm_hold_samples: int  # per arm channel
    leg_hold_samples: int  # per leg channel
    sample_count: int


def store_session(
    db: Database, clock: FakeClock, *, demo: bool = True, clinic_id: str = "KC-0042"
) -> StoredSession:
    """Store a patient, screening, clearance and the whole demo session described above."""
    name = "Dr Aiko Tanaka" if clinic_id == "KC-0042" else f"Dr Aiko Tanaka ({clinic_id})"
    clinician = create_user(db, name, "clinician", by=None)
    patient = create_patient(
        db, PatientFields(clinic_id, "Hanna", "Berg", "1958-03-14", "female"), by=clinician.id
    )
    day = START.date() - timedelta(days=7)
    inp = screening_input(day)
    assessment = assess(parse_screening(inp))
    add_screening(
        db,
        NewScreening(patient.id, day, inp, assessment.to_json(), assessment.overall),
        by=clinician.id,
    )
    add_clearance(
        db,
        NewClearance(
            patient.id, "Dr L. Moreau", day, ["S-BP-2"], day + timedelta(days=90), "BP follow-up"
        ),
        by=clinician.id,
    )
    protocol = json.loads((PRESETS / "cycle-mmhg.json").read_text(encoding="utf-8"))
    protocol["cycles"] = 26  # as many as fit the arms' 15 minutes (26 x 35 s)
    clock.now = START
    record = create_session(
        db, NewSession(patient.id, protocol, demo=demo, device=DEVICE), by=clinician.id
    )
    total = 0
    holds = []
    for channel, (start, run, target, pattern) in enumerate(
        [
            (ARMS_START_MS, ARMS_RUN_MS, ARM_TARGET, ARM_PATTERN),
            (ARMS_START_MS, ARMS_RUN_MS, ARM_TARGET, ARM_PATTERN),
            (LEGS_START_MS, LEGS_RUN_MS, LEG_TARGET, LEG_PATTERN),
            (LEGS_START_MS, LEGS_RUN_MS, LEG_TARGET, LEG_PATTERN),
        ]
    ):
        samples, hold = channel_samples(channel, start, run, target, pattern)
        total += add_samples(db, record.id, samples)
        holds.append(hold)
    add_session_events(db, record.id, events())
    clock.now = START + timedelta(milliseconds=END_MS)
    summary = {
        "state": "aborted",
        "protocol": "cycle-mmhg",
        "unit": "mmHg",
        "groups": {
            "arms": {"status": "limit_reached", "restriction_s": 900.0, "minutes": 15.0, "sets": 1},
            "legs": {"status": "done", "restriction_s": 600.0, "minutes": 10.0, "sets": 1},
        },
        "arm_skip_reason": None,
        "alarms_raised": 3,
    }
    finish_session(
        db, record.id, "aborted", by=clinician.id, summary=summary, end_reason="patient dizzy"
    )
    return StoredSession(db, clock, clinician, patient, record.id, holds[0], holds[2], total)
