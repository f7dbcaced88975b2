"""The OpenAPI document as committed in docs/openapi.json: the served schema written with
sorted keys and two-space indentation, so a change of the contract shows as a readable
diff and regenerating an unchanged API changes no byte."""

import json
from pathlib import Path

from django.urls import reverse

# src/onewindow/api/openapi.py → the repository root (a source checkout; installed
# packages pass the path explicitly).
COMMITTED_PATH = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
REGENERATE = "onewindow export-openapi docs/openapi.json"


def openapi_schema() -> dict:
    from .urls import api

    # The same call the /api/openapi.json view makes, so the file and the served document
    # cannot drift apart through a different path prefix.
    return api.get_openapi_schema(path_prefix=reverse("api:api-root"))


def openapi_text(schema: dict | None = None) -> str:
    document = openapi_schema() if schema is None else schema
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
