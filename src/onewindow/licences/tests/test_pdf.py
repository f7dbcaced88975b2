import shutil
import subprocess

import pytest

from onewindow.licences import exports, services, signing

from .factories import issue_to_citizen, make_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdfdetach"),
                       reason="poppler-utils is installed by make test"),
]


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_pdf_embeds_fonts_qr_and_the_signed_payload(now, tmp_path):
    world = make_world(now)
    licence = issue_to_citizen(world, now)
    services.licence_annotate(actor=world.handler, licence=licence, text="年度核查合格", now=now)
    pdf = exports.licence_pdf(licence=licence, now=now)
    assert pdf.filename == f"食品经营许可证-{licence.number}.pdf"
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf.content)

    text = _run("pdftotext", "-layout", str(path), "-")
    assert "食品经营许可证" in text and licence.holder_name in text and "年度核查合格" in text
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # every font embedded
    assert any("CJK" in line for line in fonts)

    out = tmp_path / "attachments"
    out.mkdir()
    _run("pdfdetach", "-saveall", "-o", str(out), str(path))
    canonical = (out / "licence.json").read_bytes()
    assert canonical == signing.canonical_bytes(licence.canonical_payload())
    jws = (out / "licence-seal.jws").read_text()
    assert jws == exports.seal_jws(licence)
    # The attached JWS covers the attached payload's digest.
    assert signing.jws_split(jws).claims == {"id": licence.identifier,
                                             "sha256": signing.sha256_b64u(canonical)}
