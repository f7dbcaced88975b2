import pytest
from django.contrib.auth import get_user_model


def make_account(username: str):
    User = get_user_model()
    extra = {}
    # identity.Account requires a kind (citizens need a real-name person); staff do not.
    if any(f.name == "kind" for f in User._meta.fields):
        extra["kind"] = "STAFF"
    return User.objects.create_user(username=username, password="s3cret-pass", **extra)


@pytest.fixture
def clerk(db):
    return make_account("clerk01")
