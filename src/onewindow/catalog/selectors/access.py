"""Access to the catalog objects staff maintain (ADR 0022): an item (implementation) and
one of its versions, for a catalog admin whose role covers the implementing organisation.
Missing, malformed and out-of-scope all raise the same not-found error (404)."""

from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor

from .. import permissions as perms
from ..errors import InvalidCode, ItemNotFound, VersionNotFound
from ..models import Implementation, ImplementationVersion
from .items import _implementation


def access_implementation(*, actor: Actor | None, code: str) -> Implementation:
    """The item ``code`` if ``actor`` may edit it (``catalog.edit_item`` over its
    organisation; None is the system); otherwise ``ItemNotFound``."""
    try:
        implementation = _implementation(code)
    except (InvalidCode, ItemNotFound):
        implementation = None
    if implementation is None or not perms.can_edit_item(actor=actor,
                                                          implementation=implementation):
        raise ItemNotFound(_("没有找到该事项。"), details={"code": str(code)})
    return implementation


def access_version(*, actor: Actor | None, code: str, number: int) -> ImplementationVersion:
    """Version ``number`` (draft, published or superseded) of an item ``actor`` may edit;
    otherwise ``ItemNotFound`` / ``VersionNotFound`` (both 404)."""
    implementation = access_implementation(actor=actor, code=code)
    version = ImplementationVersion.objects.filter(implementation=implementation,
                                                   number=number).first()
    if version is None:
        raise VersionNotFound(_("没有找到该事项版本。"),
                              details={"code": implementation.code, "version": number})
    version.implementation = implementation
    return version
