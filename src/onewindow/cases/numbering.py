"""Case numbers (办件编号): 实施编码 + yyyyMMdd + 4-digit daily serial per implementation.

The serial comes from one counter row per (implementation, day), incremented with
``UPDATE … SET last_serial = last_serial + 1`` inside the submitting transaction. The
UPDATE holds the row lock until that transaction ends, so concurrent submissions of one
item queue on it for the rest of their (short) transaction and never see the same value;
submissions of other items or other days do not wait. The first submission of a day
inserts the row; two first submissions racing meet the unique constraint, and the loser
(inside a savepoint) falls back to the UPDATE. A rolled-back submission leaves no gap:
its increment rolls back too.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .deadlines import local_date
from .errors import SerialExhausted
from .models import CaseNumberCounter

MAX_SERIAL = 9999


def next_serial(*, implementation_id: int, day: dt.date) -> int:
    """The next serial of ``implementation_id`` on ``day``; call inside a transaction."""
    rows = CaseNumberCounter.objects.filter(implementation_id=implementation_id, day=day)
    if not rows.update(last_serial=F("last_serial") + 1):
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(
                    implementation_id=implementation_id, day=day, last_serial=1
                )
            return 1
        except IntegrityError:
            rows.update(last_serial=F("last_serial") + 1)
    serial = rows.values_list("last_serial", flat=True).get()
    if serial > MAX_SERIAL:
        raise SerialExhausted(
            _("该事项今日办件编号已用完，请明日再提交或联系管理员。"),
            details={"day": day.isoformat()},
        )
    return serial


def format_number(*, implementation_code: str, day: dt.date, serial: int) -> str:
    return f"{implementation_code}{day:%Y%m%d}{serial:04d}"


def allocate(*, implementation, now: dt.datetime) -> str:
    """A new, never used case number for ``implementation`` (Beijing date of ``now``)."""
    day = local_date(now)
    serial = next_serial(implementation_id=implementation.pk, day=day)
    return format_number(implementation_code=implementation.code, day=day, serial=serial)
