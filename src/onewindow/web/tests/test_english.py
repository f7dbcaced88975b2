"""The pages in English: a visitor who picks English (the footer switch, the language
cookie or the browser's Accept-Language) gets English headings, navigation and controls;
everyone else keeps the zh-hans default. The committed catalogue is complete and compiled.

Content that people type (item names, departments, addresses) stays as written, so the
checks look at the page's own words: navigation, headings, labels, buttons, table heads.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from lxml import html

from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    CentreFactory,
    CitizenFactory,
    StaffFactory,
    grant,
)

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?[a-zA-Z][\w-]*")


def speak_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def parse(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def texts(doc, xpath: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in doc.xpath(xpath)]


def nav_labels(doc) -> list[str]:
    # The link's own text, without the unread badge.
    return [(a.text or "").strip() for a in doc.xpath("//nav[contains(@class,'main-nav')]//a")]


def page_words(doc) -> list[str]:
    """The words the page itself says (not what users typed into the catalog)."""
    return texts(doc, "//nav//a | //h2 | //label | //button | //summary"
                      " | //th[@scope='col'] | //dt | //a[contains(@class,'button')]"
                      " | //a[@class='skip-link'] | //footer//p")


def untranslated(words: list[str]) -> list[str]:
    return [w for w in words if not quotes_only(w)]


def quotes_only(text: str) -> bool:
    """No Chinese, except quoted words the page shows as they are (code-table labels such
    as “必要”, search examples such as “社保”), each followed by its English gloss."""
    return not HAN.search(re.sub(r"“[^”]*”", "", text))


# --- pages in English --------------------------------------------------------------------


def test_home_page_in_english_for_a_visitor_who_chose_it(client):
    speak_english(client)
    doc = parse(client.get(reverse("web:home")))
    assert doc.get("lang") == "en"
    assert texts(doc, "//h1") == ["One window, at most one visit"]
    assert nav_labels(doc) == ["Home", "Service guides", "Track progress", "Verify a licence"]
    assert texts(doc, "//h2") == ["Find a service"]
    assert "Log in to apply" in texts(doc, "//a")
    assert "Staff login" in texts(doc, "//a")
    assert doc.xpath("//nav[contains(@class,'main-nav')]/@aria-label") == ["Main navigation"]
    assert untranslated(page_words(doc)) == []


def test_service_guide_list_in_english_from_accept_language(client, now):
    make_item(now=now, name="社会保险参保登记")
    doc = parse(client.get(reverse("web:items"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert doc.get("lang") == "en"
    assert texts(doc, "//h1") == ["Service guides"]
    assert texts(doc, "//h2") == ["All service items"]
    assert texts(doc, "//label[@for='filter-q']") == ["Search service items"]
    assert texts(doc, "//summary") == ["Filter by department, topic or who it is for"]
    assert texts(doc, "//select[@id='filter-org']/option[1]") == ["All departments"]
    # The item itself is listed under its own (Chinese) name.
    assert texts(doc, "//h3[@class='cat-result-title']") == ["社会保险参保登记"]
    assert untranslated(page_words(doc)) == []


def test_a_search_heading_quotes_the_query_in_english(client, now):
    make_item(now=now, name="社会保险参保登记")
    speak_english(client)
    doc = parse(client.get(reverse("web:items"), {"q": "社保"}))
    assert texts(doc, "//h2") == ["Service items about “社保”"]
    assert texts(doc, "//title")[0].startswith("Search: “社保”")


def test_guide_page_in_english(client, now):
    item = make_item(now=now, name="社会保险参保登记")
    speak_english(client)
    doc = parse(client.get(reverse("web:item-guide", args=[item.code])))
    assert texts(doc, "//h1") == ["社会保险参保登记"]
    headings = texts(doc, "//h2")
    for heading in ("At a glance", "About this service", "Who can apply",
                    "Application materials", "Time limits", "Fees", "How to apply",
                    "Where and when to go", "Result", "Enquiries and complaints",
                    "Legal basis"):
        assert heading in headings
    assert doc.xpath("//nav[contains(@class,'cat-toc')]/@aria-label") == ["On this page"]
    assert texts(doc, "//p[@class='cat-breadcrumb']/a") == ["Service guides"]
    columns = texts(doc, "//table[contains(@class,'cat-materials-table')]//th[@scope='col']")
    assert columns == ["No.", "Material", "Required?", "Copies", "Format", "Source",
                       "Forms to download"]
    # Counts keep their numbers: one original of the form, one copy of the licence.
    assert "1 original(s)" in texts(doc, "//td") and "1 copy(ies)" in texts(doc, "//td")
    assert "Electronic licence accepted" in texts(doc, "//span[contains(@class,'cat-tag')]")
    assert nav_labels(doc)[:2] == ["Home", "Service guides"]
    assert untranslated(page_words(doc)) == []


def test_signed_in_citizen_sees_english_navigation(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    speak_english(client)
    doc = parse(client.get(reverse("web:home")))
    assert nav_labels(doc) == ["Home", "Service guides", "Track progress", "Verify a licence",
                               "My cases", "My licences", "Messages", "My account"]
    assert texts(doc, "//h1") == [f"Hello, {citizen.person.name}"]
    assert "My real-name details" in texts(doc, "//h2")
    assert texts(doc, "//header//button") == ["Log out"]


def test_staff_workbench_navigation_in_english(client):
    staff = StaffFactory(organisation=CentreFactory())
    for role in (Role.WINDOW_CLERK, Role.HANDLER, Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN):
        grant(staff, role, staff.organisation)
    client.force_login(staff)
    speak_english(client)
    doc = parse(client.get(reverse("web:workbench")))
    labels = nav_labels(doc)
    assert labels[0] == "Workbench" and labels[-1] == "API documentation"
    for label in ("Front desk", "Window registration", "My tasks", "Service items",
                  "My account", "Administration"):
        assert label in labels
    assert untranslated(labels) == []
    assert texts(doc, "//a[@class='brand']") == ["Government service workbench"]


def test_footer_switch_turns_the_site_english_and_back(client):
    response = client.post(reverse("set_language"),
                           {"language": "en", "next": reverse("web:items")})
    assert response.status_code == 302 and response.url == reverse("web:items")
    doc = parse(client.get(reverse("web:items")))
    assert texts(doc, "//h1") == ["Service guides"]
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("web:items")})
    doc = parse(client.get(reverse("web:items")))
    assert texts(doc, "//h1") == ["办事指南"]


@override_settings(ONEWINDOW_LOGIN_MAX_FAILURES=2, ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES=3)
def test_failed_logins_are_told_in_english(client):
    """A wrong password, an address stopped for the account (ADR 0026) and a locked account
    each explain themselves in English, like the rest of the login page."""
    staff = StaffFactory()
    speak_english(client)

    def attempt(address: str) -> list[str]:
        response = client.post(reverse("web:staff-login"),
                               {"identifier": staff.username, "password": "wrong-guess"},
                               REMOTE_ADDR=address)
        assert response.status_code == 400
        doc = html.fromstring(response.content.decode())
        assert untranslated(page_words(doc)) == []
        return texts(doc, "//div[@class='error-summary']//li")

    assert attempt("203.0.113.5") == ["The account or password is not correct."]
    assert attempt("203.0.113.5") == ["Too many failed logins. Please try again later."]
    assert attempt("198.51.100.9") == [
        "Too many failed logins: the account is locked for a while. Please try again later."]


# --- zh-hans stays the default -------------------------------------------------------------


def test_chinese_is_still_the_default(client, now):
    item = make_item(now=now, name="社会保险参保登记")
    doc = parse(client.get(reverse("web:home")))
    assert doc.get("lang") == "zh-CN"
    assert texts(doc, "//h1") == ["一网通办，最多跑一次"]
    assert nav_labels(doc) == ["首页", "办事指南", "进度查询", "证照核验"]
    doc = parse(client.get(reverse("web:item-guide", args=[item.code])))
    assert "办事要点" in texts(doc, "//h2") and "At a glance" not in texts(doc, "//h2")
    # A browser asking for a language the site does not offer gets Chinese too.
    doc = parse(client.get(reverse("web:items"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))
    assert texts(doc, "//h1") == ["办事指南"]


# --- the catalogue itself ----------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n]) and flags."""
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, literal = line.partition(" ")
            entry[key] = ast.literal_eval(literal)
    return entries


