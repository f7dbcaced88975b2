"""Every read of cases that has rules (visibility, filters, ordering), by topic:

- ``scope``: which centre receives an organisation's items; a clerk's centre;
- ``case``: access to one case or file (``access_case``), its applicant, materials and files;
- ``clock``: the Art. 32 acceptance clock;
- ``lists``: the front-desk queue, staff lists and the applicant's cases;
- ``timeline``: the timeline, what the applicant must do, the actions allowed now;
- ``notice_refs``: the notices a case has issued;
- ``progress``: the public progress lookup (throttled);
- ``extras``: the application form of a case, pending extension requests;
- Cases II reads (timing, opinions, the output queue) live in ``cases.timing``.

Other apps and the pages import ``onewindow.cases.selectors`` only: the names below.
"""

from ..licence_draft import DraftField, LicenceDraft, licence_draft
from ..timing import (
    DayLine,
    Opinion,
    OutputPage,
    OutputRow,
    SuspensionView,
    Timing,
    case_opinions,
    case_timing,
    output_queue,
    output_queue_page,
)
from .answers import AnswerPage, AnswerRow, case_answers
from .case import (
    ApplicantView,
    FileView,
    MaterialView,
    access_case,
    access_case_file,
    applicant_view,
    file_download_name,
    materials_of,
    submitted_with_key,
    tolerance_supply_days,
)
from .clock import AcceptanceClock, acceptance_clock
from .extras import PendingExtension, application_form_for, extension_requests_pending
from .inspection import InspectionView, access_inspection, inspections_of, view_of
from .lists import (
    DEFAULT_LIMIT,
    CaseFilters,
    CaseRow,
    case_list,
    front_desk_queue,
    front_desk_read_only,
    front_desk_scope_q,
    my_cases,
    parse_statuses,
    staff_case_list,
)
from .notice_refs import NOTICE_TITLES, NoticeRef, notice_action, notices_of
from .progress import (
    PROGRESS_MISSES_ALLOWED,
    PROGRESS_WINDOW_SECONDS,
    PublicProgress,
    public_progress,
    public_progress_guarded,
)
from .scope import centre_for_clerk, centre_receives, centre_scope, receiving_centre_for
from .timeline import (
    Expectation,
    TimelineEntry,
    allowed_actions,
    expected_of_applicant,
    supply_mode,
    timeline,
)

__all__ = [
    "DEFAULT_LIMIT",
    "NOTICE_TITLES",
    "PROGRESS_MISSES_ALLOWED",
    "PROGRESS_WINDOW_SECONDS",
    "AcceptanceClock",
    "AnswerPage",
    "AnswerRow",
    "ApplicantView",
    "CaseFilters",
    "CaseRow",
    "DayLine",
    "DraftField",
    "Expectation",
    "FileView",
    "InspectionView",
    "LicenceDraft",
    "MaterialView",
    "NoticeRef",
    "Opinion",
    "OutputPage",
    "OutputRow",
    "PendingExtension",
    "PublicProgress",
    "SuspensionView",
    "TimelineEntry",
    "Timing",
    "acceptance_clock",
    "access_case",
    "access_case_file",
    "access_inspection",
    "allowed_actions",
    "applicant_view",
    "application_form_for",
    "case_answers",
    "case_list",
    "case_opinions",
    "case_timing",
    "centre_for_clerk",
    "centre_receives",
    "centre_scope",
    "expected_of_applicant",
    "extension_requests_pending",
    "file_download_name",
    "front_desk_queue",
    "front_desk_read_only",
    "front_desk_scope_q",
    "inspections_of",
    "licence_draft",
    "materials_of",
    "my_cases",
    "notice_action",
    "notices_of",
    "output_queue",
    "output_queue_page",
    "parse_statuses",
    "public_progress",
    "public_progress_guarded",
    "receiving_centre_for",
    "staff_case_list",
    "submitted_with_key",
    "supply_mode",
    "timeline",
    "tolerance_supply_days",
    "view_of",
]
