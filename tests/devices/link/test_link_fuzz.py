"""100,000 random notifications through bleak's callbacks: none escapes, none becomes a reading."""

from __future__ import annotations

import random
from collections.abc import Callable

from devices.link import DecodeErrors, LinkState
from devices.protocol import (
    CommandResult,
    Opcode,
    ProtocolError,
    ResultCode,
    decode,
    encode,
    uuids,
)
from tests.devices.link._rig import close_rig, make_rig, sleep

NOTIFICATIONS = 100_000
NAMES = {uuids.PRESSURE_STREAM: "pressure", uuids.STATUS: "status", uuids.COMMAND_RESULT: "result"}


def _generator(valid: dict[str, bytes]) -> Callable[[random.Random, str], bytes]:
    lengths = {uuids.PRESSURE_STREAM: (28, 48), uuids.STATUS: (12, 14), uuids.COMMAND_RESULT: (5,)}

    def make(rng: random.Random, uuid: str) -> bytes:
        kind = rng.random()
        if kind < 0.35:  # anything at all, empty included
            return rng.randbytes(rng.randrange(0, 71))
        if kind < 0.7:  # the right length, random content
            return rng.randbytes(rng.choice(lengths[uuid]))
        frame = bytearray(valid[uuid])  # a real frame with a few bytes changed (some stay valid)
        for _ in range(rng.randrange(1, 4)):
            frame[rng.randrange(len(frame))] = rng.randrange(256)
        return bytes(frame)

    return make


def test_random_notifications_are_counted_and_never_delivered() -> None:
    rig = make_rig()
    try:
        rig.run(rig.connect())
        valid = {
            uuids.PRESSURE_STREAM: encode(rig.host.pressure_frame(1)),
            uuids.STATUS: encode(rig.host.status()),
            uuids.COMMAND_RESULT: encode(CommandResult(9, Opcode.HOLD, ResultCode.OK, (0,))),
        }
        make = _generator(valid)
        rng = random.Random(20240611)
        order = list(NAMES)
        expected_bad = dict.fromkeys(NAMES.values(), 0)
        expected_frames: list[object] = []
        expected_statuses: list[object] = []
        before = rig.link.stats()
        n_readings, n_statuses = len(rig.readings), len(rig.statuses)
        for _ in range(NOTIFICATIONS):
            uuid = rng.choice(order)
            data = make(rng, uuid)
            try:
                frame = decode(uuid, data)  # the oracle: the codec's own verdict
            except ProtocolError:
                expected_bad[NAMES[uuid]] += 1
            else:
                if uuid == uuids.PRESSURE_STREAM:
                    expected_frames.append(frame)
                elif uuid == uuids.STATUS:
                    expected_statuses.append(frame)
            # Exactly what bleak calls when the radio delivers a notification; nothing escapes.
            rig.notify[uuid](bytearray(data))

        after = rig.link.stats()
        errors = {k: after.decode_errors[k] - before.decode_errors[k] for k in expected_bad}
        assert errors == expected_bad
        assert sum(expected_bad.values()) > 0.8 * NOTIFICATIONS
        assert [r.frame for r in rig.readings[n_readings:]] == expected_frames
        assert [s.status for s in rig.statuses[n_statuses:]] == expected_statuses

        rig.run(sleep(1.5))  # the periodic report turns the counts into events
        reported = {name: 0 for name in NAMES.values()}
        for event in rig.of(DecodeErrors):
            reported[event.characteristic] += event.count
        assert reported == {k: after.decode_errors[k] for k in reported}
        assert all(e.last_reason is not None for e in rig.of(DecodeErrors))  # typed reasons
        assert rig.link.state is LinkState.STREAMING
        assert rig.readings[-1].received_at > rig.now() - 0.1  # real frames still flow
    finally:
        close_rig(rig)
