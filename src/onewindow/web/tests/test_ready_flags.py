"""Pages get ready flags from the views, never compare status strings themselves: the
容缺 supply panel of a case in review says the case stays where it is (it does not go back
to the acceptance queue), and no template compares a status with a literal."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.factories import walk_in

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
QUEUE = "办件回到待受理队列"
TOLERATED = "记录申请人已补交"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _supply_panel(page: str) -> str:
    match = re.search(r'<details class="action-panel" id="action-supply".*?</details>', page,
                      re.S)
    assert match, "the case page offers the supply panel"
    return match.group(0)


def test_the_tolerated_supply_panel_of_a_case_in_review_keeps_it_in_review(client, world,
                                                                           now):
    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = case.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=5,
                         now=now)
    services.case_material_receive_paper(actor=world.clerk, case=case, material_ids=[site.pk],
                                         now=now)
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"
    client.force_login(world.clerk)
    panel = _supply_panel(client.get(reverse("web:staff-case", args=[case.number]))
                          .content.decode())
    assert TOLERATED in panel and "记录补交容缺材料" in panel
    assert QUEUE not in panel


def test_the_correction_supply_panel_says_the_case_returns_to_the_queue(client, world, now):
    case = walk_in(world, now)
    licence = case.materials.get(name="营业执照")
    services.case_request_correction(actor=world.clerk, case=case, now=now,
                                     items=[{"material_id": licence.pk, "problem": "不清晰"}])
    client.force_login(world.clerk)
    panel = _supply_panel(client.get(reverse("web:staff-case", args=[case.number]))
                          .content.decode())
    assert QUEUE in panel and TOLERATED not in panel


STATUS_COMPARISON = re.compile(r"""\.status\s*(==|!=)|status\s*(==|!=)\s*["']""")


def test_no_template_compares_a_status_string():
    found = [f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if STATUS_COMPARISON.search(line)]
    assert found == []
