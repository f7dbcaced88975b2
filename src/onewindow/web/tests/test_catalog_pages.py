"""The catalog pages: public browsing and guides, and the catalog admin's workbench
(scoping, filters kept in the URL, edits through drafts, lifecycle actions with reasons,
Excel export and import)."""

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from onewindow.catalog import services
from onewindow.catalog.codes import ImplementationStatus, VersionStatus
from onewindow.catalog.models import Implementation, ImplementationVersion
from onewindow.catalog.tests.factories import CatalogEntryFactory, make_item
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    CitizenFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """Just before the real clock: the pages publish with the real time, and a version
    cannot end before it began."""
    return timezone.now() - dt.timedelta(minutes=5)


@pytest.fixture
def tree():
    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    dept_a = OrganisationFactory(parent=city, name="甲局")
    dept_b = OrganisationFactory(parent=city, name="乙局")
    # The centre that receives the departments' applications (the guide offers 在线申办).
    OrganisationFactory(parent=city, kind="SERVICE_CENTRE", credit_code=None,
                        name="测试市政务服务中心")
    admin_a = StaffFactory(organisation=dept_a)
    admin_b = StaffFactory(organisation=dept_b)
    grant(admin_a, Role.CATALOG_ADMIN, dept_a)
    grant(admin_b, Role.CATALOG_ADMIN, dept_b)
    return {"city": city, "dept_a": dept_a, "dept_b": dept_b, "admin_a": admin_a,
            "admin_b": admin_b}


@pytest.fixture
def item(tree, now):
    return make_item(organisation=tree["dept_a"], now=now, name="社会保险参保登记")


def page(response) -> str:
    return response.content.decode()


def post_reason(client, code, operation, reason):
    return client.post(reverse("web:catalog-item-operation", args=[code, operation]),
                       {f"{operation}-reason": reason})


# --- portal -----------------------------------------------------------------------------


def test_search_finds_a_two_character_query_and_links_to_the_guide(client, item, tree, now):
    make_item(organisation=tree["dept_b"], now=now, name="建筑工程施工许可")
    response = client.get(reverse("web:items"), {"q": "社保"})
    assert response.status_code == 200
    body = page(response)
    assert "社会保险参保登记" in body and "建筑工程施工许可" not in body
    assert reverse("web:item-guide", args=[item.code]) in body
    assert "承诺件" in body and "最多跑一次" in body and "甲局" in body


def test_filters_and_the_next_page_stay_in_the_url(client, tree, now):
    entry_type = "01"
    for n in range(22):
        make_item(organisation=tree["dept_a"], now=now, name=f"许可事项{n:02d}",
                  entry=CatalogEntryFactory(item_type=entry_type))
    response = client.get(reverse("web:items"), {"org": tree["dept_a"].pk, "type": entry_type})
    body = page(response)
    assert body.count('class="cat-result"') == 20
    assert f'value="{tree["dept_a"].pk}" selected' in body
    next_link = body.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"org={tree['dept_a'].pk}" in next_link and "type=01" in next_link
    assert "cursor=" in next_link and "page=2" in next_link
    second = page(client.get(reverse("web:items") + next_link))
    assert second.count('class="cat-result"') == 2 and "第 2 页" in second


def test_lists_use_a_fixed_number_of_queries(client, tree, now,
                                             django_assert_max_num_queries):
    for n in range(15):
        make_item(organisation=tree["dept_a"], now=now, name=f"事项{n:02d}")
    with django_assert_max_num_queries(12):
        assert page(client.get(reverse("web:items"))).count('class="cat-result"') == 15
    client.force_login(tree["admin_a"])
    with django_assert_max_num_queries(8):
        assert "事项14" in page(client.get(reverse("web:catalog-admin")))


def test_a_bad_filter_is_explained_not_a_crash(client, item):
    response = client.get(reverse("web:items"), {"type": "99"})
    assert response.status_code == 400
    assert "事项类型代码“99”无效" in page(response)


@pytest.mark.parametrize("query", ["，", "、", "-", "*", "!!!", '""'])
def test_a_query_of_punctuation_alone_shows_the_whole_list_with_a_hint(client, item, tree,
                                                                         query):
    response = client.get(reverse("web:items"), {"q": query})
    assert response.status_code == 200
    body = page(response)
    assert "搜索词里没有可以查找的文字" in body and "社会保险参保登记" in body
    client.force_login(tree["admin_a"])
    response = client.get(reverse("web:catalog-admin"), {"q": query})
    assert response.status_code == 200 and "社会保险参保登记" in page(response)


