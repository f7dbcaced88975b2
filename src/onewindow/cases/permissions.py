"""Who may see and act on a case (DESIGN rule 6: role permission + object rule; missing
and forbidden look the same, 404).

Object scopes of a case:
- front desk: its receiving centre (``case.centre``) — window clerks of that centre;
- back office: its implementing organisation (``case.organisation``) — handlers and
  chief representatives of that department;
- the applicant: the account that applied, the natural person themself (a walk-in who
  later signs up), or an agent authorised for the applying enterprise.

``cases.decide_instant`` (即办件 on the spot) is checked against the implementing
organisation only: the department authorises a clerk by granting them the role over the
department (a window clerk whose only scope is the centre cannot decide for it).
"""

from django.db.models import Q

from onewindow.identity.models import Account, AgentAuthorization, Role
from onewindow.identity.permissions import can, register_actions, scope_q

from .codes import SUBJECT_TYPE

VIEW_CASE = "cases.view_case"
ACCEPT_CASE = "cases.accept_case"
REGISTER_WALK_IN = "cases.register_walk_in"
DECIDE_INSTANT = "cases.decide_instant"
REVIEW_CASE = "cases.review_case"
APPROVE_EXTENSION = "cases.approve_extension"
DELIVER_RESULT = "cases.deliver_result"

register_actions(
    {
        VIEW_CASE: {
            Role.WINDOW_CLERK, Role.HANDLER, Role.CHIEF_REPRESENTATIVE, Role.SUPERVISOR,
            Role.SYSTEM_ADMIN,
        },
        ACCEPT_CASE: {Role.WINDOW_CLERK, Role.CHIEF_REPRESENTATIVE},
        REGISTER_WALK_IN: {Role.WINDOW_CLERK},
        DECIDE_INSTANT: {Role.WINDOW_CLERK, Role.CHIEF_REPRESENTATIVE},
        # Cases II: suspend / resume / ask for an extension (back office), approve the
        # extension (the chief representative, Art. 42 "本行政机关负责人批准"), hand the
        # result out at the output window (统一出件).
        REVIEW_CASE: {Role.HANDLER, Role.CHIEF_REPRESENTATIVE},
        APPROVE_EXTENSION: {Role.CHIEF_REPRESENTATIVE},
        DELIVER_RESULT: {Role.WINDOW_CLERK},
    }
)


def _usable(actor) -> bool:
    return bool(actor) and getattr(actor, "is_authenticated", False) and actor.is_active


def is_applicant(*, actor, case) -> bool:
    """The applicant side: the applying account, the person themself, or an agent of the
    applying enterprise. An enterprise's case stays the enterprise's: the agent who filed it
    reaches it only while their authorisation is in force."""
    if not _usable(actor) or actor.kind == Account.Kind.STAFF:
        return False
    if case.applicant_legal_id is None and case.applicant_account_id == actor.pk:
        return True
    if case.applicant_legal_id is None and actor.person_id == case.applicant_person_id:
        return True
    if case.applicant_legal_id is not None:
        return AgentAuthorization.objects.in_force().filter(
            account=actor, legal_person_id=case.applicant_legal_id).exists()
    return False


def _staff_can(actor, action: str, case) -> bool:
    return can(actor, action, case.centre) or can(actor, action, case.organisation)


def started_draft(actor, case) -> bool:
    """Whoever started a draft keeps it; an agent keeps an enterprise's draft only while
    their authorisation for that enterprise is in force."""
    if case.created_by_id is None or case.created_by_id != getattr(actor, "pk", None):
        return False
    if case.applicant_legal_id is None or actor.kind == Account.Kind.STAFF:
        return True
    return AgentAuthorization.objects.in_force().filter(
        account=actor, legal_person_id=case.applicant_legal_id).exists()


def started_draft_q(actor) -> Q:
    """The queryset twin of ``started_draft``."""
    if actor.kind == Account.Kind.STAFF:
        return Q(created_by=actor)
    legal_ids = AgentAuthorization.objects.in_force().filter(
        account=actor).values("legal_person_id")
    return Q(created_by=actor) & (Q(applicant_legal__isnull=True)
                                  | Q(applicant_legal_id__in=legal_ids))


def can_view_case(*, actor, case) -> bool:
    if case.status == "DRAFT":
        # A draft is private to whoever started it (the applicant or the clerk at the window).
        return _usable(actor) and (
            started_draft(actor, case) or is_applicant(actor=actor, case=case)
        )
    return (is_applicant(actor=actor, case=case) or _staff_can(actor, VIEW_CASE, case)
            or is_route_participant(actor=actor, case=case))


