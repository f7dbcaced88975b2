"""Files attached to a material of a guide: the blank form (空白表格) and the filled-in
sample (示例样表) people download before they apply.

A file is stored first (``material_file_store``) and its storage name then travels in the
material's elements like any other value, so it becomes part of a draft and is published
with it. The type is read from the content, never from the name: a guide offers what an
office would hand out at the window — PDF, Word or Excel, old or new formats (the kinds
and formats are in ``catalog.material_files``).
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..errors import FileRejected
from ..material_files import ALLOWED_LABEL, BY_ELEMENT, MAX_BYTES, sniff


def material_file_store(*, upload, kind: str) -> str:
    """Check ``upload`` and store it; return the storage name to put in the material's
    ``kind`` element (``blank_form`` or ``sample_file``). Raises ``FileRejected``."""
    file_kind = BY_ELEMENT.get(kind)
    if file_kind is None:
        raise FileRejected(
            _("不支持的文件种类：%(kind)s。") % {"kind": kind}, details={"kind": kind}
        )
    label = gettext(file_kind.label)
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
    name = f"{file_kind.folder}{uuid.uuid4().hex}{found.extension}"
    return default_storage.save(name, ContentFile(content))