def test_a_nul_byte_in_the_query_is_explained_not_a_crash(client, item, tree):
    # Refused at the edge, before the catalog's own check (ADR 0025): 422 and the page.
    response = client.get(reverse("web:items") + "?q=%00")
    assert response.status_code == 422
    body = page(response)
    assert "不允许的字符" in body and "\x00" not in body
    client.force_login(tree["admin_a"])
    response = client.get(reverse("web:catalog-admin") + "?q=%00")
    assert response.status_code == 422 and "不允许的字符" in page(response)


def test_an_imported_guangdong_item_says_where_to_apply_instead_of_a_failing_button(client,
                                                                                  now):
    from onewindow.catalog.importers.gdzwfw import import_gdzwfw
    from onewindow.catalog.tests.conftest import bundled_lines

    import_gdzwfw(lines=bundled_lines()[:20], now=now)
    version = next(v for v in ImplementationVersion.objects.filter(
        status=VersionStatus.PUBLISHED).select_related("implementation")
        if {"2", "3"} & set(v.handling_forms or []) and v.online_apply_url)
    code = version.implementation.code
    body = page(client.get(reverse("web:item-guide", args=[code])))
    # No centre on this platform receives the Guangdong departments' applications.
    assert "在线申办" not in body and reverse("web:apply", args=[code]) not in body
    assert "本平台不受理该事项的申请" in body
    assert f'href="{version.online_apply_url}"' in body.replace("&amp;", "&")
    client.force_login(CitizenFactory())
    response = client.get(reverse("web:apply", args=[code]))
    assert response.status_code == 302
    assert response.url == reverse("web:item-guide", args=[code])


def test_the_guide_shows_every_element_in_plain_chinese(client, item):
    response = client.get(reverse("web:item-guide", args=[item.code]))
    assert response.status_code == 200
    body = page(response)
    for text in ("社会保险参保登记", "申请表", "营业执照", "视情况提交", "企业申请时提交",
                 "20 个工作日", "5 个工作日", "不收费", "0631-12345",
                 "政务服务中心一楼 3 号窗口", "申请人符合条件。", "市场监督管理局"):
        assert text in body, text
    assert "这是历史版本" not in body
    # Offered online (电脑端网上办理) and accepting: the apply button of the cases pages.
    assert f'href="{reverse("web:apply", args=[item.code])}"' in body
    # Unknown parameters of a shared link do not break the list.
    assert client.get(reverse("web:items"), {"q": "社保", "from": "singlemessage"}
                      ).status_code == 200


def test_a_historic_version_has_a_banner_and_the_current_one_is_linked(client, item, now):
    services.item_draft_update(actor=None, implementation=item,
                               changes={"promised_limit_amount": 3}, now=now)
    services.item_publish(actor=None, implementation=item, reason="压缩时限", now=now)
    old = page(client.get(reverse("web:item-guide", args=[item.code]), {"version": 1}))
    assert "这是历史版本" in old and "5 个工作日" in old
    assert "在线申办" not in old
    current = page(client.get(reverse("web:item-guide", args=[item.code])))
    assert "这是历史版本" not in current and "3 个工作日" in current
    missing = client.get(reverse("web:item-guide", args=[item.code]), {"version": 9})
    assert missing.status_code == 404


def test_suspended_items_say_so_and_cancelled_ones_are_gone(client, item, now):
    services.item_suspend(actor=None, implementation=item, reason="系统升级", now=now)
    body = page(client.get(reverse("web:item-guide", args=[item.code])))
    assert "该事项暂停办理" in body and "在线申办" not in body
    services.item_cancel(actor=None, implementation=item, reason="事项取消", now=now)
    response = client.get(reverse("web:item-guide", args=[item.code]))
    assert response.status_code == 404 and "该事项已取消" in page(response)


def test_unknown_and_malformed_codes_are_missing_pages(client):
    assert client.get(reverse("web:item-guide", args=["11440000006940116U2440102009999"])
                      ).status_code == 404
    assert client.get(reverse("web:item-guide", args=["not-a-code"])).status_code == 404


