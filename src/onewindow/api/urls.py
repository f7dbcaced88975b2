"""The JSON API: one NinjaAPI, OpenAPI 3.1 at /api/openapi.json, docs at /api/docs.

Each app owns its router (``<app>/api.py``); this module only mounts them, authenticates
bearer tokens (or the browser session) and maps domain errors to
``{"code", "message", "details"}``.
"""

from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

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


api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一体化政务服务平台 OneWindow 接口。错误统一为 {code, message, details}。",
    auth=[BearerToken(), SessionAuth()],
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
    return _error(request, exc.http_status, exc.code, str(exc.message), exc.details)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    return _error(request, 422, "request.invalid", "请求参数不符合要求。", exc.errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, "auth.required", "需要登录或有效的访问令牌。")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, f"http.{exc.status_code}", str(exc))


api.add_router("/v1/auth/", identity_router)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/licences/", licences_router)
api.add_router("/v1/workflow/", workflow_router)
api.add_router("/v1/", cases_router)
