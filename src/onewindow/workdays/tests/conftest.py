"""Fixtures of the workdays tests."""

import datetime as dt
import json
from pathlib import Path

import pytest

from onewindow.workdays import selectors

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "holidays"


def bundled(year: int) -> dict:
    """One bundled holiday-cn file, as the product ships it (never /work/shared)."""
    return json.loads((DATA_DIR / f"{year}.json").read_text(encoding="utf-8"))


def fake_2027_notice() -> dict:
    """A small made-up 2027 notice: New Year's Day off plus the weekend after, and one
    adjusted Saturday workday."""
    return {
        "year": 2027,
        "papers": ["https://example.invalid/2027-notice"],
        "days": [
            {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
            {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
            {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
            {"name": "春节", "date": "2027-02-20", "isOffDay": False},
        ],
    }


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Test transactions never commit, so a cached calendar or a pending-write mark from
    # one test must not reach the next.
    selectors.reset_calendar_cache()
    yield
    selectors.reset_calendar_cache()


@pytest.fixture
def d():
    return dt.date.fromisoformat
