"""The ``workdays`` management command (``onewindow workdays ...``)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onewindow.workdays.models import CalendarYear, SpecialDay

from .conftest import DATA_DIR, fake_2027_notice

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_add_prints_the_date_only():
    assert run("add", "2026-09-28", "20") == ("2026-10-30", "")
    assert run("add", "2026-02-12", "5") == ("2026-02-26", "")
    assert run("add", "2026-10-03", "0") == ("2026-10-03", "")


def test_add_into_2027_warns_on_stderr():
    # No 2027 notice yet: 元旦 (Fri 1 Jan) is already off by law, only 调休 is unknown.
    out, err = run("add", "2026-12-30", "3")
    assert out == "2027-01-05"
    assert "2027" in err and "provisional" in err


def test_between():
    assert run("between", "2026-09-28", "2026-10-30") == ("20", "")
    assert run("between", "2026-10-30", "2026-09-28") == ("-20", "")
    assert run("between", "2026-02-13", "2026-02-28") == ("6", "")


@pytest.mark.parametrize("args", [
    ("add", "2026-02-30", "1"),
    ("add", "tomorrow", "1"),
    ("add", "2026-09-28", "x"),
    ("add", "2026-09-28", "-1"),
    ("between", "2026-09-28", "20261030"),
])
def test_bad_input_is_a_command_error(args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert "无效" in str(caught.value)


def test_load_holidays_file(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(fake_2027_notice(), ensure_ascii=False), encoding="utf-8")
    out, _ = run("load-holidays", str(path))
    assert out.startswith("2027：已载入") and "休息日 3 天" in out
    assert CalendarYear.objects.get(year=2027).official
    assert run("add", "2026-12-30", "3") == ("2027-01-05", "")


def test_load_bundled_files():
    out, _ = run("load-holidays", "--bundled")
    lines = out.splitlines()
    assert [line[:4] for line in lines] == ["2023", "2024", "2025", "2026", "2027"]
    assert "未作改动" in lines[-1]
    assert not CalendarYear.objects.filter(year=2027, official=True).exists()
    assert SpecialDay.objects.get(date=dt.date(2026, 10, 10)).source == "HOLIDAY_CN"
    assert sorted(p.name for p in DATA_DIR.glob("*.json")) == [
        "2023.json", "2024.json", "2025.json", "2026.json", "2027.json"]


def test_load_bad_files(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        run("load-holidays", str(broken))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"year": 2027}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"workdays\.invalid-file"):
        run("load-holidays", str(wrong))
    with pytest.raises(CommandError, match="无法读取"):
        run("load-holidays", str(tmp_path / "missing.json"))
