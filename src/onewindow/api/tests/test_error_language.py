"""An API error speaks the reader's language (Accept-Language), Chinese by default; its
code stays the same, so clients keep relying on it (ADR 0015)."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalog/items"


def test_a_refused_filter_answers_in_english_with_the_same_code(client):
    chinese = client.get(URL, {"limit": "1000"})
    english = client.get(URL, {"limit": "1000"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert chinese.status_code == english.status_code == 422
    assert chinese.json() == {
        "code": "catalog.invalid-filter",
        "message": "每页条数（limit）应为 1 到 100 之间的整数。",
        "details": {"limit": "每页条数（limit）应为 1 到 100 之间的整数。"},
    }
    assert english.json() == {
        "code": "catalog.invalid-filter",
        "message": "limit should be a whole number from 1 to 100.",
        "details": {"limit": "limit should be a whole number from 1 to 100."},
    }


def test_a_language_the_site_does_not_offer_gets_chinese(client):
    response = client.get(URL, {"limit": "1000"}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.json()["message"] == "每页条数（limit）应为 1 到 100 之间的整数。"
