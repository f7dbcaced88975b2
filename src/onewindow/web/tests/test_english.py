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
            assert compiled.gettext(e["msgid"]) == forms[0], e["msgid"]
        for source, form in zip(sources, forms, strict=True):
            assert sorted(set(PLACEHOLDER.findall(form))) == \
                sorted(set(PLACEHOLDER.findall(sources[0]))), e["msgid"]
            assert sorted(TAG.findall(form)) == sorted(TAG.findall(source)), e["msgid"]
        # Only the language's own name may stay in Chinese.
        if e["msgid"] != "简体中文":
            assert all(quotes_only(f) for f in forms), e["msgid"]
