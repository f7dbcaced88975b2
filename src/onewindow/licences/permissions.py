"""Who may do what with licences.

Role level (registered below) and object level: issuing, revoking and annotating need the
role over the licence's issuing organisation; a department lookup needs the role anywhere
and a stated purpose; holders see their own licences (a citizen: those issued to their
ID number; an agent: also those of the enterprises they may currently act for).
"""

import datetime as dt
from typing import TypeGuard

from django.db.models import Q

from onewindow.common.actors import Actor
from onewindow.identity import permissions as identity_permissions
from onewindow.identity import selectors as identity_selectors
from onewindow.identity.models import Account, Role

from .models import HolderCodeType

ISSUE = "licences.issue"
REVOKE = "licences.revoke"
LOOKUP = "licences.lookup"
MANAGE_KEYS = "licences.manage_keys"

identity_permissions.register_actions(
    {
        ISSUE: {Role.CHIEF_REPRESENTATIVE, Role.HANDLER, Role.SYSTEM_ADMIN},
        REVOKE: {Role.CHIEF_REPRESENTATIVE, Role.SYSTEM_ADMIN},
        LOOKUP: {Role.WINDOW_CLERK, Role.HANDLER, Role.CHIEF_REPRESENTATIVE},
        MANAGE_KEYS: {Role.SYSTEM_ADMIN},
    }
)


def can_issue_licence(*, actor, issuer) -> bool:
    return identity_permissions.can(actor, ISSUE, issuer)


def can_issue_anywhere(*, actor) -> bool:
    """Whether the actor may issue some licence (to offer the 签发证照 page at all)."""
    return identity_permissions.can_anywhere(actor, ISSUE)


def can_revoke_licence(*, actor, licence) -> bool:
    return identity_permissions.can(actor, REVOKE, licence.issuer)


def can_annotate_licence(*, actor, licence) -> bool:
    return identity_permissions.can(actor, ISSUE, licence.issuer)


def can_manage_keys(*, actor, organisation) -> bool:
    return identity_permissions.can(actor, MANAGE_KEYS, organisation)


def can_lookup_licences(*, actor: Actor | None) -> TypeGuard[Account]:
    """A staff account whose role grants the department lookup somewhere."""
    return bool(actor and getattr(actor, "kind", None) == "STAFF") and (
        identity_permissions.can_anywhere(actor, LOOKUP)
    )


def staff_licences_q(actor) -> Q:
    """Licences a staff member may open in the workbench: issued within their scope."""
    return identity_permissions.scope_q(actor, ISSUE, "issuer") | identity_permissions.scope_q(
        actor, REVOKE, "issuer"
    )


def holder_q(actor, *, today: dt.date) -> Q:
    """Licences the account holds itself or through an enterprise it acts for."""
    if not actor or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    if actor.person_id is not None:
        condition |= Q(holder_code_type=HolderCodeType.ID_CARD, holder_code=actor.person.id_number)
    if actor.kind == "AGENT":
        codes = list(
            identity_selectors.legal_persons_for_agent(account=actor, today=today).values_list(
                "credit_code", flat=True
            )
        )
        if codes:
            condition |= Q(holder_code_type=HolderCodeType.CREDIT_CODE, holder_code__in=codes)
    return condition


def is_holder(actor, licence, *, today: dt.date) -> bool:
    if not actor or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if licence.holder_code_type == HolderCodeType.ID_CARD:
        return actor.person_id is not None and actor.person.id_number == licence.holder_code
    if actor.kind != "AGENT":
        return False
    return identity_selectors.legal_persons_for_agent(account=actor, today=today).filter(
        credit_code=licence.holder_code
    ).exists()


def can_view_licence(*, actor, licence, today: dt.date) -> bool:
    """Who may open a licence in full: staff, one issued within their scope; anyone else,
    one they hold. ``visible_q`` is the same rule for querysets."""
    if getattr(actor, "kind", None) == "STAFF":
        return can_annotate_licence(actor=actor, licence=licence) or can_revoke_licence(
            actor=actor, licence=licence)
    return is_holder(actor, licence, today=today)


def visible_q(actor, *, today: dt.date) -> Q:
    if getattr(actor, "kind", None) == "STAFF":
        return staff_licences_q(actor)
    return holder_q(actor, today=today)


def can_see_holder_code(*, actor, licence, today: dt.date) -> bool:
    """The holder, and staff whose role needs identity data, see ID numbers in clear."""
    if licence.holder_code_type == HolderCodeType.CREDIT_CODE:
        return True  # an enterprise's credit code is public
    if is_holder(actor, licence, today=today):
        return True
    return getattr(actor, "kind", None) == "STAFF" and identity_permissions.can_anywhere(
        actor, "identity.view_personal_data"
    )
