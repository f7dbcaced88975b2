"""The seal on a licence PDF keeps its text inside the ring, and the issuer's name stays
whole on one line, however long the name (as on notices and decisions)."""

import shutil
import subprocess

import pytest
from PIL import Image

from onewindow.licences import exports

from .factories import issue_to_citizen, make_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftoppm"),
                       reason="poppler-utils is installed by make test"),
]

LONG_NAME = "测试市高新技术产业开发区管理委员会市场监督管理局"


def test_the_licence_seal_stays_inside_its_ring_and_the_name_is_whole(now, tmp_path):
    world = make_world(now)
    world.department.name = LONG_NAME
    world.department.save()
    licence = issue_to_citizen(world, now)
    path = tmp_path / "licence.pdf"
    path.write_bytes(exports.licence_pdf(licence=licence, now=now).content)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    pixels = image.load()
    red = [(x, y) for y in range(image.size[1]) for x in range(image.size[0])
           if pixels[x, y][0] > 150 and pixels[x, y][1] < 90 and pixels[x, y][2] < 90]
    assert len(red) > 500
    xs, ys = [x for x, _ in red], [y for _, y in red]
    assert abs((max(xs) - min(xs)) - (max(ys) - min(ys))) <= 3  # a circle, nothing sticks out
    cx, cy, radius = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 2
    assert not [(x, y) for x, y in red if (x - cx) ** 2 + (y - cy) ** 2 > (radius + 1.5) ** 2]
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    # Whole twice: in the 颁发机构 row and in the caption beside the seal.
    assert sum(LONG_NAME in line for line in text.splitlines()) == 2
