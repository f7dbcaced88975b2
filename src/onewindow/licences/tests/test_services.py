import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from onewindow.audit.models import AuditEvent
from onewindow.events.models import OutboxEvent
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    CitizenFactory,
    LegalPersonFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)
from onewindow.licences import selectors, services
from onewindow.licences.errors import (
    HolderMismatch,
    InvalidFields,
    InvalidTransition,
    IssuerNotAllowed,
    LicenceConflict,
    LicenceNotFound,
    PurposeRequired,
)
from onewindow.licences.identifiers import parse_identifier
from onewindow.licences.models import Licence, LicenceUsage, SigningKey
from onewindow.licences.verification import licence_verify, seal_ok

from .factories import issue_to_citizen, issue_to_enterprise, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return make_world(now)


def test_issue_builds_identifier_metadata_and_seal(world, now):
    licence = issue_to_citizen(world, now)
    ident = parse_identifier(licence.identifier)
    assert ident.type_code == world.person_type.code
    assert ident.issuer_code == world.department.credit_code
    assert ident.version == 1 and ident.serial == "00000001"
    assert licence.holder_code == world.citizen.person.id_number
    assert licence.holder_code_type == "111"
    assert licence.issue_date == dt.date(2026, 11, 23) == licence.valid_from
    assert licence.valid_until == dt.date(2031, 11, 22)  # 60 months, last day included
    assert licence.status == Licence.Status.VALID
    assert seal_ok(licence)
    audit = AuditEvent.objects.get(action="licences.licence.issued")
    assert world.citizen.person.id_number not in str(audit.after)  # masked in the audit log
    event = OutboxEvent.objects.get(name="licences.licence.issued")
    assert event.payload["identifier"] == licence.identifier
    # Serials count up per type and issuer.
    second = issue_to_citizen(world, now)
    assert parse_identifier(second.identifier).serial == "00000002"


def test_issue_to_legal_person_without_term(world, now):
    licence = issue_to_enterprise(world, now)
    assert licence.valid_until is None  # 长期有效
    assert licence.holder_code_type == "001"
    assert licence.fields == {"business_scope": "软件开发", "registered_capital": 100}


def test_issue_checks_holder_kind_fields_issuer_and_role(world, now):
    with pytest.raises(HolderMismatch):
        services.licence_issue(actor=world.chief, licence_type=world.person_type,
                               holder_legal=LegalPersonFactory(), fields={"category": "x"},
                               now=now)
    with pytest.raises(InvalidFields) as exc:
        issue_to_citizen(world, now, fields={"colour": "red"})
    assert set(exc.value.details) == {"colour", "category"}
    with pytest.raises(InvalidFields):
        issue_to_enterprise(world, now, fields={"business_scope": "x",
                                                "registered_capital": "many"})
    with pytest.raises(IssuerNotAllowed):
        issue_to_citizen(world, now, issuer=OrganisationFactory())
    clerk_elsewhere = StaffFactory()
    grant(clerk_elsewhere, Role.CHIEF_REPRESENTATIVE, OrganisationFactory())
    with pytest.raises(services.LicencePermissionDenied):
        services.licence_issue(actor=clerk_elsewhere, licence_type=world.person_type,
                               holder_person=world.citizen.person,
                               fields={"category": "x"}, now=now)
    with pytest.raises(services.LicencePermissionDenied):  # a window clerk may not issue
        services.licence_issue(actor=world.clerk, licence_type=world.person_type,
                               holder_person=world.citizen.person,
                               fields={"category": "x"}, now=now)
    assert not Licence.objects.exists()


def test_issue_for_a_case_is_idempotent(world, now):
    first = issue_to_citizen(world, now, case_number="CASE-1")
    again = services.licence_issue(actor=None, licence_type=world.person_type,
                                   holder_person=world.citizen.person,
                                   fields={"category": "预包装食品销售"},
                                   case_number="CASE-1", now=now)
    assert again.pk == first.pk and first.origin == Licence.Origin.CASE
    assert Licence.objects.count() == 1
    with pytest.raises(LicenceConflict):
        services.licence_issue(actor=None, licence_type=world.person_type,
                               holder_person=CitizenFactory().person,
                               fields={"category": "x"}, case_number="CASE-1", now=now)
    # The database says it too.
    other = issue_to_citizen(world, now)  # a durable service: not inside the block below
    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.filter(pk=other.pk).update(case_number="CASE-1")


