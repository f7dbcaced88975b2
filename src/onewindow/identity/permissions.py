"""Who may do what, and where.

A permission check answers "may this actor do this action to this object": the actor must
hold a role that grants the action, over an organisation that is the object's organisation
or one of its ancestors. Apps above identity declare their actions with
``register_actions`` in their AppConfig.ready(); identity never imports them.

The checks take any actor (``common.actors.Actor``, or None): the system, a visitor and a
disabled account hold no role here, so they may do nothing (apps that let the system act
say so before asking).
"""

from collections.abc import Iterable
from typing import TypeGuard

from django.db.models import Q

from onewindow.common.actors import Actor

from .models import Account, AgentAuthorization, Organisation, Role, RoleAssignment

_ACTIONS: dict[str, frozenset[str]] = {}


def register_actions(actions: dict[str, Iterable[str]]) -> None:
    """Declare which roles grant each action code (e.g. "cases.accept_case")."""
    for code, roles in actions.items():
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise ValueError(f"unknown roles for {code}: {sorted(unknown)}")
        _ACTIONS[code] = frozenset(roles) | _ACTIONS.get(code, frozenset())


def roles_for(action: str) -> frozenset[str]:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise ValueError(f"permission action {action!r} was never registered") from None


# Who may see ID numbers and phone numbers in clear: those who must check identity or
# call the person back. Supervisors and catalog admins see them masked.
PERSONAL_DATA_ROLES = {
    Role.WINDOW_CLERK, Role.HANDLER, Role.CHIEF_REPRESENTATIVE, Role.HOTLINE_AGENT,
    Role.SYSTEM_ADMIN,
}

register_actions(
    {
        "identity.view_personal_data": PERSONAL_DATA_ROLES,
        "identity.register_person": {Role.WINDOW_CLERK, Role.HOTLINE_AGENT, Role.SYSTEM_ADMIN},
        "identity.manage_accounts": {Role.SYSTEM_ADMIN},
        "identity.manage_organisations": {Role.SYSTEM_ADMIN},
        "workdays.edit_calendar": {Role.SYSTEM_ADMIN},
        "events.retry_delivery": {Role.SYSTEM_ADMIN},
        "audit.view": {Role.SYSTEM_ADMIN, Role.SUPERVISOR},
    }
)


def _scopes(actor: Account) -> list[tuple[str, str]]:
    """(role, organisation path) pairs of an actor, loaded once per actor object."""
    cached = getattr(actor, "_scope_cache", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(account=actor).values_list("role", "organisation__path")
        )
        actor._scope_cache = cached
    return cached


def forget_scopes(actor: Account) -> None:
    if hasattr(actor, "_scope_cache"):
        del actor._scope_cache


def _is_usable(actor: Actor | None) -> TypeGuard[Account]:
    """A signed-in, active actor: an account (the one user model), never a visitor."""
    return bool(actor and getattr(actor, "is_authenticated", False) and actor.is_active)


def held_roles(actor: Actor | None) -> set[str]:
    if not _is_usable(actor):
        return set()
    return {role for role, _ in _scopes(actor)}


def scope_paths(actor: Actor | None, action: str) -> list[str]:
    """Organisation paths under which ``actor`` may do ``action``."""
    if not _is_usable(actor):
        return []
    granting = roles_for(action)
    return [path for role, path in _scopes(actor) if role in granting]


def can(actor: Actor | None, action: str, organisation: Organisation | None) -> bool:
    """May ``actor`` do ``action`` to something that belongs to ``organisation``?"""
    if organisation is None:
        return False
    return any(organisation.path.startswith(path) for path in scope_paths(actor, action))


def can_anywhere(actor: Actor | None, action: str) -> bool:
    return bool(scope_paths(actor, action))


def scope_q(actor: Actor | None, action: str, field: str = "organisation") -> Q:
    """The queryset twin of ``can``: rows whose ``field`` organisation is in scope.

    Rows outside every scope are filtered out, so a missing and a forbidden object look
    the same (404) to the caller.
    """
    paths = scope_paths(actor, action)
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in _outermost(paths):
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _outermost(paths: list[str]) -> list[str]:
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def can_view_personal_data(actor: Actor, person) -> bool:
    """The person themself, or staff whose role needs identity data."""
    if not _is_usable(actor) or person is None:
        return False
    if actor.person_id is not None and actor.person_id == person.pk:
        return True
    return can_anywhere(actor, "identity.view_personal_data")


def can_act_for(actor: Account, legal_person, *, today=None) -> bool:
    """May this (agent) account act on behalf of ``legal_person`` today (an authorisation
    in force: not revoked, not expired)?"""
    if not _is_usable(actor) or legal_person is None:
        return False
    return AgentAuthorization.objects.in_force(today).filter(
        account=actor, legal_person=legal_person).exists()
