"""Licence pages: public verification, the holder's wallet (portal), share links, and the
staff pages for manual issue, revocation, annotation and purpose-bound lookup.

Each view parses input, makes one call into the domain and renders.
"""

import json
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from onewindow.common.errors import ApplicationError
from onewindow.common.pagination import InvalidCursor, keyset_page
from onewindow.identity import selectors as identity_selectors
from onewindow.identity.models import LegalPerson

from . import exports, forms, permissions, selectors, services
from .errors import LicenceNotFound, ShareNotFound
from .models import HolderCodeType, HolderKind, LicenceType
from .verification import licence_verify


def staff_required(view):
    """Same rule as the workbench's: staff only, others see a missing page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="web:staff-login")
        if user.kind != "STAFF":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def holder_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.kind == "STAFF":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _or_404(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except (LicenceNotFound, ShareNotFound) as exc:
        raise Http404(str(exc.message)) from exc


def _posted(request, *, files: bool = False) -> tuple:
    """Form data for a POST (an empty POST still binds, so it shows its errors)."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _holder_code_shown(licence, user, today) -> str:
    if permissions.can_see_holder_code(actor=user, licence=licence, today=today):
        return licence.holder_code
    return services.masked_holder_code(licence.holder_code_type, licence.holder_code)


# --- public ------------------------------------------------------------------------------


def verify(request, identifier):
    """The page a licence's QR code opens."""
    result = licence_verify(identifier=identifier, qr_signature=request.GET.get("s", ""),
                            now=timezone.now())
    return render(request, "licences/verify_result.html", {"result": result.public()},
                  status=200)


def verify_form(request):
    form = forms.VerifyForm(*_posted(request, files=True))
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data.get("text", "").strip()
        now = timezone.now()
        if form.cleaned_data.get("vc_jwt"):
            result = licence_verify(vc_jwt=form.cleaned_data["vc_jwt"], now=now)
        elif "://" in text or "?s=" in text:
            result = licence_verify(url=text, now=now)
        else:
            result = licence_verify(identifier=text, now=now)
        return render(request, "licences/verify_result.html", {"result": result.public()})
    return render(request, "licences/verify_form.html", {"form": form})


def jwks(request):
    """The JWKS (also for /.well-known/jwks.json)."""
    include_sm2 = request.GET.get("include_sm2") in {"1", "true"}
    response = HttpResponse(json.dumps(selectors.jwks(include_sm2=include_sm2)),
                            content_type="application/jwk-set+json")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def shared(request, token):
    """A holder's share link. Opening it (GET) only says what was shared and for what; the
    licence is shown, and the view logged in the holder's 用证记录, when the visitor asks
    (POST), so link previews and crawlers leave no false entries."""
    now = timezone.now()
    if request.method != "POST":
        share = _or_404(services.share_peek, token=token, now=now)
        return render(request, "licences/shared.html", {"share": share, "shown": False})
    share = _or_404(services.share_open, token=token, now=now)
    licence = share.licence
    result = licence_verify(identifier=licence.identifier,
                            qr_signature=exports.qr_param(licence), now=now)
    return render(request, "licences/shared.html", {
        "share": share, "result": result.public(), "shown": True,
        "fields": _field_rows(licence),
    })


def _field_rows(licence) -> list[tuple[str, str]]:
    schema = {spec["name"]: spec for spec in licence.licence_type.field_schema or []}
    return [(schema.get(k, {}).get("label") or k, v) for k, v in (licence.fields or {}).items()]


class _RestartList(Exception):
    """A stale or edited "more" link: show the list from its first page instead."""


def _page(request, queryset, *, order: list[str], limit: int):
    try:
        return keyset_page(queryset, order=order, cursor=request.GET.get("cursor"),
                           limit=limit)
    except InvalidCursor as exc:
        raise _RestartList from exc


def _first_page(request):
    query = request.GET.copy()
    query.pop("cursor", None)
    return redirect(request.path + (f"?{query.urlencode()}" if query else ""))


