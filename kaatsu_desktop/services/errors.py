"""One refusal type for every service write: the fields at fault, each with its reason."""

from __future__ import annotations

from collections.abc import Iterable

from kaatsu_desktop.clinical import ClinicalInputError, FieldError
from kaatsu_desktop.storage import ValidationError


class FormError(ValueError):
    """A save was refused; ``errors`` names every field at fault (the form keeps its values)."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors) or "refused")

    @property
    def fields(self) -> tuple[str, ...]:
        """The keys of the fields at fault, in order, without repeats."""
        return tuple(dict.fromkeys(e.key for e in self.errors))

    @classmethod
    def from_exception(cls, exc: ValidationError | ClinicalInputError) -> FormError:
        """Wrap a storage ValidationError or a clinical input error."""
        if isinstance(exc, ValidationError):
            return cls([FieldError(exc.field, exc.reason)])
        return cls(exc.errors)
