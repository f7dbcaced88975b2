"""Checking uploaded materials: the type is sniffed from the content (magic bytes and a
parser), never taken from the file name or the browser's Content-Type, and a download is
named after the detected type only (docs/decisions/0025-upload-policy-and-cursors.md).

Allowed: PDF (starting with its header, opened by pypdf, without JavaScript, launch
actions or embedded files after name decoding), JPEG, PNG, OFD (a zip with OFD.xml, the
Chinese national format for e-documents and e-licences) and DOCX (a zip with
word/document.xml and no macros); a zip has at most ``MAX_ZIP_ENTRIES`` entries and
``MAX_ZIP_EXPANDED_BYTES`` when unpacked. Everything else is refused with a clear
message — executables (MZ/PE, ELF, Mach-O), scripts (#!), HTML and unknown types —
whatever the name says. Size limit: setting ``ONEWINDOW_UPLOAD_MAX_BYTES`` (default
20 MB), enforced while the request streams in (``UploadLimitHandler``) and again on the
bytes read.
"""

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from onewindow.common.text import StrOrPromise

from .errors import UploadBodyTooLarge, UploadRejected, UploadTooLarge

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024
# Room for the other form fields and the multipart framing around the one file.
FORM_ALLOWANCE = 1024 * 1024
# Real OFD and Word files stay far below these: a 500-page OFD has some 1,500 entries.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_EXPANDED_BYTES = 200 * 1024 * 1024
# A PDF with more objects than this is not a scan or a form; walking it costs too much.
MAX_PDF_OBJECTS = 200_000


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


