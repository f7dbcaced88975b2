"""Friendly error pages that never show a stack trace; the reference id is the request id
also written in the log."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "web/error.html", {"status": 404, "kind": "not_found"}, status=404)


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"status": 403, "kind": "forbidden"}, status=403)


def server_error(request):
    # Rendered without the full context machinery: the database may be the thing that broke.
    from django.template import loader

    template = loader.get_template("web/error_500.html")
    body = template.render({"request_id": getattr(request, "request_id", "")})
    from django.http import HttpResponseServerError

    return HttpResponseServerError(body)
