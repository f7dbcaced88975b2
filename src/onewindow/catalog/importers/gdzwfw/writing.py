"""Writing parsed Guangdong records: the organisations, themes and 基本目录 entries they
name, then the implementations and versions in batches (see the package docstring)."""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction

from onewindow.audit.services import audit_record
from onewindow.events.services import publish
from onewindow.identity.models import Organisation
from onewindow.identity.services import organisation_create_inner

from ... import events
from ...codes import (
    ExerciseLevel,
    ImplementationStatus,
    Operation,
    ThemeAudience,
    VersionStatus,
)
from ...lifecycle import SUBJECT_TYPE, SUPERSEDE, VERSION_LIFECYCLE
from ...models import (
    CatalogEntry,
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Material,
    ServiceObject,
    Theme,
)
from ...search import index_text
from .parsing import (
    ANALYZE_AFTER,
    BATCH_SIZE,
    BUNDLED_FILE,
    REGION_GOVERNMENTS,
    SOURCE_REASON,
    ImportReport,
    Parsed,
    read_records,
)

# --- reference data: organisations, themes, entries -------------------------------------


def _government(region_code: str, region_text: str, level: str, *, actor, now, cache,
                report) -> Organisation:
    if region_code in cache:
        return cache[region_code]
    existing = (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, region_code=region_code)
        .order_by("path").first()
    )
    if existing is None:
        province = region_code[:2] + "0000"
        parent = None
        if region_code != province:
            parent = _government(province, "", "2", actor=actor, now=now, cache=cache,
                                 report=report)
        name = REGION_GOVERNMENTS.get(region_code) or (
            (region_text.split("省")[-1] or region_text or region_code) + "人民政府"
        )
        existing = organisation_create_inner(
            actor=actor, name=name, kind=Organisation.Kind.GOVERNMENT, region_code=region_code,
            level=2 if region_code == province else 3, parent=parent, now=now,
        )
        report.organisations_created += 1
    cache[region_code] = existing
    return existing


def ensure_organisations(records: list[Parsed], *, actor, now, report) -> dict[str, Organisation]:
    """Organisation per credit code, creating departments (and their governments)."""
    codes = {r.credit_code for r in records}
    found = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    governments: dict[str, Organisation] = {}
    for record in records:
        if record.credit_code in found:
            continue
        parent = _government(record.region_code, record.region_text, record.level, actor=actor,
                             now=now, cache=governments, report=report)
        kind = (Organisation.Kind.DEPARTMENT if record.credit_code[:2] == "11"
                else Organisation.Kind.PUBLIC_SERVICE)
        found[record.credit_code] = organisation_create_inner(
            actor=actor, name=record.dept_name, kind=kind, region_code=record.region_code,
            level=int(record.level), parent=parent, credit_code=record.credit_code, now=now,
        )
        report.organisations_created += 1
    return found


def ensure_themes(records: list[Parsed], *, actor, now, report) -> dict[str, Theme]:
    names = sorted({t for r in records for t in r.elements["themes"]})
    themes = {t.name: t for t in Theme.objects.filter(name__in=names)}
    for name in names:
        if name not in themes:
            themes[name] = Theme.objects.create(name=name, audience=ThemeAudience.GENERAL)
            audit_record(actor=actor, action="catalog.theme.created",
                         subject_type="catalog.theme", subject_id=str(themes[name].pk),
                         after={"name": name}, now=now)
            report.themes_created += 1
    return themes


def ensure_entries(records: list[Parsed], *, actor, now, report) -> dict[str, CatalogEntry]:
    levels: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, dict] = {}
    for record in records:
        levels[record.entry["basic_code"]].add(record.level)
        wanted.setdefault(record.entry["basic_code"], record.entry)
    existing = {e.basic_code: e for e in CatalogEntry.objects.filter(basic_code__in=wanted)}
    new_entries = []
    for basic_code, values in wanted.items():
        found_levels = levels[basic_code]
        level = next(iter(found_levels)) if len(found_levels) == 1 else ExerciseLevel.TIERED
        entry = existing.get(basic_code)
        target = {**values, "exercise_level": level}
        if entry is None:
            new_entries.append(CatalogEntry(created_at=now, updated_at=now, **target))
            continue
        if entry.exercise_level != level:
            target["exercise_level"] = ExerciseLevel.TIERED  # implemented at several levels
        changed = {k: v for k, v in target.items() if getattr(entry, k) != v}
        if changed:
            before = {k: getattr(entry, k) for k in changed}
            for key, value in changed.items():
                setattr(entry, key, value)
            entry.updated_at = now
            entry.save()
            audit_record(actor=actor, action="catalog.entry.changed",
                         subject_type="catalog.entry", subject_id=basic_code, before=before,
                         after=changed, now=now)
            report.entries_updated += 1
    for entry in CatalogEntry.objects.bulk_create(new_entries):
        existing[entry.basic_code] = entry
        audit_record(actor=actor, action="catalog.entry.created", subject_type="catalog.entry",
                     subject_id=entry.basic_code,
                     after={"name": entry.name, "item_type": entry.item_type,
                            "exercise_level": entry.exercise_level}, now=now)
        report.entries_created += 1
    return existing


