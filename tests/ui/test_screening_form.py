"""Screening form and verdict panel: live verdict, not assessed, errors at the field, saving."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, Patient, list_audit, list_screenings
from tests.ui.conftest import add_patient
from ui.screening.page import CHECK_DEBOUNCE_MS, ScreeningPage
from ui.theme import VERDICT_SWATCHES

VITALS = {"height_cm": "170", "weight_kg": "65", "systolic_mmhg": "128", "diastolic_mmhg": "82"}


@pytest.fixture
def patient(services: Services) -> Patient:
    return add_patient(services, sex="male", date_of_birth="1980-04-02")


@pytest.fixture
def page(qtbot, services: Services, patient: Patient) -> ScreeningPage:
    widget = ScreeningPage(services.screenings)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.start(patient)
    return widget


def _type(qtbot, page: ScreeningPage, **values: str) -> None:
    for key, text in values.items():
        field = page.form.numbers[key]
        field.clear()
        qtbot.keyClicks(field, text)


def _settled(qtbot, page: ScreeningPage) -> None:
    qtbot.waitUntil(lambda: not page._debounce.isActive(), timeout=CHECK_DEBOUNCE_MS * 10)


def test_empty_form_waits_and_defaults_nothing_to_normal(page: ScreeningPage) -> None:
    assert page.panel.badge.verdict == "none"
    data = page.form.form_data().data
    for key in ("height_cm", "systolic_mmhg", "fasting_glucose_mg_dl", "urinary_ketones_positive",
                "fundus_hypertensive_grade"):  # fmt: skip
        assert key not in data
    assert page.last_check.missing[:1] == ("height_cm",)


def test_contraindication_shows_red_badge_with_words_and_rule(qtbot, page: ScreeningPage) -> None:
    _type(qtbot, page, **{**VITALS, "systolic_mmhg": "185"})
    _settled(qtbot, page)
    badge = page.panel.badge
    assert badge.objectName() == "verdictBadge"
    assert badge.verdict == "contraindicated"
    assert badge.text() == "Contraindicated"
    assert "contraindicated" in badge.accessibleName().lower()
    assert page.panel.rule_ids()[0] == "S-BP-3"
    image = badge.grab().toImage()
    colour = image.pixelColor(6, image.height() // 2)
    expected = QColor(VERDICT_SWATCHES["contraindicated"].background)
    assert abs(colour.red() - expected.red()) < 12 and abs(colour.green() - expected.green()) < 12


def test_verdict_follows_the_fields_as_they_change(qtbot, page: ScreeningPage) -> None:
    _type(qtbot, page, **VITALS)
    _settled(qtbot, page)
    assert page.panel.badge.verdict == "clear"
    _type(qtbot, page, systolic_mmhg="165")
    _settled(qtbot, page)
    assert page.panel.badge.verdict == "clearance" and "S-BP-2" in page.panel.rule_ids()
    page.form.lists["acute_conditions"].boxes["infection"].setChecked(True)
    _settled(qtbot, page)
    assert page.panel.rule_ids()[0] == "S-ABS-3"
    assert page.panel.rule_ids().index("S-ABS-3") < page.panel.rule_ids().index("S-BP-2")


def test_missing_optional_value_listed_as_not_assessed(qtbot, page: ScreeningPage) -> None:
    _type(qtbot, page, **VITALS)
    _settled(qtbot, page)
    assert "S-DM-1" in page.panel.not_assessed_ids()
    assert any(t.startswith("S-DM-1") for t in page.panel.texts())
    _type(qtbot, page, fasting_glucose_mg_dl="95")
    _settled(qtbot, page)
    assert "S-DM-1" not in page.panel.not_assessed_ids()
    assert page.panel.badge.verdict == "clear"


def test_input_errors_at_the_field_keep_what_was_typed(qtbot, page: ScreeningPage) -> None:
    _type(qtbot, page, **{**VITALS, "weight_kg": "6S"})
    _settled(qtbot, page)
    assert page.form.numbers["weight_kg"].text() == "6S"
    assert "number" in page.form.fieldset.shown("weight_kg")
    assert page.form.numbers["weight_kg"].property("error") is True
    assert page.panel.badge.verdict == "none"
    _type(qtbot, page, weight_kg="65", diastolic_mmhg="130")  # not below systolic 128
    _settled(qtbot, page)
    assert page.form.fieldset.shown("weight_kg") is None
    assert "systolic" in page.form.fieldset.shown("diastolic_mmhg")
    assert page.form.numbers["diastolic_mmhg"].text() == "130"
    _type(qtbot, page, systolic_mmhg="128.5")
    _settled(qtbot, page)
    assert "whole number" in page.form.fieldset.shown("systolic_mmhg")


def test_refused_save_marks_required_fields_and_stores_nothing(
    qtbot, page: ScreeningPage, db: Database, patient: Patient
) -> None:
    _type(qtbot, page, height_cm="170", fasting_glucose_mg_dl="101")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.form.fieldset.shown("weight_kg") is not None
    assert page.form.fieldset.shown("height_cm") is None
    assert page.form.numbers["fasting_glucose_mg_dl"].text() == "101"
    assert page.message.isVisible()
    assert list_screenings(db, patient.id) == []


def test_saving_twice_keeps_two_screenings(
    qtbot, page: ScreeningPage, db: Database, patient: Patient
) -> None:
    assert page.save_button.objectName() == "saveScreeningButton"
    assert page.save_button.accessibleName()
    _type(qtbot, page, **{**VITALS, "systolic_mmhg": "150"})
    with qtbot.waitSignal(page.saved, timeout=1000) as first:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _type(qtbot, page, systolic_mmhg="138")
    with qtbot.waitSignal(page.saved, timeout=1000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    stored = list_screenings(db, patient.id)
    assert len(stored) == 2
    assert {s.verdict for s in stored} == {"caution", "clear"}
    assert first.args[0].record.input["systolic_mmhg"] == 150
    assert "fasting_glucose_mg_dl" not in stored[0].input  # not measured stays absent
    assert len(list_audit(db, entity="screening")) == 2


def test_body_diagram_click_blocks_that_band(qtbot, page: ScreeningPage) -> None:
    _type(qtbot, page, **VITALS)
    body = page.form.body
    page.scroll.ensureWidgetVisible(body)
    qtbot.mouseClick(body, Qt.MouseButton.LeftButton, pos=body.site_centre("left_leg").toPoint())
    assert body.sites() == {"left_leg"}
    _settled(qtbot, page)
    assert "S-LIMB-1" in page.panel.rule_ids()
    assert any("Left leg" in t for t in page.panel.texts())
    body.setFocus()
    qtbot.keyClick(body, Qt.Key.Key_Left)  # from the clicked left leg to the right leg
    qtbot.keyClick(body, Qt.Key.Key_Space)
    assert body.sites() == {"left_leg", "right_leg"}
    qtbot.keyClick(body, Qt.Key.Key_Space)
    assert body.sites() == {"left_leg"}


def test_pregnancy_must_be_answered_for_a_woman(
    qtbot, services: Services, page: ScreeningPage
) -> None:
    assert not page.form.pregnancy.isEnabled()  # a man: answered "no" for him
    woman = add_patient(services, clinic_id="KC-0002", sex="female")
    page.start(woman)
    _type(qtbot, page, **VITALS)
    _settled(qtbot, page)
    assert page.form.pregnancy.isEnabled() and page.last_check.missing == ("pregnancy",)
    page.form.pregnancy.set_value("late")
    _settled(qtbot, page)
    assert page.panel.badge.verdict == "contraindicated"
    assert page.panel.rule_ids()[0] == "S-REL-2"
