import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onewindow.identity.tests.factories import CitizenFactory, StaffFactory, make_id_number
from onewindow.licences import exports, selectors, services
from onewindow.licences.models import Licence, LicenceUsage
from onewindow.licences.tests.factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def world(now):
    return make_world(now)


@pytest.fixture
def licence(world, now):
    return issue_to_citizen(world, now)


def test_qr_link_opens_the_verification_page(client, licence):
    url = exports.verify_url(licence).replace("http://127.0.0.1:8000", "")
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-outcome="valid"' in text and licence.holder_name in text
    assert licence.holder_code not in text  # masked on the public page
    bare = client.get(reverse("licences:verify", args=[licence.identifier])).content.decode()
    assert 'data-outcome="valid"' in bare and licence.holder_name not in bare


def test_verify_form_takes_an_identifier_or_a_vc_file(client, licence, now):
    page = client.post(reverse("licences:verify-form"), {"text": licence.identifier})
    assert 'data-outcome="valid"' in page.content.decode()
    token = exports.licence_vc(licence=licence, now=now)
    upload = SimpleUploadedFile("licence.jwt", token.encode())
    page = client.post(reverse("licences:verify-form"), {"vc_file": upload})
    assert 'data-outcome="valid"' in page.content.decode()
    empty = client.post(reverse("licences:verify-form"), {})
    assert "请输入证照标识" in empty.content.decode()


def test_wallet_download_share_and_usage(client, world, licence):
    client.force_login(world.citizen)
    wallet = client.get(reverse("licences:wallet")).content.decode()
    assert licence.name in wallet and licence.number in wallet
    detail_url = reverse("licences:wallet-detail", args=[licence.identifier])
    assert licence.holder_code in client.get(detail_url).content.decode()  # their own data
    pdf = client.get(reverse("licences:wallet-pdf", args=[licence.identifier]))
    assert pdf["Content-Type"] == "application/pdf"
    vc = client.get(reverse("licences:wallet-vc", args=[licence.identifier]))
    assert vc.content.count(b".") == 2
    shared = client.post(reverse("licences:wallet-share", args=[licence.identifier]),
                         {"purpose": "租房核验", "valid_hours": 24})
    assert shared.status_code == 200
    share_url = shared.context["share_url"]
    client.logout()
    path = share_url.replace("http://testserver", "")
    # Opening the link (as a chat app's preview does) shows what was shared, not the
    # licence, and logs nothing.
    preview = client.get(path).content.decode()
    assert "租房核验" in preview and "查看证照" in preview and licence.number not in preview
    assert not LicenceUsage.objects.filter(kind=LicenceUsage.Kind.SHARE_VIEW).exists()
    public = client.post(path)
    assert public.status_code == 200 and licence.number in public.content.decode()
    assert LicenceUsage.objects.filter(kind=LicenceUsage.Kind.SHARE_VIEW).count() == 1
    client.force_login(world.citizen)
    usage = client.get(reverse("licences:wallet-usage")).content.decode()
    assert "分享链接查看" in usage and "租房核验" in usage
    share = licence.shares.get()
    client.post(reverse("licences:wallet-share-revoke", args=[share.pk]))
    client.logout()
    assert client.get(share_url.replace("http://testserver", "")).status_code == 404


def test_wallet_of_someone_else_is_missing(client, licence):
    client.force_login(CitizenFactory())
    assert client.get(reverse("licences:wallet-detail",
                              args=[licence.identifier])).status_code == 404
    assert client.get(reverse("licences:wallet-pdf",
                              args=[licence.identifier])).status_code == 404


