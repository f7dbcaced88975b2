"""The JSON API: one NinjaAPI, OpenAPI 3.1 at /api/openapi.json, docs at /api/docs.

Each app owns its router (``<app>/api.py`` or the ``<app>/api`` package); this module only
mounts them at ``/api/v1/<app>/``, authenticates bearer tokens (or the browser session) and
maps domain errors to ``{"code", "message", "details"}``. The served OpenAPI document is
committed as docs/openapi.json (``onewindow export-openapi``); a test fails when they
differ, so every change of the contract is deliberate.

Identity's router is the one exception to ``/v1/<app>/``: it answers at ``/v1/auth/``
(tokens, the caller's own account) because that is what it offers clients; the people
registry behind it has no API (docs/decisions/0018-api-contract.md).
"""

import functools

from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, security
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from onewindow.cases.api import router as cases_router
from onewindow.catalog.api import router as catalog_router
from onewindow.common.errors import ApplicationError
from onewindow.identity.api import router as identity_router
from onewindow.identity.errors import InvalidToken
from onewindow.identity.services import token_authenticate
from onewindow.licences.api import router as licences_router
from onewindow.workflow.api import router as workflow_router


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        try:
            return token_authenticate(secret=token, now=timezone.now())
        except InvalidToken:
            return None


class SessionAuth(security.SessionAuth):
    """(The name is the OpenAPI security scheme's, kept from ninja's class.)

    The browser's login session, with Django's CSRF check for writes — but only for a
    caller that is logged in and sent no Authorization header. A client that chose a
    bearer token (missing, bad, expired or revoked) or has no session gets 401 with
    ``WWW-Authenticate: Bearer``, not 403 "CSRF check Failed"."""

    def __call__(self, request):
        if "authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)


class JsonObjectParser(Parser):
    """Every JSON body of this API is an object: ``false``, ``0``, ``"x"`` or ``[]`` is
    refused (pydantic would otherwise read the fields of ``false`` as attributes and find
    them all at their defaults)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data


api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一体化政务服务平台 OneWindow 接口。错误统一为 {code, message, details}。",
    auth=[BearerToken(), SessionAuth()],
    parser=JsonObjectParser(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, details=None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details}, status=status
    )


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return _error(request, exc.http_status, **exc.as_dict())


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    return _error(request, 422, "request.invalid", "请求参数不符合要求。", exc.errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    response = _error(request, 401, "auth.required", "需要登录或有效的访问令牌。")
    # RFC 6750: a token that was sent but not accepted is invalid_token.
    sent = "authorization" in request.headers
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent else "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's only 400: a body that is not a JSON object
        return _error(request, 422, "request.invalid", "请求体须为 JSON 对象。")
    return _error(request, exc.status_code, f"http.{exc.status_code}", str(exc))


api.add_router("/v1/auth/", identity_router)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/licences/", licences_router)
api.add_router("/v1/workflow/", workflow_router)
# No trailing slash: the collection is /api/v1/cases, as it was before the move.
api.add_router("/v1/cases", cases_router)


# Until release 2 the case routes that moved keep answering at their old paths (the rest
# of the old /v1/cases/... paths did not change). The old path calls the same view, so the
# method, body and answer are exactly those of the new one; it is left out of the OpenAPI
# document, marked deprecated, and names its successor in a Link header.
LEGACY_CASE_ROUTES = {
    "v1/case-drafts": "v1/cases/drafts",
    "v1/case-drafts/<draft_id>": "v1/cases/drafts/<draft_id>",
    "v1/case-tasks/<task_id>/complete": "v1/cases/tasks/<task_id>/complete",
    "v1/case-tasks/<task_id>/return": "v1/cases/tasks/<task_id>/return",
    "v1/progress": "v1/cases/progress",
    "v1/output-queue": "v1/cases/output-queue",
}


def _deprecated(view, old: str, new: str):
    old_prefix, new_prefix = "/" + old.split("<")[0], "/" + new.split("<")[0]

    @functools.wraps(view)
    def legacy(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        successor = request.path.replace(old_prefix, new_prefix, 1)
        response["Deprecation"] = "true"
        response["Link"] = f'<{successor}>; rel="successor-version"'
        return response

    return legacy


def legacy_urlpatterns() -> list:
    """URL patterns for the old case paths, to include under ``api/`` after ``api.urls``."""
    views = {str(pattern.pattern): pattern.callback for pattern in api.urls[0]}
    return [path(old, _deprecated(views[new], old, new)) for old, new in
            LEGACY_CASE_ROUTES.items()]