# --- writing implementations -------------------------------------------------------------


@dataclass
class _Plan:
    record: Parsed
    implementation: Implementation | None  # existing one, or None for new
    previous: tuple[int, int] | None = None  # (version pk, number) being superseded
    number: int = 1

    def written(self) -> Implementation:
        """The implementation, once ``_write`` has created the new ones."""
        if self.implementation is None:
            raise ValueError(f"{self.record.code}: the implementation is not written yet")
        return self.implementation


def _plan_batch(records: list[Parsed], report: ImportReport) -> list[_Plan]:
    codes = [r.code for r in records]
    existing = {i.code: i for i in Implementation.objects.filter(code__in=codes)}
    versions: dict[int, dict[str, Any]] = defaultdict(lambda: {"max": 0, "draft": False})
    current_hash: dict[int, tuple[int, int, str]] = {}
    rows = ImplementationVersion.objects.filter(implementation__code__in=codes).values_list(
        "implementation_id", "pk", "number", "status", "content_hash")
    for impl_id, pk, number, status, hash_ in rows:
        entry = versions[impl_id]
        entry["max"] = max(entry["max"], number)
        if status == VersionStatus.DRAFT:
            entry["draft"] = True
        if status == VersionStatus.PUBLISHED:
            current_hash[impl_id] = (pk, number, hash_)
    plans = []
    for record in records:
        implementation = existing.get(record.code)
        if implementation is None:
            plans.append(_Plan(record=record, implementation=None))
            continue
        current = current_hash.get(implementation.pk)
        if current and current[2] == record.hash:
            report.unchanged += 1
            continue
        if implementation.status == ImplementationStatus.CANCELLED:
            report.skip(record.line, record.code, "事项已取消：不再导入变更")
            continue
        if versions[implementation.pk]["draft"]:
            report.skip(record.line, record.code, "存在未发布的草稿：请先发布或放弃草稿后再导入")
            continue
        plans.append(_Plan(record=record, implementation=implementation,
                           previous=(current[0], current[1]) if current else None,
                           number=versions[implementation.pk]["max"] + 1))
    return plans


def _write(plans: list[_Plan], *, organisations, entries, themes, service_objects, actor,
           now) -> tuple[int, int]:
    """Write planned creations and changes with bulk inserts (inside a transaction);
    return (created, updated)."""
    if not plans:
        return 0, 0
    new = [p for p in plans if p.implementation is None]
    created = Implementation.objects.bulk_create(
        Implementation(
            code=p.record.code, entry=entries[p.record.entry["basic_code"]],
            organisation=organisations[p.record.credit_code], level=p.record.level,
            status=ImplementationStatus.ACTIVE, in_hall=p.record.in_hall,
            not_in_hall_reason=p.record.not_in_hall_reason, created_at=now, updated_at=now,
        )
        for p in new
    )
    for plan, implementation in zip(new, created, strict=True):
        plan.implementation = implementation
    superseded = [p.previous[0] for p in plans if p.previous]
    if superseded:
        VERSION_LIFECYCLE.transition_all(
            ImplementationVersion.objects.filter(pk__in=superseded), SUPERSEDE,
            expected=len(superseded), fields={"valid_to": now})
    account = actor if getattr(actor, "pk", None) else None
    versions = ImplementationVersion.objects.bulk_create(
        _version(p, entries, now=now, account=account) for p in plans
    )
    materials, object_rows, theme_rows, actions = [], [], [], []
    through_objects = ImplementationVersion.service_objects.through
    through_themes = ImplementationVersion.themes.through
    for plan, version in zip(plans, versions, strict=True):
        elements = plan.record.elements
        materials.extend(
            Material(version=version, position=i + 1, **m)
            for i, m in enumerate(elements["materials"])
        )
        object_rows.extend(
            through_objects(implementationversion_id=version.pk,
                            serviceobject_id=service_objects[c])
            for c in elements["service_objects"]
        )
        theme_rows.extend(
            through_themes(implementationversion_id=version.pk, theme_id=themes[n].pk)
            for n in elements["themes"]
        )
        implementation = plan.written()
        implementation.current_version = version
        implementation.updated_at = now
        actions.append(ImplementationAction(
            implementation=implementation,
            operation=Operation.CHANGE if plan.previous else Operation.CREATE,
            from_status=implementation.status, to_status=implementation.status,
            version=version, reason=SOURCE_REASON, actor=account, occurred_at=now,
        ))
    Material.objects.bulk_create(materials)
    through_objects.objects.bulk_create(object_rows)
    through_themes.objects.bulk_create(theme_rows)
    Implementation.objects.bulk_update([p.written() for p in plans],
                                       ["current_version", "updated_at"])
    ImplementationAction.objects.bulk_create(actions)
    for plan, version in zip(plans, versions, strict=True):
        operation = Operation.CHANGE if plan.previous else Operation.CREATE
        code = plan.record.code
        audit_record(
            actor=actor, action=f"catalog.item.{operation.name.lower()}",
            subject_type=SUBJECT_TYPE, subject_id=code,
            before={"version": plan.previous[1]} if plan.previous else None,
            after={"version": version.number, "content_hash": version.content_hash,
                   "reason": SOURCE_REASON},
            now=now,
        )
        publish(
            name=events.ITEM_PUBLISHED,
            payload={"code": code, "organisation_id": plan.written().organisation_id,
                     "version": version.number, "operation": operation,
                     "previous_version": plan.previous[1] if plan.previous else None},
            aggregate_type=SUBJECT_TYPE, aggregate_id=code, now=now,
        )
    updated = sum(1 for p in plans if p.previous)
    return len(plans) - updated, updated


