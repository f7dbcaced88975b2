"""The API as a committed contract: docs/openapi.json is what the code serves, every
operation has a stable name, and every error an operation can answer is declared."""

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.api.openapi import COMMITTED_PATH, REGENERATE, openapi_text

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def served(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_committed_document_is_the_served_one(served):
    committed = json.loads(COMMITTED_PATH.read_text(encoding="utf-8"))
    assert committed == served, (
        f"The API changed but docs/openapi.json did not. If the change is deliberate, run "
        f"`{REGENERATE}` and commit the file."
    )
    # Byte for byte too, so regenerating an unchanged API leaves the file untouched.
    assert COMMITTED_PATH.read_text(encoding="utf-8") == openapi_text(served), (
        f"docs/openapi.json is not in the canonical form; run `{REGENERATE}`."
    )


def test_every_operation_has_an_explicit_snake_case_verb_id(served):
    ids = [operation["operationId"] for _, _, operation in _operations(served)]
    assert len(ids) == len(set(ids))
    # Ninja's fallback id is the module path (onewindow_cases_api_...): never rely on it.
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", i)
            or i.startswith("onewindow")] == []


def test_every_route_lives_under_its_app(served):
    prefixes = {"/api/v1/auth", "/api/v1/catalog", "/api/v1/cases", "/api/v1/licences",
                "/api/v1/workflow"}
    assert {path for path in served["paths"]
            if not any(path == p or path.startswith(p + "/") for p in prefixes)} == set()


def _json_body_fields(operation, served) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = served["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


def _needed(path, method, operation, served) -> set[int]:
    """The error statuses an operation's shape alone says it can answer. What its code
    raises is checked on every call in every test (onewindow.testing's
    ``_api_answers_are_declared``) and swept in api/tests/test_declared_answers.py."""
    needed = set()
    if operation.get("security"):
        needed.add(401)  # no or a bad token
        if method != "get":
            needed.add(403)  # a browser session's write without its CSRF token
    if method != "get" or operation.get("requestBody") or any(
        param["in"] != "path" or param["schema"].get("type") != "string"
        for param in operation.get("parameters", [])
    ):
        # Input that can fail the schema (a path string cannot), and any write: a body
        # or form the edge check refuses (NUL, lone surrogates, not a JSON object).
        needed.add(422)
    if "{" in path:
        needed.add(404)  # the object is missing or outside the caller's scope
    if _json_body_fields(operation, served) & {"version", "expected_state_version"}:
        needed.add(409)  # the version given is no longer the object's
    return needed


def test_every_error_an_operation_can_answer_is_declared(served):
    missing = []
    for path, method, operation in _operations(served):
        declared = {int(code) for code in operation["responses"] if code != "default"}
        for code in sorted(_needed(path, method, operation, served) - declared):
            missing.append(f"{operation['operationId']} ({method.upper()} {path}): {code}")
        for code in declared:
            if code >= 400:
                body = operation["responses"][str(code)]["content"]["application/json"]
                assert body["schema"]["$ref"] == ERROR_REF, (path, method, code)
    assert missing == [], "undeclared:\n" + "\n".join(missing)


def test_errors_declares_statuses_and_the_statuses_of_error_classes():
    from onewindow.common.errors import Conflict, TooManyAttempts
    from onewindow.common.schemas import ErrorOut, errors
    from onewindow.identity.errors import AccountLocked

    assert errors(401, Conflict, AccountLocked, TooManyAttempts, 409) == {
        401: ErrorOut, 409: ErrorOut, 423: ErrorOut, 429: ErrorOut}
    with pytest.raises(ValueError, match=r"\[418\]"):
        errors(401, 418)


def test_the_export_command_writes_the_committed_form_and_checks_it(tmp_path):
    target = tmp_path / "openapi.json"
    call_command("export_openapi", str(target))
    assert target.read_text(encoding="utf-8") == openapi_text()
    call_command("export_openapi", str(target), "--check")
    target.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="export-openapi"):
        call_command("export_openapi", str(target), "--check")


def _schema_classes(base):
    for sub in base.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_every_documented_schema_name_belongs_to_one_class(served):
    """Ninja documents two classes of one name as one schema (the guide's materials were
    shown with the case's): names in the document must be unique across the code."""
    from ninja import Schema

    documented = set(served["components"]["schemas"])
    owners: dict[str, set[str]] = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith("onewindow.") and ".tests" not in cls.__module__:
            owners.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: sorted(mods) for name, mods in owners.items()
            if name in documented and len(mods) > 1} == {}
