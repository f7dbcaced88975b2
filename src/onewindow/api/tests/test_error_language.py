"""An API error speaks the reader's language (Accept-Language), Chinese by default; its
code stays the same, so clients keep relying on it (ADR 0015)."""

import re

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalog/items"


def test_a_refused_filter_answers_in_english_with_the_same_code(client):
    chinese = client.get(URL, {"limit": "1000"})
    english = client.get(URL, {"limit": "1000"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert chinese.status_code == english.status_code == 422
    assert chinese.json() == {
        "code": "catalog.invalid-filter",
        "message": "每页条数（limit）应为 1 到 100 之间的整数。",
        "details": {"limit": "每页条数（limit）应为 1 到 100 之间的整数。"},
    }
    assert english.json() == {
        "code": "catalog.invalid-filter",
        "message": "limit should be a whole number from 1 to 100.",
        "details": {"limit": "limit should be a whole number from 1 to 100."},
    }


def test_a_language_the_site_does_not_offer_gets_chinese(client):
    response = client.get(URL, {"limit": "1000"}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.json()["message"] == "每页条数（limit）应为 1 到 100 之间的整数。"


# --- messages the codemod check did not see before (review of issue 13, item 2) ---------


def _bearer(account, now) -> dict:
    from onewindow.identity.services import token_issue

    return {"Authorization": f"Bearer {token_issue(actor=account, now=now).secret}",
            "Accept-Language": "en"}


@pytest.fixture
def world(now):
    from onewindow.testing.world import build_world

    return build_world(now=now)


def test_a_required_reason_names_its_label_in_english(client, world, now):
    from onewindow.cases import services
    from onewindow.cases.tests.factories import submit_online
    from onewindow.workflow.models import WorkItem

    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    task = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                status="READY")
    response = client.post(f"/api/v1/cases/tasks/{task.pk}/return", {"reason": " "},
                           content_type="application/json", headers=_bearer(world.handler, now))
    assert response.status_code == 422
    assert response.json()["message"] == "Enter: Reason for sending back."
    assert response.json()["details"] == {"reason": "Enter: Reason for sending back."}


def test_a_refused_tolerance_names_the_material_in_english(client, world, now):
    from onewindow.cases.tests.factories import walk_in

    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照"))
    rules = case.materials.get(name="食品安全管理制度")
    assert not rules.tolerance_allowed
    response = client.post(f"/api/v1/cases/{case.number}/accept", {"tolerated": [rules.pk]},
                           content_type="application/json", headers=_bearer(world.clerk, now))
    assert response.status_code == 422
    assert response.json()["details"]["tolerated"] == {
        str(rules.pk): "“食品安全管理制度” is not among the materials that may be supplied later."}


def test_an_id_number_problem_reads_english_on_the_walk_in_page(client, world):
    from django.conf import settings
    from django.urls import reverse

    client.force_login(world.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("web:walk-in"), {"id_number": "11010519491231002", "lookup": "1"})
    assert "An ID card number has 18 characters." in page.content.decode()


def test_catalog_element_problems_read_english():
    """What the catalog's pages and importers show (ElementsInvalid.as_dict() is also what
    an API answers): the collected messages, the field and file labels they quote, the
    choices they offer and the implementation code's problem."""
    from django.utils import translation

    from onewindow.catalog.elements import validate_elements
    from onewindow.catalog.errors import ElementsInvalid
    from onewindow.catalog.validators import implementation_code_problem

    raw = {"name": "", "online_depth": "随便", "fee_charged": True,
           "materials": [{"name": "申请书", "blank_form": "cases/elsewhere.pdf"}]}
    with translation.override("en"), pytest.raises(ElementsInvalid) as refused:
        validate_elements(raw)
    with translation.override("en"):
        details = refused.value.as_dict()["details"]
        problem = str(implementation_code_problem("123"))
    assert details["name"] == "Enter: Service item name."
    assert details["fees"] == "A service item that charges fees needs at least one fee."
    assert details["materials.0.blank_form"] == "Blank form must be an uploaded file."
    assert details["online_depth"].startswith("Online service level “随便” is not valid; "
                                              "choose one of: ")
    assert not re.search(r"[\u3400-\u9fff]", details["online_depth"].split("“随便”")[1])
    assert problem.startswith("An implementation code has 31 characters")
