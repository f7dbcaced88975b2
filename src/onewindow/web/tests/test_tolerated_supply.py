"""Recording 容缺 materials after acceptance: the clerk's case page and the applicant's
page offer the 补交 button exactly when the service records something, and say which
tolerated materials are still awaited."""

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.errors import InvalidTransition, MaterialsIncomplete
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import FORM, pdf_bytes
from onewindow.catalog.tests.factories import make_item
from onewindow.common.errors import ApplicationError
from onewindow.testing.world import FOOD_MATERIALS

pytestmark = pytest.mark.django_db

SITE, RULES = "经营场所使用证明", "食品安全管理制度"
AWAITED = "仍待补交的容缺材料："


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(world, now):
    """The food licence with two tolerable materials."""
    materials = [{**m, "tolerance_allowed": True, "tolerance_supply_days": 10}
                 if m["name"] == RULES else m for m in FOOD_MATERIALS]
    return make_item(organisation=world.dept, now=now, name="食品经营许可（容缺）",
                     materials=materials)


def _accepted(world, now, item, *, tolerated=(SITE, RULES)) -> Case:
    """Applied online without the tolerated materials, accepted with them tolerated."""
    draft = services.case_draft_save(actor=world.citizen, implementation_code=item.code,
                                     form_data=FORM, now=now)
    for material in draft.materials.filter(requirement="REQUIRED").exclude(name__in=tolerated):
        services.case_material_upload(actor=world.citizen, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(), filename="scan.pdf", now=now)
    case = services.case_submit(actor=world.citizen, case=draft,
                                idempotency_key=f"t{draft.pk}", now=now)
    services.case_accept(actor=world.clerk, case=case, now=now, supply_days=5,
                         tolerated=list(case.materials.filter(name__in=tolerated)
                                        .values_list("pk", flat=True)))
    return Case.objects.get(pk=case.pk)


def _material(case: Case, name: str):
    return case.materials.get(name=name)


def _scenes(world, now, item) -> dict[str, Case]:
    scenes = {"nothing handed in yet": _accepted(world, now, item)}
    paper = _accepted(world, now, item)
    services.case_material_receive_paper(actor=world.clerk, case=paper, now=now,
                                         material_ids=[_material(paper, SITE).pk])
    scenes["one of two received on paper"] = paper
    uploaded = _accepted(world, now, item, tolerated=(SITE,))
    services.case_material_upload(actor=world.citizen, case=uploaded, now=now,
                                  material_id=_material(uploaded, SITE).pk,
                                  stream=pdf_bytes(), filename="site.pdf")
    scenes["the only one uploaded by the applicant"] = uploaded
    recorded = _accepted(world, now, item, tolerated=(SITE,))
    services.case_material_receive_paper(actor=world.clerk, case=recorded, now=now,
                                         material_ids=[_material(recorded, SITE).pk])
    services.case_supply_materials(actor=world.clerk, case=recorded, now=now)
    scenes["already recorded"] = recorded
    return {name: Case.objects.get(pk=case.pk) for name, case in scenes.items()}


def _offers(client, actor, url: str, marker: str) -> bool:
    client.force_login(actor)
    page = client.get(url)
    assert page.status_code == 200
    return marker in page.content.decode()


def test_the_pages_offer_recording_exactly_when_the_service_records(client, world, now,
                                                                    item):
    found = {}
    for name, case in _scenes(world, now, item).items():
        staff = _offers(client, world.clerk, reverse("web:staff-case", args=[case.number]),
                        'id="action-supply"')
        portal = _offers(client, world.citizen, reverse("web:my-case", args=[case.number]),
                         reverse("web:my-case-supply", args=[case.number]))
        try:
            services.case_supply_materials(actor=world.clerk, case=case, now=now)
        except ApplicationError:
            accepted = False
        else:
            accepted = True
        found[name] = (staff, portal, accepted)
    assert found == {
        "nothing handed in yet": (False, False, False),
        "one of two received on paper": (True, True, True),
        "the only one uploaded by the applicant": (True, True, True),
        "already recorded": (False, False, False),
    }


def test_nothing_handed_in_the_page_names_what_is_awaited_and_the_service_says_why(
        client, world, now, item):
    case = _accepted(world, now, item)
    client.force_login(world.clerk)
    page = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    assert 'id="action-supply"' not in page
    assert f"{AWAITED}{SITE}、{RULES}" in page
    with pytest.raises(MaterialsIncomplete) as caught:
        services.case_supply_materials(actor=world.clerk, case=case, now=now)
    assert caught.value.code == "cases.materials-incomplete"
    assert set(caught.value.details["materials"]) == {
        str(_material(case, SITE).pk), str(_material(case, RULES).pk)}
    assert not case.actions.filter(kind="SUPPLY_TOLERATED").exists()


def test_recording_one_of_two_says_the_other_is_still_awaited(client, world, now, item):
    case = _accepted(world, now, item)
    services.case_material_receive_paper(actor=world.clerk, case=case, now=now,
                                         material_ids=[_material(case, SITE).pk])
    client.force_login(world.clerk)
    page = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    panel = page[page.index('id="action-supply"'):]
    assert f"{AWAITED}{RULES}" in panel[:panel.index("</details>")]

    services.case_supply_materials(actor=world.clerk, case=case, now=now)
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"
    record = case.actions.get(kind="SUPPLY_TOLERATED")
    assert [m["name"] for m in record.data["materials"]] == [SITE]
    assert [m["name"] for m in record.data["pending"]] == [RULES]
    assert record.data["all_supplied"] is False
    # Recorded: nothing more to record until the second one comes in.
    with pytest.raises(MaterialsIncomplete):
        services.case_supply_materials(actor=world.clerk, case=case, now=now)


def test_after_everything_is_recorded_there_is_nothing_to_supply(world, now, item):
    case = _accepted(world, now, item, tolerated=(SITE,))
    services.case_material_receive_paper(actor=world.clerk, case=case, now=now,
                                         material_ids=[_material(case, SITE).pk])
    services.case_supply_materials(actor=world.clerk, case=case, now=now)
    with pytest.raises(InvalidTransition) as caught:
        services.case_supply_materials(actor=world.clerk, case=case, now=now)
    assert caught.value.code == "cases.invalid-transition"
    assert str(caught.value.message) == "该办件没有待补交的容缺材料。"