# --- workbench: access and scoping ------------------------------------------------------


def test_catalog_pages_need_a_catalog_admin(client, item):
    url = reverse("web:catalog-admin")
    assert client.get(url).status_code == 302
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 404


def test_items_outside_the_admins_scope_look_missing(client, item, tree):
    client.force_login(tree["admin_b"])
    assert "社会保险参保登记" not in page(client.get(reverse("web:catalog-admin")))
    for name in ("web:catalog-item", "web:catalog-item-edit"):
        assert client.get(reverse(name, args=[item.code])).status_code == 404
    assert client.get(reverse("web:catalog-item-version", args=[item.code, 1])
                      ).status_code == 404
    response = post_reason(client, item.code, "suspend", "越权")
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ImplementationStatus.ACTIVE


def test_staff_list_filters_stay_in_the_url(client, item, tree, now):
    make_item(organisation=tree["dept_a"], now=now, name="未发布的事项", publish=False)
    client.force_login(tree["admin_a"])
    body = page(client.get(reverse("web:catalog-admin"), {"status": "DRAFT"}))
    assert "未发布的事项" in body and "社会保险参保登记" not in body
    assert '<option value="DRAFT" selected>' in body
    body = page(client.get(reverse("web:catalog-admin"), {"q": "社保", "status": "ACTIVE"}))
    assert "社会保险参保登记" in body and 'value="社保"' in body


# --- workbench: edits and lifecycle -----------------------------------------------------


def edit_data(client, code, **overrides):
    """The edit form as the page renders it, posted back with ``overrides``."""
    response = client.get(reverse("web:catalog-item-edit", args=[code]))
    form = response.context["forms"]
    data = {}
    for bound in [*form.elements]:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[bound.html_name] = value
        elif value is True:
            data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(value)
    for section in form.sections:
        management = section.management_form
        for bound in management:
            data[bound.html_name] = str(bound.value())
        for sub in section.forms:
            for bound in sub:
                value = bound.value()
                if value is None or value is False:
                    continue
                data[bound.html_name] = "on" if value is True else str(value)
    data.update(overrides)
    return data