def restart_stale_lists(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _RestartList:
            return _first_page(request)

    return wrapper


# --- holder wallet -----------------------------------------------------------------------


@holder_required
@restart_stale_lists
def wallet(request):
    today = timezone.localdate()
    page = _page(request, selectors.licences_mine(actor=request.user, today=today),
                 order=["-issue_date", "-id"], limit=20)
    rows = [(lic, lic.state_on(today)) for lic in page.items]
    return render(request, "licences/wallet.html",
                  {"rows": rows, "next_cursor": page.next_cursor, "nav_active": "licences"})




def _wallet_context(request, licence, **extra):
    today = timezone.localdate()
    return {
        "licence": licence,
        "state": licence.state_on(today),
        "holder_code": _holder_code_shown(licence, request.user, today),
        "fields": _field_rows(licence),
        "annotations": licence.annotations.order_by("seq"),
        "shares": selectors.shares_of(actor=request.user, licence=licence)[:20],
        "usages": selectors.usage_of(licence=licence)[:50],
        "share_form": extra.pop("share_form", None) or forms.ShareForm(),
        "verify_url": exports.verify_url(licence),
        "now": timezone.now(),
        "nav_active": "licences",
        **extra,
    }


@holder_required
def wallet_detail(request, identifier):
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate())
    return render(request, "licences/wallet_detail.html", _wallet_context(request, licence))


@holder_required
def wallet_pdf(request, identifier):
    now = timezone.now()
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate(now))
    pdf = exports.licence_pdf(licence=licence, now=now)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"licence.pdf\"; filename*=UTF-8''{quote(pdf.filename)}"
    )
    return response


@holder_required
def wallet_vc(request, identifier):
    now = timezone.now()
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate(now))
    token = exports.licence_vc(licence=licence, now=now)
    response = HttpResponse(token, content_type="application/jwt")
    filename = quote(f"{licence.name}-{licence.number}.jwt")
    response["Content-Disposition"] = (
        f"attachment; filename=\"licence.jwt\"; filename*=UTF-8''{filename}"
    )
    return response


@holder_required
@require_POST
def wallet_share(request, identifier):
    now = timezone.now()
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate(now))
    form = forms.ShareForm(request.POST)
    context = {"share_form": form}
    if form.is_valid():
        try:
            issued = services.licence_share(
                actor=request.user, licence=licence, purpose=form.cleaned_data["purpose"],
                valid_hours=form.cleaned_data["valid_hours"], now=now,
            )
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            context["share_url"] = request.build_absolute_uri(
                reverse("licences:shared", args=[issued.token])
            )
            context["share_form"] = forms.ShareForm()
    status = 200 if "error" not in context and form.is_valid() else 400
    return render(request, "licences/wallet_detail.html",
                  _wallet_context(request, licence, **context), status=status)


@holder_required
@require_POST
def wallet_share_revoke(request, share_id):
    share = _or_404(selectors.share_of_holder, actor=request.user, share_id=share_id)
    services.share_revoke(actor=request.user, share=share, now=timezone.now())
    messages.success(request, gettext("分享链接已撤销。"))
    return redirect("licences:wallet-detail", share.licence.identifier)


@holder_required
@restart_stale_lists
def wallet_usage(request):
    page = _page(request, selectors.usage_mine(actor=request.user, today=timezone.localdate()),
                 order=["-used_at", "-id"], limit=50)
    return render(request, "licences/wallet_usage.html",
                  {"usages": page.items, "next_cursor": page.next_cursor,
                   "nav_active": "licences"})


# --- staff -------------------------------------------------------------------------------


@staff_required
@restart_stale_lists
def staff_home(request):
    page = _page(request, selectors.licences_in_scope(actor=request.user),
                 order=["-issued_at", "-id"], limit=50)
    today = timezone.localdate()
    rows = [(lic, lic.state_on(today), _holder_code_shown(lic, request.user, today))
            for lic in page.items]
    return render(request, "licences/staff_home.html", {
        "rows": rows, "next_cursor": page.next_cursor, "nav_active": "licences",
        "types": selectors.licence_types(),
        "can_lookup": permissions.can_lookup_licences(actor=request.user),
        "can_issue": permissions.can_issue_anywhere(actor=request.user),
    })


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
    form = forms.IssueForm(*_posted(request), licence_type=licence_type, issuers=issuers)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            licence = _issue_from_form(request, licence_type, issuers, form)
        except ApplicationError as exc:
            error = exc.message
            if isinstance(exc.details, dict):
                for name, message in exc.details.items():
                    if f"f_{name}" in form.fields:
                        form.add_error(f"f_{name}", message)
        else:
            messages.success(request, gettext("已签发%(name)s，编号 %(number)s。")
                             % {"name": licence.name, "number": licence.number})
            return redirect("licences:staff-detail", licence.identifier)
    return render(request, "licences/staff_issue.html", {
        "form": form, "licence_type": licence_type, "error": error, "nav_active": "licences",
    }, status=400 if request.method == "POST" else 200)


