"""Bulk import of stock licences (存量证照入库): CSV or JSONL, streamed, in batches.

Idempotent by identifier: a row whose identifier is already in the library with the same
content (same canonical digest) is counted as unchanged; with different content it is a
row error (a change to an existing licence is a new version, issued by staff). Each batch
is one transaction with one audit row; a failed row never stops the import.

Columns (CSV header or JSON keys):
  identifier        证照标识 (required; GB/T 36904 with a valid check character)
  number            证照编号 (required)
  holder_name       持证主体 (required)
  holder_code       持证主体代码 (required; ID number or credit code, checked)
  issue_date        颁发日期 YYYY-MM-DD (required)
  valid_from        有效期起始日期 (default: issue_date)
  valid_until       有效期截止日期 (empty: 长期有效)
  fields            照面信息: a JSON object (a JSON text in CSV)
  type_code, issuer_code, holder_code_type, name   (optional; must agree with the
                    identifier and the licence type when given)
  status, status_reason   VALID (default) or REVOKED with a reason
"""

import csv
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, overload

from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy
from stdnum.cn import ric, uscc

from onewindow.audit.services import audit_record
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_digits
from onewindow.identity.models import Organisation

from . import signing
from .identifiers import CREDIT_CODE_RE, InvalidIdentifier, parse_identifier
from .models import HolderCodeType, Licence, LicenceType
from .services import clean_fields, signer_for, signing_key_active

MAX_KEPT_ERRORS = 1000
# Fields whose Python value is already what the database takes.
_AS_IS = (models.CharField, models.IntegerField, models.ForeignKey)


@dataclass(frozen=True)
class RowError:
    line: int
    identifier: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "identifier": self.identifier, "code": self.code,
                "message": self.message}


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_KEPT_ERRORS

    def as_dict(self) -> dict:
        return {"read": self.read, "created": self.created, "unchanged": self.unchanged,
                "failed": self.failed, "seconds": round(self.seconds, 3)}


