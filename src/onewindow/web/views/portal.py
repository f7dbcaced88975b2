"""The citizen and enterprise portal (掌上办 first)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from onewindow.identity import selectors


def home(request):
    user = request.user
    if user.is_authenticated and user.kind == "STAFF":
        return redirect("web:workbench")
    context = {}
    if user.is_authenticated:
        context["person"] = selectors.person_view(viewer=user, person=user.person,
                                                  reveal=False)
        if user.kind == "AGENT":
            context["enterprises"] = selectors.legal_persons_for_agent(
                account=user, today=timezone.localdate()
            )
    return render(request, "web/portal_home.html", context)


@login_required
def account(request):
    user = request.user
    if user.kind == "STAFF":
        return redirect("web:staff-account")
    # Masked by default; the holder can ask to see the full numbers (never cached).
    reveal = request.GET.get("reveal") == "1"
    context = {
        "person": selectors.person_view(viewer=user, person=user.person, reveal=reveal),
        "reveal": reveal,
        "enterprises": selectors.legal_persons_for_agent(account=user, today=timezone.localdate())
        if user.kind == "AGENT" else [],
    }
    response = render(request, "web/portal_account.html", context)
    response["Cache-Control"] = "no-store"
    return response
