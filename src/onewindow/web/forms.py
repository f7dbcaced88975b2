from django import forms
from django.utils.translation import gettext_lazy as _


def set_choices(form: forms.BaseForm, name: str, choices) -> None:
    """Give a declared choice field of ``form`` its choices (known only per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


class CitizenLoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("身份证号码、手机号码或用户名"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class StaffLoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("工作人员用户名"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
