"""scripts/i18n_error_messages.py: every error message in the code is marked for
translation (so a new raise site written in plain Chinese fails here), and the codemod
rewrites a module as ADR 0015 says, once."""

import textwrap

import pytest
from scripts import i18n_error_messages as codemod

SAMPLE = '''\
from onewindow.common.errors import ApplicationError


class Refused(ApplicationError):
    code = "sample.refused"


def _refused(message: str) -> Refused:
    return Refused(message)


def check(items: list, reason: str, *, label: str = "理由") -> None:
    if not reason:
        raise Refused(f"请填写{label}。")
    if len(items) > 3:
        raise Refused(f"最多 {len(items)} 项", details={"items": "太多"})
    if items[0] is None:
        raise _refused("第一项为空。")
    message = "不行。"
    raise Refused(message, details={"reason": message})


def use() -> None:
    check([], "", label="撤回理由")
'''


def test_every_error_message_in_the_code_is_marked(capsys):
    status = codemod.main(["--check"])
    out = capsys.readouterr().out
    assert "unmarked" not in out, out
    assert status == 0, out


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / "src" / "onewindow"
    (root / "sample").mkdir(parents=True)
    (root / "sample" / "__init__.py").write_text("")
    module = root / "sample" / "services.py"
    module.write_text(SAMPLE)
    # The project's layout rules, so ruff breaks and sorts lines as it does here.
    (tmp_path / "ruff.toml").write_text('line-length = 100\nsrc = ["src"]\n')
    monkeypatch.setattr(codemod, "REPO", tmp_path)
    monkeypatch.setattr(codemod, "PACKAGE", root)
    return module


def test_check_lists_the_unmarked_messages_and_fails(package, capsys):
    assert codemod.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "src/onewindow/sample/services.py:14: unmarked message of Refused" in out
    assert "services.py:19: unmarked message of Refused via message" in out
    assert "services.py:24: unmarked word quoted by a message of check" in out
    assert "services.py:12: unmarked default word quoted by a message of check" in out


def test_the_codemod_marks_messages_once(package, capsys):
    codemod.main([])
    assert "marked 7 messages in 1 files" in capsys.readouterr().out
    rewritten = package.read_text()
    assert "from django.utils.translation import gettext_lazy as _\n" in rewritten
    for line in (
        'def check(items: list, reason: str, *, label: str = _("理由")) -> None:',
        'raise Refused(_("请填写%(label)s。") % {"label": label})',
        '_("最多 %(items_count)s 项") % {"items_count": len(items)}, details={"items": _("太多")}',
        'raise _refused(_("第一项为空。"))',
        'message = _("不行。")',
        'check([], "", label=_("撤回理由"))',
    ):
        assert line in " ".join(rewritten.split()), rewritten  # however ruff broke the lines

    codemod.main([])
    assert "marked 0 messages" in capsys.readouterr().out
    assert package.read_text() == rewritten
    assert codemod.main(["--check"]) == 0


def test_a_percent_sign_in_an_f_string_survives_the_rewrite(package):
    package.write_text(SAMPLE + textwrap.dedent('''
        def rate(n: int) -> None:
            raise Refused(f"通过率 {n}% 过低")
    '''))
    codemod.main([])
    assert 'Refused(_("通过率 %(n)s%% 过低") % {"n": n})' in package.read_text()


COLLECTING = '''\
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .services import Refused


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str


BLANK = Kind("blank", "空白表格")


class _Collector:
    def add(self, key: str, message: str) -> None:
        pass


def code_problem(value: str) -> str | None:
    return "编码应为数字。" if not value.isdigit() else None


def require(text: str, *, label: str) -> str:
    if not text:
        raise Refused(_("请填写%(label)s。") % {"label": label})
    return text


def check(errors: _Collector, pk: int) -> None:
    errors.add("name", f"第 {pk} 项无效。")
    require("", label="退回理由")
    found = {}
    found[str(pk)] = "该办件没有这项材料。"
    raise Refused(_("有误"), details={"tolerated": found})
'''


def test_check_follows_collected_returned_quoted_and_nested_messages(package, capsys):
    """Messages that reach an error on a detour: a collector's add(), a *_problem()
    return, a label given to a function whose marked message quotes it, a dict nested in
    details, and a Chinese label of a dataclass (reported for a decision by hand)."""
    package.write_text('from onewindow.common.errors import ApplicationError\n\n\n'
                       'class Refused(ApplicationError):\n    code = "sample.refused"\n')
    (package.parent / "collecting.py").write_text(COLLECTING)
    assert codemod.main(["--check"]) == 1
    out = capsys.readouterr().out
    path = "src/onewindow/sample/collecting.py"
    assert f"{path}:33: unmarked message collected by .add()" in out
    assert f"{path}:23: unmarked message returned by code_problem" in out
    assert f"{path}:34: unmarked word quoted by a message of require" in out
    assert f"{path}:36: unmarked detail of Refused via found" in out
    assert f"{path}:14: unmarked label of Kind ('空白表格')" in out

    codemod.main([])
    rewritten = (package.parent / "collecting.py").read_text()
    assert 'errors.add("name", _("第 %(pk)s 项无效。") % {"pk": pk})' in rewritten
    assert 'require("", label=_("退回理由"))' in rewritten
    assert 'BLANK = Kind("blank", "空白表格")' in rewritten  # decided by hand
    (package.parent / "collecting.py").write_text(
        rewritten.replace('"空白表格"', '_("空白表格")'))
    capsys.readouterr()
    assert codemod.main(["--check"]) == 0, capsys.readouterr().out
