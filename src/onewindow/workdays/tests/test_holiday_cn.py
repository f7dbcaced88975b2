"""One holiday-cn parser, in a module of its own: the loading service and the bundled
calendar (which runs before the database exists) read notices with the same function,
and the parser reaches neither the services nor the database."""

import ast
import json
from pathlib import Path

import pytest

from onewindow.workdays import bundled, holiday_cn, services

NOTICE = {"year": 2027, "papers": ["https://www.gov.cn/notice"], "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
    {"name": "春节", "date": "2027-02-07", "isOffDay": False}]}


FORBIDDEN = {"services", "selectors", "django.db"}


def _reaches(source: str) -> set[str]:
    """Which of FORBIDDEN a module imports, however it is spelled: ``from .services
    import x``, ``from . import services``, ``from onewindow.workdays import services``,
    ``import onewindow.workdays.services``, ``from django.db import connection``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            paths = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            paths = [base] + [f"{base}.{alias.name}".lstrip(".") for alias in node.names]
        else:
            continue
        for path in paths:
            parts = path.split(".")
            found |= {f for f in FORBIDDEN if f in parts or path.startswith(f)}
    return found


def test_the_purity_check_sees_every_spelling_of_an_import():
    for source in ("from .services import load", "from . import services",
                   "from onewindow.workdays import services",
                   "import onewindow.workdays.services", "from .selectors import x"):
        assert _reaches(source) & {"services", "selectors"}, source
    assert _reaches("from django.db import connection") == {"django.db"}
    assert _reaches("from .models import DayKind\nimport datetime as dt") == set()


def test_the_parser_is_pure():
    assert _reaches(Path(holiday_cn.__file__).read_text(encoding="utf-8")) == set()
    year, papers, days = holiday_cn.parse(json.loads(json.dumps(NOTICE)))
    assert (year, papers) == (2027, ["https://www.gov.cn/notice"])
    assert [(d.isoformat(), kind, name) for d, kind, name in days] == [
        ("2027-01-01", "HOLIDAY", "元旦"), ("2027-02-07", "WORKDAY", "春节")]
    with pytest.raises(services.InvalidHolidayFile) as caught:
        holiday_cn.parse({"year": 2027, "papers": [], "days": "none"})
    assert caught.value.code == "workdays.invalid-file"


@pytest.mark.django_db
def test_the_service_and_the_bundled_calendar_read_with_the_same_parser(monkeypatch, now):
    read: list[int] = []
    parse = holiday_cn.parse

    def spy(data):
        result = parse(data)
        read.append(result[0])
        return result

    monkeypatch.setattr(holiday_cn, "parse", spy)
    services.holidays_load_holiday_cn(actor=None, data=NOTICE, now=now)
    assert read == [2027]
    read.clear()
    bundled.bundled_days()
    shipped = sorted(int(p.stem) for p in bundled.BUNDLED_DIR.glob("*.json"))
    assert sorted(read) == shipped and shipped
