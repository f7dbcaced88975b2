"""Licence pages of the portal: public verification (the page a licence's QR code
opens), the JWKS, share links, and the holder's wallet with downloads, sharing and the
usage log (用证记录). The staff pages are in ``licences_staff``.

Each view parses input, makes one call into the licence library and renders; every
licence is reached through ``licences.selectors.access_licence`` (missing and not the
holder's look the same: 404).
"""

import json
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from onewindow.common.pagination import InvalidCursor, keyset_page
from onewindow.documents.qr import qr_data_uri
from onewindow.licences import exports, permissions, selectors, services, verification
from onewindow.licences.errors import LicenceNotFound, ShareNotFound
from onewindow.licences.verification import licence_verify

from .. import forms_licences as forms
from ..ui import attempt, first_page
from .cases_common import citizen_required


def or_404(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except (LicenceNotFound, ShareNotFound) as exc:
        raise Http404(str(exc.message)) from exc


def access(request, identifier: str, *, today=None):
    """The licence the signed-in person may open, or a missing page."""
    return or_404(selectors.access_licence, actor=request.user, identifier=identifier,
                  today=today or timezone.localdate())


def posted(request, *, files: bool = False) -> tuple:
    """Form data for a POST (an empty POST still binds, so it shows its errors)."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def holder_code_shown(licence, user, today) -> str:
    if permissions.can_see_holder_code(actor=user, licence=licence, today=today):
        return licence.holder_code
    return services.masked_holder_code(licence.holder_code_type, licence.holder_code)


def field_rows(licence) -> list[tuple[str, str]]:
    schema = {spec["name"]: spec for spec in licence.licence_type.field_schema or []}
    return [(schema.get(k, {}).get("label") or k, v) for k, v in (licence.fields or {}).items()]


class _RestartList(Exception):
    """A stale or edited "more" link: show the list from its first page instead."""


def page_of(request, queryset, *, order: list[str], limit: int):
    try:
        return keyset_page(queryset, order=order, cursor=request.GET.get("cursor"),
                           limit=limit)
    except InvalidCursor as exc:
        raise _RestartList from exc


def restart_stale_lists(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _RestartList:
            return first_page(request)

    return wrapper


# --- public ------------------------------------------------------------------------------


def verify(request, identifier):
    """The page a licence's QR code opens."""
    result = licence_verify(identifier=identifier, qr_signature=request.GET.get("s", ""),
                            now=timezone.now())
    return render(request, "licences/verify_result.html", {"result": result.public()})


def verify_form(request):
    form = forms.VerifyForm(*posted(request, files=True))
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


def shown(request, code):
    """The page a wallet's 亮证 QR opens: the verified summary with the holder's name, or
    that the code has expired (410) or is not one (404)."""
    result = verification.verify_show_code(code=code, now=timezone.now())
    status = {verification.CODE_EXPIRED: 410, verification.CODE_INVALID: 404}.get(
        result.outcome, 200)
    return render(request, "licences/verify_result.html",
                  {"result": result.public(), "shown_code": True,
                   "fields": field_rows(result.licence) if status == 200 and result.licence
                   else []}, status=status)


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
        share = or_404(services.share_peek, token=token, now=now)
        return render(request, "licences/shared.html", {"share": share, "shown": False})
    share = or_404(services.share_open, token=token, now=now)
    licence = share.licence
    result = licence_verify(identifier=licence.identifier,
                            qr_signature=exports.qr_param(licence), now=now)
    return render(request, "licences/shared.html", {
        "share": share, "result": result.public(), "shown": True,
        "fields": field_rows(licence),
    })


# --- holder wallet -----------------------------------------------------------------------


@citizen_required
@restart_stale_lists
def wallet(request):
    today = timezone.localdate()
    page = page_of(request, selectors.licences_mine(actor=request.user, today=today),
                   order=["-issue_date", "-id"], limit=20)
    rows = [(lic, lic.state_on(today)) for lic in page.items]
    return render(request, "licences/wallet.html",
                  {"rows": rows, "next_cursor": page.next_cursor, "nav_active": "licences"})


def _show(request, licence) -> dict | None:
    """The 亮证 QR of a valid licence: a code valid a few minutes (licences.verification)."""
    if licence.state_on(timezone.localdate()) != "valid":
        return None
    code = verification.show_code(licence=licence, now=timezone.now())
    url = request.build_absolute_uri(reverse("licences:shown", args=[code.code]))
    return {"url": url, "qr": qr_data_uri(url), "expires_at": code.expires_at,
            "minutes": verification.SHOW_SECONDS // 60}


def _wallet_context(request, licence, **extra):
    today = timezone.localdate()
    return {
        "licence": licence,
        "state": licence.state_on(today),
        "holder_code": holder_code_shown(licence, request.user, today),
        "fields": field_rows(licence),
        "annotations": licence.annotations.order_by("seq"),
        "shares": selectors.shares_of(actor=request.user, licence=licence)[:20],
        "usages": selectors.usage_of(licence=licence)[:50],
        "share_form": extra.pop("share_form", None) or forms.ShareForm(),
        "verify_url": exports.verify_url(licence),
        "show": _show(request, licence),
        "now": timezone.now(),
        "nav_active": "licences",
        **extra,
    }


@citizen_required
def wallet_detail(request, identifier):
    licence = access(request, identifier)
    return render(request, "licences/wallet_detail.html", _wallet_context(request, licence))


def _attachment(response, *, fallback: str, filename: str):
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@citizen_required
def wallet_pdf(request, identifier):
    now = timezone.now()
    licence = access(request, identifier, today=timezone.localdate(now))
    pdf = exports.licence_pdf(licence=licence, now=now)
    return _attachment(HttpResponse(pdf.content, content_type="application/pdf"),
                       fallback="licence.pdf", filename=pdf.filename)


@citizen_required
def wallet_vc(request, identifier):
    now = timezone.now()
    licence = access(request, identifier, today=timezone.localdate(now))
    token = exports.licence_vc(licence=licence, now=now)
    return _attachment(HttpResponse(token, content_type="application/jwt"),
                       fallback="licence.jwt", filename=f"{licence.name}-{licence.number}.jwt")


@citizen_required
@require_POST
def wallet_share(request, identifier):
    """The link is shown once, on this answer (not kept in the session for a redirect)."""
    now = timezone.now()
    licence = access(request, identifier, today=timezone.localdate(now))
    form = forms.ShareForm(request.POST)
    outcome = attempt(form, lambda data: services.licence_share(
        actor=request.user, licence=licence, purpose=data["purpose"],
        valid_hours=data["valid_hours"], now=now))
    if outcome.done:
        context = {"share_form": forms.ShareForm(), "share_url": request.build_absolute_uri(
            reverse("licences:shared", args=[outcome.result.token]))}
    else:  # 422 with the problems, or 409 when the licence changed meanwhile
        context = {"share_form": form, "error": outcome.message}
    return render(request, "licences/wallet_detail.html",
                  _wallet_context(request, licence, **context), status=outcome.status
                  if not outcome.done else 200)


@citizen_required
@require_POST
def wallet_share_revoke(request, share_id):
    share = or_404(selectors.share_of_holder, actor=request.user, share_id=share_id)
    services.share_revoke(actor=request.user, share=share, now=timezone.now())
    messages.success(request, gettext("分享链接已撤销。"))
    return redirect("licences:wallet-detail", share.licence.identifier)


@citizen_required
@restart_stale_lists
def wallet_usage(request):
    page = page_of(request,
                   selectors.usage_mine(actor=request.user, today=timezone.localdate()),
                   order=["-used_at", "-id"], limit=50)
    return render(request, "licences/wallet_usage.html",
                  {"usages": page.items, "next_cursor": page.next_cursor,
                   "nav_active": "licences"})
