"""Pages of cases: applying online, my cases, the inbox, public progress (portal) and the
front desk, case file, walk-in registration and demo message box (workbench).

``portal-case`` and ``public-progress`` are the names cases.handlers and cases.notices
reverse for the links they put in messages and on the QR code of notices; they point at
the same pages as ``my-case`` and ``progress``.
"""

from django.urls import path

from .views import cases_apply, cases_portal, front_desk, walk_in

urlpatterns = [
    # Applying online, step by step (a draft is saved at every step).
    path("apply/<str:code>/", cases_apply.apply_start, name="apply"),
    path("apply/draft/<int:draft_id>/form/", cases_apply.apply_form, name="apply-form"),
    path("apply/draft/<int:draft_id>/answers/<slug:page>/", cases_apply.apply_answers,
         name="apply-answers"),
    path("apply/draft/<int:draft_id>/materials/", cases_apply.apply_materials,
         name="apply-materials"),
    path("apply/draft/<int:draft_id>/check/", cases_apply.apply_check, name="apply-check"),
    # The applicant's cases.
    path("my/cases/", cases_portal.my_cases, name="my-cases"),
    path("my/cases/<str:number>/", cases_portal.my_case, name="my-case"),
    path("my/cases/<str:number>/", cases_portal.my_case, name="portal-case"),
    path("my/cases/<str:number>/upload/", cases_portal.my_case_upload, name="my-case-upload"),
    path("my/cases/<str:number>/supply/", cases_portal.my_case_supply, name="my-case-supply"),
    path("my/cases/<str:number>/withdraw/", cases_portal.my_case_withdraw,
         name="my-case-withdraw"),
    # Downloads for applicants and staff alike; the selectors apply each one's scope.
    path("cases/<str:number>/notices/<int:seq>/", cases_portal.case_notice, name="case-notice"),
    path("cases/files/<int:file_id>/", cases_portal.case_file, name="case-file"),
    path("cases/files/<int:file_id>/preview/", cases_portal.case_file_preview,
         name="case-file-preview"),
    path("inbox/", cases_portal.inbox, name="inbox"),
    path("progress/", cases_portal.progress, name="progress"),
    path("progress/", cases_portal.progress, name="public-progress"),
    # The workbench.
    path("staff/front-desk/", front_desk.front_desk_queue, name="front-desk"),
    path("staff/cases/<str:number>/", front_desk.staff_case, name="staff-case"),
    path("staff/cases/<str:number>/accept/", front_desk.action_accept, name="staff-case-accept"),
    path("staff/cases/<str:number>/reject/", front_desk.action_reject, name="staff-case-reject"),
    path("staff/cases/<str:number>/correction/", front_desk.action_correction,
         name="staff-case-correction"),
    path("staff/cases/<str:number>/decide/", front_desk.action_decide, name="staff-case-decide"),
    path("staff/cases/<str:number>/paper/", front_desk.action_paper, name="staff-case-paper"),
    path("staff/cases/<str:number>/scan/", front_desk.action_scan, name="staff-case-scan"),
    path("staff/cases/<str:number>/submit/", front_desk.action_submit, name="staff-case-submit"),
    path("staff/cases/<str:number>/supply/", front_desk.action_supply, name="staff-case-supply"),
    path("staff/cases/<str:number>/withdraw/", front_desk.action_withdraw,
         name="staff-case-withdraw"),
    path("staff/walk-in/", walk_in.walk_in, name="walk-in"),
    path("staff/messages/", walk_in.demo_messages, name="demo-messages"),
]
