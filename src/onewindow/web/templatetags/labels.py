"""Code-table labels on pages. The labels are Chinese where they are defined (marked with
``gettext_noop``), and stay Chinese in the data, the APIs and the official notices; a
page shows them in the reader's language."""

from django import template
from django.utils.translation import get_language, gettext

register = template.Library()


@register.filter
def translated(value):
    """The label in the active language. Words not in the catalogue (what people typed)
    come back unchanged, and so does anything that is not text."""
    if isinstance(value, str) and value:
        return gettext(value)
    return value


@register.filter
def limit_text(limit):
    """A catalog time limit ("70 个工作日", "即办") in the reader's language. The catalog's
    own text is Chinese and stays so in the data and the notices."""
    if limit is None:
        return ""
    if get_language().startswith("zh"):
        return limit.text
    if limit.amount is None:
        return gettext("无")
    if limit.amount == 0:
        return gettext("即办")
    return f"{limit.amount} {gettext(limit.unit_label)}"
