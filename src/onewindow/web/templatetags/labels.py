"""Code-table labels on pages. The labels are Chinese where they are defined (marked with
``gettext_noop``), and stay Chinese in the data, the APIs and the official notices; a
page shows them in the reader's language."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value):
    """The label in the active language. Words not in the catalogue (what people typed)
    come back unchanged, and so does anything that is not text."""
    if isinstance(value, str) and value:
        return gettext(value)
    return value
