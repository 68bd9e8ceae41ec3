"""Pure checks of input values; each failure is a ValidationError naming the field."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from kaatsu_desktop.i18n import translate

from .errors import ValidationError

_CONTEXT = "Storage"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST_DATE = date(1900, 1, 1)


def _fail(field: str, reason: str, **values: object) -> ValidationError:
    return ValidationError(field, translate(_CONTEXT, reason).format(**values))


def text(
    field: str,
    value: object,
    *,
    required: bool = True,
    max_length: int,
    single_line: bool = True,
    strip: bool = True,
) -> str:
    """Check a text value; single-line fields are stripped of outer white space."""
    if not isinstance(value, str):
        raise _fail(field, "must be text")
    if strip and single_line:
        value = value.strip()
    if required and not value.strip():
        raise _fail(field, "must not be empty")
    if len(value) > max_length:
        raise _fail(field, "is longer than {n} characters", n=max_length)
    for ch in value:
        # Line breaks and tabs belong in notes, never in a name or an id; NUL nowhere.
        if ch == "\x00" or (single_line and unicodedata.category(ch) == "Cc"):
            raise _fail(field, "contains a control character (U+{code:04X})", code=ord(ch))
        if unicodedata.category(ch) == "Cs":
            raise _fail(field, "contains an unpaired surrogate")
    return value


def iso_date(
    field: str,
    value: object,
    *,
    earliest: date = EARLIEST_DATE,
    latest: date | None = None,
) -> date:
    """Parse a date (a `date` or a strict YYYY-MM-DD string) and check its range."""
    if isinstance(value, datetime):
        raise _fail(field, "must be a date without a time")
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value.strip()):
            raise _fail(field, "must be a date written YYYY-MM-DD")
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise _fail(field, "is not a valid calendar date") from None
    if not isinstance(value, date):
        raise _fail(field, "must be a date")
    if value < earliest:
        raise _fail(field, "must not be before {day}", day=earliest.isoformat())
    if latest is not None and value > latest:
        raise _fail(field, "must not be after {day}", day=latest.isoformat())
    return value


def choice(field: str, value: object, choices: Iterable[str]) -> str:
    """Check that a value is one of `choices` (enums compare by value)."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        raise _fail(field, "must be one of: {options}", options=", ".join(options))
    return str(value)


def integer(field: str, value: object, *, minimum: int, maximum: int) -> int:
    """Check an integer (bools refused) within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, "must be a whole number")
    if not minimum <= value <= maximum:
        raise _fail(field, "must be between {lo} and {hi}", lo=minimum, hi=maximum)
    return value


def _check_json(field: str, value: Any, depth: int = 0) -> None:
    if depth > 64:
        raise _fail(field, "is nested too deeply")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(field, "contains a number that is not finite")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(field, "has a key that is not text")
            _check_json(field, v, depth + 1)
    elif isinstance(value, list | tuple):
        for v in value:
            _check_json(field, v, depth + 1)
    elif value is not None and not isinstance(value, str | int | float | bool):
        raise _fail(field, "contains a value JSON cannot hold ({kind})", kind=type(value).__name__)


def json_text(field: str, value: Any, *, mapping: bool = True) -> str:
    """Serialise a JSON value (an object unless `mapping` is False) to compact text."""
    if mapping and not isinstance(value, dict):
        if hasattr(value, "items"):
            value = dict(value.items())
        else:
            raise _fail(field, "must be a JSON object")
    _check_json(field, value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