def test_english_catalogue_is_complete_checked_and_compiled():
    entries = [e for e in read_po(CATALOGUE / "django.po") if e["msgid"]]
    assert len(entries) > 300
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        if "msgid_plural" in e:
            forms = [e["msgstr[0]"], e["msgstr[1]"]]
            assert all(forms), e["msgid"]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == forms[0]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == forms[1]
            sources = [e["msgid"], e["msgid_plural"]]
        else:
            forms, sources = [e["msgstr"]], [e["msgid"]]
            assert forms[0], e["msgid"]
            # The committed .mo is compiled from this .po (compilemessages was run).
            found = (compiled.pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e
                     else compiled.gettext(e["msgid"]))
            assert found == forms[0], e["msgid"]
        for source, form in zip(sources, forms, strict=True):
            assert sorted(set(PLACEHOLDER.findall(form))) == \
                sorted(set(PLACEHOLDER.findall(sources[0]))), e["msgid"]
            assert sorted(TAG.findall(form)) == sorted(TAG.findall(source)), e["msgid"]
        # Only the language's own name may stay in Chinese.
        if e["msgid"] != "简体中文":
            assert all(quotes_only(f) for f in forms), e["msgid"]


# --- every page, in English, as the person who uses it -------------------------------------
#
# A page's own words must be English; what people typed stays as written. "Typed" is
# everything the database holds as text (item and material names, organisations, people,
# addresses, opinions, notice titles: the notices themselves are official documents and
# stay Chinese, see docs/decisions/0015-i18n.md), plus any element the template marks with
# lang="zh-Hans" (the language switcher's "中文", a route's lane names). Data is erased only
# where it stands whole (not inside a longer run of Chinese) and never when it equals a word
# the pages say, so test data cannot hide an untranslated word. What remains must have no
# Chinese.

