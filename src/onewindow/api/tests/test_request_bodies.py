"""A JSON body that is not an object is refused with 422 request.invalid, in the API's
error format (issue 11, finding 9: PUT /case-drafts/{id} accepted false, 0, "x", [])."""

import pytest
from django.test import Client

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import FORM
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [b"false", b"0", b'"x"', b"[]", b"null", b"{"])
def test_a_draft_save_with_a_body_that_is_not_an_object_is_422(now, body):
    world = build_world(now=now)
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    client = Client()
    client.force_login(world.citizen)
    response = client.generic("PUT", f"/api/v1/cases/drafts/{draft.pk}", body,
                              content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"
    assert Case.objects.get(pk=draft.pk).version == draft.version