def test_wallet_needs_login_and_is_not_for_staff(client, world):
    response = client.get(reverse("licences:wallet"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(world.chief)
    assert client.get(reverse("licences:wallet")).status_code == 404


def test_staff_issue_revoke_and_annotate(client, world):
    client.force_login(world.chief)
    chooser = client.get(reverse("licences:staff-issue")).content.decode()
    assert world.person_type.code in chooser
    form_url = reverse("licences:staff-issue") + f"?type={world.person_type.code}"
    missing = client.post(form_url, {"type": world.person_type.code,
                                     "holder_code": world.citizen.person.id_number})
    assert missing.status_code == 422 and "经营项目" in missing.content.decode()
    issued = client.post(form_url, {"type": world.person_type.code,
                                    "holder_code": world.citizen.person.id_number,
                                    "f_category": "散装食品销售"})
    assert issued.status_code == 302
    licence = Licence.objects.get()
    assert issued["Location"] == reverse("licences:staff-detail", args=[licence.identifier])
    assert licence.fields == {"category": "散装食品销售"} and licence.issued_by == world.chief
    home = client.get(reverse("licences:staff-home")).content.decode()
    assert licence.number in home
    client.post(reverse("licences:staff-annotate", args=[licence.identifier]),
                {"text": "年度核查合格"})
    assert licence.annotations.get().text == "年度核查合格"
    no_reason = client.post(reverse("licences:staff-revoke", args=[licence.identifier]),
                            {"reason": ""})
    assert no_reason.status_code == 422
    client.post(reverse("licences:staff-revoke", args=[licence.identifier]),
                {"reason": "违法经营，依法吊销"})
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED
    # The public page now says so.
    page = client.get(exports.verify_url(licence).replace("http://127.0.0.1:8000", ""))
    assert 'data-outcome="revoked"' in page.content.decode()


def test_staff_outside_scope_see_nothing(client, licence):
    stranger = StaffFactory()
    client.force_login(stranger)
    assert client.get(reverse("licences:staff-detail",
                              args=[licence.identifier])).status_code == 404
    assert licence.number not in client.get(reverse("licences:staff-home")).content.decode()
    assert client.get(reverse("licences:staff-lookup")).status_code == 404


def test_purpose_bound_lookup_page(client, world, licence):
    client.force_login(world.clerk)
    url = reverse("licences:staff-lookup")
    refused = client.post(url, {"holder_code": licence.holder_code, "purpose": ""})
    assert refused.status_code == 422  # through ui.attempt, as every action page
    assert not LicenceUsage.objects.exists()
    found = client.post(url, {"holder_code": licence.holder_code, "purpose": "办件 X1 核验"})
    assert licence.number in found.content.decode()
    usage = LicenceUsage.objects.get()
    assert usage.actor == world.clerk and usage.purpose == "办件 X1 核验"


def test_citizen_cannot_open_staff_pages(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("licences:staff-home")).status_code == 404


def test_printed_verify_path_matches_the_urlconf(licence):
    from onewindow.licences.exports import VERIFY_PATH

    assert reverse("licences:verify", args=[licence.identifier]) == VERIFY_PATH.format(
        identifier=licence.identifier)


def test_admin_pages_render_without_id_numbers(client, licence):
    from onewindow.identity.models import Account

    admin = Account.objects.create_superuser("root-admin", "x-pass-2026")
    client.force_login(admin)
    listing = client.get("/admin/licences/licence/")
    assert listing.status_code == 200 and licence.number in listing.content.decode()
    assert licence.holder_code not in listing.content.decode()
    detail = client.get(f"/admin/licences/licence/{licence.pk}/change/")
    assert detail.status_code == 200 and licence.holder_code not in detail.content.decode()
    assert client.get("/admin/licences/signingkey/").status_code == 200
    assert client.get("/admin/licences/licencetype/").status_code == 200


def test_a_stale_more_link_starts_the_list_again(client, world, licence):
    client.force_login(world.citizen)
    for name in ("licences:wallet", "licences:wallet-usage"):
        response = client.get(reverse(name), {"cursor": "zz"})
        assert response.status_code == 302 and response.url == reverse(name)


# --- the pages' own error handling replaced by ui.attempt (review of issue 13, item 5) ---


def test_sharing_a_licence_revoked_meanwhile_is_a_conflict(client, world, licence, now):
    client.force_login(world.citizen)
    services.licence_revoke(actor=world.chief, licence=licence, reason="依法吊销", now=now)
    stale = client.post(reverse("licences:wallet-share", args=[licence.identifier]),
                        {"purpose": "租房核验", "valid_hours": 24})
    assert stale.status_code == 409
    assert "只有有效的证照才能分享。" in stale.content.decode()
    assert not licence.shares.exists()
    bad = client.post(reverse("licences:wallet-share", args=[licence.identifier]),
                      {"purpose": "", "valid_hours": 24})
    assert bad.status_code == 422


def test_the_lookup_of_a_malformed_code_answers_422_naming_the_field(client, world, licence):
    client.force_login(world.clerk)
    page = client.post(reverse("licences:staff-lookup"),
                       {"holder_code": "123", "purpose": "办件 X1 核验"})
    assert page.status_code == 422
    assert not LicenceUsage.objects.exists()


def test_issuing_to_an_unregistered_holder_says_so_at_the_field(client, world):
    client.force_login(world.chief)
    form_url = reverse("licences:staff-issue") + f"?type={world.person_type.code}"
    page = client.post(form_url, {"type": world.person_type.code,
                                  "holder_code": make_id_number(), "f_category": "散装食品销售"})
    assert page.status_code == 422
    assert "持证主体尚未登记，请先登记自然人或法人信息。" in page.content.decode()
    assert not Licence.objects.exists()


def test_revoke_and_annotate_are_offered_while_the_lifecycle_allows_them(client, world,
                                                                        licence, now):
    client.force_login(world.chief)
    url = reverse("licences:staff-detail", args=[licence.identifier])
    assert selectors.staff_actions(actor=world.chief, licence=licence) == {
        "can_revoke": True, "can_annotate": True}
    revoke = reverse("licences:staff-revoke", args=[licence.identifier])
    annotate = reverse("licences:staff-annotate", args=[licence.identifier])
    page = client.get(url).content.decode()
    assert f'action="{revoke}"' in page and f'action="{annotate}"' in page
    services.licence_revoke(actor=world.chief, licence=licence, reason="依法吊销", now=now)
    licence.refresh_from_db()
    assert selectors.staff_actions(actor=world.chief, licence=licence) == {
        "can_revoke": False, "can_annotate": False}
    page = client.get(url).content.decode()
    assert f'action="{revoke}"' not in page and f'action="{annotate}"' not in page
