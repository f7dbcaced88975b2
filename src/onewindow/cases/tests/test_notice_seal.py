"""The seal on notices and decisions keeps its text inside the ring, and names are not
broken across lines, whatever their length: checked on the rendered PDF."""

import subprocess
from xml.etree import ElementTree

import pytest
from PIL import Image

from onewindow.cases import notices, selectors, services
from onewindow.cases.tests.factories import submit_online
from onewindow.documents.seals import name_layout
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

LONG_NAME = "测试市高新技术产业开发区管理委员会政务服务中心"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _decision_pdf(now, tmp_path) -> bytes:
    world = build_world(now=now)
    world.centre.name = LONG_NAME
    world.centre.save()
    world.chief.display_name = "首席代表欧阳明月"
    world.chief.save()
    case = submit_online(world, now, item=world.instant_item)
    services.case_decide_instant(actor=world.chief, case=case, approve=True, now=now)
    ref = next(r for r in selectors.notices_of(case=case) if r.kind == "decision")
    return notices.render_notice(case=case, seq=ref.seq).content


def _red_pixels(pdf: bytes, tmp_path) -> list[tuple[int, int]]:
    (tmp_path / "d.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "d.pdf"),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    width, height = image.size
    pixels = image.load()
    # The seal is the only red on the page.
    return [(x, y) for y in range(height) for x in range(width)
            if pixels[x, y][0] > 150 and pixels[x, y][1] < 90 and pixels[x, y][2] < 90]


def test_every_red_mark_of_the_seal_lies_within_its_ring(now, tmp_path):
    red = _red_pixels(_decision_pdf(now, tmp_path), tmp_path)
    assert len(red) > 500
    xs, ys = [x for x, _ in red], [y for _, y in red]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    # The ring bounds the marks: as wide as high (text sticking out would stretch one
    # side) and nothing red outside the ring's circle.
    assert abs((right - left) - (bottom - top)) <= 3
    cx, cy, radius = (left + right) / 2, (top + bottom) / 2, (right - left) / 2
    outside = [(x, y) for x, y in red if (x - cx) ** 2 + (y - cy) ** 2 > (radius + 1.5) ** 2]
    assert not outside


def test_names_are_not_broken_across_lines(now, tmp_path):
    pdf = _decision_pdf(now, tmp_path)
    (tmp_path / "d.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox-layout", str(tmp_path / "d.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    tree = ElementTree.fromstring(out)  # noqa: S314  our own pdftotext output
    lines = ["".join(w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word"))
             for line in tree.iter("{http://www.w3.org/1999/xhtml}line")]
    # The issuer's name beside the seal and the clerk's name in the note, each whole on
    # one line.
    assert any(LONG_NAME in line for line in lines), lines
    assert any("首席代表欧阳明月" in line for line in lines), lines


def test_a_long_name_gets_smaller_glyphs_and_stays_on_the_arc():
    short_size, short = name_layout("测试市政务服务中心")
    long_size, long = name_layout(LONG_NAME * 2)
    assert long_size < short_size
    for _, x, y, _ in short + long:
        assert abs(((x - 50) ** 2 + (y - 50) ** 2) ** 0.5 - 36) < 0.01