def test_an_edit_makes_a_draft_and_publishing_makes_a_new_version(client, item, tree):
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-edit", args=[item.code])
    response = client.post(url, edit_data(client, item.code, promised_limit_amount="3",
                                          change_reason="压缩承诺时限"))
    assert response.status_code == 302
    draft = ImplementationVersion.objects.get(implementation=item, status=VersionStatus.DRAFT)
    assert draft.number == 2 and draft.promised_limit_amount == 3
    assert [m.name for m in draft.materials.order_by("position")] == ["申请表", "营业执照"]
    detail = page(client.get(reverse("web:catalog-item", args=[item.code])))
    assert "承诺办结时限" in detail and "压缩承诺时限" in detail
    assert "草稿（第 2 版）将立即对公众生效" in detail

    response = post_reason(client, item.code, "publish", "压缩承诺时限")
    assert response.status_code == 302
    statuses = dict(ImplementationVersion.objects.filter(implementation=item)
                    .values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.PUBLISHED}
    old = page(client.get(reverse("web:catalog-item-version", args=[item.code, 1])))
    assert "这是历史版本" in old and "5 个工作日" in old


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def test_a_blank_form_uploaded_in_the_editor_downloads_from_the_guide(client, item, tree,
                                                                     settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-edit", args=[item.code])
    assert 'enctype="multipart/form-data"' in page(client.get(url))
    data = edit_data(client, item.code, change_reason="上传申请表的空白表格",
                     implementation_basis="《行政许可法》第二十九条")
    data["materials-0-blank_form_upload"] = SimpleUploadedFile(
        "whatever.xlsx", _xlsx_bytes(), content_type="application/octet-stream")
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["summary"]
    assert post_reason(client, item.code, "publish", "上传空白表格").status_code == 302

    client.logout()
    body = page(client.get(reverse("web:item-guide", args=[item.code])))
    assert "实施依据" in body and "《行政许可法》第二十九条" in body
    link = body.split('" download>空白表格')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")
    disposition = unquote(download["Content-Disposition"])
    assert disposition.startswith("attachment") and "申请表-空白表格.xlsx" in disposition
    # The other material has no blank form: its address answers 404, not a server error.
    missing = client.get(link.replace("/materials/1/", "/materials/2/"))
    assert missing.status_code == 404 and missing.json()["code"] == "catalog.file-not-found"


def test_a_blank_form_that_is_not_a_document_is_refused_next_to_its_field(client, item, tree,
                                                                         settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-edit", args=[item.code])
    data = edit_data(client, item.code, change_reason="上传")
    data["materials-0-blank_form_upload"] = SimpleUploadedFile(
        "form.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(url, data)
    assert response.status_code == 422
    assert "空白表格只能是 PDF、Word（doc/docx）或 Excel（xls/xlsx） 文件。" in page(response)
    assert not ImplementationVersion.objects.filter(implementation=item,
                                                    status=VersionStatus.DRAFT).exists()
    # Naming a stored file that is not a catalog upload is refused too.
    data = edit_data(client, item.code, change_reason="换文件",
                     **{"materials-0-blank_form": "cases/materials/secret.pdf"})
    response = client.post(url, data)
    assert response.status_code == 422 and "空白表格应为上传的文件" in page(response)


def test_an_invalid_edit_is_refused_next_to_the_field_and_changes_nothing(client, item, tree):
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-edit", args=[item.code])
    data = edit_data(client, item.code, promised_limit_amount="30", name="新名称")
    response = client.post(url, data)
    assert response.status_code == 422
    body = page(response)
    assert body.count("承诺办结时限不能超过法定办结时限。") == 2  # summary and field
    assert 'href="#id_promised_limit_amount"' in body
    assert 'value="新名称"' in body  # the input is kept
    assert not ImplementationVersion.objects.filter(implementation=item,
                                                    status=VersionStatus.DRAFT).exists()


def test_material_rows_are_checked_added_moved_and_removed(client, item, tree):
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-edit", args=[item.code])
    data = edit_data(client, item.code, **{"row_action": "materials:add"})
    response = client.post(url, data)
    assert response.status_code == 200
    forms = response.context["forms"]
    assert len(forms.sections[0].forms) == 3
    data = edit_data(client, item.code, **{"row_action": "materials:down:0"})
    forms = client.post(url, data).context["forms"]
    assert [f["name"].value() for f in forms.sections[0].forms] == ["营业执照", "申请表"]
    data = edit_data(client, item.code, **{"row_action": "materials:remove:0"})
    forms = client.post(url, data).context["forms"]
    assert [f["name"].value() for f in forms.sections[0].forms] == ["营业执照"]
    # A conditional material without its condition: the service's message, on the row.
    data = edit_data(client, item.code, **{"materials-1-condition": ""})
    response = client.post(url, data)
    assert response.status_code == 422
    assert "第 2 项材料的提交条件：视情况提交的材料请写明提交条件。" in page(response)


def test_create_refuses_a_bad_code_and_makes_a_draft_from_a_good_one(client, tree):
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-item-new")
    form = client.get(url).context["forms"]
    data = {"organisation": tree["dept_a"].pk, "basic_code": "44010", "in_hall": "on",
            "name": "新事项", "subject_nature": "1", "service_objects": ["1"],
            "handling_type": "2", "cross_region_scope": "NONE", "fee_charged": "0",
            **{f"{prefix}-{count}_FORMS": "0" for prefix in ("materials", "fees",
                                                              "special_procedures")
               for count in ("TOTAL", "INITIAL")}}
    assert form.identity is not None
    response = client.post(url, data)
    assert response.status_code == 422
    body = page(response)
    # The composed 实施编码 is refused, and the 基本编码 is not in the base catalog.
    assert "实施编码应为 31 位" in body and "基本目录中没有这个基本编码" in body
    assert 'href="#id_basic_code"' in body
    assert Implementation.objects.count() == 0
    # Another department's organisation is not even offered.
    data_b = {**data, "organisation": tree["dept_b"].pk}
    assert "请从列表中选择实施主体" in page(client.post(url, data_b))

    entry = CatalogEntryFactory()
    response = client.post(url, {**data, "basic_code": entry.basic_code})
    assert response.status_code == 302
    created = Implementation.objects.get()
    assert created.code == f"{tree['dept_a'].credit_code}3{entry.basic_code}"
    assert created.versions.get().status == VersionStatus.DRAFT
    assert response.url == reverse("web:catalog-item", args=[created.code])
    # Not public until its first publication (新增).
    assert client.get(reverse("web:item-guide", args=[created.code])).status_code == 404
    assert post_reason(client, created.code, "publish", "首次发布").status_code == 302
    assert "新事项" in page(client.get(reverse("web:item-guide", args=[created.code])))


def test_lifecycle_actions_need_a_reason(client, item, tree):
    client.force_login(tree["admin_a"])
    response = post_reason(client, item.code, "suspend", "  ")
    assert response.status_code == 422
    assert "请填写理由" in page(response)
    item.refresh_from_db()
    assert item.status == ImplementationStatus.ACTIVE

    assert post_reason(client, item.code, "suspend", "系统升级").status_code == 302
    detail = page(client.get(reverse("web:catalog-item", args=[item.code])))
    assert "恢复办理" in detail and "系统升级" in detail and "暂停办理" in detail
    assert post_reason(client, item.code, "resume", "升级完成").status_code == 302
    assert post_reason(client, item.code, "cancel", "上级取消").status_code == 302
    item.refresh_from_db()
    assert item.status == ImplementationStatus.CANCELLED
    detail = page(client.get(reverse("web:catalog-item", args=[item.code])))
    assert "上级取消" in detail and "确认暂停" not in detail
    # Resuming a cancelled item is not an offered action and the service refuses it.
    response = post_reason(client, item.code, "resume", "试试")
    assert response.status_code == 409 and "不能执行" in page(response)


# --- workbench: Excel -------------------------------------------------------------------


def test_export_downloads_a_workbook_with_a_sensible_name(client, item, tree, now):
    make_item(organisation=tree["dept_b"], now=now, name="乙局的事项")
    client.force_login(tree["admin_a"])
    response = client.get(reverse("web:catalog-export"), {"org": tree["dept_a"].pk})
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "attachment" in disposition and "事项清单-甲局-" in disposition
    assert disposition.endswith(".xlsx")
    book = load_workbook(io.BytesIO(response.content))
    names = [row[2] for row in book["事项"].iter_rows(min_row=2, values_only=True)]
    assert names == ["社会保险参保登记"]
    # The whole scope is named after its root; other departments are not exportable.
    whole = client.get(reverse("web:catalog-export"))
    assert "事项清单-甲局-" in unquote(whole["Content-Disposition"])
    assert client.get(reverse("web:catalog-export"), {"org": tree["dept_b"].pk}
                      ).status_code == 404


def _workbook(client, changes: dict[str, object]) -> io.BytesIO:
    data = client.get(reverse("web:catalog-export")).content
    book = load_workbook(io.BytesIO(data))
    ws = book["事项"]
    headers = {cell.value: cell.column for cell in ws[1]}
    for header, value in changes.items():
        ws.cell(row=2, column=headers[header], value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "事项清单.xlsx"
    return out


def test_import_reports_rows_and_writes_nothing_on_errors(client, item, tree):
    client.force_login(tree["admin_a"])
    url = reverse("web:catalog-import")
    bad = _workbook(client, {"承诺办结时限": 99, "事项名称": "改了名字"})
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    body = page(response)
    assert "未写入任何内容" in body and "承诺办结时限不能超过法定办结时限" in body
    assert "<td>事项</td><td>2</td><td>承诺办结时限</td>" in body
    assert ImplementationVersion.objects.filter(implementation=item).count() == 1

    good = _workbook(client, {"承诺办结时限": 4})
    response = client.post(url, {"file": good})
    assert response.status_code == 200
    assert "变更 1" in page(response) and "已保存为草稿" in page(response)
    draft = ImplementationVersion.objects.get(implementation=item, status=VersionStatus.DRAFT)
    assert draft.promised_limit_amount == 4


def test_import_refuses_what_is_not_a_workbook(client, item, tree):
    client.force_login(tree["admin_a"])
    upload = io.BytesIO(b"not a spreadsheet")
    upload.name = "清单.csv"
    response = client.post(reverse("web:catalog-import"), {"file": upload})
    assert response.status_code == 422 and "只能上传 .xlsx" in page(response)
    upload = io.BytesIO(b"not a spreadsheet")
    upload.name = "清单.xlsx"
    response = client.post(reverse("web:catalog-import"), {"file": upload})
    assert response.status_code == 422 and "无法读取 Excel 文件" in page(response)