def can_read_opinions(*, actor, case) -> bool:
    """The back office's review opinions are internal: staff of the case's scope and the
    route's participants, never the applicant (who reads the decision and its reasons)."""
    if not _usable(actor) or actor.kind != Account.Kind.STAFF:
        return False
    return _staff_can(actor, VIEW_CASE, case) or is_route_participant(actor=actor, case=case)


def is_route_participant(*, actor, case) -> bool:
    """Staff who hold (or held) a step of the case's approval route: e.g. the handler of a
    joint-review department, who must read the file and the materials to give an opinion
    although the case belongs to another department."""
    if not _usable(actor) or actor.kind != Account.Kind.STAFF or not case.workflow_state:
        return False
    from onewindow.workflow.models import WorkItem
    from onewindow.workflow.permissions import work_items_q

    return WorkItem.objects.filter(
        work_items_q(actor=actor), subject_type=SUBJECT_TYPE, subject_id=str(case.pk)
    ).exists()


def can_accept_case(*, actor, case) -> bool:
    """Accept, refuse, request corrections, check materials at the window."""
    return _staff_can(actor, ACCEPT_CASE, case)


def can_decide_instant(*, actor, case) -> bool:
    return can(actor, DECIDE_INSTANT, case.organisation)


def can_review_case(*, actor, case) -> bool:
    """Suspend, resume, ask for an extension: the implementing department's back office."""
    return can(actor, REVIEW_CASE, case.organisation)


def can_approve_extension(*, actor, case) -> bool:
    return can(actor, APPROVE_EXTENSION, case.organisation)


def approve_extension_q(actor) -> Q:
    """Cases whose extension requests ``actor`` may decide (twin of can_approve_extension)."""
    return scope_q(actor, APPROVE_EXTENSION, field="organisation")


def can_deliver_result(*, actor, case) -> bool:
    """Hand over, mail or publish the result: the receiving centre's output window."""
    return can(actor, DELIVER_RESULT, case.centre)


def deliver_q(actor) -> Q:
    """Cases at the actor's output window(s) (queryset twin of can_deliver_result)."""
    return scope_q(actor, DELIVER_RESULT, field="centre")


def can_register_walk_in(*, actor, centre) -> bool:
    return can(actor, REGISTER_WALK_IN, centre)


def can_act_as_applicant(*, actor, case) -> bool:
    """Upload, supply and withdraw for the applicant: the applicant, or a window clerk of
    the case's scope acting for a walk-in applicant."""
    return is_applicant(actor=actor, case=case) or (
        case.status == "DRAFT" and started_draft(actor, case)
    ) or can_accept_case(actor=actor, case=case)


def applicant_q(actor) -> Q:
    """Cases where ``actor`` is the applicant side (the queryset twin of is_applicant)."""
    condition = Q(pk__in=[])
    for branch in applicant_branches(actor):
        condition |= branch
    return condition


def applicant_branches(actor) -> list[Q]:
    """``applicant_q`` as its separate conditions (by account, by person, as an
    enterprise's agent), each led by the column of its own index (``case_applicant_*``),
    so a list can read them as a UNION of index scans."""
    if not _usable(actor) or actor.kind == Account.Kind.STAFF:
        return []
    branches = [Q(applicant_account=actor, applicant_legal__isnull=True)]
    if actor.person_id:
        branches.append(Q(applicant_person_id=actor.person_id, applicant_legal__isnull=True))
    legal_ids = AgentAuthorization.objects.in_force().filter(
        account=actor).values("legal_person_id")
    branches.append(Q(applicant_legal_id__in=legal_ids))
    return branches


def staff_q(actor, action: str = VIEW_CASE) -> Q:
    """Cases in the actor's front-desk or back-office scope for ``action``."""
    return scope_q(actor, action, field="centre") | scope_q(actor, action, field="organisation")


def route_participant_q(actor) -> Q:
    """Cases on whose approval route ``actor`` holds or held a step (twin of
    is_route_participant)."""
    if not _usable(actor) or actor.kind != Account.Kind.STAFF:
        return Q(pk__in=[])
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    from onewindow.workflow.models import WorkItem
    from onewindow.workflow.permissions import work_items_q

    case_ids = (WorkItem.objects.filter(work_items_q(actor=actor), subject_type=SUBJECT_TYPE)
                .annotate(case_id=Cast("subject_id", BigIntegerField())).values("case_id"))
    return Q(pk__in=case_ids) & ~Q(workflow_state="")


def visible_q(actor) -> Q:
    """Every case ``actor`` may see (drafts only their creator's): the twin of
    can_view_case."""
    submitted = (applicant_q(actor) | staff_q(actor) | route_participant_q(actor)
                 ) & ~Q(status="DRAFT")
    if not _usable(actor):
        return Q(pk__in=[])
    drafts = Q(status="DRAFT") & (started_draft_q(actor) | applicant_q(actor))
    return submitted | drafts
