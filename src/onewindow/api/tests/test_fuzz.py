"""Issue 11, "keep them found": schemathesis over the whole OpenAPI document, a bounded
number of generated requests per operation, as a citizen and as a window clerk. Any 5xx
answer, any status the operation does not declare, or any answer that does not match its
declared schema fails the test, which lists every operation that did so.

Slow (CI runs it on SQLite and PostgreSQL through `make test`): 55 operations, about 840
requests, under two minutes on one core."""

import collections
import contextlib

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 8


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, response_schema_conformance]


@contextlib.contextmanager
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the connection that
    holds the test's transaction (PostgreSQL) at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_or_off_schema(now):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    from onewindow.cases.tests.factories import submit_online
    from onewindow.identity.services import token_issue
    from onewindow.testing.world import build_world

    world = build_world(now=now)
    submit_online(world, now)
    actors = {name: {"Authorization": f"Bearer {token_issue(actor=a, now=now).secret}"}
              for name, a in (("citizen", world.citizen), ("clerk", world.clerk))}
    with _keep_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    checks = _checks()
    calls = collections.Counter()
    failures = []

    def fuzz(operation, headers):
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            calls[operation.label] += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks)

        run()

    with _keep_the_test_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            for actor, headers in actors.items():
                try:
                    fuzz(operation, headers)
                except Exception as exc:
                    first = str(exc).strip().splitlines()[:4]
                    failures.append(f"{operation.label} as {actor}: {' / '.join(first)}")

    print(f"fuzzed {len(calls)} operations with {sum(calls.values())} requests")
    assert len(calls) >= 50
    assert failures == [], "\n".join(failures)