def _issue_from_form(request, licence_type: LicenceType, issuers, form):
    code = form.cleaned_data["holder_code"].strip().upper()
    holder_person = holder_legal = None
    if licence_type.holder_kind == HolderKind.PERSON:
        holder_person = identity_selectors.person_find_by_id_number(id_number=code)
    else:
        holder_legal = LegalPerson.objects.filter(credit_code=code).first()
    if holder_person is None and holder_legal is None:
        raise ApplicationError(gettext("持证主体尚未登记，请先在受理系统中登记其身份信息。"),
                               code="licences.holder-not-registered")
    issuer = issuers[0]
    if "issuer" in form.cleaned_data:
        issuer = next(o for o in issuers if str(o.pk) == str(form.cleaned_data["issuer"]))
    return services.licence_issue(
        actor=request.user, licence_type=licence_type, holder_person=holder_person,
        holder_legal=holder_legal, fields=form.type_fields(), issuer=issuer,
        number=form.cleaned_data.get("number", ""),
        valid_until=form.cleaned_data.get("valid_until"), now=timezone.now(),
    )


def _staff_context(request, licence, **extra):
    today = timezone.localdate()
    return {
        "licence": licence,
        "state": licence.state_on(today),
        "holder_code": _holder_code_shown(licence, request.user, today),
        "fields": _field_rows(licence),
        "annotations": licence.annotations.order_by("seq"),
        "verify_url": exports.verify_url(licence),
        "can_revoke": permissions.can_revoke_licence(actor=request.user, licence=licence)
        and licence.status == licence.Status.VALID,
        "can_annotate": permissions.can_annotate_licence(actor=request.user, licence=licence)
        and licence.status == licence.Status.VALID,
        "revoke_form": extra.pop("revoke_form", None) or forms.RevokeForm(),
        "annotate_form": extra.pop("annotate_form", None) or forms.AnnotateForm(),
        "nav_active": "licences",
        **extra,
    }


@staff_required
def staff_detail(request, identifier):
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate())
    return render(request, "licences/staff_detail.html", _staff_context(request, licence))


@staff_required
@require_POST
def staff_revoke(request, identifier):
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate())
    form = forms.RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.licence_revoke(actor=request.user, licence=licence,
                                    reason=form.cleaned_data["reason"], now=timezone.now())
        except ApplicationError as exc:
            return render(request, "licences/staff_detail.html",
                          _staff_context(request, licence, revoke_form=form, error=exc.message),
                          status=400)
        messages.success(request, gettext("证照已注销。"))
        return redirect("licences:staff-detail", licence.identifier)
    return render(request, "licences/staff_detail.html",
                  _staff_context(request, licence, revoke_form=form), status=400)


@staff_required
@require_POST
def staff_annotate(request, identifier):
    licence = _or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                      today=timezone.localdate())
    form = forms.AnnotateForm(request.POST)
    if form.is_valid():
        try:
            services.licence_annotate(actor=request.user, licence=licence,
                                      text=form.cleaned_data["text"], now=timezone.now())
        except ApplicationError as exc:
            return render(request, "licences/staff_detail.html",
                          _staff_context(request, licence, annotate_form=form,
                                         error=exc.message), status=400)
        messages.success(request, gettext("已加注。"))
        return redirect("licences:staff-detail", licence.identifier)
    return render(request, "licences/staff_detail.html",
                  _staff_context(request, licence, annotate_form=form), status=400)


@staff_required
def staff_lookup(request):
    if not permissions.can_lookup_licences(actor=request.user):
        raise Http404
    form = forms.LookupForm(*_posted(request))
    results = None
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            found = services.licence_lookup(
                actor=request.user, holder_code=form.cleaned_data["holder_code"],
                purpose=form.cleaned_data["purpose"],
                type_code=form.cleaned_data.get("type_code", ""), now=timezone.now(),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            today = timezone.localdate()
            results = [(lic, lic.state_on(today), _holder_code_shown(lic, request.user, today))
                       for lic in found]
    return render(request, "licences/staff_lookup.html", {
        "form": form, "results": results, "error": error, "nav_active": "licences",
        "id_card": HolderCodeType.ID_CARD,
    }, status=400 if request.method == "POST" and (error or not form.is_valid()) else 200)
