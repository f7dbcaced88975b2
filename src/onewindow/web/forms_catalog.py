"""Forms of the catalog pages. They check the shape of the input only (numbers are numbers,
choices are known); the business rules (承诺时限 ≤ 法定时限, codes, conditional materials …)
are the catalog services', whose Chinese messages the views put next to these fields."""

from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import (
    CrossRegionScope,
    ExerciseLevel,
    HandlingForm,
    HandlingType,
    LimitUnit,
    MaterialMedium,
    MaterialRequirement,
    MaterialSource,
    OnlineDepth,
    ResultKind,
    ServiceObjectCode,
    SpecialProcedureKind,
    SubjectNature,
)
from onewindow.catalog.models import Theme
from onewindow.common.text import StrOrPromise

from .forms import set_choices

MAX_ROWS = 200
TEXTAREA = {"rows": 3}


def _shown(choices) -> list[tuple[str, StrOrPromise]]:
    """A code table's choices with their (Chinese) labels shown in the reader's language."""
    return [(value, _(label)) for value, label in choices]


def _blank(label: StrOrPromise, choices) -> list[tuple[str, StrOrPromise]]:
    return [("", label), *_shown(choices)]


def _int(label: StrOrPromise, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=1_000_000,
        error_messages={"invalid": format_lazy(_("{label}应为整数。"), label=label),
                        "min_value": format_lazy(_("{label}不能小于 0。"), label=label),
                        "max_value": format_lazy(_("{label}太大了。"), label=label)},
        **kwargs,
    )


def _text(label: StrOrPromise, max_length: int | None = None, *, area: bool = False,
          help_text: StrOrPromise = "") -> forms.CharField:
    widget = forms.Textarea(attrs=TEXTAREA) if area else forms.TextInput
    return forms.CharField(label=label, max_length=max_length, required=False, widget=widget,
                           help_text=help_text, strip=True)


