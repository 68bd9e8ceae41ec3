"""Importing patients from CSV: every error found (line, field, reason), all rows or none.

The file: UTF-8 (a byte-order mark is allowed), comma-separated, a header row naming the columns
clinic_id, family_name, given_name, date_of_birth (YYYY-MM-DD), sex (female, male, other) and,
optionally, contact and notes, in any order; quoted cells may span lines (notes). Empty lines are
skipped. Line numbers are those of the file, counting the header as line 1; a record that spans
lines is named by its first line.

Each cell is checked with the storage layer's own field checks, so a dry run finds exactly what
the import would refuse. A clinic id used twice in the file, or already used in the database
(archived patients included), is an error; clinic ids compare as the database compares them
(ASCII letters without regard to case).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import PatientFields, Sex, ValidationError
from kaatsu_desktop.storage import validation as v
from kaatsu_desktop.storage.patients import MAX_CLINIC_ID, MAX_CONTACT, MAX_NAME, MAX_NOTES

_CTX = "Exchange"
REQUIRED = ("clinic_id", "family_name", "given_name", "date_of_birth", "sex")
OPTIONAL = ("contact", "notes")
MAX_ROWS = 100_000


def _tr(text: str) -> str:
    return translate(_CTX, text)


@dataclass(frozen=True, slots=True)
class LineError:
    """One reason a line cannot be imported."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _tr("line {line}, {field}: {reason}").format(
            line=self.line, field=self.field, reason=self.reason
        )


@dataclass(frozen=True, slots=True)
class CsvPatients:
    """What a patients CSV holds: the valid rows with their lines, and every error."""

    rows: tuple[tuple[int, PatientFields], ...]
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        """True when every line can be imported."""
        return not self.errors


def fold_clinic_id(clinic_id: str) -> str:
    """The clinic id as the database compares it (COLLATE NOCASE folds ASCII letters only)."""
    return clinic_id.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def decode(data: bytes) -> tuple[str | None, LineError | None]:
    """The file's text, or an error naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, LineError(line, "(file)", _tr("is not UTF-8 text"))


def _check_row(
    cells: Mapping[str, str], line: int, today: date
) -> tuple[PatientFields | None, list[LineError]]:
    errors: list[LineError] = []
    values: dict[str, object] = {}

    def check(name: str, fn: Callable[..., object], **kwargs: object) -> None:
        try:
            values[name] = fn(name, cells.get(name, ""), **kwargs)
        except ValidationError as exc:
            errors.append(LineError(line, name, exc.reason))

    check("clinic_id", v.text, max_length=MAX_CLINIC_ID)
    check("family_name", v.text, max_length=MAX_NAME)
    check("given_name", v.text, max_length=MAX_NAME)
    check("date_of_birth", v.iso_date, latest=today)
    sex = cells.get("sex", "").strip().lower()  # a code: "Female" means female
    try:
        values["sex"] = v.choice("sex", sex, [s.value for s in Sex])
    except ValidationError as exc:
        errors.append(LineError(line, "sex", exc.reason))
    check("contact", v.text, required=False, max_length=MAX_CONTACT, single_line=False)
    check("notes", v.text, required=False, max_length=MAX_NOTES, single_line=False)
    if errors:
        return None, errors
    return PatientFields(**values), []  # type: ignore[arg-type]


def parse_patients_csv(
    text: str, *, today: date, existing: Mapping[str, int] | None = None
) -> CsvPatients:
    """Check every line of a patients CSV; ``existing`` maps folded clinic ids to record ids."""
    existing = existing or {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[LineError] = []
    rows: list[tuple[int, PatientFields]] = []
    try:
        head = next(reader, None)
    except csv.Error as exc:
        return CsvPatients((), (LineError(1, "(header)", str(exc)),))
    if head is None:
        return CsvPatients((), (LineError(1, "(header)", _tr("the file is empty")),))
    columns = [h.strip().lower() for h in head]
    for name in columns:
        if name not in REQUIRED and name not in OPTIONAL:
            errors.append(LineError(1, name or "(empty)", _tr("is not a known column")))
        elif columns.count(name) > 1:
            errors.append(LineError(1, name, _tr("appears more than once")))
    errors.extend(
        LineError(1, name, _tr("column is missing")) for name in REQUIRED if name not in columns
    )
    seen: dict[str, int] = {}
    line = reader.line_num + 1  # where the next record starts
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(line, "(row)", str(exc)))
            break
        start, line = line, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(LineError(start, "(file)", _tr("more than {n} rows").format(n=MAX_ROWS)))
            break
        if len(cells) != len(columns):
            errors.append(
                LineError(
                    start,
                    "(row)",
                    _tr("has {n} cells, the header has {m}").format(n=len(cells), m=len(columns)),
                )
            )
            continue
        fields, row_errors = _check_row(dict(zip(columns, cells, strict=True)), start, today)
        clinic_id = cells[columns.index("clinic_id")].strip() if "clinic_id" in columns else ""
        if clinic_id:
            key = fold_clinic_id(clinic_id)
            if key in seen:
                row_errors.append(
                    LineError(
                        start,
                        "clinic_id",
                        _tr("{id} is also on line {other}").format(id=clinic_id, other=seen[key]),
                    )
                )
            else:
                seen[key] = start
            if key in existing:
                row_errors.append(
                    LineError(
                        start,
                        "clinic_id",
                        _tr("{id} is already used by patient record {record}").format(
                            id=clinic_id, record=existing[key]
                        ),
                    )
                )
        if row_errors or fields is None:
            errors.extend(row_errors)
        else:
            rows.append((start, fields))
    return CsvPatients(tuple(rows), tuple(errors))
