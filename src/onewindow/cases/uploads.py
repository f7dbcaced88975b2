"""Checking uploaded materials: the type is sniffed from the content (magic bytes), never
taken from the file name or the browser's Content-Type.

Allowed: PDF (without embedded JavaScript or launch actions), JPEG, PNG, OFD (a zip with
OFD.xml, the Chinese national format for e-documents and e-licences) and DOCX (a zip
with word/document.xml and no macros). Everything else is refused with a clear message —
executables (MZ/PE, ELF, Mach-O), scripts (#!), HTML and unknown types — whatever the
name says. Size limit: setting ``ONEWINDOW_UPLOAD_MAX_BYTES`` (default 20 MB).
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .errors import UploadRejected, UploadTooLarge

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024


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


def preview_kind(content_type: str) -> FileKind | None:
    """The previewable kind the upload check recorded for a file, or None."""
    return next((k for k in PREVIEWABLE if k.content_type == content_type), None)
ALLOWED_LABEL = "、".join(kind.label for kind in ALLOWED)

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
_PDF_ACTIVE = (b"/JavaScript", b"/Launch", b"/EmbeddedFile")


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


def read_limited(stream: BinaryIO | bytes, *, limit: int) -> bytes:
    """Read at most ``limit`` bytes; one byte more raises ``UploadTooLarge``."""
    if isinstance(stream, bytes | bytearray):
        data = bytes(stream)
        if len(data) > limit:
            raise _too_large(limit)
        return data
    if hasattr(stream, "size") and stream.size is not None and stream.size > limit:
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


def _rejected(message: str, **details) -> UploadRejected:
    return UploadRejected(message, details={"file": message, **details})


def sniff(data: bytes) -> FileKind:
    """The kind of ``data`` by its content, or ``UploadRejected`` with the reason."""
    if not data:
        raise _rejected(_("文件为空，请重新选择。"))
    for magic, what in _EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise _rejected(
                _("该文件实际是%(what)s，不能作为申请材料上传。请上传 %(allowed_label)s。")
                % {"what": what, "allowed_label": ALLOWED_LABEL},
                detected=what,
            )
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if b"%PDF-" in data[:1024]:
        if any(marker in data for marker in _PDF_ACTIVE):
            raise _rejected(_("该 PDF 含有脚本、启动动作或内嵌文件，出于安全原因不能上传。"
                              "请另存为普通 PDF 后再上传。"))
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    raise _rejected(
        _("无法识别的文件类型。请上传 %(allowed_label)s。") % {"allowed_label": ALLOWED_LABEL}
    )


def _sniff_zip(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _rejected(_("压缩格式的文件已损坏，无法打开。")) from exc
    lowered = {name.lower() for name in names}
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
        _("不支持压缩包。请上传 %(allowed_label)s。") % {"allowed_label": ALLOWED_LABEL}
    )


def check_upload(*, stream: BinaryIO | bytes, filename: str) -> CheckedUpload:
    """Read, size-check, sniff and hash one upload (nothing is stored here)."""
    data = read_limited(stream, limit=max_bytes())
    kind = sniff(data)
    return CheckedUpload(content=data, kind=kind, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(),
                         original_name=clean_name(filename))
