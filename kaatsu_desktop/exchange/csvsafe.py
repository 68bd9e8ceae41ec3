"""CSV cells a spreadsheet will never run: text cells are neutralised, numbers stay numbers.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be read as a
formula by Excel, LibreOffice and Google Sheets (CSV or formula injection). Every *text* cell this
program writes goes through `text_cell`, which puts an apostrophe in front of such a cell; a
spreadsheet shows the apostrophe-led cell as the text it is.

Numeric cells are written by `number_cell` from numbers the program itself holds (samples,
milliseconds), never from text someone typed, so a legitimate negative number such as a sensor
offset of -0.2 mmHg stays the number ``-0.2`` and sorts and sums as one. Nothing typed by a user
or read from a device as text ever goes into a numeric column.
"""

from __future__ import annotations

import math

DANGEROUS_FIRST = frozenset("=+-@\t\r")


def text_cell(value: object) -> str:
    """A text cell, with a leading apostrophe when it begins like a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in DANGEROUS_FIRST:
        return "'" + text
    return text


def number_cell(value: int | float, decimals: int | None = None) -> str:
    """A numeric cell from a number the program holds (never from text): written unescaped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a numeric cell needs a number, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a numeric cell needs a finite number")
    if decimals is None or isinstance(value, int):
        return str(value)
    return f"{value:.{decimals}f}"
