import pytest
from django.contrib.auth import get_user_model

from onewindow.events import registry

from . import handlers

H = "onewindow.events.tests.handlers"


@pytest.fixture(autouse=True)
def clean_handlers():
    handlers.CALLS.clear()
    handlers.SEEN.clear()
    handlers.STATE.update(broken=True, fail_times=0)
    yield


@pytest.fixture
def subscriptions():
    """Replace the registry for one test: subscriptions({"a.b": ["record"]})."""
    stack = []

    def use(mapping):
        ctx = registry.override(
            {name: [f"{H}.{fn}" for fn in fns] for name, fns in mapping.items()}
        )
        ctx.__enter__()
        stack.append(ctx)

    yield use
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)


@pytest.fixture
def admin_user(db):
    User = get_user_model()
    extra = {"kind": "STAFF"} if any(f.name == "kind" for f in User._meta.fields) else {}
    return User.objects.create_user(username="sysadmin", password="s3cret-pass", **extra)
