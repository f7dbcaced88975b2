import pytest
from django.contrib import admin
from django.test import RequestFactory

from onewindow.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_admin_is_read_only(clerk):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = clerk
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
