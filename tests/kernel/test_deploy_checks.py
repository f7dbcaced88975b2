"""``check --deploy`` refuses a production without its public address: the QR codes
printed on notices and licences would otherwise carry whatever host rendered them."""

import pytest
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

# The full check run includes checks that open a database connection (model and database
# checks): allow it, so the result does not depend on which test ran first on the worker.
pytestmark = pytest.mark.django_db


def _ids(*, deploy: bool) -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=deploy)
            if isinstance(message, Error)}


def test_an_empty_public_address_fails_the_deployment_check(settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = ""
    assert "onewindow.E001" in _ids(deploy=True)
    # A plain `check` (development, tests) is not bothered.
    assert "onewindow.E001" not in _ids(deploy=False)
    with pytest.raises(SystemCheckError, match="ONEWINDOW_PUBLIC_BASE_URL is not set"):
        call_command("check", "--deploy", "--tag", "security")


def test_the_public_address_must_be_absolute(settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "zwfw.example.gov.cn"
    assert {"onewindow.E001", "onewindow.E002"} & _ids(deploy=True) == {"onewindow.E002"}
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    assert not {"onewindow.E001", "onewindow.E002"} & _ids(deploy=True)
