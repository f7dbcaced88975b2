import pytest
from django.core.management import call_command

from onewindow.identity.models import Account, Organisation, Role, RoleAssignment
from onewindow.web import demo

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_and_idempotent(now, capsys):
    demo.load_identity(now=now)
    demo.load_identity(now=now)
    usernames = set(Account.objects.values_list("username", flat=True))
    assert {"citizen1", "agent1", "clerk1", "handler1", "chief1", "supervisor1",
            "catalogadmin1", "admin"} <= usernames
    assert Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).count() >= 5
    assert not Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT,
                                           credit_code__isnull=True).exists()
    assert Organisation.objects.filter(kind=Organisation.Kind.TOWN_CENTRE).count() == 1
    centre = Organisation.objects.get(kind=Organisation.Kind.SERVICE_CENTRE)
    assert centre.windows.count() >= 3
    assert RoleAssignment.objects.filter(account__username="clerk1",
                                         role=Role.WINDOW_CLERK, organisation=centre).exists()
    assert Account.objects.get(username="agent1").authorizations.count() == 1
    assert Account.objects.get(username="citizen1").check_password(demo.DEMO_PASSWORD)


def test_demo_items_and_licences_are_ready_to_use_and_idempotent(now):
    from onewindow.catalog import selectors as catalog
    from onewindow.licences.demo import seed_demo_licences
    from onewindow.licences.models import Licence
    from onewindow.web import demo_items

    demo.load_identity(now=now)
    first = demo_items.load_demo_items(now=now)
    again = demo_items.load_demo_items(now=now)
    assert len(first) == 5 and [i.pk for i in first] == [i.pk for i in again]
    # Every demo item is published and its guide can be read by a citizen.
    guides = [catalog.guide(code=implementation.code) for implementation in first]
    assert all(g.accepting for g in guides)
    assert "食品经营许可（新办）" in {g.name for g in guides}
    licences = seed_demo_licences(now=now)
    assert len(licences) == 2
    assert len(seed_demo_licences(now=now)) == 2
    assert Licence.objects.count() == 2


def test_demo_command_prints_the_accounts(capsys):
    call_command("demo", "--no-catalog")
    out = capsys.readouterr().out
    for username in ("citizen1", "agent1", "clerk1", "handler1", "chief1", "supervisor1",
                     "catalogadmin1", "admin"):
        assert username in out
    assert demo.DEMO_PASSWORD in out


def test_the_flagship_guide_offers_its_blank_form_and_legal_basis(client, now, settings,
                                                                 tmp_path):
    from urllib.parse import unquote

    from django.urls import reverse

    from onewindow.catalog.models import Implementation
    from onewindow.web import demo_items

    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load_identity(now=now)
    demo_items.load_demo_items(now=now)
    flagship = Implementation.objects.get(current_version__name="食品经营许可（新办）")
    body = client.get(reverse("web:item-guide", args=[flagship.code])).content.decode()
    assert "国家对食品生产经营实行许可制度" in body  # 设定依据
    assert "食品经营许可和备案管理办法" in body  # 实施依据
    link = body.split('" download>空白表格')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "食品经营许可申请书-空白表格.pdf" in unquote(response["Content-Disposition"])