def test_revoke_needs_the_role_a_reason_and_a_valid_licence(world, now):
    licence = issue_to_citizen(world, now)
    with pytest.raises(services.LicencePermissionDenied):
        services.licence_revoke(actor=world.handler, licence=licence, reason="x", now=now)
    with pytest.raises(services.ReasonRequired):
        services.licence_revoke(actor=world.chief, licence=licence, reason=" ", now=now)
    revoked = services.licence_revoke(actor=world.chief, licence=licence,
                                      reason="申请人申请注销", now=now)
    assert revoked.status == Licence.Status.REVOKED
    assert revoked.status_reason == "申请人申请注销"
    with pytest.raises(InvalidTransition):
        services.licence_revoke(actor=world.chief, licence=revoked, reason="again", now=now)
    assert seal_ok(revoked)  # the seal does not cover the status


def test_amend_issues_the_next_version_and_supersedes_the_old(world, now):
    old = issue_to_citizen(world, now)
    new = services.licence_amend(actor=world.handler, licence=old, reason="经营项目变更",
                                 fields={"category": "热食类食品制售"}, now=now)
    old.refresh_from_db()
    assert old.status == Licence.Status.SUPERSEDED
    assert new.previous_id == old.pk and new.version == 2 and new.serial == old.serial
    assert parse_identifier(new.identifier).version == 2
    assert seal_ok(new)
    assert licence_verify(identifier=old.identifier, now=now).outcome == "revoked"
    assert licence_verify(identifier=new.identifier, now=now).outcome == "valid"
    with pytest.raises(InvalidTransition):
        services.licence_amend(actor=world.handler, licence=old, reason="x", now=now)


def test_annotations_are_numbered_and_sealed(world, now):
    licence = issue_to_citizen(world, now)
    first = services.licence_annotate(actor=world.handler, licence=licence, text="年度核查合格",
                                      now=now)
    second = services.licence_annotate(actor=world.handler, licence=licence, text="地址变更",
                                       now=now)
    assert (first.seq, second.seq) == (1, 2)
    from onewindow.licences import signing

    key = second.signing_key
    assert signing.seal_verify(
        algorithm=key.algorithm, public_raw=bytes(key.public_key), kid=key.kid,
        identifier=second.seal_id(licence.identifier), payload_sha256=second.payload_sha256,
        signature=second.seal_signature,
    )


def test_key_rotation_keeps_old_licences_verifying(world, now):
    before = issue_to_citizen(world, now)
    old_key = before.signing_key
    later = now + dt.timedelta(days=30)
    new_key = services.signing_key_rotate(actor=None, organisation=world.department, now=later)
    old_key.refresh_from_db()
    assert old_key.retired_at == later and new_key.retired_at is None
    after = issue_to_citizen(world, later)
    assert after.signing_key == new_key and before.signing_key == old_key
    assert licence_verify(identifier=before.identifier, now=later).outcome == "valid"
    assert licence_verify(identifier=after.identifier, now=later).outcome == "valid"
    kids = {k["kid"] for k in selectors.jwks()["keys"]}
    assert {old_key.kid, new_key.kid} <= kids
    # A key that sealed licences can never be deleted.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        old_key.delete()
    # Only a system administrator may rotate by hand.
    with pytest.raises(services.LicencePermissionDenied):
        services.signing_key_rotate(actor=world.chief, organisation=world.department, now=later)


def test_sm2_keys_seal_and_verify(world, now):
    from onewindow.licences import signing

    if not signing.SM2_AVAILABLE:
        pytest.skip("gmssl-pyx not installed")
    services.signing_key_rotate(actor=None, organisation=world.department,
                                algorithm=SigningKey.Algorithm.SM2, now=now)
    licence = issue_to_citizen(world, now)
    assert licence.signing_key.algorithm == "SM2"
    assert licence_verify(identifier=licence.identifier, now=now).outcome == "valid"
    assert all(k["kty"] == "OKP" for k in selectors.jwks()["keys"])
    assert any(k.get("crv") == "SM2" for k in selectors.jwks(include_sm2=True)["keys"])


def test_expiry_is_derived_from_the_date(world, now):
    licence = issue_to_citizen(world, now, valid_until=dt.date(2026, 12, 31))
    assert licence.state_on(dt.date(2026, 12, 31)) == "valid"
    assert licence.state_on(dt.date(2027, 1, 1)) == "expired"
    assert licence.state_on(dt.date(2026, 11, 1)) == "not_yet_valid"
    find = selectors.valid_licence_for
    assert find(holder_person=world.citizen.person, type_code=licence.type_code,
                on_date=dt.date(2026, 12, 31)) == licence
    assert find(holder_person=world.citizen.person, type_code=licence.type_code,
                on_date=dt.date(2027, 1, 1)) is None


