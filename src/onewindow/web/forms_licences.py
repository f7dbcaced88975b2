"""Forms of the licence pages: shape only; business rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.licences.models import LicenceType


class VerifyForm(forms.Form):
    text = forms.CharField(
        label=_("证照标识或二维码链接"), required=False, max_length=600,
        help_text=_("输入 1.2.156.3005.2 开头的证照标识，或扫描二维码得到的链接。"),
    )
    vc_jwt = forms.CharField(
        label=_("或粘贴 VC-JWT"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    vc_file = forms.FileField(label=_("或上传 VC-JWT 文件"), required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload = data.get("vc_file")
        if upload:
            if upload.size > 20000:
                raise forms.ValidationError(_("文件过大。"))
            data["vc_jwt"] = upload.read().decode("utf-8", "replace").strip()
        if not data.get("text") and not data.get("vc_jwt"):
            raise forms.ValidationError(_("请输入证照标识、二维码链接，或提供 VC-JWT。"))
        return data


class ShareForm(forms.Form):
    HOURS = [(24, _("1 天")), (72, _("3 天")), (168, _("7 天")), (720, _("30 天"))]

    purpose = forms.CharField(label=_("用途"), max_length=200,
                              help_text=_("例如：向某银行办理贷款提供营业执照。"))
    valid_hours = forms.TypedChoiceField(label=_("有效期"), choices=HOURS, coerce=int, initial=72)


class LookupForm(forms.Form):
    holder_code = forms.CharField(label=_("身份证号码或统一社会信用代码"), max_length=18,
                                  min_length=18)
    purpose = forms.CharField(label=_("查询用途"), max_length=200,
                              help_text=_("必填，将记入持证人的用证记录，例如办件编号和事由。"))
    type_code = forms.CharField(label=_("证照类型代码（可选）"), max_length=21, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("注销理由"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AnnotateForm(forms.Form):
    text = forms.CharField(label=_("加注内容"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))


class IssueForm(forms.Form):
    """Common fields plus one field per entry of the licence type's field list."""

    holder_code = forms.CharField(label=_("持证主体代码"), max_length=18, min_length=18,
                                  help_text=_("自然人填身份证号码，法人填统一社会信用代码。"))
    number = forms.CharField(label=_("证照编号（可选）"), max_length=100, required=False,
                             help_text=_("留空则按流水号自动编号。"))
    valid_until = forms.DateField(label=_("有效期截止日期（可选）"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("留空则按证照类型的默认有效期。"))

    def __init__(self, *args, licence_type: LicenceType, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.licence_type = licence_type
        if len(issuers) > 1:
            self.fields["issuer"] = forms.ChoiceField(
                label=_("颁发机构"), choices=[(o.pk, o.name) for o in issuers]
            )
        for spec in licence_type.field_schema or []:
            label = spec.get("label") or spec["name"]
            required = bool(spec.get("required"))
            kind = spec.get("type", "text")
            if kind == "date":
                field = forms.DateField(label=label, required=required,
                                        widget=forms.DateInput(attrs={"type": "date"}))
            elif kind == "integer":
                field = forms.IntegerField(label=label, required=required)
            elif kind == "boolean":
                field = forms.BooleanField(label=label, required=False)
            else:
                field = forms.CharField(label=label, required=required, max_length=2000)
            self.fields[f"f_{spec['name']}"] = field

    def type_fields(self) -> dict:
        return {
            name[2:]: value for name, value in self.cleaned_data.items()
            if name.startswith("f_") and value not in (None, "")
        }