PDF = FileKind("application/pdf", "pdf", "PDF")
JPEG = FileKind("image/jpeg", "jpg", gettext_noop("JPEG 图片"))
PNG = FileKind("image/png", "png", gettext_noop("PNG 图片"))
OFD = FileKind("application/ofd", "ofd", gettext_noop("OFD 版式文件"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
    gettext_noop("Word 文档（docx）"),
)
ALLOWED = (PDF, JPEG, PNG, OFD, DOCX)
# What a browser can show by itself; OFD and Word files are only downloaded.
PREVIEWABLE = (PDF, JPEG, PNG)


def allowed_label() -> str:
    """The accepted formats as a reader names them, in the active language."""
    return pgettext("list separator", "、").join(gettext(kind.label) for kind in ALLOWED)


def preview_kind(content_type: str) -> FileKind | None:
    """The previewable kind the upload check recorded for a file, or None."""
    return next((k for k in PREVIEWABLE if k.content_type == content_type), None)


def extension_for(content_type: str) -> str:
    """The file extension of a download: the one of the type the check detected, never
    the uploader's (a file called x.hta is downloaded as .pdf if it is a PDF)."""
    return next((k.extension for k in ALLOWED if k.content_type == content_type), "bin")


# Signatures of things that must never be stored, whatever they are called.
_EXECUTABLE_MAGIC = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xfe\xed\xfa\xce", "macOS 可执行程序"),
    (b"\xfe\xed\xfa\xcf", "macOS 可执行程序"),
    (b"\xce\xfa\xed\xfe", "macOS 可执行程序"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序"),
    (b"#!", "脚本文件"),
)
_PDF_HEADER = b"%PDF-"
# The spec lets readers find the header within the first 1,024 bytes; markup before it is
# an HTML, SVG or script file carrying a PDF, not a PDF.
_PDF_HEADER_WINDOW = 1024
_MARKUP = re.compile(rb"<\s*[!?/A-Za-z]")
# Names that make a PDF act: scripts, launching programs, carrying files.
_PDF_ACTIVE = frozenset({
    "/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment",
    "/RichMedia",
})
# Also looked for in the raw bytes (objects a damaged file's rebuilt table could reach):
# only the long names, which do not occur by chance in compressed data.
_PDF_ACTIVE_RAW = frozenset(_PDF_ACTIVE - {"/JS"})
_PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r /<>\[\]()%{}]+")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks: its bytes, sniffed kind, size and digest."""

    content: bytes
    kind: FileKind
    size: int
    sha256: str
    original_name: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def max_bytes() -> int:
    return int(getattr(settings, "ONEWINDOW_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} 字节"


def clean_name(name: str) -> str:
    """The file name as shown to people: no path, no control characters, ≤ 120 chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-120:] or "未命名文件"


def read_limited(stream: IO[bytes] | bytes, *, limit: int) -> bytes:
    """Read at most ``limit`` bytes; one byte more raises ``UploadTooLarge``."""
    if isinstance(stream, bytes | bytearray):
        data = bytes(stream)
        if len(data) > limit:
            raise _too_large(limit)
        return data
    size = getattr(stream, "size", None)  # an uploaded file knows its size before reading
    if size is not None and size > limit:
        raise _too_large(limit)
    if hasattr(stream, "seek"):
        stream.seek(0)
    buffer = io.BytesIO()
    while chunk := stream.read(_CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise _too_large(limit)
    return buffer.getvalue()


def _too_large(limit: int) -> UploadTooLarge:
    message = _("文件超过大小限制（最大 %(limit)s），请压缩或分页扫描后再上传。") % {
        "limit": _human(limit)
    }
    return UploadTooLarge(message, details={"file": message, "max_bytes": limit})


def _rejected(message: StrOrPromise, **details) -> UploadRejected:
    return UploadRejected(message, details={"file": message, **details})


def sniff(data: bytes) -> FileKind:
    """The kind of ``data`` by its content, or ``UploadRejected`` with the reason."""
    if not data:
        raise _rejected(_("文件为空，请重新选择。"))
    for magic, what in _EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise _rejected(
                _("该文件实际是%(what)s，不能作为申请材料上传。请上传 %(allowed_label)s。")
                % {"what": what, "allowed_label": allowed_label()},
                detected=what,
            )
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    header_at = data.find(_PDF_HEADER, 0, _PDF_HEADER_WINDOW)
    if header_at >= 0:
        return _sniff_pdf(data, header_at)
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    raise _rejected(
        _("无法识别的文件类型。请上传 %(allowed_label)s。") % {"allowed_label": allowed_label()}
    )


# --- PDF ----------------------------------------------------------------------------------


def _sniff_pdf(data: bytes, header_at: int) -> FileKind:
    if header_at and _MARKUP.search(data[:header_at]):
        raise _rejected(
            _("该文件实际是网页或脚本，不能作为 PDF 上传。请上传 %(allowed_label)s。")
            % {"allowed_label": allowed_label()},
            detected="HTML",
        )
    active = (_("该 PDF 含有脚本、启动动作或内嵌文件，出于安全原因不能上传。"
                "请另存为普通 PDF 后再上传。"))
    if _raw_active_names(data):
        raise _rejected(active)
    reader = _open_pdf(data)
    try:
        if _parsed_active_names(reader):
            raise _rejected(active)
    except _PDF_FAILURES as exc:
        raise _damaged_pdf() from exc
    return PDF


# What pypdf raises on a file it cannot read (an unknown or unsupported stream filter is
# NotImplementedError / DependencyError): all of them mean "damaged", never a 500.
_PDF_FAILURES = (PyPdfError, DependencyError, ValueError, KeyError, TypeError, AttributeError,
                 RecursionError, NotImplementedError)


def _damaged_pdf() -> UploadRejected:
    return _rejected(_("PDF 文件已损坏，无法打开。请重新扫描或另存为 PDF 后再上传。"))


def _decode_name(raw: bytes) -> str:
    """A PDF name as a reader sees it: ``/J#61vaScript`` is ``/JavaScript``."""
    decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), raw)
    return decoded.decode("latin-1")


