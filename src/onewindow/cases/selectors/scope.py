"""Which service centre receives an organisation's items, and a clerk's centre."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.identity.models import Organisation, Role, RoleAssignment

from ..errors import NoReceivingCentre

# --- organisations ------------------------------------------------------------------------


def receiving_centre_for(*, organisation: Organisation) -> Organisation:
    """The service centre that receives applications for ``organisation``'s items: the
    SERVICE_CENTRE whose parent is the nearest ancestor (or the organisation itself) that
    has one. E.g. 威海市市场监督管理局 → 威海市人民政府 → 威海市政务服务中心."""
    if organisation.kind == Organisation.Kind.SERVICE_CENTRE:
        return organisation
    ancestors = [int(part) for part in organisation.path.strip("/").split("/") if part]
    centres = {
        centre.parent_id: centre
        for centre in Organisation.objects.filter(
            kind=Organisation.Kind.SERVICE_CENTRE, is_active=True, parent_id__in=ancestors
        ).order_by("-id")
    }
    for ancestor in reversed(ancestors):
        if ancestor in centres:
            return centres[ancestor]
    raise NoReceivingCentre(
        _("“%(organisation_name)s”没有对应的政务服务中心，暂不能网上申请。")
        % {"organisation_name": organisation.name},
        details={"organisation": organisation.pk},
    )


def centre_scope(*, centre: Organisation) -> Organisation:
    """The organisation whose subtree's items a centre's windows receive: the government
    the centre belongs to (威海市政务服务中心 → 威海市人民政府), else the centre itself."""
    return centre.parent if centre.parent_id else centre


def centre_receives(*, centre: Organisation, organisation: Organisation) -> bool:
    """Whether ``organisation``'s items may be registered at ``centre``'s windows."""
    return organisation.path.startswith(centre_scope(centre=centre).path)


def centre_for_clerk(*, actor) -> Organisation | None:
    """The centre a window clerk works at: their own organisation if it is a centre,
    else the first centre they hold WINDOW_CLERK over."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.organisation_id and actor.organisation.is_centre:
        return actor.organisation
    assignment = (
        RoleAssignment.objects.filter(
            account=actor, role=Role.WINDOW_CLERK,
            organisation__kind__in=[Organisation.Kind.SERVICE_CENTRE,
                                    Organisation.Kind.TOWN_CENTRE],
        ).select_related("organisation").order_by("id").first()
    )
    return assignment.organisation if assignment else None
