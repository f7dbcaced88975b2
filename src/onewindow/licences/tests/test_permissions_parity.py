"""Licence rules and their list twins agree: a holder's wallet lists exactly the licences
they hold (also through an enterprise, while the authorisation is in force), and the
staff licence list exactly those a staff member may annotate or revoke."""

import datetime as dt

import pytest

from onewindow.identity.models import Account, AgentAuthorization
from onewindow.identity.tests.factories import (
    CitizenFactory,
    LegalPersonFactory,
    NaturalPersonFactory,
    OrganisationFactory,
    StaffFactory,
)
from onewindow.licences import permissions as perms
from onewindow.licences import selectors
from onewindow.licences.errors import LicenceNotFound
from onewindow.licences.models import Licence
from onewindow.testing import assert_parity

from .factories import issue_to_citizen, issue_to_enterprise, make_world

pytestmark = pytest.mark.django_db


def test_holder_rule_and_wallet_agree(now):
    world = make_world(now)
    enterprise = LegalPersonFactory()
    licences = {"citizen's": issue_to_citizen(world, now),
                "enterprise's": issue_to_enterprise(world, now, legal=enterprise),
                "someone else's": issue_to_enterprise(world, now)}
    agents = {}
    for name, valid_until, revoked_at in (("in force", None, None),
                                          ("expired", now.date() - dt.timedelta(days=1), None),
                                          ("revoked", None, now)):
        agent = CitizenFactory(kind=Account.Kind.AGENT, person=NaturalPersonFactory())
        AgentAuthorization.objects.create(account=agent, legal_person=enterprise,
                                          granted_at=now - dt.timedelta(days=10),
                                          valid_until=valid_until, revoked_at=revoked_at)
        agents[f"agent {name}"] = agent
    actors = {"citizen": world.citizen, "stranger": CitizenFactory(), **agents}
    today = now.date()
    assert_parity(can=lambda a, lic: perms.is_holder(a, lic, today=today),
                  q=lambda a: perms.holder_q(a, today=today), queryset=Licence.objects.all(),
                  actors=actors, objects=licences)
    in_force = perms.holder_q(agents["agent in force"], today=today)
    assert list(Licence.objects.filter(in_force)) == [licences["enterprise's"]]


def test_staff_rules_and_staff_list_agree(now):
    world = make_world(now)
    licences = {"citizen's": issue_to_citizen(world, now),
                "enterprise's": issue_to_enterprise(world, now)}
    outsider = StaffFactory(organisation=OrganisationFactory(name="外局"))
    actors = {"chief": world.chief, "handler": world.handler, "clerk": world.clerk,
              "outsider": outsider}
    assert_parity(
        can=lambda a, lic: (perms.can_annotate_licence(actor=a, licence=lic)
                            or perms.can_revoke_licence(actor=a, licence=lic)),
        q=perms.staff_licences_q, queryset=Licence.objects.all(), actors=actors,
        objects=licences)


def test_who_may_open_a_licence_and_access_licence_agree(now):
    """``can_view_licence`` and ``visible_q`` agree, and ``access_licence`` answers with
    the licence exactly where they allow it, ``LicenceNotFound`` everywhere else."""
    world = make_world(now)
    licences = {"citizen's": issue_to_citizen(world, now),
                "enterprise's": issue_to_enterprise(world, now)}
    actors = {"holder": world.citizen, "stranger": CitizenFactory(), "chief": world.chief,
              "clerk": world.clerk,
              "outsider": StaffFactory(organisation=OrganisationFactory(name="外局"))}
    today = now.date()
    assert_parity(can=lambda a, lic: perms.can_view_licence(actor=a, licence=lic, today=today),
                  q=lambda a: perms.visible_q(a, today=today), queryset=Licence.objects.all(),
                  actors=actors, objects=licences)
    for actor in actors.values():
        for licence in licences.values():
            if perms.can_view_licence(actor=actor, licence=licence, today=today):
                assert selectors.access_licence(actor=actor, identifier=licence.identifier,
                                                today=today) == licence
            else:
                with pytest.raises(LicenceNotFound):
                    selectors.access_licence(actor=actor, identifier=licence.identifier,
                                             today=today)
    with pytest.raises(LicenceNotFound):
        selectors.access_licence(actor=world.chief, identifier="not-an-identifier", today=today)