def test_valid_licence_for_ignores_revoked_and_other_holders(world, now):
    legal = LegalPersonFactory()
    licence = issue_to_enterprise(world, now, legal=legal)
    today = now.date()
    assert selectors.valid_licence_for(holder_legal=legal, type_code=licence.type_code,
                                       on_date=today) == licence
    assert selectors.valid_licence_for(holder_legal=LegalPersonFactory(),
                                       type_code=licence.type_code, on_date=today) is None
    services.licence_revoke(actor=world.chief, licence=licence, reason="吊销", now=now)
    assert selectors.valid_licence_for(holder_legal=legal, type_code=licence.type_code,
                                       on_date=today) is None


def test_share_link_use_is_logged_for_the_holder(world, now):
    licence = issue_to_citizen(world, now)
    with pytest.raises(LicenceNotFound):
        services.licence_share(actor=CitizenFactory(), licence=licence, purpose="x", now=now)
    with pytest.raises(PurposeRequired):
        services.licence_share(actor=world.citizen, licence=licence, purpose=" ", now=now)
    issued = services.licence_share(actor=world.citizen, licence=licence,
                                    purpose="租房核验", valid_hours=24, now=now)
    assert issued.token not in issued.share.token_hash
    share = services.share_open(token=issued.token, now=now + dt.timedelta(hours=1))
    assert share.licence == licence
    usage = selectors.usage_mine(actor=world.citizen, today=now.date()).get()
    assert usage.kind == LicenceUsage.Kind.SHARE_VIEW and usage.purpose == "租房核验"
    with pytest.raises(services.ShareNotFound):
        services.share_open(token=issued.token, now=now + dt.timedelta(hours=25))
    services.share_revoke(actor=world.citizen, share=issued.share, now=now)
    with pytest.raises(services.ShareNotFound):
        services.share_open(token=issued.token, now=now)


def test_department_lookup_needs_role_and_purpose_and_is_logged(world, now):
    licence = issue_to_citizen(world, now)
    code = world.citizen.person.id_number
    outsider = StaffFactory()
    grant(outsider, Role.SUPERVISOR, world.department)
    with pytest.raises(services.LicencePermissionDenied):
        services.licence_lookup(actor=outsider, holder_code=code, purpose="核查", now=now)
    with pytest.raises(PurposeRequired):
        services.licence_lookup(actor=world.clerk, holder_code=code, purpose="", now=now)
    found = services.licence_lookup(actor=world.clerk, holder_code=code,
                                    purpose="办件 A123 核验身份", now=now)
    assert found == [licence]
    usage = selectors.usage_mine(actor=world.citizen, today=now.date()).get()
    assert usage.kind == LicenceUsage.Kind.DEPARTMENT_LOOKUP
    assert usage.organisation == world.department and usage.actor == world.clerk
    audit = AuditEvent.objects.get(action="licences.lookup")
    assert code not in audit.subject_id


def test_agent_sees_enterprise_licences(world, now):
    from onewindow.identity.models import Account, AgentAuthorization

    legal = LegalPersonFactory()
    licence = issue_to_enterprise(world, now, legal=legal)
    agent = CitizenFactory(kind=Account.Kind.AGENT)
    assert list(selectors.licences_mine(actor=agent, today=now.date())) == []
    AgentAuthorization.objects.create(account=agent, legal_person=legal, granted_at=now)
    assert list(selectors.licences_mine(actor=agent, today=now.date())) == [licence]
    assert selectors.access_licence(actor=agent, identifier=licence.identifier,
                                    today=now.date()) == licence


def test_usage_record_for_cases(world, now):
    licence = issue_to_citizen(world, now)
    usage = services.licence_usage_record(actor=world.clerk, licence=licence,
                                          purpose="免提交营业执照", case_number="C-9", now=now)
    assert usage.kind == LicenceUsage.Kind.CASE_MATERIAL
    assert usage.user_label == world.department.name


def test_demo_seed_is_idempotent(now):
    from onewindow.identity.tests.factories import NaturalPersonFactory
    from onewindow.licences import demo

    OrganisationFactory(credit_code=demo.AMR_CODE)
    NaturalPersonFactory(id_number=demo.CITIZEN_ID)
    LegalPersonFactory(credit_code=demo.ENTERPRISE_CODE)
    first = demo.seed_demo_licences(now=now)
    again = demo.seed_demo_licences(now=now)
    assert [lic.pk for lic in first] == [lic.pk for lic in again] and len(first) == 2
    assert Licence.objects.count() == 2


def test_licence_type_by_code(world):
    assert selectors.licence_type_by_code(code=world.person_type.code.lower()) == world.person_type
    assert selectors.licence_type_by_code(code="nope") is None
