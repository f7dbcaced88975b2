"""Issue 11, finding 9: every answer an API operation gives is declared in the OpenAPI
document. The autouse ``_api_answers_are_declared`` check (onewindow.testing) fails any
request, in any test, whose status its operation does not declare; this module makes sure
every operation is asked often enough to give its errors: by each kind of insider (the
owner, a clerk, a handler, a chief representative, a supervisor, a citizen, nobody) with
the smallest valid body, with a stale version, and from a browser session without its
CSRF token.

The operations come from the served OpenAPI document, so a new operation joins the sweep
by construction."""

import json

import pytest
from django.test import Client

from onewindow.identity.services import token_issue
from onewindow.testing import UndeclaredAnswer
from onewindow.testing.world import build_world

from .test_authorization_matrix import _example, _request, _resolve, scene

pytestmark = pytest.mark.django_db

STALE = 999_999  # no object has lived that long: the version is someone else's
VERSION_FIELDS = ("version", "expected_state_version")
REVOKE = "auth_token_revoke"


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _url(path, operation, objects):
    # The catalog's public material file: the first material's blank form.
    objects = {"position": 1, "kind": "blank-form"} | objects
    for param in operation.get("parameters", []):
        if param["in"] == "path":
            path = path.replace(f"{{{param['name']}}}", str(objects[param["name"]]))
    return path


def _stale_body(operation, spec):
    """The smallest valid JSON body with a version nobody holds, or None when the
    operation takes no version."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    schema = content["application/json"]["schema"]
    properties = _resolve(schema, spec).get("properties", {})
    fields = [name for name in VERSION_FIELDS if name in properties]
    if not fields:
        return None
    return {**_example(schema, spec), **dict.fromkeys(fields, STALE)}


class Sweep:
    """Sends requests and keeps what came back: the undeclared answers (each raised by
    the autouse check) and how often each status was seen."""

    def __init__(self):
        self.undeclared: list[str] = []
        self.seen: dict[int, int] = {}

    def send(self, label: str, call, *args, **kwargs):
        try:
            response = call(*args, **kwargs)
        except UndeclaredAnswer as exc:
            self.undeclared.append(f"{label}: {exc}")
            return
        self.seen[response.status_code] = self.seen.get(response.status_code, 0) + 1


def test_every_answer_an_insider_gets_is_declared(now):
    from onewindow.api.urls import api

    world = build_world(now=now)
    _case, objects = scene(world, now)
    spec = api.get_openapi_schema()
    insiders = {name: {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=a, now=now).secret}"}
                for name, a in (("the owner's agent", world.agent), ("clerk", world.clerk),
                                ("handler", world.handler), ("chief", world.chief),
                                ("supervisor", world.supervisor))}
    sweep = Sweep()
    # Revoking the token used for the request comes last: later requests need it.
    operations = sorted(_operations(spec), key=lambda o: o[2]["operationId"] == REVOKE)
    assert len(operations) >= 50
    for path, method, operation in operations:
        url = _url(path, operation, objects)
        stale = _stale_body(operation, spec)
        # Outsiders are the authorization matrix's; nobody is asked only what is public.
        actors = insiders if operation.get("security") else {"anonymous": {}} | insiders
        for actor, headers in actors.items():
            label = f"{operation['operationId']} as {actor}"
            if stale is not None:
                sweep.send(f"{label}, stale version", getattr(Client(), method), url,
                           json.dumps(stale), content_type="application/json", **headers)
            sweep.send(label, _request, Client(), url, method, operation, spec, headers)
        if "{" in path:
            # A malformed id (not just an unknown one) in every path parameter.
            garbled = _url(path, operation, dict.fromkeys(objects, "-x-"))
            sweep.send(f"{operation['operationId']} with malformed ids", _request,
                       Client(), garbled, method, operation, spec, insiders["clerk"])
    assert sweep.undeclared == [], "\n".join(sweep.undeclared)
    # The sweep reached past the access checks: conflicts and refused input were answered.
    assert {401, 403, 404, 409, 422, 429} <= set(sweep.seen), sweep.seen


def test_a_browser_write_without_its_csrf_token_is_a_declared_403(now):
    from onewindow.api.urls import api

    world = build_world(now=now)
    _case, objects = scene(world, now)
    spec = api.get_openapi_schema()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.clerk)
    sweep = Sweep()
    writes = [(path, method, operation) for path, method, operation in _operations(spec)
              if method != "get" and operation.get("security")]
    for path, method, operation in writes:
        url = _url(path, operation, objects)
        sweep.send(f"{operation['operationId']} without a CSRF token", _request,
                   browser, url, method, operation, spec, {})
    assert sweep.undeclared == [], "\n".join(sweep.undeclared)
    assert sweep.seen == {403: len(writes)}
