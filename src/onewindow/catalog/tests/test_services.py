"""Versioning, validation, lifecycle and scope of the catalog services."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus, Operation, VersionStatus
from onewindow.catalog.errors import (
    ElementsInvalid,
    InvalidTransition,
    ItemExists,
    ItemNotFound,
    NoChanges,
    NoDraft,
    OrganisationNotFound,
    ReasonRequired,
    VersionImmutable,
)
from onewindow.catalog.models import (
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Material,
    ServiceObject,
)
from onewindow.events.models import OutboxEvent

from .factories import CatalogEntryFactory, ThemeFactory, make_elements, make_item

pytestmark = pytest.mark.django_db


def audits(code: str) -> list[str]:
    return list(AuditEvent.objects.filter(subject_id=code).order_by("id")
                .values_list("action", flat=True))


def test_create_makes_a_draft_with_a_composed_code(tree, now):
    entry = CatalogEntryFactory()
    item = services.item_create(
        actor=tree["admin_a"], organisation=tree["dept_a"], basic_code=entry.basic_code,
        elements=make_elements(name="  测试  事项 "), now=now,
    )
    assert item.code == f"{tree['dept_a'].credit_code}3{entry.basic_code}"
    assert len(item.code) == 31
    assert item.current_version is None
    version = item.versions.get()
    assert (version.number, version.status, version.name) == (1, VersionStatus.DRAFT, "测试 事项")
    assert list(version.materials.values_list("position", "name")) == [(1, "申请表"),
                                                                        (2, "营业执照")]
    assert audits(item.code) == ["catalog.item.created"]
    with pytest.raises(ItemNotFound):  # not public before publication
        selectors.guide(code=item.code)


def test_publish_makes_the_draft_current_logs_audits_and_publishes_an_event(tree, now):
    item = make_item(organisation=tree["dept_a"], publish=False, now=now)
    version = services.item_publish(actor=tree["admin_a"], implementation=item, reason="新增事项",
                                    now=now)
    item.refresh_from_db()
    assert item.current_version == version
    assert (version.status, version.valid_from, version.published_by) == (
        VersionStatus.PUBLISHED, now, tree["admin_a"])
    action = ImplementationAction.objects.get(implementation=item)
    assert (action.operation, action.reason, action.actor) == (Operation.CREATE, "新增事项",
                                                               tree["admin_a"])
    assert audits(item.code)[-1] == "catalog.item.create"
    event = OutboxEvent.objects.get(name="catalog.item.published", aggregate_id=item.code)
    assert event.payload["version"] == 1 and event.payload["operation"] == "CREATE"


def test_editing_a_published_item_opens_a_new_version_and_keeps_the_old_one(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    v1 = item.current_version
    later = now + dt.timedelta(days=3)
    draft = services.item_draft_update(
        actor=tree["admin_a"], implementation=item,
        changes={"promised_limit_amount": 3, "materials": [{"name": "新申请表"}]},
        reason="压缩时限", now=later,
    )
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED and v1.promised_limit_amount == 5
    assert v1.materials.count() == 2  # the published version is untouched
    # The public still sees version 1 until the draft is published.
    assert selectors.guide(code=item.code).promised_limit.amount == 5

    # A second save edits the same draft, it does not open version 3.
    again = services.item_draft_update(actor=tree["admin_a"], implementation=item,
                                       changes={"promised_limit_amount": 4}, now=later)
    assert again.pk == draft.pk and again.number == 2

    services.item_publish(actor=tree["admin_a"], implementation=item, reason="压缩时限", now=later)
    v1.refresh_from_db()
    assert (v1.status, v1.valid_to) == (VersionStatus.SUPERSEDED, later)
    current = selectors.guide(code=item.code)
    assert (current.version.number, current.promised_limit.amount) == (2, 4)
    assert [m.name for m in current.materials] == ["新申请表"]
    old = selectors.guide(code=item.code, version=1)
    assert (old.promised_limit.amount, len(old.materials), old.version.is_current) == (5, 2, False)
    assert [v.number for v in selectors.implementation_versions(code=item.code)] == [2, 1]
    assert ImplementationAction.objects.filter(implementation=item).latest("id").operation == (
        Operation.CHANGE)


def test_a_published_version_cannot_be_saved_in_place(now):
    item = make_item(now=now)
    version = ImplementationVersion.objects.get(pk=item.current_version_id)
    version.name = "偷偷修改"
    with pytest.raises(VersionImmutable):
        version.save()
    version.refresh_from_db()
    with pytest.raises(VersionImmutable):
        version.save()
    material = version.materials.first()
    material.name = "偷偷修改"
    with pytest.raises(VersionImmutable):
        material.save()


def test_invalid_changes_are_refused_with_chinese_messages_and_nothing_is_written(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    versions_before = ImplementationVersion.objects.count()
    audits_before = AuditEvent.objects.count()
    with pytest.raises(ElementsInvalid) as exc:
        services.item_draft_update(
            actor=tree["admin_a"], implementation=item,
            changes={"name": "", "promised_limit_amount": 30, "handling_type": "X",
                     "materials": [{"name": "身份证", "requirement": "CONDITIONAL"}],
                     "fee_charged": True},
            now=now,
        )
    details = exc.value.details
    assert exc.value.code == "catalog.invalid-elements" and exc.value.http_status == 422
    assert details["name"] == "请填写事项名称。"
    assert details["promised_limit_amount"] == "承诺办结时限不能超过法定办结时限。"
    assert "办件类型" in details["handling_type"]
    assert details["materials.0.condition"] == "视情况提交的材料请写明提交条件。"
    assert details["fees"] == "收费事项请至少填写一个收费项目。"
    assert ImplementationVersion.objects.count() == versions_before
    assert AuditEvent.objects.count() == audits_before


def test_limits_need_units_and_unknown_themes_are_refused(tree, now):
    entry = CatalogEntryFactory()
    with pytest.raises(ElementsInvalid) as exc:
        services.item_create(
            actor=None, organisation=tree["dept_a"], basic_code=entry.basic_code,
            elements=make_elements(legal_limit_unit="", themes=["没有的主题"]), now=now,
        )
    assert "单位" in exc.value.details["legal_limit_unit"]
    assert not Implementation.objects.exists()
    theme = ThemeFactory(name="生育收养")
    item = services.item_create(actor=None, organisation=tree["dept_a"],
                                basic_code=entry.basic_code,
                                elements=make_elements(themes=[theme.name]), now=now)
    assert list(item.versions.get().themes.all()) == [theme]


def test_create_checks_entry_code_and_duplicates(tree, now):
    with pytest.raises(ElementsInvalid) as exc:
        services.item_create(actor=None, organisation=tree["dept_a"], basic_code="440100000000",
                             elements=make_elements(), now=now)
    assert "basic_code" in exc.value.details
    entry = CatalogEntryFactory()
    services.item_create(actor=None, organisation=tree["dept_a"], basic_code=entry.basic_code,
                         elements=make_elements(), now=now)
    with pytest.raises(ItemExists):
        services.item_create(actor=None, organisation=tree["dept_a"],
                             basic_code=entry.basic_code, elements=make_elements(), now=now)


def test_unchanged_edits_and_publishing_without_a_draft_are_refused(now):
    item = make_item(now=now)
    with pytest.raises(NoChanges):
        services.item_draft_update(actor=None, implementation=item, changes={"name": "测试事项"},
                                   now=now)
    with pytest.raises(NoDraft):
        services.item_publish(actor=None, implementation=item, reason="再发布", now=now)


def test_suspend_resume_cancel_need_reasons_and_are_logged_and_audited(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    admin = tree["admin_a"]
    with pytest.raises(ReasonRequired) as exc:
        services.item_suspend(actor=admin, implementation=item, reason="  ", now=now)
    assert exc.value.details == {"reason": "请填写理由。"}

    services.item_suspend(actor=admin, implementation=item, reason="系统升级", now=now)
    item.refresh_from_db()
    assert item.status == ImplementationStatus.SUSPENDED
    # Suspended items leave the public list but their guide stays readable.
    assert selectors.implementation_list().items == []
    guide = selectors.guide(code=item.code)
    assert guide.status.code == "SUSPENDED" and not guide.accepting
    with pytest.raises(InvalidTransition):
        services.item_suspend(actor=admin, implementation=item, reason="再次暂停", now=now)

    services.item_resume(actor=admin, implementation=item, reason="升级完成", now=now)
    services.item_cancel(actor=admin, implementation=item, reason="事项取消", now=now)
    item.refresh_from_db()
    assert item.status == ImplementationStatus.CANCELLED
    assert item.current_version.valid_to == now
    with pytest.raises(InvalidTransition):
        services.item_resume(actor=admin, implementation=item, reason="恢复", now=now)
    with pytest.raises(InvalidTransition):
        services.item_draft_update(actor=admin, implementation=item, changes={"name": "改名"},
                                   now=now)
    log = list(ImplementationAction.objects.filter(implementation=item).order_by("id")
               .values_list("operation", "reason"))
    assert log == [("CREATE", "首次发布"), ("SUSPEND", "系统升级"), ("RESUME", "升级完成"),
                   ("CANCEL", "事项取消")]
    assert audits(item.code)[-3:] == ["catalog.item.suspend", "catalog.item.resume",
                                      "catalog.item.cancel"]
    names = list(OutboxEvent.objects.filter(aggregate_id=item.code).order_by("id")
                 .values_list("name", flat=True))
    assert names[-3:] == ["catalog.item.suspended", "catalog.item.resumed",
                          "catalog.item.cancelled"]


def test_a_draft_is_published_where_the_lifecycle_allows_a_change_only(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    admin = tree["admin_a"]
    services.item_draft_update(actor=admin, implementation=item, changes={"name": "改名一"},
                               now=now)
    services.item_suspend(actor=admin, implementation=item, reason="系统升级", now=now)
    services.item_publish(actor=admin, implementation=item, reason="暂停期间更新", now=now)
    services.item_draft_update(actor=admin, implementation=item, changes={"name": "改名二"},
                               now=now)
    services.item_cancel(actor=admin, implementation=item, reason="事项取消", now=now)
    with pytest.raises(InvalidTransition) as refused:
        services.item_publish(actor=admin, implementation=item, reason="取消后发布", now=now)
    assert refused.value.code == "catalog.invalid-transition"
    assert refused.value.details == {"status": "CANCELLED"}
    assert list(ImplementationAction.objects.filter(implementation=item).order_by("id")
                .values_list("operation", flat=True)) == ["CREATE", "SUSPEND", "CHANGE",
                                                          "CANCEL"]


def test_negative_list_needs_a_reason(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    services.item_set_hall(actor=tree["admin_a"], implementation=item, in_hall=False,
                           reason="涉密事项，不进驻大厅", now=now)
    item.refresh_from_db()
    assert (item.in_hall, item.not_in_hall_reason) == (False, "涉密事项，不进驻大厅")
    assert selectors.guide(code=item.code).not_in_hall_reason == "涉密事项，不进驻大厅"
    with pytest.raises(NoChanges):
        services.item_set_hall(actor=tree["admin_a"], implementation=item, in_hall=False,
                               reason="再次", now=now)


def test_a_catalog_admin_of_another_subtree_sees_nothing(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    for call in (
        lambda: services.item_draft_update(actor=tree["admin_b"], implementation=item,
                                           changes={"name": "越权修改"}, now=now),
        lambda: services.item_suspend(actor=tree["admin_b"], implementation=item, reason="越权",
                                      now=now),
        lambda: selectors.access_implementation(actor=tree["admin_b"], code=item.code),
        lambda: selectors.access_version(actor=tree["admin_b"], code=item.code, number=1),
    ):
        with pytest.raises(ItemNotFound) as exc:
            call()
        assert exc.value.http_status == 404
    entry = CatalogEntryFactory()
    with pytest.raises(OrganisationNotFound):
        services.item_create(actor=tree["admin_b"], organisation=tree["dept_a"],
                             basic_code=entry.basic_code, elements=make_elements(), now=now)
    # The city's admin covers both departments.
    draft = services.item_draft_update(actor=tree["city_admin"], implementation=item,
                                       changes={"name": "市级修改"}, now=now)
    assert draft.name == "市级修改"


def test_a_service_acts_on_the_locked_row_not_on_the_object_it_was_given(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    admin = tree["admin_a"]
    on_the_page = selectors.access_implementation(actor=admin, code=item.code)
    services.item_cancel(actor=admin, implementation=item, reason="事项取消", now=now)
    assert on_the_page.status == ImplementationStatus.ACTIVE  # the page's copy is stale
    with pytest.raises(InvalidTransition) as refused:
        services.item_suspend(actor=admin, implementation=on_the_page, reason="系统升级",
                              now=now)
    assert refused.value.details == {"status": "CANCELLED", "action": Operation.SUSPEND}
    assert list(ImplementationAction.objects.filter(implementation=item).order_by("id")
                .values_list("operation", flat=True)) == ["CREATE", "CANCEL"]


def test_a_service_checks_the_scope_of_the_locked_row(tree, now):
    item = make_item(organisation=tree["dept_a"], publish=False, now=now)
    on_the_page = selectors.access_implementation(actor=tree["admin_a"], code=item.code)
    # The item moves to the other department after the page resolved it.
    Implementation.objects.filter(pk=item.pk).update(organisation=tree["dept_b"])
    with pytest.raises(ItemNotFound) as hidden:
        services.item_publish(actor=tree["admin_a"], implementation=on_the_page,
                              reason="新增事项", now=now)
    assert hidden.value.http_status == 404
    assert hidden.value.details == {"code": item.code}
    assert not ImplementationVersion.objects.filter(
        implementation=item, status=VersionStatus.PUBLISHED).exists()
    assert audits(item.code) == ["catalog.item.created"]
    version = services.item_publish(actor=tree["admin_b"], implementation=on_the_page,
                                    reason="新增事项", now=now)
    assert version.status == VersionStatus.PUBLISHED


def test_a_hall_manager_may_change_the_hall_list_but_not_edit(tree, now):
    from onewindow.identity.models import Role
    from onewindow.identity.tests.factories import StaffFactory, grant

    item = make_item(organisation=tree["dept_a"], now=now)
    hall_manager = StaffFactory(organisation=tree["dept_a"])
    grant(hall_manager, Role.HALL_MANAGER, tree["dept_a"])
    with pytest.raises(ItemNotFound):
        selectors.access_implementation(actor=hall_manager, code=item.code)
    with pytest.raises(ItemNotFound):
        services.item_draft_update(actor=hall_manager, implementation=item,
                                   changes={"name": "改名"}, now=now)
    changed = services.item_set_hall(actor=hall_manager, implementation=item, in_hall=False,
                                     reason="涉密事项，不进驻大厅", now=now)
    assert (changed.in_hall, changed.not_in_hall_reason) == (False, "涉密事项，不进驻大厅")


def test_a_citizen_or_anonymous_user_cannot_edit(now):
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.tests.factories import CitizenFactory

    item = make_item(now=now)
    for actor in (AnonymousUser(), CitizenFactory()):
        with pytest.raises(ItemNotFound):
            services.item_publish(actor=actor, implementation=item, reason="x", now=now)


def test_discarding_a_draft_returns_to_the_published_version(now):
    item = make_item(now=now)
    services.item_draft_update(actor=None, implementation=item, changes={"name": "草稿名"},
                               now=now)
    services.item_draft_discard(actor=None, implementation=item, reason="放弃修改", now=now)
    assert not ImplementationVersion.objects.filter(implementation=item,
                                                    status=VersionStatus.DRAFT).exists()
    assert Material.objects.filter(version__implementation=item).count() == 2
    edit = selectors.item_for_edit(
        implementation=selectors.access_implementation(actor=None, code=item.code))
    assert edit.draft is None and edit.elements["name"] == "测试事项"
    assert edit.allowed_operations == ["CHANGE", "SUSPEND", "CANCEL", "HALL"]


def test_entry_upsert_validates_and_audits(tree, now):
    with pytest.raises(ElementsInvalid) as exc:
        services.entry_upsert(actor=tree["city_admin"], basic_code="12", name="",
                              item_type="99", now=now)
    assert set(exc.value.details) == {"basic_code", "name", "item_type"}
    entry = services.entry_upsert(actor=tree["city_admin"], basic_code="440101007000",
                                  name="临时价格干预", item_type="01", now=now)
    services.entry_upsert(actor=tree["city_admin"], basic_code="440101007000",
                          name="临时价格干预范围事项提价申报", item_type="01", now=now)
    entry.refresh_from_db()
    assert entry.name == "临时价格干预范围事项提价申报"
    assert list(AuditEvent.objects.filter(subject_id="440101007000").order_by("id")
                .values_list("action", flat=True)) == ["catalog.entry.created",
                                                       "catalog.entry.changed"]


def test_publishing_with_a_clock_before_the_current_version_is_refused_cleanly(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    earlier = now - dt.timedelta(hours=1)
    services.item_draft_update(actor=tree["admin_a"], implementation=item,
                               changes={"promised_limit_amount": 3}, now=earlier)
    with pytest.raises(InvalidTransition) as caught:
        services.item_publish(actor=tree["admin_a"], implementation=item, reason="压缩时限",
                              now=earlier)
    assert caught.value.code == "catalog.invalid-transition"
    assert "生效时间" in caught.value.message
    item.current_version.refresh_from_db()
    assert item.current_version.status == VersionStatus.PUBLISHED  # nothing half-written
    assert selectors.guide(code=item.code).promised_limit.amount == 5


def test_an_item_keeps_its_service_objects_even_if_a_seeded_row_went_missing(tree, now):
    ServiceObject.objects.filter(code="2").delete()
    item = make_item(organisation=tree["dept_a"], now=now, service_objects=["1", "2"])
    codes = sorted(item.current_version.service_objects.values_list("code", flat=True))
    assert codes == ["1", "2"]
    assert ServiceObject.objects.get(code="2").name == "企业法人"
