"""The assessment of one screening (kaatsu-assessment/1): typed value and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaatsu_desktop.clinical.catalog import RULES
from kaatsu_desktop.clinical.errors import ClinicalInputError, FieldError
from kaatsu_desktop.clinical.verdicts import Verdict, overall_label, parse_overall, strongest
from kaatsu_desktop.clinical.vocab import BandSite

FORMAT = "kaatsu-assessment/1"


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired: its id, the verdict it gave, its message and the inputs it read."""

    id: str
    verdict: Verdict
    message: str  # a declared rule text (English); show it through translate(TR_CONTEXT, ...)
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON object of one fired rule."""
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "message": self.message,
            "inputs": dict(self.inputs),
        }


@dataclass(frozen=True)
class ThrombosisItem:
    """One thrombosis risk factor and its points (001 Point 5)."""

    factor: str
    points: int


@dataclass(frozen=True)
class Assessment:
    """Result of assessing one screening; ``rules`` is ordered strongest first."""

    bmi: float
    thrombosis_points: int
    thrombosis_factors: tuple[ThrombosisItem, ...]
    blocked_sites: tuple[BandSite, ...]
    rules: tuple[FiredRule, ...]
    not_assessed: tuple[str, ...]

    @property
    def verdict(self) -> Verdict:
        """Strongest fired verdict; INFO when nothing fired."""
        return strongest(r.verdict for r in self.rules)

    @property
    def overall(self) -> str:
        """`clear` when nothing above `info` fired, else the strongest verdict's name."""
        return overall_label(self.verdict)

    @property
    def is_clear(self) -> bool:
        """True when no rule above `info` fired (T-MODE-1 reads this)."""
        return self.verdict <= Verdict.INFO

    def fired(self, rule_id: str) -> FiredRule | None:
        """The fired rule with this id, None when it did not fire."""
        return next((r for r in self.rules if r.id == rule_id), None)

    def to_json(self) -> dict[str, Any]:
        """The kaatsu-assessment/1 object of screening-input.md."""
        return {
            "format": FORMAT,
            "verdict": self.overall,
            "bmi": self.bmi,
            "thrombosis_points": self.thrombosis_points,
            "thrombosis_factors": [
                {"factor": t.factor, "points": t.points} for t in self.thrombosis_factors
            ],
            "blocked_sites": [s.value for s in self.blocked_sites],
            "rules": [r.to_json() for r in self.rules],
            "not_assessed": list(self.not_assessed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        """Typed assessment from a stored kaatsu-assessment/1 object; ClinicalInputError if bad."""
        try:
            if data["format"] != FORMAT:
                raise ValueError(f"format must be {FORMAT!r}")
            rules = tuple(
                FiredRule(r["id"], Verdict(r["verdict"]), r["message"], dict(r.get("inputs", {})))
                for r in data["rules"]
            )
            unknown = [r.id for r in rules] + list(data["not_assessed"])
            if any(rule_id not in RULES for rule_id in unknown):
                raise ValueError("names an unknown rule id")
            result = cls(
                bmi=float(data["bmi"]),
                thrombosis_points=int(data["thrombosis_points"]),
                thrombosis_factors=tuple(
                    ThrombosisItem(str(t["factor"]), int(t["points"]))
                    for t in data["thrombosis_factors"]
                ),
                blocked_sites=tuple(BandSite(s) for s in data["blocked_sites"]),
                rules=rules,
                not_assessed=tuple(str(r) for r in data["not_assessed"]),
            )
            if parse_overall(data["verdict"]) is not result.verdict:
                raise ValueError("verdict does not match the strongest fired rule")
        except (KeyError, TypeError, ValueError) as exc:
            raise ClinicalInputError([FieldError("assessment", f"not valid: {exc}")]) from None
        return result
