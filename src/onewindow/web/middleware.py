"""Every request gets an id: in the log, in audit rows, on the error page, in a header."""

from django.core.exceptions import DisallowedHost

from onewindow.common.request_context import (
    new_request_id,
    reset_request_base,
    reset_request_id,
    set_request_base,
    set_request_id,
)


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        # Accept a proxy's id only if it is short and plain; otherwise make our own.
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        base_token = set_request_base(_request_base(request))
        try:
            response = self.get_response(request)
        finally:
            reset_request_base(base_token)
            reset_request_id(token)
        response[self.header] = request_id
        return response


def _request_base(request) -> str:
    """scheme://host of the request when the host is an allowed one, else ""."""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""


class FriendlyMethodNotAllowedMiddleware:
    """A page opened with the wrong method (a bookmarked or retyped link to a button's
    address, such as 退出 or 撤销) gets the friendly error page instead of a blank 405.
    The API keeps its own JSON answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or (
                getattr(response, "content", b"")):
            return response
        from django.shortcuts import render

        page = render(request, "web/error.html", {"status": 405}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
