"""Fixtures of the cases tests."""

import pytest

from onewindow.workdays import selectors as workdays


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.reset_calendar_cache()
    yield
    workdays.reset_calendar_cache()