class RowProblem(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- reading -----------------------------------------------------------------------------


def read_rows(path: str | Path, fmt: str | None = None) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs from a CSV (UTF-8, header row) or JSONL file, streamed."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, row
    elif fmt in {"jsonl", "ndjson", "json"}:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    row = {"__error__": "该行不是有效的 JSON。"}
                if not isinstance(row, dict):
                    row = {"__error__": "该行应为 JSON 对象。"}
                yield number, row
    else:
        raise ApplicationError(
            gettext_lazy("不支持的文件格式：%(fmt)s（应为 csv 或 jsonl）。") % {"fmt": fmt},
            code="licences.import-format",
        )


# --- checking one row --------------------------------------------------------------------


class _Context:
    """Lookups cached for the whole import: types, issuers, keys."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.types = {t.code: t for t in LicenceType.objects.prefetch_related("issuers")}
        self.type_issuers = {code: {o.pk for o in t.issuers.all()} for code, t in
                             self.types.items()}
        self._issuers: dict[str, Organisation | None] = {}
        self._keys: dict[int, tuple] = {}

    def issuer(self, code: str) -> Organisation | None:
        if code not in self._issuers:
            self._issuers[code] = Organisation.objects.filter(credit_code=code).first()
        return self._issuers[code]

    def key(self, issuer_id: int):
        if issuer_id not in self._keys:
            issuer = next(o for o in self._issuers.values() if o and o.pk == issuer_id)
            key = signing_key_active(organisation=issuer, now=self.now)
            self._keys[issuer_id] = (key, signer_for(key))
        return self._keys[issuer_id]


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


@overload
def _date(row: dict, name: str, *, required: Literal[True]) -> dt.date: ...
@overload
def _date(row: dict, name: str, *, required: bool) -> dt.date | None: ...
def _date(row: dict, name: str, *, required: bool) -> dt.date | None:
    text = _text(row, name)
    if not text:
        if required:
            raise RowProblem("licences.import-missing", f"缺少 {name}。")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowProblem(
            "licences.import-bad-date", f"{name} 应为 YYYY-MM-DD 格式的日期。"
        ) from None


@lru_cache(maxsize=65536)
def _place_known(place: str, year: str) -> bool:
    """Was the 6-digit place code valid in that year? (stdnum's table lookup is the slow
    part of an ID check, so it is asked once per place and year.)"""
    body = f"{place}{year}0101001"
    return ric.is_valid(body + ric.calc_check_digit(body + "0"))


def _valid_id_number(code: str) -> bool:
    """The same answer as ``stdnum.cn.ric.is_valid`` for 18-character numbers, faster."""
    if len(code) != 18 or not is_digits(code[:17]) or not (is_digits(code[17]) or code[17] == "X"):
        return False
    if ric.calc_check_digit(code) != code[17]:
        return False
    try:
        dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return _place_known(code[:6], code[6:10])


def _holder_code_problem(code_type: str, code: str) -> str | None:
    if code_type == HolderCodeType.ID_CARD:
        return None if _valid_id_number(code) else "持证主体代码不是有效的身份证号码。"
    if not CREDIT_CODE_RE.match(code) or uscc.calc_check_digit(code[:17]) != code[-1]:
        return "持证主体代码不是有效的统一社会信用代码。"
    return None


def prepare_row(row: dict, ctx: _Context) -> Licence:
    """A row as an unsaved, unsealed Licence, or RowProblem with the reason."""
    if "__error__" in row:
        raise RowProblem("licences.import-bad-row", row["__error__"])
    try:
        ident = parse_identifier(_text(row, "identifier"))
    except InvalidIdentifier as exc:
        raise RowProblem(exc.code, str(exc.message)) from None
    type_code = _text(row, "type_code").upper() or ident.type_code
    issuer_code = _text(row, "issuer_code").upper() or ident.issuer_code
    if type_code != ident.type_code or issuer_code != ident.issuer_code:
        raise RowProblem("licences.import-mismatch", "类型代码或颁发机构代码与证照标识不一致。")
    licence_type = ctx.types.get(type_code)
    if licence_type is None:
        raise RowProblem("licences.type-not-found", f"证照类型 {type_code} 不存在。")
    issuer = ctx.issuer(issuer_code)
    if issuer is None or issuer.pk not in ctx.type_issuers[type_code]:
        raise RowProblem("licences.issuer-not-allowed",
                         f"机构 {issuer_code} 不是该证照类型的颁发机构。")
    code_type = _text(row, "holder_code_type") or licence_type.holder_code_type
    if code_type != licence_type.holder_code_type:
        raise RowProblem("licences.holder-mismatch", "持证主体代码类型与证照类型不符。")
    holder_code = _text(row, "holder_code").upper()
    problem = _holder_code_problem(code_type, holder_code)
    if problem:
        raise RowProblem("licences.import-bad-holder", problem)
    holder_name, number = _text(row, "holder_name"), _text(row, "number")
    if not holder_name or not number:
        raise RowProblem("licences.import-missing", "缺少持证主体名称或证照编号。")
    issue_date = _date(row, "issue_date", required=True)
    valid_from = _date(row, "valid_from", required=False) or issue_date
    valid_until = _date(row, "valid_until", required=False)
    if valid_until is not None and valid_until < valid_from:
        raise RowProblem("licences.invalid-validity", "有效期截止日期早于起始日期。")
    raw_fields = row.get("fields") or {}
    if isinstance(raw_fields, str):
        try:
            raw_fields = json.loads(raw_fields) if raw_fields.strip() else {}
        except ValueError:
            raise RowProblem("licences.invalid-fields", "fields 不是有效的 JSON。") from None
    if not isinstance(raw_fields, dict):
        raise RowProblem("licences.invalid-fields", "fields 应为 JSON 对象。")
    try:
        fields = clean_fields(licence_type.field_schema, raw_fields)
    except ApplicationError as exc:
        details = json.dumps(exc.as_dict()["details"], ensure_ascii=False)
        raise RowProblem(exc.code, f"{exc.message} {details}") from None
    status = (_text(row, "status") or Licence.Status.VALID).upper()
    if status not in {Licence.Status.VALID, Licence.Status.REVOKED}:
        raise RowProblem("licences.import-bad-status", "status 只能是 VALID 或 REVOKED。")
    reason = _text(row, "status_reason")
    if status == Licence.Status.REVOKED and not reason:
        raise RowProblem("licences.reason-required", "已注销的证照须有注销原因。")
    values = {
        "identifier": str(ident), "licence_type_id": licence_type.pk, "serial": ident.serial,
        "version": ident.version, "name": _text(row, "name") or licence_type.name,
        "type_code": type_code, "number": number[:100], "issuer_id": issuer.pk,
        "issuer_name": issuer.name, "issuer_code": issuer_code, "issue_date": issue_date,
        "holder_name": holder_name[:200], "holder_code": holder_code,
        "holder_code_type": code_type, "valid_from": valid_from, "valid_until": valid_until,
        "fields": fields, "status": status, "status_reason": reason[:500],
        "status_changed_at": ctx.now if status != Licence.Status.VALID else None,
        "origin": Licence.Origin.IMPORT, "issued_at": ctx.now,
    }
    # Positional values in column order: Model.__init__'s quick path (keywords and related
    # objects cost more than the rest of the row's checks).
    return Licence(*[values.get(name, default) for name, default in _DEFAULTS])


def _defaults() -> list[tuple[str, object]]:
    fields = Licence._meta.concrete_fields
    return [(f.attname, None if f.primary_key or f.null else f.get_default()) for f in fields]


_DEFAULTS = _defaults()


# --- the import --------------------------------------------------------------------------


def licences_import(
    *, actor, rows: Iterable[tuple[int, dict]], now: dt.datetime, batch_size: int = 2000,
    on_error: Callable[[RowError], None] | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import stock licences from ``rows`` ((line, dict) pairs, e.g. ``read_rows(path)``)."""
    started = time.perf_counter()
    report = ImportReport()
    ctx = _Context(now)

    def fail(line: int, identifier: str, code: str, message: str) -> None:
        error = RowError(line, identifier, code, message)
        report.failed += 1
        if len(report.errors) < MAX_KEPT_ERRORS:
            report.errors.append(error)
        if on_error:
            on_error(error)

    batch: list[tuple[int, Licence]] = []
    batch_number = 0
    for line, row in rows:
        report.read += 1
        try:
            licence = prepare_row(row, ctx)
        except RowProblem as problem:
            fail(line, _text(row, "identifier"), problem.code, problem.message)
            continue
        licence.payload_sha256 = signing.sha256_b64u(
            signing.canonical_bytes(licence.canonical_payload())
        )
        batch.append((line, licence))
        if len(batch) >= batch_size:
            batch_number += 1
            _write_batch(actor, batch, ctx, report, fail, batch_number, now)
            batch = []
            if on_batch:
                on_batch(report)
    if batch:
        batch_number += 1
        _write_batch(actor, batch, ctx, report, fail, batch_number, now)
        if on_batch:
            on_batch(report)
    report.seconds = time.perf_counter() - started
    return report


def _insert(licences: list[Licence]) -> None:
    """Write the rows ``bulk_create`` would write (every value through the field's own
    ``get_db_prep_save``) without its per-row SQL building, which dominates a
    100,000-row import: COPY on PostgreSQL, executemany elsewhere. No signals either way."""
    fields = [f for f in Licence._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(Licence._meta.db_table)
    # A concrete field has a column; the stubs allow None for any field.
    columns = ", ".join(quote(f.column) for f in fields)  # pyright: ignore[reportArgumentType]
    # Text, numbers and keys go as they are (and dates and times to psycopg, which adapts
    # them itself); the rest through its field.
    as_is = _AS_IS + ((models.DateField,) if connection.vendor == "postgresql" else ())
    prepared = [(f.attname, None if isinstance(f, as_is) else f) for f in fields]
    params = [
        [value if field is None else field.get_db_prep_save(value, connection)
         for name, field in prepared for value in (getattr(licence, name),)]
        for licence in licences
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
        else:
            # Table and column names come from the model, values go as parameters.
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                params,
            )


def _write_batch(actor, batch, ctx, report, fail, batch_number, now) -> None:
    # One durable transaction per batch, not per import: a 100 k-row file commits as it
    # goes (a failure loses one batch, and no lock is held for the whole file).
    with transaction.atomic(durable=True):
        identifiers = [licence.identifier for _, licence in batch]
        stored = dict(
            Licence.objects.filter(identifier__in=identifiers).values_list(
                "identifier", "payload_sha256"
            )
        )
        new: list[Licence] = []
        created = unchanged = 0
        for line, licence in batch:
            known = stored.get(licence.identifier)
            if known is not None:
                if known == licence.payload_sha256:
                    unchanged += 1
                else:
                    fail(line, licence.identifier, "licences.import-conflict",
                         "证照标识已存在但内容不同；变更证照请换发新版本。")
                continue
            key, signer = ctx.key(licence.issuer_id)
            licence.signing_key = key
            licence.seal_signature = signing.seal_sign(
                signer, identifier=licence.identifier, payload_sha256=licence.payload_sha256
            )
            stored[licence.identifier] = licence.payload_sha256  # a repeat later in the file
            new.append(licence)
            created += 1
        if new:
            _insert(new)
        audit_record(
            actor=actor, action="licences.import.batch", subject_type="licences.import",
            subject_id=f"{now:%Y%m%dT%H%M%S}-{batch_number}",
            after={"created": created, "unchanged": unchanged, "rows": len(batch),
                   "first": batch[0][1].identifier, "last": batch[-1][1].identifier},
            now=now,
        )
    report.created += created
    report.unchanged += unchanged