class ElementsForm(forms.Form):
    """The elements (要素) of one version, except the row lists (materials, fees and
    special procedures, which are formsets)."""

    name = forms.CharField(label=_("事项名称"), max_length=200,
                           error_messages={"required": _("请填写事项名称。")})
    short_name = _text(_("简称"), 100)
    daily_name = _text(_("常用名称"), 200,
                       help_text=_("群众日常的叫法，便于搜索，如“社保卡补办”。"))
    subject_nature = forms.ChoiceField(label=_("实施主体性质"),
                                       choices=_shown(SubjectNature.choices))
    service_objects = forms.MultipleChoiceField(
        label=_("服务对象"), choices=_shown(ServiceObjectCode.choices), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.MultipleChoiceField(label=_("主题"), choices=(), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    handling_forms = forms.MultipleChoiceField(
        label=_("办理形式"), choices=_shown(HandlingForm.choices), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    handling_type = forms.ChoiceField(label=_("办件类型"), choices=_shown(HandlingType.choices))
    online_depth = forms.ChoiceField(label=_("网办深度"),
                                     choices=_blank(_("未评定"), OnlineDepth.choices),
                                     required=False)
    visit_count = _int(_("到办事现场次数"))
    cross_region_scope = forms.ChoiceField(label=_("通办范围"),
                                           choices=_shown(CrossRegionScope.choices))
    online_platform = _text(_("网上办理平台"), 200)
    online_apply_url = _text(_("网上办理地址"), 500, help_text=_("以 http:// 或 https:// 开头。"))
    appointment_url = _text(_("网上预约地址"), 500)
    legal_limit_amount = _int(_("法定办结时限"), help_text=_("填数字，没有法定时限请留空。"))
    legal_limit_unit = forms.ChoiceField(label=_("法定时限单位"),
                                         choices=_blank(_("（无）"), LimitUnit.choices),
                                         required=False)
    legal_limit_note = _text(_("法定时限说明"), 500)
    promised_limit_amount = _int(_("承诺办结时限"),
                                 help_text=_("不能超过法定办结时限；即办件填 0。"))
    promised_limit_unit = forms.ChoiceField(label=_("承诺时限单位"),
                                            choices=_blank(_("（无）"), LimitUnit.choices),
                                            required=False)
    promised_limit_note = _text(_("承诺时限说明"), 500)
    acceptance_conditions = _text(_("受理条件"), area=True)
    process_description = _text(_("办理流程"), area=True)
    quantity_limit = _text(_("数量限制"), area=True)
    commitment_allowed = forms.BooleanField(label=_("可实行告知承诺制"), required=False)
    fee_charged = forms.TypedChoiceField(
        label=_("是否收费"), choices=[("0", _("不收费")), ("1", _("收费"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect, initial="0",
    )
    location = _text(_("办理地点"), area=True)
    office_hours = _text(_("办理时间"), area=True)
    consult_phone = _text(_("咨询电话"), 500)
    complaint_phone = _text(_("监督投诉电话"), 500)
    joint_departments = _text(_("联办机构"), area=True)
    intermediary_services = _text(_("中介服务"), area=True)
    result_name = _text(_("审批结果名称"), 200)
    result_kind = forms.ChoiceField(label=_("审批结果类型"),
                                    choices=_blank(_("（未填）"), ResultKind.choices),
                                    required=False)
    result_licence_type = _text(_("结果证照类型代码"), 64)
    implementation_basis = _text(
        _("实施依据"), area=True,
        help_text=_("本实施清单适用的法律、法规、规章条款，一条一行。设定依据来自基本目录。"))
    change_reason = _text(_("变更理由"), 2000, area=True,
                          help_text=_("说明为什么修改，发布时会带出，可再修改。"))

    GROUPS = [
        ("basic", _("基本信息"), ["name", "short_name", "daily_name", "subject_nature",
                               "service_objects", "themes"]),
        ("handling", _("办理方式"), ["handling_type", "handling_forms", "online_depth",
                                  "visit_count", "cross_region_scope", "online_platform",
                                  "online_apply_url", "appointment_url"]),
        ("limits", _("办理时限"), ["legal_limit_amount", "legal_limit_unit", "legal_limit_note",
                                "promised_limit_amount", "promised_limit_unit",
                                "promised_limit_note"]),
        ("conditions", _("受理条件和流程"), ["acceptance_conditions", "process_description",
                                          "quantity_limit", "commitment_allowed"]),
        ("fees", _("收费"), ["fee_charged"]),
        ("where", _("地点、时间和咨询"), ["location", "office_hours", "consult_phone",
                                        "complaint_phone", "joint_departments",
                                        "intermediary_services"]),
        ("result", _("审批结果"), ["result_name", "result_kind", "result_licence_type"]),
        ("basis", _("法律依据"), ["implementation_basis"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(Theme.objects.filter(is_active=True).values_list("name", flat=True))
        # Keep a theme the version already has even if it was switched off since.
        for name in self.initial.get("themes") or []:
            if name not in names:
                names.append(name)
        set_choices(self, "themes", [(n, n) for n in names])

    def groups(self):
        for key, title, names in self.GROUPS:
            yield key, title, [self[name] for name in names]

    @staticmethod
    def initial_from(elements: dict) -> dict:
        initial = dict(elements)
        initial["fee_charged"] = "1" if elements.get("fee_charged") else "0"
        return initial

    def elements(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items()}
        data.pop("change_reason", None)
        if data.get("visit_count") is None:
            data["visit_count"] = 0
        return data


class MaterialForm(forms.Form):
    name = _text(_("材料名称"), 300)
    requirement = forms.ChoiceField(label=_("是否必须"),
                                    choices=_shown(MaterialRequirement.choices),
                                    initial=MaterialRequirement.REQUIRED.value)
    condition = _text(_("提交条件"), help_text=_("“视情况提交”时必填。"))
    original_count = _int(_("原件份数"), initial=1)
    copy_count = _int(_("复印件份数"), initial=0)
    medium = forms.ChoiceField(label=_("材料形式"), choices=_shown(MaterialMedium.choices),
                               initial=MaterialMedium.PAPER.value)
    source = forms.ChoiceField(label=_("来源渠道"), choices=_shown(MaterialSource.choices),
                               initial=MaterialSource.APPLICANT.value)
    issuing_agency = _text(_("出具单位"), 200)
    tolerance_allowed = forms.BooleanField(label=_("可容缺受理"), required=False)
    tolerance_supply_days = _int(_("容缺补交期限（工作日）"),
                                 help_text=_("可容缺时填写：受理后多少个工作日内补交。"))
    commitment_allowed = forms.BooleanField(label=_("可承诺替代"), required=False)
    licence_type_code = _text(_("可替代的电子证照类型代码"), 64)
    note = _text(_("填报说明"))
    # Files already attached to the material travel through the form unchanged (their
    # storage names); a new upload replaces one, the checkbox removes it.
    blank_form = forms.CharField(required=False, widget=forms.HiddenInput)
    sample_file = forms.CharField(required=False, widget=forms.HiddenInput)
    blank_form_upload = forms.FileField(
        label=_("空白表格"), required=False,
        help_text=_("申请人下载填写的表格：PDF、Word 或 Excel，不超过 10 MB。"))
    blank_form_remove = forms.BooleanField(label=_("删除已上传的空白表格"), required=False)
    sample_file_upload = forms.FileField(
        label=_("示例样表"), required=False, help_text=_("填写好的示例，格式要求同空白表格。"))
    sample_file_remove = forms.BooleanField(label=_("删除已上传的示例样表"), required=False)

    FILE_KINDS = ("blank_form", "sample_file")

    def uploads(self) -> dict:
        """New files chosen in this row, by element (``blank_form`` / ``sample_file``)."""
        return {kind: self.cleaned_data[f"{kind}_upload"] for kind in self.FILE_KINDS
                if self.cleaned_data.get(f"{kind}_upload")}

    def row(self) -> dict:
        data = dict(self.cleaned_data)
        for kind in self.FILE_KINDS:
            data.pop(f"{kind}_upload", None)
            if data.pop(f"{kind}_remove", False):
                data[kind] = ""
        for key in ("original_count", "copy_count"):
            if data.get(key) is None:
                data[key] = 0
        return data


class FeeForm(forms.Form):
    name = _text(_("收费项目名称"), 200)
    amount = _text(_("收费标准（元）"), 40)
    basis = _text(_("收费依据"))

    def row(self) -> dict:
        return dict(self.cleaned_data)


class SpecialProcedureForm(forms.Form):
    kind = forms.ChoiceField(label=_("特别程序种类"), choices=_shown(SpecialProcedureKind.choices),
                             initial=SpecialProcedureKind.OTHER.value)
    name = _text(_("特别程序名称"), 200, help_text=_("如 专家评审、现场核查、检验检测。"))
    limit_amount = _int(_("时限"))
    limit_unit = forms.ChoiceField(label=_("时限单位"),
                                   choices=_blank(_("（无）"), LimitUnit.choices), required=False)
    basis = _text(_("依据"))

    def row(self) -> dict:
        return dict(self.cleaned_data)


class RowsFormSet(forms.BaseFormSet):
    """Rows edited in place. Adding, removing and moving rows are buttons that re-render
    the page without saving (see ``rearrange``); rows left as the blank template are
    ignored, so every row is an "extra" row once the page is posted."""

    prefix_name = "rows"
    label: StrOrPromise = ""
    row_label: StrOrPromise = ""

    @classmethod
    def get_default_prefix(cls):
        return cls.prefix_name

    def initial_form_count(self):
        return 0 if self.is_bound else super().initial_form_count()

    def rows(self) -> list[tuple[forms.Form, dict]]:
        """(form, element row) of the rows to save, in page order (formset must be valid)."""
        return [(form, form.row()) for form in self.forms if form.has_changed()]


def _formset(form, prefix, label, row_label) -> type[RowsFormSet]:
    cls = forms.formset_factory(form, formset=RowsFormSet, extra=0, max_num=MAX_ROWS,
                                absolute_max=MAX_ROWS, validate_max=True)
    if not issubclass(cls, RowsFormSet):  # it subclasses the ``formset`` it is given
        raise TypeError(f"{cls} is not a RowsFormSet")
    cls.prefix_name, cls.label, cls.row_label = prefix, label, row_label
    return cls


MaterialFormSet = _formset(MaterialForm, "materials", _("申请材料"), _("材料"))
FeeFormSet = _formset(FeeForm, "fees", _("收费项目"), _("收费项目"))
SpecialProcedureFormSet = _formset(SpecialProcedureForm, "special_procedures", _("特别程序"),
                                   _("特别程序"))
SECTIONS = [MaterialFormSet, FeeFormSet, SpecialProcedureFormSet]


def row_template(form_class) -> dict[str, str]:
    """The values of a new blank row (the fields' initial values)."""
    values = {}
    for name, field in form_class.base_fields.items():
        initial = field.initial
        if isinstance(field, forms.BooleanField) or initial is None:
            continue
        values[name] = str(initial)
    return values


def rearrange(data: QueryDict, action: str) -> QueryDict | None:
    """Apply a row button (``materials:add``, ``fees:remove:2``, ``materials:up:1`` …) to
    posted data and return the new data, or None when the action is not understood."""
    parts = action.split(":")
    section = next((s for s in SECTIONS if s.prefix_name == parts[0]), None)
    if section is None or len(parts) not in (2, 3):
        return None
    prefix, verb = section.prefix_name, parts[1]
    fields = list(section.form.base_fields)
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), MAX_ROWS)
        index = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        return None
    rows = [{f: data.getlist(f"{prefix}-{i}-{f}") for f in fields} for i in range(total)]
    if verb == "add" and total < MAX_ROWS:
        rows.append({k: [v] for k, v in row_template(section.form).items()})
    elif index is None or not 0 <= index < total:
        return None
    elif verb == "remove":
        rows.pop(index)
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < total - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    new = data.copy()
    for key in list(new):
        if key.startswith(f"{prefix}-") and not key.endswith("_FORMS"):
            del new[key]
    for i, row in enumerate(rows):
        for name, values in row.items():
            if values:
                new.setlist(f"{prefix}-{i}-{name}", values)
    new[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    new[f"{prefix}-INITIAL_FORMS"] = "0"
    return new


class NewItemForm(forms.Form):
    """Who implements the new item and which 基本目录 it implements; the 实施编码 is
    composed from these by the catalog service."""

    organisation = forms.ModelChoiceField(
        label=_("实施主体"), queryset=None, empty_label=_("请选择"),
        error_messages={"required": _("请选择实施主体。"),
                        "invalid_choice": _("请从列表中选择实施主体。")},
    )
    basic_code = forms.CharField(
        label=_("基本编码"), max_length=36,
        help_text=_("基本目录中的 12 位编码，如 440101007000。实施编码 = 实施主体统一社会信用代码"
                    "（18 位）+ 行使层级（1 位）+ 基本编码（12 位）。"),
        error_messages={"required": _("请填写基本编码。")},
    )
    level = forms.ChoiceField(
        label=_("行使层级"),
        choices=_blank(_("与实施主体相同"), [(c, lbl) for c, lbl in ExerciseLevel.choices
                                          if c != ExerciseLevel.TIERED]),
        required=False,
    )
    handling_item = forms.CharField(label=_("业务办理项序号"), max_length=2, required=False,
                                    help_text=_("同一事项分多个办理项时填 2 位数字，否则留空。"))
    in_hall = forms.BooleanField(label=_("进驻政务服务大厅"), required=False, initial=True)
    not_in_hall_reason = _text(_("不进驻理由"), area=True,
                               help_text=_("不进驻大厅（列入进驻负面清单）时必填。"))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        if not isinstance(organisation, forms.ModelChoiceField):
            raise TypeError("organisation is not a model choice field")
        organisation.queryset = organisations
        organisation.label_from_instance = lambda obj: obj.name


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写理由。"),
                        "max_length": _("理由不能超过 2000 个字。")},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("先导出事项清单，修改后上传。文件不超过 20 MB。"),
        error_messages={"required": _("请选择要上传的 Excel 文件。"),
                        "empty": _("上传的文件是空的。")},
    )
    publish = forms.BooleanField(label=_("导入后直接发布（不勾选则只保存为草稿）"), required=False)
    reason = forms.CharField(label=_("变更理由"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("直接发布时必填，会记入每个事项的操作记录。"))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只能上传 .xlsx 格式的 Excel 文件（可先导出一份作为模板）。"))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请按部门分开导入。"))
        return upload

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("publish") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("直接发布时请填写变更理由。"))
        return data
