import pytest
from django.utils import timezone

from onewindow.identity.services import token_issue
from onewindow.identity.tests.factories import CitizenFactory, LegalPersonFactory
from onewindow.licences import exports
from onewindow.licences.models import LicenceUsage

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db

BASE = "/api/v1/licences"


@pytest.fixture
def now():
    """The API reads the real clock, so the licences are issued at the real time too."""
    return timezone.now()


@pytest.fixture
def world(now):
    return make_world(now)


def _auth(account):
    secret = token_issue(actor=account, now=timezone.now()).secret
    return {"Authorization": f"Bearer {secret}"}


def test_public_type_list_and_jwks(client, world, now):
    issue_to_citizen(world, now)
    types = client.get(f"{BASE}/types").json()
    assert {t["name"] for t in types} == {"食品经营许可证", "营业执照"}
    assert types[0]["fields"]
    jwks = client.get(f"{BASE}/jwks")
    assert jwks.status_code == 200 and jwks["Content-Type"] == "application/jwk-set+json"
    assert jwks.json()["keys"][0]["kty"] == "OKP"
    assert client.get("/.well-known/jwks.json").json() == jwks.json()


def test_issue_get_revoke_round_trip(client, world, now):
    body = {"type_code": world.person_type.code, "holder_code": world.citizen.person.id_number,
            "fields": {"category": "预包装食品销售"}, "case_number": "API-1"}
    created = client.post(f"{BASE}/", body, content_type="application/json",
                          headers=_auth(world.handler))
    assert created.status_code == 201, created.json()
    licence = created.json()
    assert licence["state"] == "valid" and licence["holder_code"] == body["holder_code"]
    identifier = licence["identifier"]

    # The holder sees it in full; another citizen gets 404, like a missing one.
    mine = client.get(f"{BASE}/mine", headers=_auth(world.citizen)).json()
    assert [item["identifier"] for item in mine["items"]] == [identifier]
    assert client.get(f"{BASE}/{identifier}", headers=_auth(CitizenFactory())).status_code == 404
    missing = client.get(f"{BASE}/1.2.156.3005.2.nothing", headers=_auth(world.citizen))
    assert missing.status_code == 404 and missing.json()["code"] == "licences.not-found"

    # A handler may issue but not revoke.
    denied = client.post(f"{BASE}/{identifier}/revoke", {"reason": "x"},
                         content_type="application/json", headers=_auth(world.handler))
    assert denied.status_code == 403 and denied.json()["code"] == "licences.permission-denied"
    too_long = client.post(f"{BASE}/{identifier}/revoke", {"reason": "吊" * 501},
                           content_type="application/json", headers=_auth(world.chief))
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "licences.reason-too-long"
    revoked = client.post(f"{BASE}/{identifier}/revoke", {"reason": "吊销"},
                          content_type="application/json", headers=_auth(world.chief))
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    verify = client.post(f"{BASE}/verify", {"identifier": identifier},
                         content_type="application/json").json()
    assert verify["outcome"] == "revoked"


def test_a_foreign_licence_is_missing_on_every_route(client, world, now):
    """Another citizen and staff outside the issuer's scope get the same 404 as for a
    licence that does not exist, and nothing is written."""
    from onewindow.identity.tests.factories import OrganisationFactory, StaffFactory
    from onewindow.licences.models import Licence, LicenceShare

    licence = issue_to_citizen(world, now)
    outsider = StaffFactory(organisation=OrganisationFactory(name="外局"))
    for account in (CitizenFactory(), outsider):
        headers = _auth(account)
        for path in ("", "/vc", "/pdf"):
            answer = client.get(f"{BASE}/{licence.identifier}{path}", headers=headers)
            assert answer.status_code == 404 and answer.json()["code"] == "licences.not-found"
        for path, body in (("/revoke", {"reason": "吊销"}),
                           ("/shares", {"purpose": "开户", "valid_hours": 24})):
            answer = client.post(f"{BASE}/{licence.identifier}{path}", body,
                                 content_type="application/json", headers=headers)
            assert answer.status_code == 404 and answer.json()["code"] == "licences.not-found"
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID and not LicenceShare.objects.exists()


