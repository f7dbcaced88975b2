import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import selectors, services
from onewindow.cases.codes import ActionKind, CaseStatus, MaterialState
from onewindow.cases.errors import (
    CaseConflict,
    CaseInvalid,
    CaseNotFound,
    InvalidTransition,
    ItemNotAvailable,
    MaterialsIncomplete,
    NotInstantItem,
    ReasonRequired,
    ToleranceNotAllowed,
)
from onewindow.cases.models import Case, CaseAction
from onewindow.catalog import services as catalog_services
from onewindow.events.models import OutboxEvent
from onewindow.identity.models import NaturalPerson, Role
from onewindow.identity.permissions import forget_scopes
from onewindow.identity.tests.factories import grant, make_id_number

from .factories import FORM, pdf_bytes, submit_online, walk_in

pytestmark = pytest.mark.django_db


# --- applying ---------------------------------------------------------------------------


def test_draft_prefills_applicant_data_and_keeps_the_catalog_version(world, now):
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     now=now)
    assert draft.status == CaseStatus.DRAFT and draft.number is None
    assert draft.form_data["contact_name"] == world.citizen.person.name
    assert draft.version_id == world.item.current_version_id
    assert draft.centre == world.centre and draft.organisation == world.dept
    assert [m.name for m in draft.materials.order_by("position")][:2] == [
        "食品经营许可申请书", "营业执照"]


def test_online_submission_gets_a_number_and_keeps_its_version(world, now):
    case = submit_online(world, now)
    assert case.status == CaseStatus.SUBMITTED
    assert case.number == f"{world.item.code}20261123" + "0001"
    assert len(case.number) == 43
    assert case.received_at == now and case.acceptance_due_date == dt.date(2026, 11, 30)
    # A new catalog version afterwards does not change the case.
    catalog_services.item_draft_update(actor=None, implementation=world.item,
                                       changes={"promised_limit_amount": 3}, now=now)
    catalog_services.item_publish(actor=None, implementation=world.item, reason="压缩时限", now=now)
    case.refresh_from_db()
    assert case.version.promised_limit_amount == 5


def test_online_submission_needs_every_required_material(world, now):
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    with pytest.raises(MaterialsIncomplete) as exc:
        services.case_submit(actor=world.citizen, case=draft, idempotency_key="a", now=now)
    assert "营业执照" in exc.value.message
    assert not Case.objects.exclude(status=CaseStatus.DRAFT).exists()


def test_submission_checks_the_form(world, now):
    with pytest.raises(CaseInvalid) as exc:
        services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                 form_data={"contact_phone": "12345"}, now=now)
    assert exc.value.details == {"contact_phone": "联系电话应为 11 位手机号码。"}


def test_idempotent_resubmission_returns_the_same_case_and_number(world, now):
    first = submit_online(world, now, key="same-key")
    again = services.case_submit(actor=world.citizen, idempotency_key="same-key",
                                 implementation_code=world.instant_item.code, form_data=FORM,
                                 now=now)
    assert again.pk == first.pk and again.number == first.number
    assert Case.objects.exclude(status=CaseStatus.DRAFT).count() == 1


def test_agent_applies_for_their_enterprise_only(world, now):
    case = submit_online(world, now, actor=world.agent, legal=world.enterprise)
    assert case.applicant_legal == world.enterprise
    with pytest.raises(CaseInvalid):
        services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                 applicant_legal=world.enterprise, now=now)


def test_walk_in_registers_the_person_and_records_proxy_submission(world, now):
    id_number = make_id_number()
    case = walk_in(world, now, id_number=id_number, name="王五")
    person = NaturalPerson.objects.get(id_number=id_number)
    assert case.applicant_person == person and case.applicant_account is None
    assert case.channel == "WINDOW" and case.proxy is True and case.submitted_by == world.clerk
    submit = case.actions.get(kind=ActionKind.SUBMIT)
    assert submit.actor == world.clerk and submit.data["proxy"] is True
    assert case.materials.get(name="营业执照").trust_grade == "B"


