"""Pages of the back half of a case (Cases II): the worklist and the task page
(handlers, chief representatives), the output window (统一出件, window clerks), the
applicant's delivery choice, and the approval route of an item version (catalog admins).
Included from web/urls.py, so the names live in the "web" namespace."""

from django.urls import path

from .views import case_handling, front_desk, output_window, routes, worklist

urlpatterns = [
    # 待办事项 and the task page with one URL per action.
    path("staff/tasks/", worklist.worklist, name="worklist"),
    path("staff/tasks/<int:task_id>/", case_handling.task_page, name="task"),
    path("staff/tasks/<int:task_id>/opinion/", case_handling.task_opinion,
         name="task-opinion"),
    path("staff/tasks/<int:task_id>/decision/", case_handling.task_decision,
         name="task-decision"),
    path("staff/tasks/<int:task_id>/return/", case_handling.task_return, name="task-return"),
    path("staff/tasks/<int:task_id>/inspection/", case_handling.task_inspection,
         name="task-inspection"),
    path("staff/tasks/<int:task_id>/licence-draft/", case_handling.task_licence_correct,
         name="task-licence-correct"),
    path("staff/tasks/<int:task_id>/inspection.pdf", case_handling.task_inspection_pdf,
         name="task-inspection-pdf"),
    path("staff/tasks/<int:task_id>/suspend/", case_handling.task_review,
         {"action": "suspend"}, name="task-suspend"),
    path("staff/tasks/<int:task_id>/resume/", case_handling.task_review,
         {"action": "resume"}, name="task-resume"),
    path("staff/tasks/<int:task_id>/extend/", case_handling.task_review,
         {"action": "extend"}, name="task-extend"),
    path("staff/tasks/<int:task_id>/extend/decide/", case_handling.task_review,
         {"action": "extend_decide"}, name="task-extend-decide"),
    path("staff/cases/<str:number>/inspections/<int:record_id>.pdf",
         case_handling.case_inspection_pdf, name="case-inspection-pdf"),
    # The same case-level actions from the staff case page.
    path("staff/cases/<str:number>/suspend/", front_desk.case_review,
         {"action": "suspend"}, name="staff-case-suspend"),
    path("staff/cases/<str:number>/resume/", front_desk.case_review,
         {"action": "resume"}, name="staff-case-resume"),
    path("staff/cases/<str:number>/extend/", front_desk.case_review,
         {"action": "extend"}, name="staff-case-extend"),
    path("staff/cases/<str:number>/extend/decide/", front_desk.case_review,
         {"action": "extend_decide"}, name="staff-case-extend-decide"),
    # 出件窗口: the queue, one case's hand-over / mail / electronic forms.
    path("staff/output/", output_window.output_queue, name="output-queue"),
    path("staff/output/<str:number>/", output_window.output_case, name="output-case"),
    path("staff/output/<str:number>/hand-over/", output_window.hand_over,
         name="output-hand-over"),
    path("staff/output/<str:number>/licence.pdf", output_window.output_licence_pdf,
         name="output-licence-pdf"),
    path("staff/output/<str:number>/receipt.pdf", output_window.output_receipt_pdf,
         name="output-receipt-pdf"),
    path("staff/output/<str:number>/mail/", output_window.mail_dispatch, name="output-mail"),
    path("staff/output/<str:number>/mail/delivered/", output_window.mail_delivered,
         name="output-mail-delivered"),
    path("staff/output/<str:number>/electronic/", output_window.publish_online,
         name="output-electronic"),
    # The applicant chooses how to receive the result.
    path("my/cases/<str:number>/delivery/", output_window.delivery_choose,
         name="my-case-delivery"),
    # The approval route of one item version.
    path("staff/catalog/<str:code>/versions/<int:number>/route/", routes.route_page,
         name="route"),
    path("staff/catalog/<str:code>/versions/<int:number>/route.bpmn", routes.route_download,
         name="route-download"),
]
