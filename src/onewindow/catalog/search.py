"""Chinese search over item names, portable between SQLite and PostgreSQL.

Each version stores ``search_text``: its names (name, 简称, 常用名称, the base entry's
name), the words rjieba's search mode cuts from them, and the usual abbreviations of long
words found in them (社会保险 → 社保), lower-cased and space-separated. A query is cut the
same way; an item matches when its ``search_text`` contains any query word, and ranks by
how many words it matches and where (the name counts most). Containment rather than whole
tokens keeps 2-character queries like 社保 or 教材 working even when the segmenter cut the
indexed name differently, and the ranking is a plain SQL expression, so it combines with
the other filters and keyset pagination without an index held in process memory.

On PostgreSQL the containment test is narrowed by an index (docs/decisions/0030): a GIN
index on the character bigrams of ``search_text`` (the function ``onewindow_grams``,
created by migration 0005). A word's bigrams must all be among a row's, which finds a
superset of the rows that contain the word; the ``LIKE`` then keeps the true ones. pg_trgm
cannot do this for the 2-character words people type (``LIKE '%社保%'`` has no trigram).
"""

import re
from functools import lru_cache

from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Lower

# Long form found in an indexed name → the abbreviation people type.
ABBREVIATIONS = {
    "社会保险": "社保",
    "社会保障": "社保",
    "医疗保险": "医保",
    "住房公积金": "公积金",
    "机动车驾驶证": "驾照",
    "驾驶证": "驾照",
    "居民身份证": "身份证",
    "营业执照": "执照",
    "港澳台": "港澳",
    "出入境": "出境 入境",
    "退役军人": "退伍军人",
    "残疾人": "残障",
    "不动产": "房产",
}

# Words that carry no meaning in a query ("我要办…", "怎么申请…").
STOPWORDS = frozenset(
    [
        "我", "我要", "要", "想", "想要", "办", "办理", "如何", "怎么", "怎样", "怎么办",
        "在哪", "哪里", "的", "了", "吗", "呢", "和", "与", "及", "或", "请问", "需要",
        "什么", "手续", "流程",
    ]
)

MAX_QUERY_WORDS = 8
MAX_QUERY_LENGTH = 100
# Anything that is not a letter, digit or CJK character separates words.
_PUNCT = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _jieba():
    import rjieba

    return rjieba


def cut(text: str) -> list[str]:
    """Words of ``text`` in rjieba's search mode (long words and their parts)."""
    words = []
    for chunk in _PUNCT.split((text or "").lower()):
        if chunk:
            words.extend(w.strip() for w in _jieba().cut_for_search(chunk) if w.strip())
    return words


def index_text(*names: str) -> str:
    """The ``search_text`` of a version: names, their words and abbreviations."""
    names = tuple(" ".join((n or "").lower().split()) for n in names if n)
    parts: list[str] = []
    seen: set[str] = set()

    def add(word: str) -> None:
        if word and word not in seen:
            seen.add(word)
            parts.append(word)

    for name in names:
        add(name)
    for name in names:
        for word in cut(name):
            add(word)
        for long, short in ABBREVIATIONS.items():
            if long in name:
                for word in short.split():
                    add(word)
    return " ".join(parts)


def query_words(query: str) -> list[str]:
    """The words of a query worth matching, longest first, at most MAX_QUERY_WORDS."""
    query = " ".join((query or "").lower().split())[:MAX_QUERY_LENGTH]
    words = [w for w in dict.fromkeys(cut(query)) if w not in STOPWORDS]
    if not words:
        words = [w for w in dict.fromkeys(cut(query))]
    # A word inside a longer matched word adds nothing to recall; keep single characters
    # only when the query has nothing longer (a one-character query).
    longer = [w for w in words if len(w) > 1]
    if longer:
        words = longer
    words.sort(key=len, reverse=True)
    return words[:MAX_QUERY_WORDS]


def grams(word: str) -> set[str]:
    """The character bigrams of ``word`` that ``onewindow_grams`` indexes (none that hold
    a space)."""
    return {word[i:i + 2] for i in range(len(word) - 1) if " " not in word[i:i + 2]}


def _grams_of(text_field: str) -> Func:
    from django.contrib.postgres.fields import ArrayField

    return Func(F(text_field), function="onewindow_grams",
                output_field=ArrayField(TextField()))


def apply(queryset, query: str, *, text_field: str, name_field: str):
    """Filter ``queryset`` to rows matching ``query`` and annotate ``search_rank``.

    Ranking (higher first): exact name 100, name starts with the query 40, name contains
    the whole query 20, and per query word 3 if in the name, 1 if only in the other names.
    """
    words = query_words(query)
    whole = " ".join((query or "").lower().split())[:MAX_QUERY_LENGTH]
    if not words:
        # Callers check ``query_words`` first; the annotation keeps an ordering by rank
        # valid should one not.
        return queryset.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    match = Q()
    for word in words:
        match |= Q(**{f"{text_field}__contains": word})
    if connections[queryset.db].vendor == "postgresql" and all(len(w) > 1 for w in words):
        queryset = queryset.alias(_search_grams=_grams_of(text_field))
        narrowed = Q()
        for word in words:
            narrowed |= Q(_search_grams__contains=sorted(grams(word)))
        match &= narrowed
    rank = Case(
        When(**{"_search_name": whole}, then=Value(100)),
        When(**{"_search_name__startswith": whole}, then=Value(40)),
        When(**{"_search_name__contains": whole}, then=Value(20)),
        default=Value(0), output_field=IntegerField(),
    )
    for word in words:
        rank = rank + Case(
            When(**{"_search_name__contains": word}, then=Value(3)),
            When(**{f"{text_field}__contains": word}, then=Value(1)),
            default=Value(0), output_field=IntegerField(),
        )
    return (
        queryset.filter(match)
        .annotate(_search_name=Lower(name_field))
        .annotate(search_rank=rank)
    )
