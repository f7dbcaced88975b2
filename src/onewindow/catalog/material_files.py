"""The files a guide's material may carry — its blank form (空白表格) and filled-in sample
(示例样表) — in one table, and the formats accepted for them, read from the content.

Pure (no database, no storage): the elements, the model, the store service, the download
selector and the guide all read the same kinds, so a new kind is added here once.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext_lazy, gettext_noop


@dataclass(frozen=True)
class FileKind:
    element: str  # the material element (and model field) holding the storage name
    slug: str  # the word in the download address: …/materials/{position}/{slug}
    # What the file is called on pages and in the download name: Chinese, marked
    # gettext_noop; messages show gettext(label).
    label: str
    folder: str  # where uploads of this kind are stored; elements may name only these


BLANK_FORM = FileKind("blank_form", "blank-form", gettext_noop("空白表格"), "catalog/forms/")
SAMPLE = FileKind("sample_file", "sample", gettext_noop("示例样表"), "catalog/samples/")
KINDS = (BLANK_FORM, SAMPLE)
BY_ELEMENT = {kind.element: kind for kind in KINDS}
BY_SLUG = {kind.slug: kind for kind in KINDS}

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_LABEL = gettext_lazy("PDF、Word（doc/docx）或 Excel（xls/xlsx）")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


PDF = Format(".pdf", "application/pdf")
DOCX = Format(".docx",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Format(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = Format(".doc", "application/msword")
XLS = Format(".xls", "application/vnd.ms-excel")
BY_EXTENSION = {f.extension: f for f in (PDF, DOCX, XLSX, DOC, XLS)}


def sniff(content: bytes, name: str) -> Format | None:
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


def content_type_of(name: str) -> str:
    """The content type of a stored file (its name was given from the sniffed format)."""
    found = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return found.content_type if found else "application/octet-stream"
