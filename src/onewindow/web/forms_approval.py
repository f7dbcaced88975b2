"""Forms of the approval pages (worklist, task, output window, routes, the applicant's
delivery choice). They check the shape of the input; the rules (who may, when, how many
days) stay in the cases and workflow services, whose errors the views put next to the
same fields."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onewindow.common.text import StrOrPromise
from onewindow.identity.validators import validate_id_number
from onewindow.workdays.models import DeadlineState

from .forms import set_choices
from .forms_cases import VersionForm

MAX_TEXT = 2000
SIGNATURE = re.compile(r"^data:image/png;base64,[A-Za-z0-9+/=]+$")
MAX_SIGNATURE_CHARS = 400_000


def _text(label: StrOrPromise, *, required: bool = True, rows: int = 3,
          missing: StrOrPromise = "", max_length: int = MAX_TEXT,
          help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": missing or format_lazy(_("请填写{label}。"), label=label),
                        "max_length": format_lazy(_("{label}不能超过 {n} 个字。"), label=label,
                                                  n=max_length)},
    )


# --- the worklist ----------------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    deadline = forms.ChoiceField(
        label=_("期限状态"), required=False,
        choices=[("", _("全部"))] + [(state.value, _(str(state.label))) for state in (
            DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.NORMAL)],
    )
    sort = forms.ChoiceField(
        label=_("排序"), required=False,
        choices=[("due_date", _("期限最早的在前")), ("-due_date", _("期限最晚的在前")),
                 ("created_at", _("最早到达的在前")), ("-created_at", _("最新到达的在前"))],
    )


# --- the task page ---------------------------------------------------------------------------


class OpinionForm(VersionForm):
    """A review step: 拟同意 / 拟不同意 / 退回 with the opinion (审查意见) that goes to the
    next step; 拟不同意 and 退回 need their reasons."""

    stance = forms.ChoiceField(
        label=_("审查结论"), widget=forms.RadioSelect,
        choices=[("agree", _("拟同意")), ("disagree", _("拟不同意")),
                 ("return", _("退回上一环节"))],
        error_messages={"required": _("请选择拟同意、拟不同意或退回。"),
                        "invalid_choice": _("请选择拟同意、拟不同意或退回。")},
    )
    opinion = _text(_("审查意见"), rows=4, required=False)
    reasons = _text(_("理由"), rows=3, required=False,
                    help_text=_("拟不同意或退回时必填；退回时转达上一环节的办理人。"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        stance = data.get("stance")
        if stance in ("disagree", "return") and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("拟不同意或退回须写明理由。"))
        if stance == "agree" and not (data.get("opinion") or "").strip():
            self.add_error("opinion", _("请填写审查意见。"))
        return data


class DecisionForm(VersionForm):
    """The decision step: approve, deny (reasons required) or send back (reason)."""

    decision = forms.ChoiceField(
        label=_("决定"), widget=forms.RadioSelect,
        choices=[("approve", _("准予许可")), ("deny", _("不予许可")),
                 ("return", _("退回上一环节"))],
        error_messages={"required": _("请选择准予、不予许可或退回。")},
    )
    opinion = _text(_("审批意见"), rows=3, missing=_("请填写审批意见。"))
    reasons = _text(_("不予许可的理由"), required=False,
                    help_text=_("不予许可时必填，将写入不予行政许可决定书。"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "deny" and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("不予许可须写明理由。"))
        return data


class ReturnForm(VersionForm):
    reason = _text(_("退回理由"), missing=_("请填写退回理由。"))


class SuspendForm(VersionForm):
    procedure = forms.ChoiceField(label=_("特别程序"), error_messages={
        "required": _("请选择特别程序。"), "invalid_choice": _("请选择列出的特别程序。")})
    expected_days = forms.IntegerField(
        label=_("预计所需时间（工作日）"), min_value=1, max_value=250,
        error_messages={"required": _("请填写预计所需的工作日数。"),
                        "min_value": _("预计所需时间至少 1 个工作日。"),
                        "max_value": _("预计所需时间不能超过 250 个工作日。"),
                        "invalid": _("请填写整数。")},
    )
    reason = _text(_("理由"), missing=_("请填写启动特别程序的理由。"),
                   help_text=_("将写入书面告知，发给申请人。"))

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "procedure", [("", _("请选择")), *procedures])


class ResumeForm(VersionForm):
    note = _text(_("说明"), required=False, rows=2)


class ExtendRequestForm(VersionForm):
    days = forms.IntegerField(
        label=_("延长工作日数"), min_value=1, max_value=60,
        error_messages={"required": _("请填写延长的工作日数。"),
                        "min_value": _("至少延长 1 个工作日。"),
                        "max_value": _("延长的工作日数过大。"), "invalid": _("请填写整数。")},
    )
    reason = _text(_("延期理由"), missing=_("请填写延期理由。"), help_text=_("批准后告知申请人。"))


class ExtendDecideForm(VersionForm):
    approve = forms.TypedChoiceField(
        label=_("是否批准延期"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("批准延期")), ("no", _("不批准"))],
        error_messages={"required": _("请选择批准或不批准。")},
    )
    note = _text(_("说明"), required=False, rows=2)


# --- the output window -----------------------------------------------------------------------


def validate_signature(value: str) -> None:
    if value and (len(value) > MAX_SIGNATURE_CHARS or not SIGNATURE.match(value)):
        raise ValidationError(_("签名图像无效，请清除后重新签名。"))


class HandOverForm(VersionForm):
    recipient_name = forms.CharField(label=_("领取人姓名"), max_length=50,
                                     error_messages={"required": _("请填写领取人姓名。")})
    recipient_id_number = forms.CharField(
        label=_("领取人身份证号码"), max_length=18, validators=[validate_id_number],
        error_messages={"required": _("请填写领取人身份证号码。")},
    )
    id_checked = forms.BooleanField(
        label=_("已核验领取人身份证件原件"),
        error_messages={"required": _("请核验领取人的身份证件后勾选。")})
    signature = forms.CharField(
        label=_("领取人签名"), widget=forms.HiddenInput, validators=[validate_signature],
        required=False)
    paper_receipt = forms.BooleanField(
        label=_("领取人不便使用签名板，已在纸质领取回执上签字（回执由窗口归档）"), required=False)

    def clean_recipient_id_number(self):
        return (self.cleaned_data.get("recipient_id_number") or "").strip().upper()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("signature") and not data.get("paper_receipt"):
            self.add_error("signature",
                           _("请让领取人在签名板上签名，或在纸质回执上签字后勾选下方选项。"))
        return data


class MailDispatchForm(VersionForm):
    address = _text(_("邮寄地址"), rows=2, max_length=300, missing=_("请填写邮寄地址。"))
    carrier = forms.CharField(label=_("寄递企业"), max_length=50,
                              error_messages={"required": _("请填写寄递企业，如中国邮政 EMS。")})
    tracking_number = forms.CharField(label=_("运单号"), max_length=40,
                                      error_messages={"required": _("请填写运单号。")})


class MailDeliveredForm(VersionForm):
    pass


class ElectronicForm(VersionForm):
    pass


# --- the applicant's choice ----------------------------------------------------------------


class DeliveryChoiceForm(VersionForm):
    channel = forms.ChoiceField(
        label=_("领取方式"), widget=forms.RadioSelect,
        choices=[("PICKUP", _("到政务服务中心统一出件窗口领取")), ("MAIL", _("邮寄送达（免费）")),
                 ("ELECTRONIC", _("电子送达（在本网站下载）"))],
        error_messages={"required": _("请选择领取方式。")},
    )
    address = _text(_("邮寄地址"), required=False, rows=2, max_length=300,
                    help_text=_("选择邮寄时必填：省、市、区、街道和门牌号，收件人和电话。"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("channel") == "MAIL" and not (data.get("address") or "").strip():
            self.add_error("address", _("选择邮寄送达时请填写邮寄地址。"))
        return data


# --- routes ------------------------------------------------------------------------------------


class RouteUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BPMN 文件"),
        help_text=_("在 Camunda Modeler 或 bpmn.io 中修改后导出的 .bpmn 文件。"),
        error_messages={"required": _("请选择要上传的 BPMN 文件。"),
                        "empty": _("文件是空的。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".bpmn") or name.endswith(".xml")):
            raise ValidationError(_("请上传 .bpmn 或 .xml 文件。"))
        return upload


# --- 现场核查 (an inspection step of the route) -----------------------------------------------

RESULT_CHOICES = [("pass", _("符合")), ("fail", _("不符合")), ("na", _("不适用"))]


class InspectionForm(VersionForm):
    """The item's checklist, one result / note / photo per point (``result_<key>``,
    ``note_<key>``, ``photo_<key>``), the conclusion and who inspected. Photos already
    saved stay with their point; a new one is added on each save."""

    conclusion = _text(_("核查结论"), required=False, rows=3)
    inspectors = forms.CharField(label=_("核查人员"), required=False, max_length=200,
                                 help_text=_("至少两名执法人员，用顿号分隔。"))

    def __init__(self, *args, checklist=(), saved=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = list(checklist)
        saved = saved or {}
        for point in self.points:
            key = point["key"]
            before = saved.get(key) or {}
            self.fields[f"result_{key}"] = forms.ChoiceField(
                label=point["text"], choices=RESULT_CHOICES, widget=forms.RadioSelect,
                initial=before.get("result"),
                error_messages={"required": format_lazy(_("请选择“{text}”的核查结果。"),
                                                        text=point["text"])})
            self.fields[f"note_{key}"] = forms.CharField(
                label=format_lazy(_("{text}：情况说明"), text=point["text"]), required=False,
                max_length=500, initial=before.get("note", ""),
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"photo_{key}"] = forms.FileField(
                label=format_lazy(_("{text}：现场照片"), text=point["text"]), required=False,
                help_text=_("JPEG 或 PNG 图片。"),
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for point in self.points:
            key = point["key"]
            if data.get(f"result_{key}") == "fail" and not (data.get(f"note_{key}") or "").strip():
                self.add_error(f"note_{key}", format_lazy(_("“{text}”不符合，请写明情况。"),
                                                          text=point["text"]))
        return data

    def rows(self):
        """(point, result field, note field, photo field) for the template."""
        return [(p, self[f"result_{p['key']}"], self[f"note_{p['key']}"],
                 self[f"photo_{p['key']}"]) for p in self.points]

    def aliases(self) -> dict[str, str]:
        return {p["key"]: f"result_{p['key']}" for p in self.points}


# --- the licence draft at 决定 ------------------------------------------------------------------


class LicenceCorrectionForm(VersionForm):
    """The chief corrects one field of the licence draft, with the reason (logged)."""

    field = forms.ChoiceField(label=_("更正字段"), error_messages={
        "required": _("请选择要更正的字段。"), "invalid_choice": _("请选择证照草稿中的字段。")})
    value = forms.CharField(label=_("更正后的内容"), max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("请填写更正后的内容。")})
    reason = _text(_("更正理由"), rows=2, missing=_("请填写更正理由。"),
                   help_text=_("记入办件记录和审计日志。"))

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "field", [("", _("请选择")), *[(f.name, f.label) for f in fields]])