def test_walk_in_finds_an_existing_person_by_id_number(world, now):
    person = world.citizen.person
    case = walk_in(world, now, id_number=person.id_number, name=person.name)
    assert case.applicant_person == person
    assert case.applicant_account == world.citizen  # they see it under "my cases"
    with pytest.raises(CaseInvalid):
        walk_in(world, now, id_number=person.id_number, name="别人")


def test_only_window_clerks_register_walk_ins(world, now):
    with pytest.raises(CaseNotFound):
        services.case_register_walk_in(actor=world.handler, implementation_code=world.item.code,
                                       id_number=make_id_number(), name="王五", now=now)


def test_a_walk_in_is_registered_only_for_items_the_clerks_centre_receives(world, now):
    from onewindow.catalog.tests.factories import make_item

    elsewhere = make_item(organisation=world.other_dept, now=now, name="外市的事项")
    with pytest.raises(CaseInvalid) as caught:
        services.case_register_walk_in(actor=world.clerk, implementation_code=elsewhere.code,
                                       id_number=make_id_number(), name="王五", now=now)
    assert caught.value.code == CaseInvalid.code
    assert "不在本中心受理" in caught.value.details["implementation"]
    assert not Case.objects.filter(implementation=elsewhere).exists()


# --- acceptance -------------------------------------------------------------------------


def test_accept_sets_deadlines_and_marks_materials(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    case.refresh_from_db()
    # Accepted, and the approval route started at once (Cases II).
    assert case.status == CaseStatus.IN_REVIEW and case.acceptance_basis == "ACCEPTED"
    assert case.accepted_at == now
    assert case.promised_due_date == dt.date(2026, 11, 30)
    assert case.legal_due_date == dt.date(2026, 12, 21)
    assert set(case.materials.filter(requirement="REQUIRED").values_list("state", flat=True)) == {
        MaterialState.ACCEPTED}


def test_accept_with_tolerance_only_for_tolerable_materials(world, now):
    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照"))
    site = case.materials.get(name="经营场所使用证明")
    rules = case.materials.get(name="食品安全管理制度")
    with pytest.raises(ToleranceNotAllowed):
        services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk, rules.pk],
                             supply_days=5, now=now)
    with pytest.raises(MaterialsIncomplete):
        services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=5,
                             now=now)
    services.case_material_receive_paper(actor=world.clerk, case=case, material_ids=[rules.pk],
                                         now=now)
    # The catalog gives 10 working days: a clerk may shorten them, never lengthen them.
    with pytest.raises(ToleranceNotAllowed) as too_long:
        services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=15,
                             now=now)
    assert too_long.value.code == "cases.tolerance-not-allowed"
    assert "10 个工作日" in too_long.value.details["supply_days"]
    # Without a period from the clerk, the catalog's own applies.
    services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], now=now)
    case.refresh_from_db()
    assert case.tolerance_due_date == dt.date(2026, 12, 7)
    assert case.actions.get(kind="ACCEPT").data["supply_days"] == 10
    site.refresh_from_db()
    assert site.state == MaterialState.TOLERATED
    expected = selectors.expected_of_applicant(case=case)
    assert expected.action_needed and expected.items[0]["name"] == "经营场所使用证明"
    assert case.status == CaseStatus.IN_REVIEW  # the route runs while the material is due


def test_tolerated_material_supplied_during_review(world, now):
    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = case.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=10,
                         now=now)
    # The applicant supplies the tolerated material; the deadline is cleared.
    later = now + dt.timedelta(days=2)
    services.case_material_upload(actor=world.clerk, case=case, material_id=site.pk,
                                  stream=pdf_bytes(), filename="场所证明.pdf", now=later)
    services.case_supply_materials(actor=world.clerk, case=case, now=later)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.tolerance_due_date is None
    assert case.actions.filter(kind=ActionKind.SUPPLY_TOLERATED).exists()


