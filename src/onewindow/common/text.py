"""The type of text a page shows: a ``str``, or a lazy translation (``gettext_lazy``) that
becomes one when it is rendered in the request's language.

Labels and help texts built at import time stay lazy, so they are typed ``StrOrPromise``;
code that stores or compares text converts it with ``str()`` first. django-stubs names the
type ``_StrOrPromise``; its public alias lives in django-stubs-ext, a development tool, so
the running application spells it itself.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    from django.utils.functional import Promise

    StrOrPromise = str | Promise

__all__ = ["StrOrPromise"]
