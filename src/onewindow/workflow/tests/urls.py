"""A stand-in URLconf for the API tests, used only while onewindow.api does not mount the
workflow router yet (see the ``api`` fixture in test_api.py). Authentication and error
mapping are done the way onewindow.api does them."""

from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from onewindow.common.errors import ApplicationError
from onewindow.workflow.api import router

api = NinjaAPI(urls_namespace="workflow-test-api", docs_url=None, auth=[SessionAuth()])


@api.exception_handler(ApplicationError)
def application_error(request, exc):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    return api.create_response(
        request, {"code": "request.invalid", "message": "请求参数不符合要求。",
                  "details": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, {"code": "auth.required", "message": "需要登录。", "details": None}, status=401)


api.add_router("/v1/workflow/", router)

urlpatterns = [path("api/", api.urls)]
