"""Applying: drafts, uploads, paper received at the window, submission (online and at the
window, with the idempotency key; materials the applicant's electronic licences supply are
satisfied then, 免证办, see ``licensing``), supplying corrections or 容缺 materials,
withdrawal. One module per topic: ``drafts``, ``materials``, ``submission``."""

from .answers import case_answers_save
from .drafts import case_draft_save, case_register_walk_in
from .materials import case_material_receive_paper, case_material_upload, case_supply_materials
from .submission import MAX_IDEMPOTENCY_KEY, case_submit, case_submit_at_window, case_withdraw

__all__ = [
    "MAX_IDEMPOTENCY_KEY",
    "case_answers_save",
    "case_draft_save",
    "case_material_receive_paper",
    "case_material_upload",
    "case_register_walk_in",
    "case_submit",
    "case_submit_at_window",
    "case_supply_materials",
    "case_withdraw",
]
