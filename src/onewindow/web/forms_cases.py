"""Forms of the case pages: they check the shape of the input (required, lengths,
formats); the business rules stay in cases.services, whose errors the views put next to
the same fields."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.identity.validators import validate_credit_code, validate_id_number

from .forms import set_choices

MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_SUPPLY_DAYS = 60


def validate_mobile(value: str) -> None:
    if value and not MOBILE.match(value):
        raise ValidationError(_("手机号码应为 11 位数字，以 13–19 开头。"))


# --- applying online -------------------------------------------------------------------------


class ApplicantForm(forms.Form):
    """Step 1: who applies. Agents choose the enterprise they act for (or themselves)."""

    applicant = forms.ChoiceField(label=_("以谁的名义申请"), widget=forms.RadioSelect)

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("self", _("本人"))]
        choices += [(str(e.pk), f"{e.name}（{e.credit_code}）") for e in enterprises]
        set_choices(self, "applicant", choices)
        self.enterprises = {str(e.pk): e for e in enterprises}

    def legal_person(self):
        return self.enterprises.get(self.cleaned_data.get("applicant", "self"))


def application_form_class(fields, *, partial: bool = False) -> type[forms.Form]:
    """A Django form for the item's application fields (cases.applications.FormField);
    ``partial`` (a draft saved for later) leaves required fields optional."""
    attrs = {}
    for f in fields:
        widget_attrs = {"autocomplete": "off"}
        if f.kind == "textarea":
            widget = forms.Textarea(attrs={"rows": 4, **widget_attrs})
        elif f.kind == "tel":
            widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        else:
            widget = forms.TextInput(attrs=widget_attrs)
        validators = [validate_mobile] if f.kind == "tel" else []
        attrs[f.name] = forms.CharField(
            # The form is built per request: its words are in the reader's language.
            label=gettext(f.label), required=f.required and not partial,
            max_length=f.max_length, help_text=gettext(f.help_text) if f.help_text else "",
            widget=widget, validators=validators,
            error_messages={"required": gettext("请填写%(label)s。") % {"label": gettext(f.label)},
                            "max_length": gettext("%(label)s不能超过 %(n)s 个字。") % {
                                "label": gettext(f.label), "n": f.max_length}},
        )
    return type("ApplicationForm", (forms.Form,), attrs)


class UploadForm(forms.Form):
    """One file for one material."""

    material_id = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("选择文件"), error_messages={
        "required": _("请选择要上传的文件。"), "empty": _("文件为空，请重新选择。"),
    })


class SubmitForm(forms.Form):
    """The check-your-answers page: the idempotency key was made when it was rendered."""

    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SupplyForm(VersionForm):
    note = forms.CharField(label=_("补充说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(VersionForm):
    reason = forms.CharField(label=_("撤回理由"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写撤回理由。")})
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)


class ProgressForm(forms.Form):
    number = forms.CharField(label=_("办件编号"), max_length=48,
                             error_messages={"required": _("请填写办件编号。")},
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "spellcheck": "false"}))
    code = forms.CharField(label=_("查询码"), max_length=8,
                           error_messages={"required": _("请填写查询码。")},
                           help_text=_("查询码印在受理通知书上，也在提交申请后的短信里。"),
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "spellcheck": "false"}))


# --- the front desk ----------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """Filters of the front-desk queue; they stay in the URL."""

    item = forms.CharField(label=_("事项实施编码"), required=False, max_length=64)
    org = forms.TypedChoiceField(label=_("实施部门"), required=False, coerce=int,
                                 empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False)

    STATUS_CHOICES = [
        ("SUBMITTED", _("待受理")), ("CORRECTION_REQUESTED", _("待补正")),
        ("ACCEPTED", _("已受理")),
        ("REJECTED", _("不予受理")), ("WITHDRAWN", _("已撤回")), ("APPROVED", _("准予许可")),
        ("DENIED", _("不予许可")),
    ]

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "org", [("", _("全部部门"))] + [(d.pk, d.name) for d in departments])
        set_choices(self, "status", self.STATUS_CHOICES)


class AcceptForm(VersionForm):
    """受理, optionally 容缺 for the materials the catalog allows."""

    tolerated = forms.TypedMultipleChoiceField(
        label=_("容缺受理的材料"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
    )
    supply_days = forms.IntegerField(
        label=_("补齐期限（工作日）"), required=False, min_value=1, max_value=MAX_SUPPLY_DAYS,
        help_text=_("申请人须在受理后多少个工作日内补交；已按事项规定的期限填好，可以缩短，不能延长。"),
        error_messages={"min_value": format_lazy(_("补齐期限应为 1–{max} 个工作日。"),
                                                 max=MAX_SUPPLY_DAYS),
                        "max_value": format_lazy(_("补齐期限应为 1–{max} 个工作日。"),
                                                 max=MAX_SUPPLY_DAYS),
                        "invalid": _("补齐期限应为整数。")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("受理意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tolerable=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "tolerated", [(m.id, m.name) for m in tolerable])



class RejectForm(VersionForm):
    reason = forms.CharField(label=_("不予受理的理由"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明依据和具体原因，将印在不予受理决定书上。"),
                             error_messages={"required": _("请填写不予受理的理由。")})


class CorrectionForm(VersionForm):
    """补正告知: every material is one row (tick + the problem); one free row for things
    that are not on the materials list. Everything is told at once (一次性告知)."""

    extra_name = forms.CharField(label=_("其他需补正的内容"), required=False, max_length=300)
    extra_problem = forms.CharField(label=_("其他内容的问题"), required=False, max_length=500)
    note = forms.CharField(label=_("补正说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    supply_days = forms.IntegerField(
        label=_("补正期限（工作日）"), required=False, min_value=1, max_value=MAX_SUPPLY_DAYS,
        help_text=_("申请人须在告知后多少个工作日内补正；到期日印在补正材料通知书上。"),
        error_messages={"min_value": format_lazy(_("补正期限应为 1–{max} 个工作日。"),
                                                 max=MAX_SUPPLY_DAYS),
                        "max_value": format_lazy(_("补正期限应为 1–{max} 个工作日。"),
                                                 max=MAX_SUPPLY_DAYS),
                        "invalid": _("补正期限应为整数。")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.material_rows = []
        for m in materials:
            tick, problem = f"c_{m.id}", f"p_{m.id}"
            self.fields[tick] = forms.BooleanField(
                label=gettext("%(name)s需补正") % {"name": m.name}, required=False)
            self.fields[problem] = forms.CharField(
                label=gettext("%(name)s的问题") % {"name": m.name}, required=False, max_length=500,
                widget=forms.TextInput(attrs={"placeholder": _("例如：缺少盖章页；复印件不清晰")}),
            )
            self.material_rows.append((m, tick, problem))

    def rows(self):
        return [(m, self[tick], self[problem]) for m, tick, problem in self.material_rows]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        items = []
        for m, tick, problem in self.material_rows:
            text = (data.get(problem) or "").strip()
            if data.get(tick):
                if not text:
                    self.add_error(problem, gettext("请写明“%(name)s”需要补正的问题。")
                                   % {"name": m.name})
                items.append({"material_id": m.id, "problem": text})
            elif text:
                self.add_error(tick, gettext("已填写“%(name)s”的问题，请勾选该材料，或清空说明。")
                               % {"name": m.name})
        name = (data.get("extra_name") or "").strip()
        extra_problem = (data.get("extra_problem") or "").strip()
        if name or extra_problem:
            if not name:
                self.add_error("extra_name", _("请写明需要补正的内容名称。"))
            if not extra_problem:
                self.add_error("extra_problem", _("请写明该内容需要补正的问题。"))
            items.append({"material_id": None, "name": name, "problem": extra_problem})
        if not items and not self.errors:
            raise ValidationError(_("请勾选需要补正的全部材料并写明问题（一次性告知）。"))
        data["items"] = items
        return data


class DecideForm(VersionForm):
    decision = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect,
                                 choices=[("approve", _("准予许可")), ("deny", _("不予许可"))],
                                 error_messages={"required": _("请选择准予或不予许可。")})
    reason = forms.CharField(label=_("理由（不予许可时必填）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "deny" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写不予许可的理由。"))
        return data


class PaperForm(VersionForm):
    material_ids = forms.TypedMultipleChoiceField(
        label=_("收到的纸质材料"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请勾选收到的材料。")},
    )
    original_seen = forms.BooleanField(label=_("已核验原件"), required=False, initial=True)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "material_ids", [(m.id, m.name) for m in materials])


class ScanForm(forms.Form):
    material_id = forms.TypedChoiceField(label=_("材料"), coerce=int)
    file = forms.FileField(label=_("扫描件"), error_messages={"required": _("请选择扫描件。")})

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "material_id", [(m.id, m.name) for m in materials])


class WindowSubmitForm(VersionForm):
    proxy = forms.BooleanField(label=_("帮办代办：由窗口工作人员代申请人填写并提交"),
                               required=False, initial=True)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


# --- walk-in registration --------------------------------------------------------------------


class WalkInForm(forms.Form):
    id_number = forms.CharField(
        label=_("申请人身份证号码"), max_length=18, validators=[validate_id_number],
        error_messages={"required": _("请填写申请人身份证号码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50,
                           help_text=_("未登记的申请人必填；已登记的会与证件核对。"))
    phone = forms.CharField(label=_("手机号码"), max_length=11, validators=[validate_mobile],
                            help_text=_("用于申请表的联系电话和办理进度短信。"),
                            error_messages={"required": _("请填写申请人的手机号码。")},
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    address = forms.CharField(label=_("联系地址"), required=False, max_length=200)
    legal_credit_code = forms.CharField(label=_("代办单位统一社会信用代码（单位申请时填写）"),
                                        required=False, max_length=18,
                                        validators=[validate_credit_code])
    legal_name = forms.CharField(label=_("单位名称"), required=False, max_length=200)
    item_q = forms.CharField(label=_("按名称或编码查找事项"), required=False, max_length=100,
                             help_text=_("输入事项名称中的词或实施编码的一部分，点“查找事项”。"),
                             widget=forms.TextInput(attrs={"type": "search",
                                                           "autocomplete": "off"}))
    implementation_code = forms.ChoiceField(
        label=_("申请事项"),
        error_messages={"required": _("请选择申请事项。"),
                        "invalid_choice": _("请从列表中选择本中心受理的事项。")})
    application_content = forms.CharField(
        label=_("申请内容"), max_length=2000, error_messages={"required": _("请填写申请内容。")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "implementation_code", [("", _("请选择事项"))] + [
            (i.code, f"{i.name}（{i.department}）") for i in items
        ])

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()