# URL names that are not pages: downloads, POST-only actions and the JSON keys. A new URL
# name must be added either here or to PAGES below, so no page can be left out.
NOT_PAGES = {
    "web:logout", "web:catalog-export", "web:catalog-item-operation",
    "web:my-case-upload", "web:my-case-supply", "web:case-notice", "web:case-file",
    "web:staff-case-accept", "web:staff-case-reject", "web:staff-case-correction",
    "web:staff-case-decide", "web:staff-case-paper", "web:staff-case-scan",
    "web:staff-case-submit", "web:staff-case-supply", "web:staff-case-withdraw",
    "web:task-opinion", "web:task-decision", "web:task-return", "web:task-inspection",
    "web:task-licence-correct", "web:case-inspection-pdf", "web:output-licence-pdf",
    "web:output-receipt-pdf",
    "web:task-inspection-pdf", "web:task-suspend",
    "web:task-resume", "web:task-extend", "web:task-extend-decide",
    "web:staff-case-suspend", "web:staff-case-resume", "web:staff-case-extend",
    "web:staff-case-extend-decide", "web:output-hand-over", "web:output-mail",
    "web:output-mail-delivered", "web:output-electronic", "web:my-case-delivery",
    "web:route-download", "web:case-file-preview", "favicon",
    "licences:jwks", "licences:wallet-share-revoke", "licences:wallet-pdf",
    "licences:wallet-vc", "licences:wallet-share", "licences:staff-revoke",
    "licences:staff-annotate", "jwks", "set_language",
}

