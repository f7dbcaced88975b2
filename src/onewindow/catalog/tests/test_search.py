"""Chinese search over real Guangdong items: 2-character queries must work."""

import json

import pytest
from django.utils import timezone

from onewindow.catalog import search, selectors
from onewindow.catalog.importers.gdzwfw import import_gdzwfw
from onewindow.catalog.search import grams, index_text, query_words
from onewindow.testing import FIXED_NOW, shared_rows

from .conftest import bundled_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_items(django_db_setup, django_db_blocker):
    """200 real records plus every record about social insurance or teaching materials,
    imported once for the module (the tests only read them)."""
    lines = bundled_lines()
    words = ("社会保险", "社保", "教材", "养老")
    chosen = lines[:200] + [
        line for line in lines[200:]
        if any(w in json.loads(line)["TASK_NAME"] + json.loads(line)["matter_daily"]
               for w in words)
    ]
    now = timezone.make_aware(FIXED_NOW)
    with shared_rows(django_db_blocker) as load:
        report = load(lambda: import_gdzwfw(lines=chosen, now=now))
        assert report.created > 200
        yield report


def names(query: str, **filters) -> list[str]:
    page = selectors.implementation_list(filters={"q": query, **filters}, limit=100)
    return [item.name for item in page.items]


def test_shebao_finds_social_insurance_items(real_items):
    found = names("社保")
    assert "企业职工社会保险费断缴补缴申报" in found  # 常用名称 社保断缴补缴
    assert "企业职工个人社会保险信息变更" in found  # 社会保险 → 社保
    assert all("社会保险" in n or "社保" in n or "缴费" in n for n in found), found


def test_jiaocai_finds_the_three_textbook_reviews(real_items):
    found = names("教材")
    assert set(found) >= {
        "中小学地方课程教材初审", "中小学地方课程教材审定", "中小学地方课程教材复查"}


def test_exact_name_ranks_first_and_longer_queries_are_segmented(real_items):
    assert names("中小学地方课程教材初审")[0] == "中小学地方课程教材初审"
    # Not a substring of any name, but its words are.
    assert "中小学地方课程教材审定" in names("地方教材审定")
    # Words like 我要 and 办 carry nothing: the query is the same as 社保.
    assert names("我要办社保") == names("社保")


def test_nonsense_finds_nothing_and_search_combines_with_filters(real_items):
    assert names("量子纠缠") == []
    assert names("教材", type="01")
    assert names("教材", type="20") == []


def test_search_results_paginate_with_the_rank_in_the_cursor(real_items):
    first = selectors.implementation_list(filters={"q": "申请"}, limit=5)
    second = selectors.implementation_list(filters={"q": "申请"}, cursor=first.next_cursor,
                                           limit=5)
    assert first.next_cursor and len(second.items) == 5
    assert not {i.code for i in first.items} & {i.code for i in second.items}
    ranks = [i.rank for i in first.items + second.items]
    assert ranks == sorted(ranks, reverse=True)


def test_index_and_query_words():
    text = index_text("企业职工社会保险费断缴补缴申报", "", "社保断缴补缴")
    assert "社保" in text.split() and "社会保险费" in text.split()
    assert query_words("我要办社保卡") == ["社保卡", "社保"]
    assert query_words("社") == ["社"]
    assert query_words("  ") == []


def test_grams_are_the_bigrams_without_spaces():
    assert grams("社保") == {"社保"}
    assert grams("社会保险") == {"社会", "会保", "保险"}
    assert grams("a b") == set() and grams("社") == set()


def test_postgresql_finds_name_words_through_the_bigram_index(postgres_only, real_items):
    from django.db import connection, transaction

    from onewindow.catalog.models import ImplementationVersion

    with transaction.atomic(), connection.cursor() as cursor:
        # The table here is small enough to scan; the question is whether the index can
        # answer a 2-character word at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = search.apply(ImplementationVersion.objects.all(), "社保",
                                text_field="search_text", name_field="name")
        plan = queryset.explain()
        found = set(queryset.values_list("pk", flat=True))
    assert "catalog_version_search_grams" in plan, plan
    expected = set(ImplementationVersion.objects.filter(search_text__contains="社保")
                   .values_list("pk", flat=True))
    assert found == expected and expected
