"""Issue 11, "keep them found": every API operation that takes an object id, asked about
another person's object by each kind of outsider, answers 401 (anonymous) or 404 (signed
in) and writes nothing.

The operations come from the served OpenAPI document, so a new operation joins the matrix
by construction; a path parameter the matrix has no object for fails the test and names
itself (add it to ``_objects``)."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import submit_online
from onewindow.identity.models import AgentAuthorization, Role
from onewindow.identity.services import token_issue
from onewindow.identity.tests.factories import CitizenFactory, StaffFactory, grant
from onewindow.licences.tests.factories import make_type
from onewindow.testing.world import build_world
from onewindow.workflow.models import WorkItem

pytestmark = pytest.mark.django_db

# Counters a refused request may legitimately touch (rate limits count misses).
UNCOUNTED = {"common.ratecounter"}
# Operations whose object is shared catalog data rather than somebody's: staff anywhere may
# read it (the role check still applies), citizens and anonymous callers may not.
READABLE_BY_ALL_STAFF = {
    "route_get": "an item version's approval route is published catalog configuration",
}
STAFF_OUTSIDERS = {"clerk of another centre", "handler of another department"}


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            if params and operation.get("security"):
                yield path, method, operation


def _resolve(schema, spec):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(schema, spec):
    """The smallest instance of ``schema`` that passes validation, so the request reaches
    the access check instead of stopping at 422."""
    schema = _resolve(schema, spec)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, spec).get("type") != "null"]
            return _example(options[0], spec)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _example(props[name], spec) for name in schema.get("required", [])}
    if kind == "array":
        return [_example(schema["items"], spec) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-12-01"
    if schema.get("format") == "date-time":
        return "2026-12-01T09:00:00+08:00"
    return "x" * max(schema.get("minLength", 1), 1)


def _request(client, path, method, operation, spec, headers):
    extra = dict(headers)
    query = {}
    for param in operation.get("parameters", []):
        if param["in"] == "header" and param.get("required"):
            extra[f"HTTP_{param['name'].upper().replace('-', '_')}"] = "matrix-key"
        if param["in"] == "query" and param.get("required"):
            query[param["name"]] = _example(param["schema"], spec)
    body = operation.get("requestBody", {}).get("content", {})
    call = getattr(client, method)
    if "multipart/form-data" in body:
        upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        return call(path, {"file": upload}, **extra)
    if "application/json" in body:
        data = _example(body["application/json"]["schema"], spec)
        return call(path, json.dumps(data), content_type="application/json", **extra)
    return call(path, query, **extra) if method == "get" else call(path, **extra)


def scene(world, now):
    """A case of one enterprise, filed by its agent and accepted at the window, and every
    object a path parameter names: ``(case, {parameter name: value})``."""
    case = submit_online(world, now, actor=world.agent, legal=world.enterprise)
    from onewindow.cases import services as cases

    case = cases.case_accept(actor=world.clerk, case=case, now=now)
    draft = cases.case_draft_save(actor=world.agent, implementation_code=world.item.code,
                                  form_data={}, applicant_legal=world.enterprise, now=now)
    from onewindow.licences import services as licences

    licence = licences.licence_issue(
        actor=world.chief, holder_legal=world.enterprise, now=now,
        licence_type=make_type(issuers=[world.dept], holder_kind="LEGAL_PERSON", now=now,
                               fields=[], validity_months=None, name="营业执照"),
        fields={})
    material = case.materials.filter(files__isnull=False).first()
    objects = {
        "ref": case.number,
        "draft_id": draft.pk,
        "task_id": WorkItem.objects.filter(subject_id=str(case.pk)).first().pk,
        "material_id": material.pk,
        "file_id": material.files.first().pk,
        "seq": case.actions.order_by("-seq").first().seq,
        # The scene's route has no 现场核查 step: no record exists, any id names nothing.
        "record_id": 1,
        "identifier": licence.identifier,
        "code": world.item.code,
        "version": case.version.number,
    }
    return case, objects


@pytest.fixture
def matrix(now):
    """The scene's objects and the outsiders who must not reach them."""
    world = build_world(now=now)
    case, objects = scene(world, now)
    # The agent's authorisation ends: yesterday's agent is an outsider today.
    AgentAuthorization.objects.filter(account=world.agent).update(
        valid_until=now.date() - dt.timedelta(days=1))
    other_handler = StaffFactory(organisation=world.other_dept)
    grant(other_handler, Role.HANDLER, world.other_dept)
    outsiders = {
        "other citizen": CitizenFactory(),
        "expired agent": world.agent,
        "clerk of another centre": world.other_clerk,
        "handler of another department": other_handler,
    }
    return case, objects, outsiders


def _state(case):
    counts = {m._meta.label_lower: m.objects.count() for m in apps.get_models()
              if m.__module__.startswith("onewindow.")
              and m._meta.label_lower not in UNCOUNTED}
    case.refresh_from_db()
    return counts, case.status, case.lock_version


def test_outsiders_get_401_or_404_and_change_nothing(matrix, now):
    from onewindow.api.urls import api

    case, objects, outsiders = matrix
    spec = api.get_openapi_schema()
    operations = list(_operations(spec))
    assert len(operations) >= 30  # the matrix really runs over the API
    actors = {"anonymous": {}} | {
        name: {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=a, now=now).secret}"}
        for name, a in outsiders.items()
    }
    before = _state(case)
    wrong = []
    for path, method, operation in operations:
        names = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
        missing = [n for n in names if n not in objects]
        assert not missing, f"{operation['operationId']}: no matrix object for {missing}"
        url = path
        for name in names:
            url = url.replace(f"{{{name}}}", str(objects[name]))
        for actor, headers in actors.items():
            response = _request(Client(), url, method, operation, spec, headers)
            expected = 401 if actor == "anonymous" else 404
            if operation["operationId"] in READABLE_BY_ALL_STAFF and actor in STAFF_OUTSIDERS:
                expected = 200
            if response.status_code != expected:
                body = b"<file>" if response.streaming else response.content[:120]
                wrong.append(f"{operation['operationId']} as {actor}: "
                             f"{response.status_code} {body!r}")
    assert wrong == [], "\n".join(wrong)
    after = _state(case)
    changed = {k: (before[0][k], after[0].get(k)) for k in before[0]
               if before[0][k] != after[0].get(k)}
    assert changed == {} and after[1:] == before[1:]
    assert Case.objects.get(pk=case.pk).status == before[1]


def test_an_expired_agent_cannot_submit_the_enterprises_draft(now):
    from onewindow.cases import services as cases
    from onewindow.cases.errors import CaseNotFound

    world = build_world(now=now)
    draft = cases.case_draft_save(actor=world.agent, implementation_code=world.item.code,
                                  form_data={}, applicant_legal=world.enterprise, now=now)
    AgentAuthorization.objects.filter(account=world.agent).update(
        valid_until=now.date() - dt.timedelta(days=1))
    with pytest.raises(CaseNotFound):
        cases.case_submit(actor=world.agent, case=draft, idempotency_key="k", now=now)
    draft.refresh_from_db()
    assert draft.status == "DRAFT" and draft.number is None
