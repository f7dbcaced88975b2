"""Events cases publishes (through onewindow.events.services.publish), after each move.

Every payload: ``{"case_id", "number", "status", "action_seq", "action_kind",
"implementation_code", "organisation_id", "centre_id", "applicant_account_id",
"applicant_person_id"}`` — identifiers only, no personal data. The aggregate is
("cases.case", 办件编号). ``cases.case.decided`` adds nothing: ``status`` is APPROVED or
DENIED. Handlers must be idempotent per (event, case, action_seq).
"""

CASE_SUBMITTED = "cases.case.submitted"
CASE_ACCEPTED = "cases.case.accepted"
CASE_DEEMED_ACCEPTED = "cases.case.deemed_accepted"
CASE_REJECTED = "cases.case.rejected"
CASE_CORRECTION_REQUESTED = "cases.case.correction_requested"
CASE_MATERIALS_SUPPLIED = "cases.case.materials_supplied"
CASE_WITHDRAWN = "cases.case.withdrawn"
CASE_DECIDED = "cases.case.decided"
# Cases II
CASE_REVIEW_STARTED = "cases.case.review_started"
CASE_SUSPENDED = "cases.case.suspended"
CASE_RESUMED = "cases.case.resumed"
CASE_EXTENDED = "cases.case.extended"
CASE_OUTPUT_READY = "cases.case.output_ready"
CASE_MAIL_DISPATCHED = "cases.case.mail_dispatched"
CASE_DELIVERED = "cases.case.delivered"

ALL = (
    CASE_SUBMITTED, CASE_ACCEPTED, CASE_DEEMED_ACCEPTED, CASE_REJECTED,
    CASE_CORRECTION_REQUESTED, CASE_MATERIALS_SUPPLIED, CASE_WITHDRAWN, CASE_DECIDED,
    CASE_REVIEW_STARTED, CASE_SUSPENDED, CASE_RESUMED, CASE_EXTENDED, CASE_OUTPUT_READY,
    CASE_MAIL_DISPATCHED, CASE_DELIVERED,
)
