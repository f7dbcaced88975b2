"""The staff workbench."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from onewindow.identity import selectors


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="web:staff-login")
        if user.kind != "STAFF":
            # A citizen who follows a workbench link sees the same page as for a missing one.
            from django.http import Http404

            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def workbench(request):
    return render(
        request, "web/workbench_home.html",
        {"assignments": selectors.role_assignments(account=request.user)},
    )


@staff_required
def staff_account(request):
    return render(
        request, "web/workbench_account.html",
        {"assignments": selectors.role_assignments(account=request.user)},
    )