def _version(plan: _Plan, entries, *, now, account) -> ImplementationVersion:
    elements = plan.record.elements
    entry = entries[plan.record.entry["basic_code"]]
    version = ImplementationVersion(
        implementation=plan.implementation, number=plan.number,
        status=VersionStatus.PUBLISHED, valid_from=now, published_at=now, created_at=now,
        created_by=account, published_by=account, change_reason=SOURCE_REASON,
        content_hash=plan.record.hash,
        search_text=index_text(elements["name"], elements["short_name"],
                               elements["daily_name"], entry.name),
    )
    for key, value in elements.items():
        if key not in ("materials", "service_objects", "themes"):
            setattr(version, key, value)
    return version


def import_records(records: list[Parsed], *, actor, now: dt.datetime, report: ImportReport,
                   batch_size: int = BATCH_SIZE) -> None:
    if not records:
        return
    with transaction.atomic(durable=True):
        organisations = ensure_organisations(records, actor=actor, now=now, report=report)
        themes = ensure_themes(records, actor=actor, now=now, report=report)
        entries = ensure_entries(records, actor=actor, now=now, report=report)
    service_objects = dict(ServiceObject.objects.values_list("code", "pk"))
    context = {"organisations": organisations, "entries": entries, "themes": themes,
               "service_objects": service_objects, "actor": actor, "now": now}
    for start in range(0, len(records), batch_size):
        batch = records[start:start + batch_size]
        with transaction.atomic(durable=True):
            plans = _plan_batch(batch, report)
            try:
                with transaction.atomic():
                    created, updated = _write(plans, **context)
            except DatabaseError:
                # Find the record the database refused; write the others one by one.
                created = updated = 0
                for plan in plans:
                    try:
                        with transaction.atomic():
                            one = _plan_batch([plan.record], ImportReport())
                            c, u = _write(one, **context)
                    except DatabaseError as exc:
                        report.skip(plan.record.line, plan.record.code,
                                    f"数据库拒绝：{str(exc)[:200]}")
                        continue
                    created, updated = created + c, updated + u
            report.created += created
            report.updated += updated

def refresh_statistics() -> None:
    """Let the query planner see the new row counts at once (a fresh PostgreSQL table is
    planned as if empty until autovacuum gets to it; SQLite keeps no statistics until
    asked)."""
    tables = [CatalogEntry, Implementation, ImplementationVersion, Material,
              ImplementationVersion.service_objects.through,
              ImplementationVersion.themes.through]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def import_gdzwfw(path: str | Path | None = None, *, actor=None, now: dt.datetime,
                  lines: Iterable[str] | None = None,
                  batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import a Guangdong JSONL file (default: the copy bundled with the catalog app)."""
    started = time.perf_counter()
    report = ImportReport()
    if lines is None:
        with open(path or BUNDLED_FILE, encoding="utf-8") as handle:
            records = read_records(handle, report)
    else:
        records = read_records(lines, report)
    import_records(records, actor=actor, now=now, report=report, batch_size=batch_size)
    if report.created + report.updated >= ANALYZE_AFTER:
        refresh_statistics()
    report.skipped.sort()
    report.seconds = time.perf_counter() - started
    return report