# URL name -> (who opens it, the URL's arguments from the scene).
PAGES = {
    "web:home": ("citizen", lambda s: []),
    "web:citizen-login": (None, lambda s: []),
    "web:staff-login": (None, lambda s: []),
    "web:account": ("citizen", lambda s: []),
    "web:items": (None, lambda s: []),
    "web:item-guide": (None, lambda s: [s.world.item.code]),
    "web:apply": ("citizen", lambda s: [s.world.item.code]),
    "web:apply-form": ("citizen", lambda s: [s.draft.pk]),
    "web:apply-materials": ("citizen", lambda s: [s.draft.pk]),
    "web:apply-answers": ("citizen", lambda s: [s.form_draft.pk, "business"]),
    "web:apply-check": ("citizen", lambda s: [s.draft.pk]),
    "web:my-cases": ("citizen", lambda s: []),
    "web:my-case": ("citizen", lambda s: [s.correction.number]),
    "web:portal-case": ("citizen", lambda s: [s.approved.number]),
    "web:my-case-withdraw": ("citizen", lambda s: [s.correction.number]),
    "web:inbox": ("citizen", lambda s: []),
    "web:progress": (None, lambda s: []),
    "web:public-progress": (None, lambda s: []),
    "web:workbench": ("clerk", lambda s: []),
    "web:staff-account": ("clerk", lambda s: []),
    "web:front-desk": ("clerk", lambda s: []),
    "web:staff-case": ("clerk", lambda s: [s.submitted.number]),
    "web:walk-in": ("clerk", lambda s: []),
    "web:demo-messages": ("clerk", lambda s: []),
    "web:worklist": ("handler", lambda s: []),
    "web:task": ("handler", lambda s: [s.task.pk]),
    "web:output-queue": ("clerk", lambda s: []),
    "web:output-case": ("clerk", lambda s: [s.approved.number]),
    "web:route": ("catalog_admin", lambda s: [s.world.item.code, 1]),
    "web:catalog-admin": ("catalog_admin", lambda s: []),
    "web:catalog-item-new": ("catalog_admin", lambda s: []),
    "web:catalog-import": ("catalog_admin", lambda s: []),
    "web:catalog-item": ("catalog_admin", lambda s: [s.world.item.code]),
    "web:catalog-item-edit": ("catalog_admin", lambda s: [s.world.item.code]),
    "web:catalog-item-version": ("catalog_admin", lambda s: [s.world.item.code, 1]),
    "web:catalog-form": ("catalog_admin", lambda s: [s.form_item.code]),
    "web:catalog-form-field-new": ("catalog_admin", lambda s: [s.form_item.code]),
    "web:catalog-form-field": ("catalog_admin", lambda s: [s.form_item.code, "staff"]),
    "web:catalog-form-page": ("catalog_admin", lambda s: [s.form_item.code]),
    "web:catalog-form-page-edit": ("catalog_admin", lambda s: [s.form_item.code, "business"]),
    "web:catalog-form-rule": ("catalog_admin", lambda s: [s.form_item.code]),
    "web:catalog-form-copy": ("catalog_admin", lambda s: [s.form_item.code]),
    "web:catalog-form-preview": ("catalog_admin", lambda s: [s.form_item.code]),
    "licences:verify": (None, lambda s: [s.licence.identifier]),
    "licences:verify-form": (None, lambda s: []),
    "licences:shared": (None, lambda s: [s.share_token]),
    "licences:shown": (None, lambda s: [_show_code(s.licence)]),
    "licences:wallet": ("citizen", lambda s: []),
    "licences:wallet-usage": ("citizen", lambda s: []),
    "licences:wallet-detail": ("citizen", lambda s: [s.licence.identifier]),
    "licences:staff-home": ("chief", lambda s: []),
    "licences:staff-issue": ("chief", lambda s: []),
    "licences:staff-lookup": ("clerk", lambda s: []),
    "licences:staff-detail": ("chief", lambda s: [s.licence.identifier]),
}

def _show_code(licence) -> str:
    from django.utils import timezone

    from onewindow.licences.verification import show_code

    return show_code(licence=licence, now=timezone.now()).code


# Other states of some pages (another template or panel), and the not-found page.
EXTRA_VISITS = [
    ("web:my-case", "citizen", lambda s: [s.approved.number], {}, 200),
    ("web:staff-case", "clerk", lambda s: [s.correction.number], {}, 200),
    ("web:task", "chief", lambda s: [s.decision_task.pk], {}, 200),
    ("licences:staff-issue", "chief", lambda s: [], {"type": "TYPE"}, 200),
    ("web:item-guide", None, lambda s: ["NO-SUCH-ITEM"], {}, 404),
    ("web:apply-answers", "citizen", lambda s: [s.form_draft.pk, "premises"], {}, 200),
    ("web:apply-answers", "citizen", lambda s: [s.form_draft.pk, "people"], {}, 200),
    ("web:apply-check", "citizen", lambda s: [s.form_draft.pk], {}, 200),
]


