"""Pytest fixtures shared by every app's tests and the browser tests (loaded by the root
conftest). The world most tests happen in is ``onewindow.testing.world``.

This module imports nothing of the apps, so tests of any layer may use it."""

import contextlib
import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.db.models import Model
from django.utils import timezone

CHROMIUM = os.environ.get("ONEWINDOW_CHROMIUM", "/usr/bin/chromium")


FIXED_NOW = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a page requested in English leaves English
    active in the thread (LocaleMiddleware activates it and nothing switches back), which
    would otherwise change the words the next test on that worker reads."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


class UndeclaredAnswer(AssertionError):
    """An API operation answered with a status its ``response=`` does not declare."""


@pytest.fixture(autouse=True, scope="session")
def _api_answers_are_declared():
    """DESIGN rule 12, kept by every test that calls the API: an operation that answers
    with a status its ``response=`` does not declare (so the OpenAPI document does not
    either) fails the request with ``UndeclaredAnswer``, naming the operation, the status
    and the error code; the test client raises it into the test. Every API test, the
    authorization matrix and the fuzzer check the contract this way."""
    from ninja.operation import Operation

    run = Operation.run

    def run_checked(self, request, *args, **kwargs):
        response = run(self, request, *args, **kwargs)
        declared = self.response_models
        if response.status_code not in declared and Ellipsis not in declared:
            raise UndeclaredAnswer(
                f"{self.operation_id} answered {response.status_code} "
                f"({_error_code(response)}), which its response= does not declare: add it "
                f"with common.schemas.errors(...) and regenerate docs/openapi.json"
            )
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Operation, "run", run_checked)
        yield


def _error_code(response) -> str:
    import json

    if getattr(response, "streaming", False):
        return "a streamed body"
    try:
        return str(json.loads(response.content).get("code"))
    except (ValueError, AttributeError):
        return "not an error body"


@pytest.fixture
def now():
    """A fixed, timezone-aware 'now' for services (they never read the clock themselves).

    The process clock travels there too (and ticks on), so pages and API endpoints, which
    do read the clock, agree with the data the test made: a deadline five working days
    after `now` is not overdue just because the test runs a month later."""
    import time_machine

    moment = timezone.make_aware(FIXED_NOW)
    with time_machine.travel(moment, tick=True):
        yield moment


def race(workers: list[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run each worker in its own thread and database connection, all released at once by
    one barrier; return ``("ok", result)`` or ``("error", exception)`` per worker, in order.

    Used with ``django_db(transaction=True)`` so every worker's service really commits and
    the database's row locks decide who wins."""
    barrier = threading.Barrier(len(workers))
    results: list[tuple[str, object]] = [("error", None)] * len(workers)

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = ("ok", work())
        except Exception as exc:  # collected and asserted by the test
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def assert_parity(*, can: Callable[[object, object], bool], q: Callable[[object], object],
                  queryset, actors: dict[str, object], objects: dict[str, Model]) -> None:
    """A permission's object rule (``can(actor, obj)``) and its queryset twin (``q(actor)``)
    agree for every actor and object given; the failure names every disagreement."""
    disagreements = []
    allowed_pairs = 0
    for actor_name, actor in actors.items():
        listed = set(queryset.filter(q(actor)).values_list("pk", flat=True))
        for object_name, obj in objects.items():
            allowed = bool(can(actor, obj))
            allowed_pairs += allowed
            if allowed != (obj.pk in listed):
                disagreements.append(f"{actor_name} / {object_name}: can={allowed}, "
                                     f"listed={obj.pk in listed}")
    assert not disagreements, "\n".join(disagreements)
    # A world where everyone or no one may act proves nothing about the pair.
    assert 0 < allowed_pairs < len(actors) * len(objects), "the scene allows all or nothing"


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    """Rows a module's tests share, committed once instead of created in every test (an
    import of hundreds of items, whose durable transactions commit). Inside the block,
    ``load(make)`` runs ``make()`` with the database unblocked and returns its result; when
    the block ends the database is put back as it was: flushed and reloaded from a copy
    taken first (Django's serialized rollback), so the migrations' seeded rows are there
    again and no later test sees the shared ones.

    Use it in a ``scope="module"`` fixture (asking for ``django_db_setup`` too, so the test
    database exists) around its ``yield``; each test still runs in
    its own transaction, on top of the shared rows::

        with shared_rows(django_db_blocker) as load:
            yield load(lambda: import_gdzwfw(lines=lines, now=now))
    """
    from django.core.management import call_command

    def load(make):
        with django_db_blocker.unblock():
            return make()

    before = load(connection.creation.serialize_db_to_string)
    try:
        yield load
    finally:
        with django_db_blocker.unblock():
            # Sequences keep their values (as TransactionTestCase's flush does): the copy
            # brings rows back with their ids, and the next insert must not reuse one.
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False,
                         inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)

@pytest.fixture
def postgres_only():
    """Skip on SQLite: it serialises writers itself (IMMEDIATE transactions, and the test
    database is in-memory), so the row locks a race test is about only matter on
    PostgreSQL. Run with DATABASE_URL=postgres://… (CI does)."""
    if connection.vendor == "sqlite":
        pytest.skip("row locks under test only matter on PostgreSQL "
                    "(run with DATABASE_URL=postgres://…)")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; no browser download."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: run scripts/system-packages.sh (make test does).")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself stay synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page the size of a 375 px phone, speaking Chinese."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True,
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desk_page(browser, live_server):
    """A page the size of a window clerk's screen."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 800}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; return violations of the given impacts."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]
