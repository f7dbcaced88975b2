"""PDF documents (notices, decisions, licences) from Django templates with WeasyPrint.

Chinese text uses the Noto CJK fonts installed from Debian (fonts-noto-cjk); WeasyPrint
embeds only the glyphs a document uses (subsetting), so a one-page notice stays small.
"""

import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string

from onewindow.common.errors import ApplicationError


class RenderingFailed(ApplicationError):
    code = "documents.rendering-failed"
    http_status = 500


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (e.g. the signed payload of a licence)."""

    name: str
    content: bytes
    description: str = ""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    filename: str


def render_pdf(
    *, template: str, context: dict, filename: str, title: str = "",
    attachments: list[Attachment] | None = None,
) -> RenderedPdf:
    """Render ``template`` with ``context`` to a PDF.

    ``filename`` should follow UI.md (事项名称-办件编号.pdf); it is returned for the
    download response, not used to read or write disk.
    """
    from weasyprint import HTML
    from weasyprint import Attachment as WeasyAttachment

    html = render_to_string(template, {**context, "document_title": title})
    weasy_attachments = [
        WeasyAttachment(string=a.content, name=a.name, description=a.description)
        for a in attachments or []
    ]
    try:
        content = HTML(string=html).write_pdf(attachments=weasy_attachments)
    except Exception as exc:  # WeasyPrint raises many kinds; callers need one
        raise RenderingFailed("文书生成失败，请稍后重试。") from exc
    if content is None:  # only when write_pdf is given a target to write to
        raise RenderingFailed("文书生成失败，请稍后重试。")
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest(),
                       filename=filename)
