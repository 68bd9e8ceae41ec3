"""Table model of a search result: a bounded list of patients, sortable by any column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from kaatsu_desktop.storage import Patient
from ui.labels import item_label

_Index = QModelIndex | QPersistentModelIndex


def _record_state(patient: Patient) -> str:
    state = "archived" if patient.archived else "active"
    return QCoreApplication.translate("PatientTableModel", state)


# (header, text shown, sort key) per column.
_COLUMNS: tuple[tuple[str, Callable[[Patient], str], Callable[[Patient], Any]], ...] = (
    (QT_TRANSLATE_NOOP("PatientTableModel", "Clinic ID"), lambda p: p.clinic_id,
     lambda p: p.clinic_id.casefold()),
    (QT_TRANSLATE_NOOP("PatientTableModel", "Family name"), lambda p: p.family_name,
     lambda p: (p.family_name.casefold(), p.given_name.casefold())),
    (QT_TRANSLATE_NOOP("PatientTableModel", "Given name"), lambda p: p.given_name,
     lambda p: (p.given_name.casefold(), p.family_name.casefold())),
    (QT_TRANSLATE_NOOP("PatientTableModel", "Date of birth"), lambda p: p.date_of_birth.isoformat(),
     lambda p: p.date_of_birth),
    (QT_TRANSLATE_NOOP("PatientTableModel", "Sex"), lambda p: item_label(p.sex.value),
     lambda p: p.sex.value),
    (QT_TRANSLATE_NOOP("PatientTableModel", "Record"), lambda p: _record_state(p),
     lambda p: p.archived),
)  # fmt: skip
QT_TRANSLATE_NOOP("PatientTableModel", "archived")
QT_TRANSLATE_NOOP("PatientTableModel", "active")


class PatientTableModel(QAbstractTableModel):
    """Read-only rows of patients; ``set_patients`` replaces them in one reset."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Patient] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        patient = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _COLUMNS[index.column()][1](patient)
        if role == Qt.ItemDataRole.UserRole:
            return patient.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("PatientTableModel", _COLUMNS[section][0])
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows shown; the order is kept when the next result arrives."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return  # keep the search's own order: best matches first
        column, order = self._sort
        self._rows.sort(key=_COLUMNS[column][2], reverse=order == Qt.SortOrder.DescendingOrder)

    def set_patients(self, patients: Sequence[Patient]) -> None:
        """Show these patients (at most a search page, so one reset is cheap)."""
        self.beginResetModel()
        self._rows = list(patients)
        self._apply_sort()
        self.endResetModel()

    def patient_at(self, row: int) -> Patient:
        """The patient shown in ``row``."""
        return self._rows[row]

    def row_of(self, patient_id: int) -> int | None:
        """The row showing ``patient_id``, None when it is not shown."""
        return next((i for i, p in enumerate(self._rows) if p.id == patient_id), None)
