"""Screening assessment: run the S-* rule table over one typed screening."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kaatsu_desktop.clinical.assessment import Assessment, FiredRule
from kaatsu_desktop.clinical.catalog import RULES, Stage, rules_of
from kaatsu_desktop.clinical.screening import ScreeningInput, parse_screening
from kaatsu_desktop.clinical.screening_rules import SCREENING_RULES, derive_facts
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.clinical.verdicts import Verdict
from kaatsu_desktop.clinical.vocab import BandSite, ordered

log = logging.getLogger(__name__)

_CATALOG_ORDER = {rule_id: i for i, rule_id in enumerate(RULES)}

# Every S-* rule of the catalog has exactly one evaluator, and nothing else has one.
if sorted(r.rule_id for r in SCREENING_RULES) != sorted(s.id for s in rules_of(Stage.SCREENING)):
    raise RuntimeError("screening evaluators and the S-* rules of the catalog disagree")


def assess(inp: ScreeningInput, settings: ClinicSettings | None = None) -> Assessment:
    """Assess one screening: fired rules (strongest first), rules not assessed, BMI, points."""
    settings = settings or ClinicSettings()
    facts = derive_facts(inp, settings)
    fired: list[FiredRule] = []
    not_assessed: list[str] = []
    for evaluator in SCREENING_RULES:
        spec = RULES[evaluator.rule_id]
        finding = evaluator.evaluate(facts)
        if finding is None:
            if any(getattr(inp, key) is None for key in evaluator.optional):
                not_assessed.append(spec.id)
            continue
        verdict = finding.verdict or _only_verdict(spec.id)
        if verdict not in spec.verdicts:
            raise RuntimeError(f"{spec.id} gave {verdict.value}, not one of its verdicts")
        fired.append(
            FiredRule(spec.id, verdict, finding.message or spec.text, dict(finding.inputs))
        )
    fired.sort(key=lambda r: (-r.verdict.rank, _CATALOG_ORDER[r.id]))
    not_assessed.sort(key=_CATALOG_ORDER.__getitem__)
    assessment = Assessment(
        bmi=float(facts.bmi),
        thrombosis_points=facts.thrombosis_points,
        thrombosis_factors=facts.thrombosis,
        blocked_sites=tuple(ordered(inp.wound_sites, BandSite)),  # S-LIMB-1
        rules=tuple(fired),
        not_assessed=tuple(not_assessed),
    )
    log.debug("assessed screening of %s: %s", inp.assessed_on, assessment.overall)
    return assessment


def assess_json(data: Mapping[str, Any], settings: ClinicSettings | None = None) -> dict[str, Any]:
    """kaatsu-screening/1 object in, kaatsu-assessment/1 object out; ScreeningInputError if bad."""
    return assess(parse_screening(data), settings).to_json()


def _only_verdict(rule_id: str) -> Verdict:
    verdicts = RULES[rule_id].verdicts
    if len(verdicts) != 1:
        raise RuntimeError(f"{rule_id} can give several verdicts; its evaluator must choose")
    return verdicts[0]