def test_refusal_without_reason_is_rejected(world, now):
    case = submit_online(world, now)
    for reason in ("", "   ", None):
        with pytest.raises(ReasonRequired) as exc:
            services.case_reject(actor=world.clerk, case=case, reason=reason, now=now)
        assert exc.value.code == "cases.reason-required"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    services.case_reject(actor=world.clerk, case=case, reason="申请事项不属于本机关职权范围。",
                         now=now)
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.closed_at == now
    notice = case.actions.get(kind=ActionKind.REJECT).data["notice"]
    assert "行政复议" in notice["remedies"] and "六个月" in notice["remedies"]


def test_correction_round_trip_and_repeated_rounds_are_recorded(world, now):
    case = submit_online(world, now)
    licence = case.materials.get(name="营业执照")
    rules = case.materials.get(name="食品安全管理制度")
    with pytest.raises(CaseInvalid):
        services.case_request_correction(actor=world.clerk, case=case, items=[], now=now)
    services.case_request_correction(
        actor=world.clerk, case=case, now=now,
        items=[{"material_id": licence.pk, "problem": "营业执照复印件不清晰"},
               {"material_id": rules.pk, "problem": "缺少从业人员健康管理制度"},
               {"name": "申请表经营项目", "problem": "经营项目填写不规范"}],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUESTED and case.correction_rounds == 1
    assert case.acceptance_due_date is None  # the Art. 32 clock stops
    expected = selectors.expected_of_applicant(case=case)
    assert [i["name"] for i in expected.items] == ["营业执照", "食品安全管理制度", "申请表经营项目"]
    with pytest.raises(MaterialsIncomplete):
        services.case_supply_materials(actor=world.citizen, case=case, now=now)
    later = now + dt.timedelta(days=3)
    for material in (licence, rules):
        services.case_material_upload(actor=world.citizen, case=case, material_id=material.pk,
                                      stream=pdf_bytes("new"), filename="new.pdf", now=later)
    services.case_supply_materials(actor=world.citizen, case=case, now=later,
                                   form_data={"application_content": "经营项目：热食类食品制售"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.received_at == later
    assert case.acceptance_due_date == dt.date(2026, 12, 3)  # 5 working days from 11-26
    services.case_request_correction(
        actor=world.clerk, case=case, now=later,
        items=[{"material_id": licence.pk, "problem": "营业执照已过期"}])
    case.refresh_from_db()
    rounds = [a.data["round"] for a in case.actions.filter(kind=ActionKind.REQUEST_CORRECTION)]
    assert rounds == [1, 2] and case.correction_rounds == 2
    titles = [n.title for n in selectors.notices_of(case=case)]
    assert titles == ["补正材料通知书（第1次）", "补正材料通知书（第2次）"]


def test_withdrawal_needs_a_reason_and_is_the_applicants(world, now):
    case = submit_online(world, now)
    with pytest.raises(ReasonRequired):
        services.case_withdraw(actor=world.citizen, case=case, reason="", now=now)
    other = submit_online(world, now, actor=world.agent)
    with pytest.raises(CaseNotFound):
        services.case_withdraw(actor=world.agent, case=case, reason="不办了", now=now)
    services.case_withdraw(actor=world.citizen, case=case, reason="信息填写有误，重新申请", now=now)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.case_accept(actor=world.clerk, case=case, now=now)
    assert other.status == CaseStatus.SUBMITTED


def test_instant_item_decided_on_the_spot_by_an_authorised_clerk(world, now):
    case = submit_online(world, now, item=world.instant_item)
    with pytest.raises(NotInstantItem):
        services.case_decide_instant(actor=world.chief, case=submit_online(world, now),
                                     approve=True, now=now)
    # A clerk whose only scope is the centre is not authorised by the department.
    with pytest.raises(CaseNotFound):
        services.case_decide_instant(actor=world.clerk, case=case, approve=True, now=now)
    grant(world.clerk, Role.WINDOW_CLERK, world.dept)
    forget_scopes(world.clerk)
    with pytest.raises(ReasonRequired):
        services.case_decide_instant(actor=world.clerk, case=case, approve=False, now=now)
    services.case_decide_instant(actor=world.clerk, case=case, approve=True, now=now)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert [a.kind for a in case.actions.order_by("seq")][-3:] == [
        "ACCEPT", "APPROVE", "OUTPUT_READY"]
    assert case.promised_due_date == dt.date(2026, 11, 23)
    assert OutboxEvent.objects.filter(name="cases.case.decided").count() == 1


# --- concurrency and scope ----------------------------------------------------------------


def test_stale_page_gets_a_conflict_and_nothing_is_written(world, now):
    case = submit_online(world, now)
    seen = case.lock_version
    services.case_request_correction(
        actor=world.clerk, case=case, expected_version=seen, now=now,
        items=[{"name": "申请表", "problem": "签字缺失"}])
    actions_before = CaseAction.objects.count()
    with pytest.raises(CaseConflict) as exc:
        services.case_accept(actor=world.chief, case=case, expected_version=seen, now=now)
    assert exc.value.code == "cases.conflict" and exc.value.http_status == 409
    assert exc.value.message == "该办件刚被其他人处理，请刷新后查看。"
    assert CaseAction.objects.count() == actions_before


def test_staff_outside_the_case_scope_get_not_found(world, now):
    case = submit_online(world, now)
    for act in (
        lambda: services.case_accept(actor=world.other_clerk, case=case, now=now),
        lambda: services.case_reject(actor=world.other_clerk, case=case, reason="x", now=now),
        lambda: selectors.access_case(actor=world.other_clerk, ref=case.number),
        lambda: selectors.access_case(actor=world.agent, ref=case.number),
    ):
        with pytest.raises(CaseNotFound):
            act()
    # Front desk (centre) and back office (implementing organisation) both see it.
    for actor in (world.clerk, world.handler, world.chief, world.supervisor, world.citizen):
        assert selectors.access_case(actor=actor, ref=case.number) == case
    # A draft is private to its author.
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     now=now)
    with pytest.raises(CaseNotFound):
        selectors.access_case(actor=world.clerk, ref=str(draft.pk))


def test_every_action_is_audited_and_on_the_timeline(world, now):
    case = submit_online(world, now)
    services.case_request_correction(
        actor=world.clerk, case=case, now=now,
        items=[{"material_id": case.materials.get(name="营业执照").pk, "problem": "不清晰"}])
    services.case_material_upload(actor=world.citizen, case=case,
                                  material_id=case.materials.get(name="营业执照").pk,
                                  stream=pdf_bytes(), filename="b.pdf", now=now)
    services.case_supply_materials(actor=world.citizen, case=case, now=now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    services.case_withdraw(actor=world.citizen, case=case, reason="不再需要", now=now)
    case.refresh_from_db()
    entries = selectors.timeline(case=case)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "CREATE" and kinds[-5:] == [
        "ADD_FILE", "SUPPLY", "ACCEPT", "ROUTE_START", "WITHDRAW"]
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert case.action_count == len(entries)
    audited = list(AuditEvent.objects.filter(subject_type="cases.case")
                   .values_list("action", flat=True))
    for kind in kinds:
        assert f"cases.case.{'created' if kind == 'CREATE' else kind.lower()}" in audited
    # No clear ID number anywhere in the audit rows of the case.
    id_number = world.citizen.person.id_number
    for row in AuditEvent.objects.filter(subject_type="cases.case"):
        assert id_number not in str(row.before) + str(row.after)


def test_action_log_is_append_only(world, now):
    from onewindow.cases.models import AppendOnly

    action = submit_online(world, now).actions.first()
    with pytest.raises(AppendOnly):
        action.save()
    with pytest.raises(AppendOnly):
        action.delete()


def test_suspended_item_cannot_be_accepted(world, now):
    case = submit_online(world, now)
    catalog_services.item_suspend(actor=None, implementation=world.item, reason="暂停", now=now)
    with pytest.raises(ItemNotAvailable) as exc:
        services.case_accept(actor=world.clerk, case=case, now=now)
    assert exc.value.code == "cases.item-not-available"
