"""The application form of an item: generated from the catalog version and prefilled
from the applicant's account; checked here (business layer) when a case is submitted.

The catalog has no per-item form designer yet, so every item gets the common fields a
window needs (contact person, phone, address, what is applied for); enterprises add the
legal representative. Field names are stable: pages render them, the API accepts them.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .errors import CaseInvalid

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # "text" | "textarea" | "tel"
    required: bool = True
    max_length: int = 200
    initial: str = ""
    help_text: str = ""


def application_form(*, version, person=None, legal_person=None) -> list[FormField]:
    """The fields of ``version``'s application form with initial values for the person
    (and enterprise) applying."""
    fields = [
        FormField("contact_name", gettext_noop("联系人"), "text",
                  initial=getattr(person, "name", "") or "", max_length=50),
        FormField("contact_phone", gettext_noop("联系电话"), "tel",
                  initial=getattr(person, "phone", "") or "",
                  max_length=11, help_text=gettext_noop("11 位手机号码，用于接收办理进度短信。")),
        FormField("contact_address", gettext_noop("联系地址"), "text",
                  required=False,
                  initial=getattr(person, "address", "") or ""),
    ]
    if legal_person is not None:
        fields.append(FormField(
            "legal_representative", gettext_noop("法定代表人"), "text", required=False,
            max_length=50,
            initial=getattr(legal_person, "legal_representative", "") or "",
        ))
    fields.append(FormField(
        "application_content", gettext_noop("申请内容"), "textarea", max_length=2000,
        # Built per request (the page and the API), so in the reader's language.
        help_text=gettext("简要说明申请“%(name)s”的具体内容。") % {"name": version.name},
    ))
    return fields


def initial_data(fields: list[FormField]) -> dict[str, str]:
    return {field.name: field.initial for field in fields if field.initial}


def clean_form(fields: list[FormField], data: dict[str, Any] | None, *,
               partial: bool) -> dict[str, str]:
    """Strip and check ``data`` against ``fields``. A draft (``partial``) may leave
    required fields empty; a submission may not. Unknown keys are dropped."""
    data = data or {}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        value = data.get(field.name, "")
        value = "" if value is None else str(value).strip()
        if field.kind != "textarea":
            value = " ".join(value.split())
        if len(value) > field.max_length:
            errors[field.name] = _("%(field_label)s不能超过 %(field_max_length)s 个字。") % {
                "field_label": field.label,
                "field_max_length": field.max_length,
            }
        elif not value and field.required and not partial:
            errors[field.name] = _("请填写%(field_label)s。") % {"field_label": field.label}
        elif value and field.kind == "tel" and not _MOBILE.match(value):
            errors[field.name] = _("%(field_label)s应为 11 位手机号码。") % {
                "field_label": field.label
            }
        if value:
            cleaned[field.name] = value
    if errors:
        raise CaseInvalid(
            _("申请表有误：%(errors)s") % {"errors": next(iter(errors.values()))}, details=errors
        )
    return cleaned
