"""Every write of the cases domain. Keyword-only, ``actor`` and ``now`` passed in; each
public function is the outermost transaction (``durable=True``), moves the case only
through ``cases.lifecycle.transition`` (which appends the action, audits and publishes
the event in the same transaction) and raises ``ApplicationError`` subclasses with
stable codes (``cases.*``, see cases.errors).

``actor`` is a ``common.actors.Actor``; ``case`` is a Case the caller resolved through
``selectors.access_case`` (services take objects, not ids or numbers); the row is re-read
under a lock and the action's guard checks it again.
``expected_version`` is the ``lock_version`` the actor's page showed: if someone acted in
between, ``CaseConflict`` (HTTP 409, "该办件刚被其他人处理，请刷新后查看。").

Transactions: public ``noun_verb`` services carry Django's own
``@transaction.atomic(durable=True)``. ``*_inner`` functions are their non-durable bodies
for callers that already hold a transaction (event handlers, ADR 0007; other services);
module-private ones are named ``_<name>_inner``.
"""

from ..lifecycle import TRANSITIONS, transition
from ._common import remedies_text
from .acceptance import (
    case_accept,
    case_decide_instant,
    case_deem_accepted_inner,
    case_reject,
    case_request_correction,
    cases_deem_accepted,
)
from .inspection import inspection_photo_upload, inspection_record_save
from .intake import (
    case_answers_save,
    case_draft_save,
    case_material_receive_paper,
    case_material_upload,
    case_register_walk_in,
    case_submit,
    case_submit_at_window,
    case_supply_materials,
    case_withdraw,
)
from .licence_drafts import licence_draft_correct
from .licensing import (
    issue_result_licence_inner,
    satisfy_materials_from_licences_inner,
)
from .output import (
    case_delivery_choose,
    case_hand_over,
    case_mail_deliver,
    case_mail_dispatch,
    case_publish_online,
)
from .review import (
    CaseWorkflowAdapter,
    case_extend_decide,
    case_extend_request,
    case_resume,
    case_return,
    case_suspend,
    case_task_complete,
)

__all__ = [
    "TRANSITIONS",
    "CaseWorkflowAdapter",
    "case_accept",
    "case_answers_save",
    "case_decide_instant",
    "case_deem_accepted_inner",
    "case_delivery_choose",
    "case_draft_save",
    "case_extend_decide",
    "case_extend_request",
    "case_hand_over",
    "case_mail_deliver",
    "case_mail_dispatch",
    "case_material_receive_paper",
    "case_material_upload",
    "case_publish_online",
    "case_register_walk_in",
    "case_reject",
    "case_request_correction",
    "case_resume",
    "case_return",
    "case_submit",
    "case_submit_at_window",
    "case_supply_materials",
    "case_suspend",
    "case_task_complete",
    "case_withdraw",
    "cases_deem_accepted",
    "inspection_photo_upload",
    "inspection_record_save",
    "issue_result_licence_inner",
    "licence_draft_correct",
    "remedies_text",
    "satisfy_materials_from_licences_inner",
    "transition",
]
