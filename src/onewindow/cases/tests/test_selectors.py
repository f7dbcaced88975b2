import datetime as dt

import pytest

from onewindow.cases import selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseNotFound, NoReceivingCentre
from onewindow.identity.tests.factories import CentreFactory, OrganisationFactory

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def test_receiving_centre_is_the_centre_of_the_nearest_ancestor(world):
    assert selectors.receiving_centre_for(organisation=world.dept) == world.centre
    district = OrganisationFactory(parent=world.city, kind="GOVERNMENT", credit_code=None,
                                   level=4)
    bureau = OrganisationFactory(parent=district, level=4)
    # No centre under the district yet: the city's centre receives.
    assert selectors.receiving_centre_for(organisation=bureau) == world.centre
    district_centre = CentreFactory(parent=district, level=4)
    assert selectors.receiving_centre_for(organisation=bureau) == district_centre
    assert selectors.receiving_centre_for(organisation=world.centre) == world.centre
    with pytest.raises(NoReceivingCentre):
        selectors.receiving_centre_for(organisation=OrganisationFactory())


def test_centre_for_clerk(world):
    assert selectors.centre_for_clerk(actor=world.clerk) == world.centre
    assert selectors.centre_for_clerk(actor=world.handler) is None


def test_front_desk_queue_oldest_first_with_filters_and_keyset_pages(world, now):
    cases = [submit_online(world, now + dt.timedelta(minutes=i)) for i in range(5)]
    instant = submit_online(world, now + dt.timedelta(minutes=10), item=world.instant_item)
    services.case_accept(actor=world.clerk, case=cases[1], now=now)
    page = selectors.front_desk_queue(actor=world.clerk, today=TODAY, limit=3)
    assert [r.number for r in page.items] == [cases[0].number, cases[2].number, cases[3].number]
    assert page.next_cursor
    rest = selectors.front_desk_queue(actor=world.clerk, today=TODAY, cursor=page.next_cursor,
                                      limit=3)
    assert [r.number for r in rest.items] == [cases[4].number, instant.number]
    assert rest.next_cursor is None
    row = page.items[0]
    assert row.clock.received_date == TODAY and row.clock.acceptance_due_date == dt.date(
        2026, 11, 30)
    assert row.clock.state == "NORMAL" and row.clock.working_days_left == 5
    only_instant = selectors.front_desk_queue(
        actor=world.clerk, today=TODAY,
        filters=selectors.CaseFilters(implementation_code=world.instant_item.code))
    assert [r.number for r in only_instant.items] == [instant.number]
    accepted = selectors.front_desk_queue(
        actor=world.clerk, today=TODAY,
        filters=selectors.CaseFilters(statuses=(CaseStatus.IN_REVIEW,)))
    assert [r.number for r in accepted.items] == [cases[1].number]
    window = selectors.front_desk_queue(
        actor=world.clerk, today=TODAY,
        filters=selectors.CaseFilters(received_after=now + dt.timedelta(minutes=3),
                                      received_before=now + dt.timedelta(minutes=5)))
    assert [r.number for r in window.items] == [cases[3].number, cases[4].number]
    # Another centre's clerk sees none of them; a handler has no front desk.
    assert selectors.front_desk_queue(actor=world.other_clerk, today=TODAY).items == []
    assert selectors.front_desk_queue(actor=world.handler, today=TODAY).items == []


def test_queue_and_my_cases_use_a_constant_number_of_queries(world, now,
                                                             django_assert_max_num_queries):
    for i in range(12):
        submit_online(world, now + dt.timedelta(minutes=i))
    walk_in(world, now)
    with django_assert_max_num_queries(4):
        page = selectors.front_desk_queue(actor=world.clerk, today=TODAY, limit=50)
        assert len(page.items) == 13
        [row.applicant_name + row.item_name + row.centre_name for row in page.items]
    with django_assert_max_num_queries(4):
        page = selectors.my_cases(actor=world.citizen, today=TODAY)
        assert len(page.items) == 12
        [row.item_name + row.organisation_name for row in page.items]
    with django_assert_max_num_queries(4):
        page = selectors.staff_case_list(actor=world.handler, today=TODAY)
        assert len(page.items) == 13


def test_my_cases_covers_person_account_and_enterprise(world, now):
    own = submit_online(world, now)
    for_enterprise = submit_online(world, now, actor=world.agent, legal=world.enterprise)
    at_window = walk_in(world, now, id_number=world.citizen.person.id_number,
                        name=world.citizen.person.name)
    mine = selectors.my_cases(actor=world.citizen, today=TODAY, include_drafts=False)
    assert {r.number for r in mine.items} == {own.number, at_window.number}
    theirs = selectors.my_cases(actor=world.agent, today=TODAY)
    assert [r.number for r in theirs.items] == [for_enterprise.number]


def test_applicant_data_is_masked_unless_the_viewer_may_see_it(world, now):
    case = submit_online(world, now)
    person = world.citizen.person
    clear = selectors.applicant_view(viewer=world.clerk, case=case)
    assert clear.id_number == person.id_number and not clear.masked
    own = selectors.applicant_view(viewer=world.citizen, case=case)
    assert own.id_number == person.id_number
    masked = selectors.applicant_view(viewer=world.supervisor, case=case)
    assert masked.masked and masked.id_number != person.id_number
    assert masked.id_number.startswith(person.id_number[:4]) and "*" in masked.id_number
    assert "*" in masked.phone


def test_a_visitor_or_a_disabled_clerk_sees_the_applicant_masked(world, now):
    from django.contrib.auth.models import AnonymousUser

    case = submit_online(world, now)
    person = world.citizen.person
    visitor = selectors.applicant_view(viewer=AnonymousUser(), case=case)
    assert visitor.masked and visitor.id_number != person.id_number
    world.clerk.is_active = False
    disabled = selectors.applicant_view(viewer=world.clerk, case=case)
    assert disabled.masked and disabled.phone != person.phone


def test_public_progress_shows_status_only(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    progress = selectors.public_progress(number=case.number.lower(), query_code=case.query_code)
    assert progress.status == CaseStatus.IN_REVIEW and progress.status_label == "审查中"
    assert [label for label, _ in progress.steps] == ["提交申请", "受理"]
    text = repr(progress)
    person = world.citizen.person
    for secret in (person.name, person.id_number, person.phone, "张三"):
        assert secret not in text
    with pytest.raises(CaseNotFound):
        selectors.public_progress(number=case.number, query_code="WRONG123")
    with pytest.raises(CaseNotFound):
        selectors.public_progress(number="nope", query_code=case.query_code)


def test_expected_of_applicant_and_allowed_actions(world, now):
    case = submit_online(world, now)
    expected = selectors.expected_of_applicant(case=case)
    assert not expected.action_needed and expected.due_date == dt.date(2026, 11, 30)
    desk = selectors.allowed_actions(actor=world.clerk, case=case)
    assert {"case_accept", "case_reject", "case_request_correction", "case_withdraw"} <= set(desk)
    assert "case_decide_instant" not in desk
    assert selectors.allowed_actions(actor=world.citizen, case=case) == [
        "case_withdraw", "case_delivery_choose"]
    assert selectors.allowed_actions(actor=world.handler, case=case) == []