def url_names() -> set[str]:
    """Every named URL of our own apps (not the Django admin's, not the API's)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in {"admin", "api-1.0.0"} or str(p.pattern) in {"admin/", "api/"}:
                    continue
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_is_in_the_english_check_and_nothing_else_is():
    names = url_names()
    assert names - PAGES.keys() - NOT_PAGES == set(), "add the new page to PAGES (or NOT_PAGES)"
    assert (PAGES.keys() | NOT_PAGES) - names == set()
    assert PAGES.keys() & NOT_PAGES == set()


def typed_text() -> list[str]:
    """Every text value the database holds that contains Chinese, longest first."""
    from django.apps import apps
    from django.db import models

    found: set[str] = set()

    def collect(value):
        if isinstance(value, str):
            if HAN.search(value):
                found.add(value)
                # A long text shows line by line.
                found.update(line.strip() for line in value.splitlines() if HAN.search(line))
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    for model in apps.get_models():
        if not model.__module__.startswith("onewindow."):
            continue
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if fields:
            for row in model.objects.values_list(*fields):
                collect(row)
    return sorted(found, key=len, reverse=True)


def page_msgids() -> set[str]:
    """The words the pages say themselves (every msgid of the catalogue)."""
    return {e["msgid"] for e in read_po(CATALOGUE / "django.po") if e["msgid"]}


def erasable(typed: list[str], words: set[str]) -> list[str]:
    """The data to erase from pages: not a value equal to a word the pages say (a person
    named 承办人, a step named 决定), which would hide that word left untranslated. Such
    data is given another name in the scene, or marked lang="zh-Hans" by its template."""
    return [value for value in typed if value not in words]


def erase(text: str, value: str) -> str:
    """``text`` without ``value`` where it stands as a whole: not as part of a longer run
    of Chinese (a name 承办人 does not hide the untranslated heading 承办人意见)."""
    bounded = re.compile(r"(?<![\u3400-\u9fff\uf900-\ufaff])" + re.escape(value)
                         + r"(?![\u3400-\u9fff\uf900-\ufaff])")
    return bounded.sub(" ", text)


def own_words(doc, typed: list[str]) -> list[str]:
    """The Chinese a page says in its own words: its text and the attributes people read,
    without typed data (erased only where it stands whole) and without elements marked as
    Chinese."""
    for el in doc.xpath("//script | //style | //*[starts-with(@lang, 'zh')][not(self::html)]"):
        el.drop_tree()
    pieces = [*doc.xpath("//body//text()"),
              *doc.xpath("//@aria-label | //@placeholder | //@title | //@alt"),
              *doc.xpath("//title/text()")]
    left = []
    for piece in pieces:
        text = " ".join(str(piece).split())
        if not HAN.search(text):
            continue
        for value in typed:
            if value in text:
                text = erase(text, value)
        if HAN.search(re.sub(r"“[^”]*”", "", text)):
            left.append(text)
    return left


def test_data_hides_no_word_of_the_page():
    doc = html.fromstring(
        "<html><body><h2>承办人意见</h2><p>Handled by 王五</p><th>决定</th>"
        "<p>Opinion: <span lang='zh-Hans'>决定</span></p><p title='王五、李四'>x</p></body></html>")
    typed = erasable(["承办人", "王五", "决定", "李四"], {"决定", "意见"})
    # A name inside a longer run of Chinese, and data equal to a page word, stay visible.
    assert own_words(doc, typed) == ["承办人意见", "决定"]


@pytest.fixture
def scene(now, settings, tmp_path):
    """One of every kind of page's subject: a draft, a case waiting at the front desk, one
    sent back for correction, one with the handler, one approved, a licence and its share."""
    from types import SimpleNamespace

    from onewindow.cases import services as cases
    from onewindow.cases.tests.factories import submit_online
    from onewindow.licences import services as licences
    from onewindow.licences.tests.factories import make_type
    from onewindow.testing.world import build_world
    from onewindow.workflow.models import WorkItem

    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(now=now)
    # People's names are data; names equal to a word the pages say (承办人, 首席代表) would
    # be neither erased nor told apart from that word left untranslated, so give them names.
    for account, name in ((world.clerk, "王窗口"), (world.handler, "李承办"),
                          (world.chief, "赵首席"), (world.supervisor, "孙监察")):
        account.display_name = name
        account.save(update_fields=["display_name"])
    catalog_admin = StaffFactory(organisation=world.city, display_name="钱管理")
    grant(catalog_admin, Role.CATALOG_ADMIN, world.city)

    def ready(case, role):
        return WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                    status="READY", role=role)

    draft = cases.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                  form_data={"contact_name": "张三"}, now=now)
    # An item with a structured form of its own (ADR 0031): its pages are pages too.
    from onewindow.catalog.demo_forms import FOOD_NEW

    form_item = make_item(organisation=world.dept, now=now, name="食品经营许可（新办）",
                          form=FOOD_NEW, materials=[{"name": "食品经营许可申请书",
                                                     "original_count": 1}])
    form_draft = cases.case_draft_save(actor=world.citizen, implementation_code=form_item.code,
                                       form_data={"contact_name": "张三"}, now=now)
    form_draft = cases.case_answers_save(
        actor=world.citizen, case=form_draft, page="business",
        answers={"operator_type": "catering", "business_items": ["catering_hot"]}, now=now)
    # The form editor's pages work on a draft version of that item.
    from onewindow.catalog import services as catalog_services

    catalog_services.item_draft_open(actor=None, implementation=form_item, now=now)
    submitted = submit_online(world, now)
    correction = submit_online(world, now)
    cases.case_request_correction(actor=world.clerk, case=correction, now=now, items=[
        {"material_id": correction.materials.get(name="营业执照").pk,
         "problem": "复印件不清晰"}])
    in_review = submit_online(world, now)
    cases.case_accept(actor=world.clerk, case=in_review, now=now)
    approved = submit_online(world, now)
    cases.case_accept(actor=world.clerk, case=approved, now=now)
    cases.case_task_complete(actor=world.handler, work_item=ready(approved, "HANDLER"),
                             opinion="建议准予。", now=now)
    decision_case = submit_online(world, now)
    cases.case_accept(actor=world.clerk, case=decision_case, now=now)
    cases.case_task_complete(actor=world.handler, work_item=ready(decision_case, "HANDLER"),
                             opinion="建议准予。", now=now)
    decision_task = ready(decision_case, "CHIEF_REPRESENTATIVE")
    cases.case_task_complete(actor=world.chief, work_item=ready(approved, "CHIEF_REPRESENTATIVE"),
                             opinion="同意。", decision="approve", now=now)
    licence_type = make_type(issuers=[world.dept], now=now)
    licence = licences.licence_issue(actor=world.chief, licence_type=licence_type,
                                     holder_person=world.citizen.person,
                                     fields={"category": "预包装食品销售"}, now=now)
    share = licences.licence_share(actor=world.citizen, licence=licence, purpose="银行开户",
                                   now=now)
    for case in (submitted, correction, in_review, approved):
        case.refresh_from_db()
    return SimpleNamespace(
        world=world, people={"citizen": world.citizen, "clerk": world.clerk,
                             "handler": world.handler, "chief": world.chief,
                             "supervisor": world.supervisor, "catalog_admin": catalog_admin},
        draft=draft, form_draft=form_draft, form_item=form_item, submitted=submitted,
        correction=correction, approved=approved,
        task=ready(in_review, "HANDLER"), decision_task=decision_task, licence=licence,
        licence_type=licence_type, share_token=share.token)


def test_every_page_speaks_english_apart_from_what_people_typed(client, scene):
    """Official notices and licences (PDF) stay Chinese; every page says its own words in
    English: headings, labels, buttons, statuses, hints, dates and deadline words."""
    typed = erasable(typed_text(), page_msgids())
    visits = [(name, who, args, {}, 200) for name, (who, args) in PAGES.items()] + EXTRA_VISITS
    chinese = {}
    for name, who, args, query, status in visits:
        client.logout()
        if who:
            client.force_login(scene.people[who])
        speak_english(client)
        query = {k: (scene.licence_type.code if v == "TYPE" else v) for k, v in query.items()}
        response = client.get(reverse(name, args=args(scene)), query)
        assert response.status_code == status, (name, response.status_code)
        doc = html.fromstring(response.content.decode())
        assert doc.get("lang") == "en", name
        left = own_words(doc, typed)
        if left:
            chinese[f"{name} {query or ''}".strip()] = left
    assert chinese == {}, "\n".join(f"{page}: {words}" for page, words in chinese.items())
