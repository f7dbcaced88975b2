"""``{% seal organisation_name "行政许可专用章" %}`` in document templates."""

from django import template
from django.utils.safestring import mark_safe

from ..seals import seal_svg

register = template.Library()


@register.simple_tag
def seal(name, title, size_mm=36.0):
    # seal_svg escapes the name and the title itself.
    return mark_safe(seal_svg(str(name or ""), str(title or ""), size_mm=float(size_mm)))  # noqa: S308
