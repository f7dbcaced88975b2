"""What every catalog admin page shares: the role check, the admin's organisations and
the error parts of a domain error."""

from functools import wraps

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from onewindow.catalog.codes import ImplementationStatus
from onewindow.common.errors import ApplicationError
from onewindow.identity import permissions as identity_permissions
from onewindow.identity.models import Organisation

from ...ui import staff_required

# The catalog's action names (catalog.permissions); granted to 事项管理员 and 系统管理员.
EDIT_ITEM = "catalog.edit_item"


IMPORT_EXPORT = "catalog.import_export"


PAGE_SIZE = 50


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


STATUS_CHOICES = [
    (ImplementationStatus.ACTIVE.value, gettext_lazy("在用")),
    (ImplementationStatus.SUSPENDED.value, gettext_lazy("暂停")),
    (ImplementationStatus.CANCELLED.value, gettext_lazy("已取消")),
    ("DRAFT", gettext_lazy("有待发布的草稿")),
]


LIST_FILTERS = ("q", "status", "org", "type")


def catalog_admin_required(view):
    """Staff holding a catalog role somewhere; everyone else sees a missing page."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not identity_permissions.can_anywhere(request.user, EDIT_ITEM):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _scope_organisations(user, *, with_credit_code: bool = False):
    """The organisations whose items ``user`` may maintain, in tree order."""
    condition = Q(pk__in=[])
    for path in identity_permissions.scope_paths(user, EDIT_ITEM):
        condition |= Q(path__startswith=path)
    organisations = Organisation.objects.filter(condition, is_active=True).order_by("path")
    if with_credit_code:
        organisations = organisations.exclude(credit_code__isnull=True).exclude(credit_code="")
    return organisations


def _error_parts(exc: ApplicationError) -> tuple[str, dict]:
    details = exc.details if isinstance(exc.details, dict) else {}
    return str(exc.message), details
