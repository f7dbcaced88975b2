"""Friendly error pages that never show a stack trace; the reference id is the request id
also written in the log."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponseServerError
from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "web/error.html", {"status": 404, "kind": "not_found"}, status=404)


def bad_request(request, exception=None):
    """Django's 400 (a form it cannot parse, an upload past the limit while streaming)."""
    from onewindow.cases.errors import UploadBodyTooLarge

    message = exception.error.message if isinstance(exception, UploadBodyTooLarge) else ""
    return render(request, "web/error.html", {"status": 400, "message": message},
                  status=400)


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"status": 403, "kind": "forbidden"}, status=403)


def server_error(request):
    # Rendered without the full context machinery (no user, no session, no database: the
    # database may be the thing that broke), but with the site header, the centre's
    # service phone and the reference id a caller can quote.
    from django.template import loader

    template = loader.get_template("web/error_500.html")
    body = template.render({
        "request_id": getattr(request, "request_id", ""),
        "service_phone": getattr(settings, "ONEWINDOW_SERVICE_PHONE", ""),
    })
    return HttpResponseServerError(body)


def favicon(request):
    """/favicon.ico, which browsers ask for by themselves (pages link the SVG too)."""
    path = finders.find("web/favicon.ico")
    if path is None:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response
