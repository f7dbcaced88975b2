"""Login and logout for citizens (portal) and staff (workbench)."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onewindow.common.errors import TooManyAttempts
from onewindow.common.ratelimit import client_address
from onewindow.identity import services
from onewindow.identity.errors import AccountLocked, InvalidCredentials

from ..forms import CitizenLoginForm, StaffLoginForm

BACKEND = "onewindow.identity.backends.AccountBackend"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _login_page(request, *, portal: str, form_class, template: str, default_next: str):
    form = form_class(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            account = services.login_check(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                portal=portal,
                client=client_address(request),
                now=timezone.now(),
            )
        except (InvalidCredentials, AccountLocked, TooManyAttempts) as exc:
            error = str(exc.message)
        else:
            login(request, account, backend=BACKEND)
            return redirect(_safe_next(request, default_next))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "error": error, "next": _safe_next(request, "")}
    return render(request, template, context, status=status)


def citizen_login(request):
    return _login_page(
        request, portal="citizen", form_class=CitizenLoginForm,
        template="web/citizen_login.html", default_next=reverse("web:home"),
    )


def staff_login(request):
    return _login_page(
        request, portal="staff", form_class=StaffLoginForm,
        template="web/staff_login.html", default_next=reverse("web:workbench"),
    )


@require_POST
def logout_view(request):
    was_staff = request.user.is_authenticated and request.user.kind == "STAFF"
    logout(request)
    return redirect("web:staff-login" if was_staff else "web:home")
