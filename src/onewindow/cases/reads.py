"""Facts about one case read from its rows, shared by the table of what may be done
(``actions``), the services that do it and the selectors that show it. Reads only: this
module sits below all three and imports none of them.
"""

from .codes import ActionKind, CaseStatus, ExtensionState, MaterialState
from .models import Case, CaseAction, CaseMaterial

K = ActionKind
S = CaseStatus

# Accepted and not yet decided: the route runs (IN_REVIEW, SUSPENDED) and 容缺 materials
# may still come in.
ACCEPTED_STATES = frozenset({S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED})


def tolerated_ids(case: Case) -> tuple[set[int], set[int]]:
    """(materials tolerated at acceptance, those already reported as supplied by a 补交
    record)."""
    tolerated: set[int] = set()
    reported: set[int] = set()
    rows = case.actions.filter(kind__in=[K.ACCEPT, K.SUPPLY_TOLERATED]).values_list(
        "kind", "data")
    for kind, data in rows:
        key, into = ("tolerated", tolerated) if kind == K.ACCEPT else ("materials", reported)
        into.update(item["id"] for item in (data or {}).get(key, []))
    return tolerated, reported


def tolerated_awaited(case: Case) -> list[CaseMaterial]:
    """容缺 materials the applicant has not handed in yet, in the list's order."""
    return list(case.materials.filter(state=MaterialState.TOLERATED).order_by("position"))


def tolerated_outstanding(case: Case) -> bool:
    return case.materials.filter(state=MaterialState.TOLERATED).exists()


def tolerated_handed_in(case: Case) -> list[CaseMaterial]:
    """容缺 materials handed in (on paper or uploaded) that no 补交 record reports yet:
    what recording the supply (``case_supply_materials`` after acceptance) writes down."""
    tolerated, reported = tolerated_ids(case)
    waiting = tolerated - reported
    if not waiting:
        return []
    return list(case.materials.filter(pk__in=waiting).exclude(state=MaterialState.TOLERATED)
                .order_by("position"))


def extension_state(case: Case) -> tuple[ExtensionState, CaseAction | None]:
    """(where the Art. 42 extension stands, the latest request)."""
    state, request = ExtensionState.NONE, None
    for action in case.actions.filter(
        kind__in=[K.EXTEND_REQUEST, K.EXTEND_APPROVE, K.EXTEND_REFUSE]
    ).order_by("seq"):
        if action.kind == K.EXTEND_REQUEST:
            state, request = ExtensionState.PENDING, action
        elif action.kind == K.EXTEND_APPROVE:
            return ExtensionState.APPROVED, request
        else:
            state = ExtensionState.REFUSED
    return state, request
