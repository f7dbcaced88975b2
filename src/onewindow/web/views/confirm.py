"""Decisions that end a case (准予 / 不予许可) ask once more on a page of their own that
shows what will happen (UI.md: every action shows its consequence before confirming).

It works without JavaScript: the first post, when the form is valid, answers with the
confirmation page carrying the same values as hidden fields; posting it with
``confirm=yes`` runs the action, and "返回修改" posts them back to the form. Both pages post
to the page's own address, so the browser never shows an action URL."""

from django.http import HttpResponse
from django.shortcuts import render

CONFIRMED = "yes"
FINAL_DECISIONS = ("approve", "deny")


def wants_confirmation(request, form) -> bool:
    """A valid final decision that has not been confirmed yet."""
    return (request.POST.get("confirm") != CONFIRMED and form.is_valid()
            and form.cleaned_data.get("decision") in FINAL_DECISIONS)


def wants_edit(request) -> bool:
    """"返回修改" on the confirmation page: show the form again with the values kept."""
    return "edit" in request.POST


def confirmation_page(request, *, form, action_url: str, do: str, title: str,
                      consequences: list[str], facts: list[tuple[str, str]],
                      button: str, danger: bool = False, back_url: str = "",
                      base: str = "web/workbench_base.html") -> HttpResponse:
    hidden = [(name, value) for name in form.fields
              for value in form.data.getlist(name) if name not in ("confirm", "edit", "do")]
    return render(request, "web/cases/confirm_decision.html", {
        "title": title, "consequences": consequences, "facts": facts, "button": button,
        "danger": danger, "hidden": hidden, "action_url": action_url, "do": do,
        "back_url": back_url, "base": base, "confirmed": CONFIRMED,
    })
