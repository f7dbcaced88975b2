import json
import time

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.licences.importing import licences_import, read_rows
from onewindow.licences.models import Licence
from onewindow.licences.stock import stock_rows, write_csv, write_jsonl
from onewindow.licences.verification import licence_verify

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return make_world(now)


def _rows(world, count, **kwargs):
    return stock_rows(count, type_code=world.person_type.code,
                      issuer_code=world.department.credit_code, **kwargs)


def test_import_reports_row_errors_and_keeps_going(world, now, tmp_path):
    good = list(_rows(world, 5))
    bad_check = dict(good[0], identifier=good[0]["identifier"][:-1] + (
        "0" if good[0]["identifier"][-1] != "0" else "1"))
    bad_holder = dict(next(_rows(world, 1, serial_prefix="B")), holder_code="371002199001011234")
    bad_field = dict(next(_rows(world, 1, serial_prefix="C")), fields={"colour": "red"})
    bad_date = dict(next(_rows(world, 1, serial_prefix="D")), issue_date="2020-13-01")
    path = tmp_path / "stock.jsonl"
    write_jsonl(path, [*good, bad_check, bad_holder, bad_field, bad_date])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    report = licences_import(actor=None, rows=read_rows(path), now=now, batch_size=2)
    assert (report.read, report.created, report.unchanged, report.failed) == (10, 5, 0, 5)
    codes = {e.line: e.code for e in report.errors}
    assert codes == {
        6: "licences.invalid-identifier", 7: "licences.import-bad-holder",
        8: "licences.invalid-fields", 9: "licences.import-bad-date",
        10: "licences.import-bad-row",
    }
    imported = Licence.objects.get(identifier=good[0]["identifier"])
    assert imported.origin == Licence.Origin.IMPORT
    assert licence_verify(identifier=imported.identifier, now=now).outcome == "expired" or (
        licence_verify(identifier=imported.identifier, now=now).outcome == "valid")
    # One audit row per batch, not per licence.
    assert AuditEvent.objects.filter(action="licences.import.batch").count() == 3


def test_reimport_changes_nothing_and_conflicts_are_errors(world, now, tmp_path):
    rows = list(_rows(world, 30))
    path = tmp_path / "stock.csv"
    write_csv(path, rows)
    first = licences_import(actor=None, rows=read_rows(path), now=now)
    assert (first.created, first.failed) == (30, 0)
    snapshot = list(Licence.objects.order_by("id").values())
    second = licences_import(actor=None, rows=read_rows(path), now=now)
    assert (second.created, second.unchanged, second.failed) == (0, 30, 0)
    assert list(Licence.objects.order_by("id").values()) == snapshot
    changed = dict(rows[3], holder_name="改名")
    report = licences_import(actor=None, rows=iter([(2, changed)]), now=now)
    assert report.failed == 1 and report.errors[0].code == "licences.import-conflict"


def test_issue_skips_serials_taken_by_stock(world, now):
    rows = list(stock_rows(3, type_code=world.person_type.code,
                           issuer_code=world.department.credit_code, serial_prefix="0"))
    # serials 00000001..00000003 exist already
    licences_import(actor=None, rows=enumerate(rows, start=2), now=now)
    licence = issue_to_citizen(world, now)
    assert licence.serial == "00000004"


def test_command_writes_report_and_exit_code(world, now, tmp_path, capsys):
    rows = list(_rows(world, 3))
    rows.append(dict(rows[0], identifier="1.2.156.3005.2.bad"))
    path = tmp_path / "stock.csv"
    write_csv(path, rows)
    report_path = tmp_path / "errors.jsonl"
    with pytest.raises(SystemExit) as exc:
        call_command("import_licences", str(path), "--report", str(report_path))
    assert exc.value.code == 1
    out = capsys.readouterr().out
    summary = json.loads(out.splitlines()[0])
    assert summary["created"] == 3 and summary["failed"] == 1
    errors = [json.loads(line) for line in report_path.read_text().splitlines()]
    assert errors[0]["line"] == 5 and errors[0]["code"] == "licences.invalid-identifier"


@pytest.mark.slow
def test_import_of_100k_stock_licences_and_reimport(world, now, tmp_path):
    path = tmp_path / "stock-100k.csv"
    assert write_csv(path, _rows(world, 100_000)) == 100_000
    started = time.perf_counter()
    report = licences_import(actor=None, rows=read_rows(path), now=now, batch_size=2000)
    first_seconds = time.perf_counter() - started
    assert (report.read, report.created, report.failed) == (100_000, 100_000, 0)
    assert Licence.objects.count() == 100_000
    last_id = Licence.objects.order_by("-id").values_list("id", flat=True).first()

    again = licences_import(actor=None, rows=read_rows(path), now=now, batch_size=2000)
    assert (again.created, again.unchanged, again.failed) == (0, 100_000, 0)
    assert Licence.objects.count() == 100_000
    assert Licence.objects.order_by("-id").values_list("id", flat=True).first() == last_id
    sample = Licence.objects.order_by("?").first()
    assert licence_verify(identifier=sample.identifier, now=now).outcome in {"valid", "expired"}
    print(f"\n100k import {first_seconds:.1f} s, re-import {again.seconds:.1f} s")


def test_fast_id_check_agrees_with_stdnum():
    import random

    from stdnum.cn import ric

    from onewindow.licences.importing import _valid_id_number

    rng = random.Random(11643)
    places = ["371002", "110101", "440106", "371000", "999999", "371082"]
    for _ in range(3000):
        body = (f"{rng.choice(places)}{rng.randint(1940, 2020)}{rng.randint(1, 13):02d}"
                f"{rng.randint(1, 32):02d}{rng.randint(0, 999):03d}")
        check = ric.calc_check_digit(body + "0") if rng.random() < 0.8 else rng.choice("0X5")
        number = body + check
        assert _valid_id_number(number) == ric.is_valid(number), number


def test_imported_rows_hold_the_values_of_the_file(world, now, tmp_path):
    good, revoked = _rows(world, 2)
    revoked = dict(revoked, status="REVOKED", status_reason="吊销", valid_until="")
    path = tmp_path / "stock.jsonl"
    write_jsonl(path, [good, revoked])
    licences_import(actor=None, rows=read_rows(path), now=now)

    first = Licence.objects.get(identifier=good["identifier"])
    assert (str(first.issue_date), str(first.valid_until)) == (good["issue_date"],
                                                               good["valid_until"])
    assert first.fields == good["fields"]
    assert (first.status, first.status_changed_at, first.issued_at) == ("VALID", None, now)
    assert (first.issuer_id, first.licence_type_id, first.version) == (
        world.department.pk, world.person_type.pk, 1)
    second = Licence.objects.get(identifier=revoked["identifier"])
    assert (second.status, second.status_reason, second.valid_until) == ("REVOKED", "吊销", None)
    assert second.status_changed_at == now
    assert licence_verify(identifier=second.identifier, now=now).outcome == "revoked"
