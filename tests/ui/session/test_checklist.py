"""The pre-session checklist: Start stays disabled with the rule id shown while a P-rule blocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from devices.protocol.types import Site, Unit
from kaatsu_desktop.clinical import ClinicSettings, ScreeningOnFile, assess, parse_screening
from kaatsu_desktop.services import Services
from kaatsu_desktop.session import ProtocolMode, load_presets
from tests.ui.conftest import add_patient
from ui.session.checklist import PreSessionChecklist
from ui.session.context import PreSessionContext, context_from_services
from ui.session.port import CuffSummary, StartRequest

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
FOUR = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
CUFF = CuffSummary("C6:C6:5A:00:00:01", "KC-4 Demo", Unit.MMHG, FOUR, 87, simulated=True)


def screening(assessed_on: date = TODAY, **facts: Any) -> ScreeningOnFile:
    data: dict[str, Any] = {
        "format": "kaatsu-screening/1",
        "assessed_on": assessed_on.isoformat(),
        "sex": "male",
        "date_of_birth": "1980-04-02",
        "height_cm": 180,
        "weight_kg": 72,
        "systolic_mmhg": 122,
        "diastolic_mmhg": 78,
        "under_treatment_for": [],
        "symptoms": [],
        "history": [],
        "family_history_premature_cardiac_event": False,
        "ecg_findings": [],
        "acute_conditions": [],
        "pregnancy": "no",
        "thrombosis_factors": [],
        "last_surgery_on": None,
        "wound_sites": [],
        "lower_limb_joint_damage": False,
    }
    data.update(facts)
    return ScreeningOnFile(assessed_on, assess(parse_screening(data)))


def context(screen: ScreeningOnFile | None = None, **kw: Any) -> PreSessionContext:
    values: dict[str, Any] = {
        "patient_id": 7,
        "patient_label": "Okafor, Tomás (DEMO-0002)",
        "screening": screening() if screen is None else screen,
        "clearances": (),
        "settings": ClinicSettings(),
        "now": NOW,
        "completed_sessions": 0,
        "last_session_ended_at": None,
        "explanation_recorded_before": False,
    }
    values.update(kw)
    return PreSessionContext(**values)


def make(qtbot, ctx: PreSessionContext, cuff: CuffSummary | None = CUFF) -> PreSessionChecklist:
    widget = PreSessionChecklist(ctx, load_presets())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.set_cuff(cuff)
    return widget


def answer_all(qtbot, w: PreSessionChecklist, sites=FOUR) -> None:
    w.systolic.setValue(124)
    w.diastolic.setValue(80)
    w.unwell.set_value("no")
    w.hydrated.set_value("yes")
    if w.explained.isVisibleTo(w):
        w.explained.set_value("yes")
    w.aed.set_value("yes")
    for site in sites:
        w.in_use[site].setChecked(True)
        w.fit[site].setChecked(True)


def test_start_is_disabled_with_the_first_rule_shown_until_everything_passes(qtbot):
    w = make(qtbot, context())
    start = w.findChild(type(w.start), "startSessionButton")
    assert start is w.start and start.accessibleName() == "Start session"
    assert not start.isEnabled()
    assert w.reason.text().startswith("P-BP-1: Today's seated blood pressure is not recorded.")
    assert "more)" in w.reason.text()
    rules = [b.rule_id for b in w.blockers]
    assert rules == ["P-BP-1", "P-SICK-1", "P-HYD-1", "P-EXPL-1", "P-AED-1", "P-FIT-1", None]
    answer_all(qtbot, w)
    assert start.isEnabled(), w.reason.text()
    assert not w.reason.isVisible()
    requests: list[StartRequest] = []
    w.start_requested.connect(requests.append)
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    (request,) = requests
    assert request.sites == {
        0: Site.LEFT_ARM,
        1: Site.RIGHT_ARM,
        2: Site.LEFT_LEG,
        3: Site.RIGHT_LEG,
    }
    assert request.protocol.unit is Unit.MMHG and request.patient.new_user
    assert request.result.allowed and request.cuff is CUFF


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda w: (w.systolic.setValue(165), w.diastolic.setValue(90)), "P-BP-1"),
        (lambda w: w.unwell.set_value("yes"), "P-SICK-1"),
        (lambda w: w.hydrated.set_value("no"), "P-HYD-1"),
        (lambda w: w.explained.set_value("no"), "P-EXPL-1"),
        (lambda w: w.aed.set_value("no"), "P-AED-1"),
        (lambda w: w.fit[Site.LEFT_LEG].setChecked(False), "P-FIT-1"),
        (lambda w: w.systolic.setValue(30), "P-BP-1"),  # out of range: refused at the field
    ],
)
def test_each_p_rule_keeps_start_disabled_with_its_rule_id(qtbot, change, rule):
    w = make(qtbot, context())
    answer_all(qtbot, w)
    assert w.start.isEnabled()
    change(w)
    assert not w.start.isEnabled()
    assert w.reason.text().startswith(rule + ":")
    assert any(w.results.item(i).text().startswith(f"✖  {rule}") for i in range(w.results.count()))


def test_a_contraindicated_screening_keeps_start_disabled_p_scr_1(qtbot):
    w = make(qtbot, context(screening(systolic_mmhg=186, diastolic_mmhg=104)))
    answer_all(qtbot, w)
    assert not w.start.isEnabled()
    assert w.reason.text().startswith("P-SCR-1: The screening's verdict is contraindicated")
    assert w.verdict.verdict == "contraindicated"
    assert w.protocol.refusal.text().startswith("P-SCR-1")


def test_no_screening_or_an_old_one_blocks(qtbot):
    w = make(qtbot, context(screening=None))
    answer_all(qtbot, w)
    assert w.reason.text().startswith("P-SCR-1: No screening on file")
    old = make(qtbot, context(screening(NOW.date() - timedelta(days=120))))
    answer_all(qtbot, old)
    assert old.reason.text().startswith("P-SCR-1: The screening is older")
    assert "120 days old (valid 90 days)" in old.screening_line.text()


def test_a_wounded_site_is_unavailable_with_s_limb_1_and_the_others_can_start(qtbot):
    w = make(qtbot, context(screening(wound_sites=["right_leg"])))
    box = w.in_use[Site.RIGHT_LEG]
    assert not box.isEnabled()
    assert w.site_notes[Site.RIGHT_LEG].text().startswith("S-LIMB-1: Right leg: wound")
    answer_all(qtbot, w, sites=(Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG))
    assert w.start.isEnabled(), w.reason.text()
    requests: list[StartRequest] = []
    w.start_requested.connect(requests.append)
    w.start.click()
    assert 3 not in requests[0].sites and requests[0].blocked_sites == (Site.RIGHT_LEG,)


def test_constant_mode_is_refused_for_a_new_user_with_t_mode_1(qtbot):
    w = make(qtbot, context())
    answer_all(qtbot, w)
    constant = next(
        i
        for i, p in enumerate(w.protocol.presets)
        if p.mode is ProtocolMode.CONSTANT and p.unit is Unit.MMHG
    )
    w.protocol.combo.setCurrentIndex(constant)
    assert not w.start.isEnabled()
    assert w.protocol.refusal.text().startswith("T-MODE-1: Constant mode is refused")
    assert w.reason.text().startswith("T-MODE-1")
    w.protocol.combo.setCurrentIndex(0)
    w.protocol.level.set_value("high")
    assert w.reason.text().startswith("T-MODE-1: Only low pressure is allowed")
    w.protocol.level.set_value("low")
    w.protocol.sets.setValue(3)
    assert w.reason.text().startswith("T-SETS-1")


def test_without_a_cuff_start_waits_and_a_cuff_in_another_unit_picks_its_presets(qtbot):
    w = make(qtbot, context(), cuff=None)
    answer_all(qtbot, w)
    assert w.reason.text() == "Connect a cuff first."
    sku = CuffSummary("C6:C6:5A:00:00:03", "KC-2S Demo", Unit.SKU, FOUR[:2], 60, True)
    w.set_cuff(sku)
    assert not w.in_use[Site.LEFT_LEG].isEnabled()  # the cuff has no leg channel
    assert "no channel of this cuff" in w.site_notes[Site.LEFT_LEG].text()
    assert w.protocol.preset().unit is Unit.SKU  # pressures are never converted


def test_a_recent_session_is_a_caution_only_p_gap_1(qtbot):
    w = make(
        qtbot,
        context(
            completed_sessions=2,
            explanation_recorded_before=True,
            last_session_ended_at=NOW - timedelta(hours=2),
        ),
    )
    assert not w.explained.isVisibleTo(w)  # P-EXPL-1 recorded at an earlier session
    answer_all(qtbot, w)
    assert w.start.isEnabled()
    texts = [w.results.item(i).text() for i in range(w.results.count())]
    assert any(t.startswith("⚠  P-GAP-1") for t in texts)


def test_context_from_services_reads_screening_history_and_settings(services: Services):
    patient = add_patient(services)
    services.screenings.save(patient.id, {
        "format": "kaatsu-screening/1", "assessed_on": "2026-03-01", "sex": "female",
        "date_of_birth": "1970-05-01", "height_cm": 165, "weight_kg": 60, "systolic_mmhg": 120,
        "diastolic_mmhg": 75, "under_treatment_for": [], "symptoms": [], "history": [],
        "family_history_premature_cardiac_event": False, "ecg_findings": [],
        "acute_conditions": [], "pregnancy": "no", "thrombosis_factors": [],
        "last_surgery_on": None, "wound_sites": ["left_arm"], "lower_limb_joint_damage": False,
    })  # fmt: skip
    ctx = context_from_services(services, patient.id, NOW)
    assert ctx.patient_label == "Berg, Hanna (KC-0001)"
    assert ctx.screening is not None and ctx.screening_age_days == 1
    assert ctx.blocked_sites == frozenset({Site.LEFT_ARM})
    assert ctx.completed_sessions == 0 and ctx.last_session_ended_at is None
    assert ctx.settings == services.settings.current()


def test_a_band_fit_not_checked_names_its_site(qtbot):
    w = make(qtbot, context())
    answer_all(qtbot, w)
    w.fit[Site.RIGHT_LEG].setChecked(False)
    assert w.reason.text().startswith("P-FIT-1:") and w.reason.text().endswith("(Right leg)")
    w.fit[Site.RIGHT_LEG].setChecked(True)
    assert w.start.isEnabled()
