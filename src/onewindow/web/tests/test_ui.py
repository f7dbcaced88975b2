"""The one page helper (web.ui) through real pages: an action form ends in a redirect with
its done message, the same page with an error summary (422), or the conflict message
(409) with nothing written; a licence that is not the actor's is missing (404) on every
licence page, as in the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.cases import services as case_services
from onewindow.cases.tests.factories import submit_online
from onewindow.identity.tests.factories import CitizenFactory, OrganisationFactory, StaffFactory
from onewindow.licences import services as licence_services
from onewindow.licences.models import Licence, LicenceAnnotation, LicenceShare
from onewindow.licences.tests.factories import issue_to_citizen, make_world
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def licence_world(now):
    return make_world(now)


@pytest.fixture
def licence(licence_world, now):
    return issue_to_citizen(licence_world, now)


def _text(response) -> str:
    return response.content.decode()


def test_success_redirects_to_the_page_with_the_done_message(client, licence_world, licence):
    client.force_login(licence_world.chief)
    url = reverse("licences:staff-revoke", args=[licence.identifier])
    done = client.post(url, {"reason": "违法经营，依法吊销"})
    detail = reverse("licences:staff-detail", args=[licence.identifier])
    assert done.status_code == 302 and done.url == detail
    assert "证照已注销。" in _text(client.get(detail))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED and licence.status_reason
    assert AuditEvent.objects.filter(subject_id=str(licence.pk),
                                     action__startswith="licences.licence.revoke").exists()


def test_a_form_error_shows_the_page_with_a_summary_linking_to_the_field(client, licence_world,
                                                                         licence):
    client.force_login(licence_world.chief)
    audits = AuditEvent.objects.count()
    response = client.post(reverse("licences:staff-revoke", args=[licence.identifier]),
                           {"reason": ""})
    assert response.status_code == 422
    page = _text(response)
    assert 'class="error-summary"' in page and 'href="#id_revoke_reason"' in page
    assert 'id="id_revoke_reason"' in page  # the field the summary points at
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID and AuditEvent.objects.count() == audits


def test_a_stale_page_gets_the_conflict_message_and_409(client, licence_world, licence, now):
    client.force_login(licence_world.chief)
    # The chief's page still offers 加注; meanwhile the licence was revoked.
    licence_services.licence_revoke(actor=licence_world.chief, licence=licence,
                                    reason="吊销", now=now)
    response = client.post(reverse("licences:staff-annotate", args=[licence.identifier]),
                           {"text": "年度核查合格"})
    assert response.status_code == 409
    assert "只有有效的证照才能加注。" in _text(response)
    assert not LicenceAnnotation.objects.exists()


def test_an_action_the_case_no_longer_allows_is_a_conflict_on_the_front_desk(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    case_services.case_accept(actor=world.clerk, case=case, now=now)
    case.refresh_from_db()
    client.force_login(world.clerk)
    # The version is current, but an accepted case can no longer be refused.
    response = client.post(reverse("web:staff-case", args=[case.number]),
                           {"do": "reject", "reason": "不符合条件",
                            "expected_version": case.lock_version})
    assert response.status_code == 409 and "请刷新页面后再办理" in _text(response)
    before = case.lock_version
    case.refresh_from_db()
    assert case.status == "IN_REVIEW" and case.lock_version == before


def test_someone_elses_licence_is_missing_on_every_page(client, licence_world, licence):
    client.force_login(CitizenFactory())
    for name in ("licences:wallet-detail", "licences:wallet-pdf", "licences:wallet-vc"):
        assert client.get(reverse(name, args=[licence.identifier])).status_code == 404
    shared = client.post(reverse("licences:wallet-share", args=[licence.identifier]),
                         {"purpose": "开户", "valid_hours": 24})
    assert shared.status_code == 404

    client.force_login(StaffFactory(organisation=OrganisationFactory(name="外局")))
    assert client.get(reverse("licences:staff-detail",
                              args=[licence.identifier])).status_code == 404
    revoke = client.post(reverse("licences:staff-revoke", args=[licence.identifier]),
                         {"reason": "吊销"})
    annotate = client.post(reverse("licences:staff-annotate", args=[licence.identifier]),
                           {"text": "加注"})
    assert revoke.status_code == 404 and annotate.status_code == 404
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID
    assert not LicenceAnnotation.objects.exists() and not LicenceShare.objects.exists()


def test_the_decision_confirmation_speaks_english(client, now):
    world = build_world(now=now)
    case = submit_online(world, now, item=world.instant_item)
    client.force_login(world.chief)
    response = client.post(reverse("web:staff-case", args=[case.number]),
                           {"do": "decide", "decision": "deny", "reason": "不符合条件",
                            "expected_version": case.lock_version},
                           HTTP_ACCEPT_LANGUAGE="en")
    page = _text(response)
    assert response.status_code == 200
    for chinese in ("确认不予许可", "办件编号", "不予许可的理由", "当场受理本件"):
        assert chinese not in page
    assert "不符合条件" in page  # what the clerk typed stays as written
