"""Handlers used by the tests; their database effect is an audit row."""

from django.tasks import task
from django.utils import timezone

from onewindow.audit.services import audit_record

CALLS: dict[str, int] = {}
STATE = {"broken": True, "fail_times": 0}
SEEN: list = []


def _effect(event, action):
    audit_record(
        actor=None, action=action, subject_type="test.event", subject_id=str(event.id),
        after={"payload": event.payload}, now=timezone.now(),
    )


def record(event):
    CALLS["record"] = CALLS.get("record", 0) + 1
    SEEN.append(event)
    _effect(event, "test.handled")


def flaky(event):
    """Writes its effect, then fails the first STATE['fail_times'] times."""
    CALLS["flaky"] = CALLS.get("flaky", 0) + 1
    _effect(event, "test.flaky")
    if CALLS["flaky"] <= STATE["fail_times"]:
        raise ConnectionError(f"下游服务不可用（第 {CALLS['flaky']} 次）")


def broken_until_fixed(event):
    CALLS["broken"] = CALLS.get("broken", 0) + 1
    if STATE["broken"]:
        raise RuntimeError("配置错误")
    _effect(event, "test.fixed")


def leaky(event):
    raise ValueError(
        "申请人 110101199003071234 电话 13812345678 登录失败 password=hunter2 token: abc.def"
    )


TICKS: list[int] = []


@task
def tick_task() -> None:
    TICKS.append(1)


def non_atomic(event):
    """Opens its own durable transaction, as an outermost service would."""
    from django.db import transaction

    CALLS["non_atomic"] = CALLS.get("non_atomic", 0) + 1
    with transaction.atomic(durable=True):
        _effect(event, "test.non_atomic")


non_atomic.events_atomic = False


def durable_in_atomic(event):
    from django.db import transaction

    with transaction.atomic(durable=True):
        _effect(event, "test.never")
