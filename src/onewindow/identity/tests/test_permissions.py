import pytest

from onewindow.identity import permissions
from onewindow.identity.models import Organisation, Role

from .factories import CentreFactory, CitizenFactory, OrganisationFactory, StaffFactory, grant

pytestmark = pytest.mark.django_db

permissions.register_actions({"tests.accept_case": {Role.WINDOW_CLERK}})


@pytest.fixture
def tree():
    city = OrganisationFactory(name="市政府", kind=Organisation.Kind.GOVERNMENT)
    centre_a = CentreFactory(name="A 中心", parent=city)
    centre_b = CentreFactory(name="B 中心", parent=city)
    town = CentreFactory(name="A 下属镇中心", parent=centre_a, kind=Organisation.Kind.TOWN_CENTRE,
                         level=5)
    return city, centre_a, centre_b, town


def test_clerk_of_centre_a_may_act_in_a_and_below_but_not_in_b(tree):
    city, centre_a, centre_b, town = tree
    clerk = StaffFactory()
    grant(clerk, Role.WINDOW_CLERK, centre_a)
    assert permissions.can(clerk, "tests.accept_case", centre_a)
    assert permissions.can(clerk, "tests.accept_case", town)
    assert not permissions.can(clerk, "tests.accept_case", centre_b)
    assert not permissions.can(clerk, "tests.accept_case", city)


def test_role_without_the_action_grants_nothing(tree):
    _, centre_a, _, _ = tree
    supervisor = StaffFactory()
    grant(supervisor, Role.SUPERVISOR, centre_a)
    assert not permissions.can(supervisor, "tests.accept_case", centre_a)


def test_queryset_twin_filters_the_same_way(tree):
    _, centre_a, _, _ = tree
    clerk = StaffFactory()
    grant(clerk, Role.WINDOW_CLERK, centre_a)
    # Organisations whose parent is in the clerk's scope: only the town centre under A.
    visible = Organisation.objects.filter(
        permissions.scope_q(clerk, "tests.accept_case", field="parent")
    )
    assert set(visible.values_list("name", flat=True)) == {"A 下属镇中心"}


def test_empty_scope_matches_nothing(tree):
    nobody = StaffFactory()
    assert list(Organisation.objects.filter(permissions.scope_q(nobody, "tests.accept_case"))) == []


def test_inactive_and_anonymous_actors_may_do_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    _, centre_a, _, _ = tree
    clerk = StaffFactory(is_active=False)
    grant(clerk, Role.WINDOW_CLERK, centre_a)
    assert not permissions.can(clerk, "tests.accept_case", centre_a)
    assert not permissions.can(AnonymousUser(), "tests.accept_case", centre_a)


def test_unregistered_action_is_a_programming_error(tree):
    with pytest.raises(ValueError, match="never registered"):
        permissions.can(StaffFactory(), "tests.unknown", tree[1])


def test_agent_may_act_only_for_authorised_enterprises(now):
    from onewindow.identity import services
    from onewindow.identity.models import Account

    from .factories import LegalPersonFactory

    agent = CitizenFactory(kind=Account.Kind.AGENT)
    mine, other = LegalPersonFactory(), LegalPersonFactory()
    services.authorization_grant(actor=None, account=agent, legal_person=mine, now=now)
    assert permissions.can_act_for(agent, mine)
    assert not permissions.can_act_for(agent, other)
