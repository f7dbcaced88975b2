import logging

import pytest

from onewindow.common.redaction import mask_id_number, mask_phone, redact_text
from onewindow.identity import selectors
from onewindow.identity.models import Role

from .factories import CentreFactory, CitizenFactory, StaffFactory, grant


def test_mask_shapes_follow_ui_conventions():
    assert mask_id_number("11010119900307123X") == "1101**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


def test_free_text_is_redacted():
    text = "申请人 11010119900307123X 电话 13812345678 已受理"
    assert redact_text(text) == "申请人 1101**********123X 电话 138****5678 已受理"


def test_log_lines_never_carry_personal_data_in_clear(caplog):
    from onewindow.common.logging import PersonalDataFilter

    logger = logging.getLogger("onewindow.test")
    handler_filter = PersonalDataFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("lookup %s failed", "11010119900307123X")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "11010119900307123X" not in caplog.text
    assert "1101**********123X" in caplog.text


@pytest.mark.django_db
class TestWhoSeesWhat:
    def test_person_sees_own_data_in_clear(self):
        citizen = CitizenFactory()
        view = selectors.person_view(viewer=citizen, person=citizen.person)
        assert view.id_number == citizen.person.id_number
        assert not view.masked

    def test_other_citizen_sees_masked(self):
        citizen, other = CitizenFactory(), CitizenFactory()
        view = selectors.person_view(viewer=other, person=citizen.person)
        assert view.masked
        assert view.id_number == mask_id_number(citizen.person.id_number)
        assert view.phone == mask_phone(citizen.person.phone)

    def test_window_clerk_sees_clear_supervisor_sees_masked(self):
        citizen = CitizenFactory()
        centre = CentreFactory()
        clerk, supervisor = StaffFactory(), StaffFactory()
        grant(clerk, Role.WINDOW_CLERK, centre)
        grant(supervisor, Role.SUPERVISOR, centre)
        assert not selectors.person_view(viewer=clerk, person=citizen.person).masked
        assert selectors.person_view(viewer=supervisor, person=citizen.person).masked
