"""The one page helper (STYLE.md "A page that runs an action"): who may open a workbench
page, how an action form runs, and how a final decision is confirmed.

``run_action`` takes a bound form and the one service call, and answers with
- a redirect after success (post/redirect/get), with the done message;
- the same page with an error summary (422) when the form or a business rule fails, the
  messages next to their fields and the person's input kept;
- the same page with the conflict message (409) when someone acted first (stale version)
  or the action is no longer allowed; nothing was written;
- a missing page (404) when the object is not the actor's to act on.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext

from onewindow.cases import selectors as case_selectors
from onewindow.cases.codes import CaseStatus
from onewindow.cases.services import remedies_text
from onewindow.common.errors import ApplicationError, Conflict, NotFound
from onewindow.common.text import StrOrPromise

from .views.cases_common import ErrorEntry, add_domain_errors, form_errors, page_query


def staff_required(view):
    """Workbench pages: log in as staff first; anyone else sees the same page as for a
    missing one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="web:staff-login")
        if user.kind != "STAFF":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def first_page(request) -> HttpResponse:
    """A list whose "more" link is stale or edited (its cursor no longer decodes): the same
    list from its first page, with its filters kept."""
    query = page_query(request, cursor=None)
    return redirect(request.path + (query if query != "?" else ""))


# --- running one action form -----------------------------------------------------------------


@dataclass
class Outcome:
    """What became of a posted action form: done (with the service's result), or the
    errors to show, the message that found no field, the error itself and the status."""

    done: bool
    result: Any = None
    errors: list[ErrorEntry] = field(default_factory=list)
    message: str = ""
    error: ApplicationError | None = None
    status: int = 422


def attempt(form, perform: Callable[[dict], Any], *, name: str = "",
            aliases: dict[str, str] | None = None, conflict_hint: StrOrPromise = "",
            conflict_href: str = "") -> Outcome:
    """Check the form's shape, call the one service with its cleaned data, and turn the
    domain's answer into what the page shows. On a page of several action forms ``name``
    is the action's panel (``#action-<name>``) and its form's element ids
    (``id_<name>_<field>``, as ``distinct_ids`` gives them; a prefixed form has distinct
    ids already)."""
    if name and form.prefix is None:
        form.auto_id = f"id_{name}_%s"
    if not form.is_valid():
        return Outcome(False, errors=form_errors(form))
    try:
        result = perform(form.cleaned_data)
    except NotFound as exc:
        raise Http404 from exc
    except Conflict as exc:
        text = f"{exc.message} {conflict_hint}" if conflict_hint else str(exc.message)
        return Outcome(False, errors=[ErrorEntry(text, conflict_href)], message=text,
                       error=exc, status=409)
    except ApplicationError as exc:
        placed = add_domain_errors(form, exc, aliases=aliases)
        errors = form_errors(form)
        message = "" if placed else str(exc.message)
        if message:
            errors.insert(0, ErrorEntry(message, f"#action-{name}" if name else ""))
        return Outcome(False, errors=errors, message=message, error=exc)
    return Outcome(True, result=result)


def run_action(request, form, perform: Callable[[dict], Any], *,
               done: StrOrPromise | Callable[[Any], str], success: str | Callable[[Any], str],
               page: Callable[[Outcome], HttpResponse], name: str = "",
               aliases: dict[str, str] | None = None, conflict_hint: StrOrPromise = "",
               conflict_href: str = "") -> HttpResponse:
    """One action page: form → service → redirect to ``success`` with ``done`` | ``page``
    with the error summary (422) | ``page`` with the conflict message (409). ``done`` and
    ``success`` may be functions of the service's result; ``page`` renders the page again
    with the bound form from the outcome (its status is set here)."""
    outcome = attempt(form, perform, name=name, aliases=aliases,
                      conflict_hint=conflict_hint, conflict_href=conflict_href)
    if outcome.done:
        messages.success(request, done(outcome.result) if callable(done) else done)
        return redirect(success(outcome.result) if callable(success) else success)
    response = page(outcome)
    response.status_code = outcome.status
    return response


