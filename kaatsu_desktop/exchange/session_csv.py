"""A session's samples and events as one CSV table (UTF-8, comma, header row, RFC 4180 quoting).

One file, one table, so that a spreadsheet or ``csv.DictReader`` reads it without special
handling: each row is a sample or an event, told apart by the ``record`` column, in time order
(at the same millisecond, samples by channel come before events). Columns:

| column | sample rows | event rows |
| --- | --- | --- |
| ``t_ms`` | ms since the session started | same |
| ``record`` | ``sample`` | ``event`` |
| ``channel`` | ``ch1``, ``ch2``... (counted from 1, as on screen) | empty |
| ``phase`` | idle, inflating, holding, deflating, released | empty |
| ``pressure_<unit>``, ``target_<unit>`` | number with one decimal, in the device's unit | empty |
| ``kind``, ``rule_id``, ``priority``, ``message`` | empty | the stored event |
| ``data`` | empty | the event's data as compact JSON |

``<unit>`` is the session's unit (``mmHg`` or ``SKU``), never converted. Text cells are neutralised
against formula injection; numeric cells are the program's own numbers (see csvsafe).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

import numpy as np

from devices.protocol.types import Phase
from kaatsu_desktop.exchange.csvsafe import number_cell, text_cell
from kaatsu_desktop.storage import (
    Database,
    SessionEvent,
    get_session,
    list_session_events,
    read_samples,
)

PHASE_NAMES = {int(p): p.name.lower() for p in Phase}


def session_unit(protocol: dict[str, object], summary: dict[str, object] | None) -> str:
    """The session's pressure unit as stored (protocol first, then summary); ``unit`` if none."""
    for source in (protocol, summary or {}):
        unit = source.get("unit")
        if isinstance(unit, str) and unit.isalnum():
            return unit
    return "unit"


def header(unit: str) -> list[str]:
    """The header row."""
    return [
        "t_ms",
        "record",
        "channel",
        "phase",
        f"pressure_{unit}",
        f"target_{unit}",
        "kind",
        "rule_id",
        "priority",
        "message",
        "data",
    ]


def _sample_lines(samples: np.ndarray) -> Iterator[tuple[int, str]]:
    """(t_ms, CSV line) per sample, by time then channel.

    Sample lines hold only numbers and fixed words, none needing quotes, so they are formatted
    directly rather than through csv.writer (several times faster on half a million rows).
    """
    order = np.lexsort((samples["channel"], samples["t_ms"]))
    ordered = samples[order]
    for t, ch, p, g, ph in zip(
        ordered["t_ms"].tolist(),
        ordered["channel"].tolist(),
        ordered["pressure_x10"].tolist(),
        ordered["target_x10"].tolist(),
        ordered["phase"].tolist(),
        strict=True,
    ):
        phase = PHASE_NAMES.get(ph, str(ph))
        yield t, f"{t},sample,ch{ch + 1},{phase},{p / 10:.1f},{g / 10:.1f},,,,,\r\n"


def _event_row(event: SessionEvent) -> list[str]:
    data = "" if event.data is None else json.dumps(event.data, ensure_ascii=False, sort_keys=True)
    return [
        number_cell(event.t_ms),
        "event",
        "",
        "",
        "",
        "",
        text_cell(event.kind),
        text_cell(event.rule_id),
        text_cell(event.priority),
        text_cell(event.message),
        text_cell(data),
    ]


def write_rows(stream: TextIO, samples: np.ndarray, events: list[SessionEvent]) -> int:
    """Write the body in time order (samples, then the events of the same millisecond)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    pending = iter(events)
    event = next(pending, None)
    count = 0
    for t, line in _sample_lines(samples):
        while event is not None and event.t_ms < t:
            writer.writerow(_event_row(event))
            event, count = next(pending, None), count + 1
        stream.write(line)
        count += 1
    while event is not None:
        writer.writerow(_event_row(event))
        event, count = next(pending, None), count + 1
    return count


def write_session_csv(db: Database, session_id: int, stream: TextIO) -> int:
    """Write a session's table to a text stream opened with newline=''; returns the body rows."""
    session = get_session(db, session_id)
    events = list_session_events(db, session_id)
    samples = read_samples(db, session_id)
    csv.writer(stream, lineterminator="\r\n").writerow(
        header(session_unit(session.protocol, session.summary))
    )
    return write_rows(stream, samples, events)
