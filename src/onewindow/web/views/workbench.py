"""The staff workbench."""

from django.shortcuts import render

from onewindow.identity import selectors

from ..ui import staff_required


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