def test_issue_errors_have_stable_codes(client, world, now):
    auth = _auth(world.chief)
    response = client.post(f"{BASE}/", {"type_code": world.person_type.code,
                                  "holder_code": world.citizen.person.id_number,
                                  "fields": {}}, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.json()["code"] == "licences.invalid-fields"
    assert response.json()["details"] == {"category": "经营项目必须填写。"}
    response = client.post(f"{BASE}/", {"type_code": world.legal_type.code,
                                  "holder_code": "91371000MA00000000", "fields": {}},
                           content_type="application/json", headers=auth)
    assert response.json()["code"] == "licences.holder-not-registered"
    assert client.post(f"{BASE}/", {"type_code": "x", "holder_code": "y"},
                       content_type="application/json").status_code == 401


def test_verify_vc_pdf_share_and_usage(client, world, now):
    licence = issue_to_citizen(world, now)
    auth = _auth(world.citizen)
    vc = client.get(f"{BASE}/{licence.identifier}/vc", headers=auth).json()["vc_jwt"]
    result = client.post(f"{BASE}/verify", {"vc_jwt": vc}, content_type="application/json")
    assert result.json()["outcome"] == "valid"
    assert "*" in result.json()["licence"]["holder_code"]
    by_url = client.post(f"{BASE}/verify", {"url": exports.verify_url(licence)},
                         content_type="application/json").json()
    assert by_url["outcome"] == "valid" and by_url["licence"]["holder_name"]

    share = client.post(f"{BASE}/{licence.identifier}/shares",
                        {"purpose": "银行开户", "valid_hours": 24},
                        content_type="application/json", headers=auth)
    assert share.status_code == 201
    page = client.post(share.json()["url"].replace("http://testserver", ""))  # 查看证照
    assert page.status_code == 200 and "银行开户" in page.content.decode()
    usage = client.get(f"{BASE}/usage/mine", headers=auth).json()["items"]
    assert usage[0]["kind"] == LicenceUsage.Kind.SHARE_VIEW and usage[0]["purpose"] == "银行开户"

    pdf = client.get(f"{BASE}/{licence.identifier}/pdf", headers=auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_department_lookup_over_the_api(client, world, now):
    licence = issue_to_citizen(world, now)
    response = client.post(f"{BASE}/lookup", {"holder_code": licence.holder_code,
                                              "purpose": "办件核验"},
                           content_type="application/json", headers=_auth(world.clerk))
    assert response.status_code == 200
    assert [item["identifier"] for item in response.json()] == [licence.identifier]
    refused = client.post(f"{BASE}/lookup", {"holder_code": licence.holder_code,
                                             "purpose": ""},
                          content_type="application/json", headers=_auth(world.clerk))
    assert refused.json()["code"] == "licences.purpose-required"
    other = LegalPersonFactory()
    empty = client.post(f"{BASE}/lookup", {"holder_code": other.credit_code, "purpose": "核验"},
                        content_type="application/json", headers=_auth(world.clerk))
    assert empty.json() == []


def test_operation_ids_are_stable(client):
    schema = client.get("/api/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"licence_type_list", "licence_issue", "licence_get", "licence_list_mine",
            "licence_verify", "licence_revoke", "licence_share", "licence_usage_mine",
            "jwks"} <= ids


def test_wallet_list_query_count_does_not_grow(client, world, now, django_assert_max_num_queries):
    from onewindow.licences import services

    for _ in range(8):
        licence = issue_to_citizen(world, now)
        services.licence_annotate(actor=world.handler, licence=licence, text="核查合格", now=now)
    auth = _auth(world.citizen)
    with django_assert_max_num_queries(6):
        page = client.get(f"{BASE}/mine?limit=5", headers=auth).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    with django_assert_max_num_queries(6):
        rest = client.get(f"{BASE}/mine?limit=5&cursor={page['next_cursor']}",
                          headers=auth).json()
    assert len(rest["items"]) == 3 and rest["items"][0]["annotations"][0]["text"] == "核查合格"
