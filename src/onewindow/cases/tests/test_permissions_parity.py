"""Every object rule of cases and its queryset twin agree (DESIGN rule 6): a case a person
can open is a case their lists show, and the other way round — for applicants, agents
whose authorisation is in force, expired or revoked, clerks, back office, route
participants of another department, supervisors, and the other city's staff."""

import datetime as dt

import pytest

from onewindow.cases import permissions as perms
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.identity.models import Account, AgentAuthorization, Role
from onewindow.identity.tests.factories import (
    CitizenFactory,
    NaturalPersonFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)
from onewindow.testing import assert_parity
from onewindow.testing.world import build_world

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(now):
    world = build_world(now=now)
    expired = CitizenFactory(kind=Account.Kind.AGENT, person=NaturalPersonFactory())
    AgentAuthorization.objects.create(account=expired, legal_person=world.enterprise,
                                      granted_at=now - dt.timedelta(days=400),
                                      valid_until=now.date() - dt.timedelta(days=1))
    revoked = CitizenFactory(kind=Account.Kind.AGENT, person=NaturalPersonFactory())
    AgentAuthorization.objects.create(account=revoked, legal_person=world.enterprise,
                                      granted_at=now - dt.timedelta(days=30), revoked_at=now)
    joint_dept = OrganisationFactory(parent=world.city, name="测试市卫生健康委员会")
    joint_handler = StaffFactory(organisation=joint_dept, display_name="联审承办人")
    grant(joint_handler, Role.HANDLER, joint_dept)

    cases = {
        "citizen draft": services.case_draft_save(
            actor=world.citizen, implementation_code=world.item.code, now=now),
        "citizen submitted": submit_online(world, now),
        "enterprise submitted": submit_online(world, now, actor=world.agent,
                                              legal=world.enterprise),
        "walk-in": walk_in(world, now),
    }
    reviewed = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=reviewed, now=now)
    cases["in review"] = Case.objects.get(pk=reviewed.pk)
    actors = {
        "citizen": world.citizen, "agent in force": world.agent, "agent expired": expired,
        "agent revoked": revoked, "clerk": world.clerk, "other city clerk": world.other_clerk,
        "handler": world.handler, "chief": world.chief, "supervisor": world.supervisor,
        "joint handler": joint_handler,
    }
    return world, actors, cases


def test_view_rule_and_visible_lists_agree(scene):
    _world, actors, cases = scene
    assert_parity(can=lambda a, c: perms.can_view_case(actor=a, case=c), q=perms.visible_q,
                  queryset=Case.objects.all(), actors=actors, objects=cases)


def test_applicant_rule_and_applicant_lists_agree(scene):
    _world, actors, cases = scene
    assert_parity(can=lambda a, c: perms.is_applicant(actor=a, case=c), q=perms.applicant_q,
                  queryset=Case.objects.exclude(status="DRAFT"), actors=actors,
                  objects={k: c for k, c in cases.items() if c.status != "DRAFT"})


@pytest.mark.parametrize(("can", "q"), [
    (perms.can_accept_case, lambda a: perms.staff_q(a, perms.ACCEPT_CASE)),
    (perms.can_approve_extension, perms.approve_extension_q),
    (perms.can_deliver_result, perms.deliver_q),
])
def test_staff_rules_and_their_lists_agree(scene, can, q):
    _world, actors, cases = scene
    assert_parity(can=lambda a, c: can(actor=a, case=c), q=q, queryset=Case.objects.all(),
                  actors=actors, objects=cases)


def test_an_expired_or_revoked_authorisation_opens_nothing_of_the_enterprise(scene):
    _world, actors, cases = scene
    enterprise_case = cases["enterprise submitted"]
    assert perms.can_view_case(actor=actors["agent in force"], case=enterprise_case)
    for name in ("agent expired", "agent revoked"):
        assert not perms.can_view_case(actor=actors[name], case=enterprise_case)
        assert not Case.objects.filter(perms.visible_q(actors[name])).exists()


def test_a_joint_review_participant_finds_in_lists_the_case_it_may_open(scene, now):
    _world, actors, cases = scene
    case = cases["in review"]
    from onewindow.workflow.models import WorkItem

    step = WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk)).first()
    WorkItem.objects.filter(pk=step.pk).update(
        organisation=actors["joint handler"].organisation)
    assert perms.can_view_case(actor=actors["joint handler"], case=case)
    assert list(Case.objects.filter(perms.visible_q(actors["joint handler"]))) == [case]


def test_an_expired_authorisation_cannot_start_or_withdraw_for_the_enterprise(scene, now):
    from onewindow.cases.errors import CaseInvalid, CaseNotFound

    world, actors, cases = scene
    with pytest.raises(CaseInvalid) as exc:
        services.case_draft_save(actor=actors["agent expired"],
                                 implementation_code=world.item.code,
                                 applicant_legal=world.enterprise, now=now)
    assert exc.value.code == "cases.invalid"
    with pytest.raises(CaseNotFound):
        services.case_withdraw(actor=actors["agent expired"],
                               case=cases["enterprise submitted"], reason="不办了", now=now)
    assert Case.objects.get(pk=cases["enterprise submitted"].pk).status == "SUBMITTED"


def test_an_expired_authorisation_can_be_renewed(scene, now):
    from onewindow.identity import services as identity_services
    from onewindow.identity.permissions import can_act_for

    world, actors, cases = scene
    agent = actors["agent expired"]
    assert not can_act_for(agent, world.enterprise)
    renewed = identity_services.authorization_grant(
        actor=None, account=agent, legal_person=world.enterprise,
        valid_until=now.date() + dt.timedelta(days=365), now=now)
    assert can_act_for(agent, world.enterprise)
    assert perms.can_view_case(actor=agent, case=cases["enterprise submitted"])
    # The lapsed grant stays in the record, ended; one grant is in force.
    grants = AgentAuthorization.objects.filter(account=agent, legal_person=world.enterprise)
    assert grants.count() == 2 and grants.filter(revoked_at__isnull=True).get() == renewed