def _raw_active_names(data: bytes) -> bool:
    return any(_decode_name(match[0]) in _PDF_ACTIVE_RAW for match in _PDF_NAME.finditer(data))


def _open_pdf(data: bytes) -> PdfReader:
    """Parse with pypdf (quietly: a damaged file is refused, not logged as our error)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _rejected(_("加密的 PDF 不能上传，请去掉密码后再上传。"))
        reader.trailer["/Root"].get_object()
        return reader
    except _PDF_FAILURES as exc:
        raise _damaged_pdf() from exc
    finally:
        logger.setLevel(level)


def _parsed_active_names(reader: PdfReader) -> bool:
    """Every object of the file (in its cross-reference tables and object streams, so
    also the compressed ones), walked for an active name among keys and values."""
    numbers = {(number, generation) for generation, table in reader.xref.items()
               for number in table}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    if len(numbers) > MAX_PDF_OBJECTS:
        raise _rejected(_("PDF 文件结构过于复杂，无法检查。请另存为普通 PDF 后再上传。"))
    pending = [reader.trailer]
    pending += [IndirectObject(number, generation, reader) for number, generation in numbers]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            item = item.get_object()
        if isinstance(item, NameObject):
            if str(item) in _PDF_ACTIVE:
                return True
        elif isinstance(item, DictionaryObject):
            if any(str(key) in _PDF_ACTIVE for key in item):
                return True
            # Referenced objects are walked from the table; only direct ones from here.
            pending += [v for v in item.values() if not isinstance(v, IndirectObject)]
        elif isinstance(item, ArrayObject):
            pending += [v for v in item if not isinstance(v, IndirectObject)]
    return False


# --- zip containers (OFD, DOCX) -----------------------------------------------------------


def _sniff_zip(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _rejected(_("压缩格式的文件已损坏，无法打开。")) from exc
    # Judged before anything is unpacked: a zip bomb is refused, not stored.
    if len(entries) > MAX_ZIP_ENTRIES or (
            sum(entry.file_size for entry in entries) > MAX_ZIP_EXPANDED_BYTES):
        raise _rejected(_("文件解压后过大或包含的条目过多，不能上传。请另存为普通 PDF 后再上传。"))
    lowered = {entry.filename.lower() for entry in entries}
    if any(name.endswith((".exe", ".dll", ".bat", ".cmd", ".js", ".vbs", ".sh", ".ps1"))
           for name in lowered):
        raise _rejected(_("文件中包含可执行程序或脚本，不能上传。"))
    if "ofd.xml" in lowered:
        return OFD
    if "word/document.xml" in lowered and "[content_types].xml" in lowered:
        if "word/vbaproject.bin" in lowered:
            raise _rejected(_("Word 文档含有宏，出于安全原因不能上传。请另存为 docx 后再上传。"))
        return DOCX
    raise _rejected(
        _("不支持压缩包。请上传 %(allowed_label)s。") % {"allowed_label": allowed_label()}
    )


def check_upload(*, stream: IO[bytes] | bytes, filename: str) -> CheckedUpload:
    """Read, size-check, sniff and hash one upload (nothing is stored here)."""
    data = read_limited(stream, limit=max_bytes())
    kind = sniff(data)
    return CheckedUpload(content=data, kind=kind, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(),
                         original_name=clean_name(filename))


# --- the limit while the request streams in -----------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: refuses a multipart request whose declared
    length exceeds the upload limit (plus room for the form) before reading its body,
    and any file that grows past the limit while it streams in, so a 200 MB upload is
    neither read in full nor spooled to disk. The reverse proxy in front should refuse
    such bodies even earlier (ADR 0025: nginx ``client_max_body_size 21m``)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > max_bytes() + FORM_ALLOWANCE:
            raise UploadBodyTooLarge(_too_large(max_bytes()))

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > max_bytes():
            raise UploadBodyTooLarge(_too_large(max_bytes()))
        return raw_data

    def file_complete(self, file_size):
        return None