# --- confirming a final decision ---------------------------------------------------------------
# Decisions that end a case (准予 / 不予许可) ask once more on a page of their own that shows
# what will happen (UI.md: every action shows its consequence before confirming). It works
# without JavaScript: the first post, when the form is valid, answers with the confirmation
# page carrying the same values as hidden fields; posting it with ``confirm=yes`` runs the
# action, and "返回修改" posts them back to the form. Both pages post to the page's own
# address, so the browser never shows an action URL.

CONFIRMED = "yes"
FINAL_DECISIONS = ("approve", "deny")


def wants_confirmation(request, form) -> bool:
    """A valid final decision that has not been confirmed yet."""
    return (request.POST.get("confirm") != CONFIRMED and form.is_valid()
            and form.cleaned_data.get("decision") in FINAL_DECISIONS)


def wants_edit(request) -> bool:
    """"返回修改" on the confirmation page: show the form again with the values kept."""
    return "edit" in request.POST


def remedies() -> str:
    """The remedies a refusal states (行政复议 / 行政诉讼), as the decision will print them:
    quoted from the Chinese document, so marked as Chinese for readers of other languages."""
    return format_html('<span lang="zh-Hans">{}</span>', remedies_text())


def decision_consequences(case, *, approve: bool) -> list[str]:
    """What a final decision does, in the words the confirmation page shows."""
    centre = case.centre.name
    if not approve:
        return [gettext("办件办结，出具《不予行政许可决定书》，写明理由，作出后不能撤回。"),
                # remedies() is marked-up (quoted Chinese): keep it safe, not escaped.
                format_html(gettext("决定书告知申请人救济途径：{}"), remedies()),
                gettext("决定书转%(centre)s统一出件窗口，送达申请人；申请人会收到消息和短信。")
                % {"centre": centre}]
    lines = [gettext("办件办结，出具《准予行政许可决定书》（加盖印章），作出后不能撤回。")]
    version = case.version
    if version.result_kind == "LICENCE" and version.result_licence_type:
        name = version.result_name or gettext("许可证")
        lines.append(gettext("同时签发电子证照“%(name)s”，申请人可在“我的证照”中查看。")
                     % {"name": name})
    lines.append(gettext("办理结果转%(centre)s统一出件窗口，自决定之日起 10 个工作日内送达申请人"
                         "（行政许可法第四十四条）；申请人会收到消息和短信。") % {"centre": centre})
    return lines


def decision_confirmation(request, *, case, form, do: str, page_url: str, approve: bool,
                          opinion: str | None = None, reasons: str = "") -> HttpResponse:
    """The confirmation page of 准予 / 不予许可, from the task page (with the chief's
    opinion) or the front desk's instant decision (which accepts the case first if it is
    still waiting for acceptance). Its forms post back to ``page_url`` with ``do``."""
    applicant = case_selectors.applicant_view(viewer=request.user, case=case)
    facts = [(gettext("办件编号"), case.number), (gettext("事项"), case.version.name),
             (gettext("申请人"), applicant.legal_name or applicant.name)]
    if opinion is not None:
        facts.append((gettext("审批意见"), opinion))
    if not approve:
        facts.append((gettext("不予许可的理由"), reasons))
    consequences = decision_consequences(case, approve=approve)
    if case.status == CaseStatus.SUBMITTED:
        consequences.insert(0, gettext("当场受理本件（出具受理通知书），并立即作出决定。"))
    hidden = [(name, value) for name in form.fields
              for value in form.data.getlist(name) if name not in ("confirm", "edit", "do")]
    return render(request, "web/cases/confirm_decision.html", {
        "title": gettext("确认准予许可？") if approve else gettext("确认不予许可？"),
        "consequences": consequences, "facts": facts,
        "button": gettext("确认准予许可") if approve else gettext("确认不予许可"),
        "danger": not approve, "hidden": hidden, "action_url": page_url, "do": do,
        "back_url": page_url, "base": "web/workbench_base.html", "confirmed": CONFIRMED,
    })
