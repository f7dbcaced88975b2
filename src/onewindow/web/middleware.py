"""Every request gets an id: in the log, in audit rows, on the error page, in a header."""

import json

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

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


class EdgeValidationMiddleware:
    """Text that no field of ours may hold is refused before any view runs: a NUL
    character (PostgreSQL cannot store it) or a lone UTF-16 surrogate (not encodable
    as UTF-8) anywhere in the path, the query string, a form or a JSON body answers 422
    — JSON ``request.invalid-characters`` under /api/, the error page elsewhere. A
    request body the form parser cannot read (a file name beyond its header limit, an
    upload past ONEWINDOW_UPLOAD_MAX_BYTES) gets the API's JSON error too.
    docs/decisions/0025-upload-policy-and-cursors.md."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        try:
            bad = _invalid_text_fields(request)
        except (RequestDataTooBig, MultiPartParserError, TooManyFieldsSent,
                TooManyFilesSent) as exc:
            if not api:
                raise
            return _api_parse_error(exc)
        if not bad:
            return self.get_response(request)
        message = _("请求中含有不允许的字符（空字符或不成对的代理字符），请删去后重试。")
        if api:
            return JsonResponse({"code": "request.invalid-characters", "message": message,
                                 "details": dict.fromkeys(bad, message)}, status=422)
        from django.shortcuts import render

        return render(request, "web/error.html", {"status": 422, "message": message},
                      status=422)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def _invalid_text_fields(request) -> list[str]:
    """Names of the places holding unstorable text ("path", query/form keys, JSON paths)."""
    bad = ["path"] if _unstorable(request.path_info) else []
    sources = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if _unstorable(key) or any(_unstorable(v) for v in values):
                bad.append(key if not _unstorable(key) else "?")
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except (ValueError, RecursionError):  # malformed or absurdly deep: the API answers
            return bad
        bad += _invalid_json_paths(document, "body")
    return bad


def _invalid_json_paths(document, where: str) -> list[str]:
    """The paths of strings (values or keys) in a parsed JSON document that cannot be
    stored; walked with a stack, so a deeply nested body cannot exhaust the recursion."""
    found: list[str] = []
    stack = [(document, where)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _unstorable(value):
                found.append(path)
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if _unstorable(key):
                    found.append(f"{path}.?")
                stack.append((item, f"{path}.{key}"))
    return sorted(found)


def _api_parse_error(exc: Exception) -> JsonResponse:
    from onewindow.cases.errors import UploadBodyTooLarge

    if isinstance(exc, UploadBodyTooLarge):
        error = exc.error
        return JsonResponse({"code": error.code, "message": str(error.message),
                             "details": error.details}, status=error.http_status)
    if isinstance(exc, RequestDataTooBig):
        # A JSON body past DATA_UPLOAD_MAX_MEMORY_SIZE (e.g. 10 MB of form answers): never
        # read into memory, refused with its own stable code.
        message = str(_("请求内容过大，请减少提交的数据。"))
        return JsonResponse({"code": "request.too-large", "message": message,
                             "details": {"body": message}}, status=422)
    return JsonResponse({"code": "request.invalid", "message": str(_(
        "请求内容无法解析（文件名过长或表单格式有误）。")), "details": None}, status=422)
