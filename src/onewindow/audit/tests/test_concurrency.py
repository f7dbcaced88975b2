import datetime as dt
import threading

import pytest
from django.db import connections, transaction

from onewindow.audit.errors import AuditChainHeadMissing
from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.audit.services import audit_record, audit_verify


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_linear_chain(postgres_only, now):
    barrier = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic(durable=True):
                    audit_record(actor=None, action="test.concurrent", subject_type="t",
                                 subject_id=f"{n}-{i}", after={"i": i},
                                 now=now + dt.timedelta(microseconds=i))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_verify()
    assert result.ok and result.checked == 40


@pytest.mark.django_db
def test_missing_head_with_rows_refuses_to_start_a_new_chain(now):
    audit_record(actor=None, action="test.x", subject_type="t", subject_id="1", now=now)
    AuditChainHead.objects.all().delete()
    with pytest.raises(AuditChainHeadMissing):
        audit_record(actor=None, action="test.x", subject_type="t", subject_id="2", now=now)
    result = audit_verify()
    assert not result.ok and result.first_broken_id == AuditEvent.objects.get().pk
