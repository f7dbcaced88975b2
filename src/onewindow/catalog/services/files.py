"""Files attached to a material of a guide: the blank form (空白表格) and the filled-in
sample (示例样表) people download before they apply.

A file is stored first (``material_file_store``) and its storage name then travels in the
material's elements like any other value, so it becomes part of a draft and is published
with it. The type is read from the content, never from the name: a guide offers what an
office would hand out at the window — PDF, Word or Excel, old or new formats.
"""

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from ..elements import MATERIAL_FILE_FOLDERS
from ..errors import FileRejected

MAX_BYTES = 10 * 1024 * 1024
KINDS = MATERIAL_FILE_FOLDERS
ALLOWED_LABEL = "PDF、Word（doc/docx）或 Excel（xls/xlsx）"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls


@dataclass(frozen=True)
class _Format:
    extension: str
    content_type: str


PDF = _Format(".pdf", "application/pdf")
DOCX = _Format(".docx",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = _Format(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = _Format(".doc", "application/msword")
XLS = _Format(".xls", "application/vnd.ms-excel")
BY_EXTENSION = {f.extension: f for f in (PDF, DOCX, XLSX, DOC, XLS)}


def sniff(content: bytes, name: str) -> _Format | None:
    """The format of ``content``, or None when it is none of the allowed ones."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(_OLE):
        # Both old formats share the container; the name tells which one the office meant.
        return XLS if PurePath(name).suffix.lower() == ".xls" else DOC
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names and "word/vbaProject.bin" not in names:
            return DOCX
        if "xl/workbook.xml" in names and "xl/vbaProject.bin" not in names:
            return XLSX
    return None


def material_file_store(*, upload, kind: str) -> str:
    """Check ``upload`` and store it; return the storage name to put in the material's
    ``kind`` element (``blank_form`` or ``sample_file``). Raises ``FileRejected``."""
    label = "空白表格" if kind == "blank_form" else "示例样表"
    if kind not in KINDS:
        raise FileRejected(
            _("不支持的文件种类：%(kind)s。") % {"kind": kind}, details={"kind": kind}
        )
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise FileRejected(
            _("%(label)s不能超过 10 MB。") % {"label": label}, details={kind: "too-large"}
        )
    content = upload.read(MAX_BYTES + 1)
    if not content:
        raise FileRejected(
            _("上传的%(label)s是空文件。") % {"label": label}, details={kind: "empty"}
        )
    if len(content) > MAX_BYTES:
        raise FileRejected(
            _("%(label)s不能超过 10 MB。") % {"label": label}, details={kind: "too-large"}
        )
    found = sniff(content, getattr(upload, "name", "") or "")
    if found is None:
        raise FileRejected(
            _("%(label)s只能是 %(allowed_label)s 文件。")
            % {"label": label, "allowed_label": ALLOWED_LABEL},
            details={kind: "type"},
        )
    # A random name: the download name comes from the material, not from the upload.
    name = f"{KINDS[kind]}{uuid.uuid4().hex}{found.extension}"
    return default_storage.save(name, ContentFile(content))


def content_type_of(name: str) -> str:
    found = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return found.content_type if found else "application/octet-stream"
