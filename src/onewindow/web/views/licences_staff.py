"""Licence pages of the workbench: the licences issued within the staff member's scope,
manual issue, revocation and annotation (each through ``ui.run_action``), and the
purpose-bound lookup of a holder's licences (every lookup is logged in the holder's
用证记录)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from onewindow.licences import exports, permissions, selectors, services
from onewindow.licences.models import HolderCodeType, Licence, LicenceType

from .. import forms_licences as forms
from ..ui import attempt, run_action, staff_required
from .cases_common import distinct_ids
from .licences import access, field_rows, holder_code_shown, page_of, posted, restart_stale_lists


@staff_required
@restart_stale_lists
def staff_home(request):
    page = page_of(request, selectors.licences_in_scope(actor=request.user),
                   order=["-issued_at", "-id"], limit=50)
    today = timezone.localdate()
    rows = [(lic, lic.state_on(today), holder_code_shown(lic, request.user, today))
            for lic in page.items]
    return render(request, "licences/staff_home.html", {
        "rows": rows, "next_cursor": page.next_cursor, "nav_active": "licences",
        "types": selectors.licence_types(),
        "can_lookup": permissions.can_lookup_licences(actor=request.user),
        "can_issue": permissions.can_issue_anywhere(actor=request.user),
    })


# --- issue ---------------------------------------------------------------------------------


@staff_required
def staff_issue(request):
    defined = list(selectors.licence_types())
    types = [t for t in defined
             if any(permissions.can_issue_licence(actor=request.user, issuer=o)
                    for o in t.issuers.all())]
    code = request.GET.get("type") or request.POST.get("type")
    licence_type = next((t for t in types if t.code == code), None)
    if licence_type is None:
        # Types the actor may not issue are still named, with who issues them: "none
        # defined" would be false when the types exist under another issuer.
        others = [t for t in defined if t not in types]
        return render(request, "licences/staff_issue_type.html",
                      {"types": types, "others": others, "nav_active": "licences"})
    issuers = [o for o in licence_type.issuers.all()
               if permissions.can_issue_licence(actor=request.user, issuer=o)]
    form = forms.IssueForm(*posted(request), licence_type=licence_type, issuers=issuers)

    def page(errors=()):
        return render(request, "licences/staff_issue.html", {
            "form": form, "licence_type": licence_type, "errors": list(errors),
            "nav_active": "licences"})

    if request.method != "POST":
        return page()
    return run_action(
        request, form, lambda data: _issue(request, licence_type, issuers, form),
        done=lambda licence: gettext("已签发%(name)s，编号 %(number)s。")
        % {"name": licence.name, "number": licence.number},
        success=lambda licence: reverse("licences:staff-detail", args=[licence.identifier]),
        page=lambda outcome: page(outcome.errors),
        # The service names the type's fields as the type does; the form prefixes them.
        aliases={spec["name"]: f"f_{spec['name']}" for spec in licence_type.field_schema or []})


def _issue(request, licence_type: LicenceType, issuers, form) -> Licence:
    data = form.cleaned_data
    holder_person, holder_legal = selectors.holder_for(licence_type=licence_type,
                                                       holder_code=data["holder_code"])
    issuer = issuers[0]
    if "issuer" in data:
        issuer = next(o for o in issuers if str(o.pk) == str(data["issuer"]))
    return services.licence_issue(
        actor=request.user, licence_type=licence_type, holder_person=holder_person,
        holder_legal=holder_legal, fields=form.type_fields(), issuer=issuer,
        number=data.get("number", ""), valid_until=data.get("valid_until"),
        now=timezone.now(),
    )


# --- one licence ---------------------------------------------------------------------------


def _staff_context(request, licence, *, bound: dict | None = None, errors=()) -> dict:
    today = timezone.localdate()
    action_forms = distinct_ids({"revoke": forms.RevokeForm(), "annotate": forms.AnnotateForm(),
                                 **(bound or {})})
    return {
        "licence": licence,
        "state": licence.state_on(today),
        "holder_code": holder_code_shown(licence, request.user, today),
        "fields": field_rows(licence),
        "annotations": licence.annotations.order_by("seq"),
        "verify_url": exports.verify_url(licence),
        **selectors.staff_actions(actor=request.user, licence=licence),
        "revoke_form": action_forms["revoke"],
        "annotate_form": action_forms["annotate"],
        "errors": list(errors),
        "nav_active": "licences",
    }


@staff_required
def staff_detail(request, identifier):
    licence = access(request, identifier)
    return render(request, "licences/staff_detail.html", _staff_context(request, licence))


def _act(request, identifier: str, *, name: str, form, perform, done: str):
    """One action of the staff licence page (ui.run_action), back to the page when done."""
    licence = access(request, identifier)

    def page(outcome):
        licence.refresh_from_db()
        return render(request, "licences/staff_detail.html", _staff_context(
            request, licence, bound={name: form}, errors=outcome.errors))

    return run_action(request, form, lambda data: perform(licence, data), name=name,
                      done=done, page=page,
                      success=reverse("licences:staff-detail", args=[licence.identifier]))


@staff_required
@require_POST
def staff_revoke(request, identifier):
    return _act(request, identifier, name="revoke", form=forms.RevokeForm(request.POST),
                perform=lambda licence, d: services.licence_revoke(
                    actor=request.user, licence=licence, reason=d["reason"],
                    now=timezone.now()),
                done=gettext("证照已注销。"))


@staff_required
@require_POST
def staff_annotate(request, identifier):
    return _act(request, identifier, name="annotate", form=forms.AnnotateForm(request.POST),
                perform=lambda licence, d: services.licence_annotate(
                    actor=request.user, licence=licence, text=d["text"], now=timezone.now()),
                done=gettext("已加注。"))


# --- lookup --------------------------------------------------------------------------------


@staff_required
def staff_lookup(request):
    """Not an action with a result page of its own: the licences found are shown on this
    answer, once, and the lookup is logged."""
    if not permissions.can_lookup_licences(actor=request.user):
        raise Http404
    form = forms.LookupForm(*posted(request))
    results, error, status = None, "", 200
    if request.method == "POST":
        outcome = attempt(form, lambda data: services.licence_lookup(
            actor=request.user, holder_code=data["holder_code"], purpose=data["purpose"],
            type_code=data.get("type_code", ""), now=timezone.now()))
        if outcome.done:
            today = timezone.localdate()
            results = [(lic, lic.state_on(today), holder_code_shown(lic, request.user, today))
                       for lic in outcome.result]
        else:
            error, status = outcome.message, outcome.status
    return render(request, "licences/staff_lookup.html", {
        "form": form, "results": results, "error": error, "nav_active": "licences",
        "id_card": HolderCodeType.ID_CARD,
    }, status=status)
