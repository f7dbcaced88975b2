"""The organisation sheet (机构) of the catalog workbook: the implementing bodies and the
governments above them, so a region's first import can create its own tree.

Columns: 机构编码 (a key inside the workbook that 上级机构编码 refers to; the export writes
the credit code, or ``ORG<id>`` for a body without one), 机构名称, 统一社会信用代码,
上级机构编码, 层级 (1–6 or 国家级 … 村(社区)级), 行政区划代码 (6 digits) and 机构类型
(optional: 政府部门 when a credit code is given, else 人民政府).

A row names an existing organisation when its credit code (or ``ORG<id>``) is known, or
when an organisation of that name already sits under the same parent; existing
organisations are never changed by an import. Every other row is a new organisation,
created before the items in the same all-or-nothing transaction. Who may create one: the
system, or an actor whose catalog scope holds its nearest existing ancestor; a new root
(no parent at all) only the system or a superuser.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from onewindow.identity.models import Level, Organisation
from onewindow.identity.services import organisation_create_inner

from .. import permissions as perms

ORGS = "机构"
ORG_CODE = "机构编码"
ORG_NAME = "机构名称"
ORG_CREDIT = "统一社会信用代码"
ORG_PARENT = "上级机构编码"
ORG_LEVEL = "层级"
ORG_REGION = "行政区划代码"
ORG_KIND = "机构类型"
ORG_HEADERS = [ORG_CODE, ORG_NAME, ORG_CREDIT, ORG_PARENT, ORG_LEVEL, ORG_REGION, ORG_KIND]
_ID_PREFIX = "ORG"


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    credit_code: str
    parent_code: str
    level: int
    region_code: str
    kind: str
    existing: Organisation | None = None
    parent_existing: Organisation | None = None


@dataclass
class OrgPlan:
    """The rows to create, parents first, and what each credit code will mean."""

    new: list[OrgRow] = field(default_factory=list)
    # Credit code → the nearest existing organisation at or above it (for permissions).
    anchors: dict[str, Organisation] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)


def org_key(organisation: Organisation) -> str:
    return organisation.credit_code or f"{_ID_PREFIX}{organisation.pk}"


def export_rows(organisations: list[Organisation]) -> list[list[Any]]:
    """The sheet's rows for ``organisations`` and every ancestor of them, parents first."""
    ids: set[int] = set()
    for organisation in organisations:
        ids.update(int(part) for part in organisation.path.strip("/").split("/") if part)
    tree = Organisation.objects.filter(pk__in=ids).select_related("parent").order_by("path")
    return [
        [org_key(o), o.name, o.credit_code or None,
         org_key(o.parent) if o.parent_id else None, o.level, o.region_code, o.get_kind_display()]
        for o in tree
    ]


def _level(value: Any) -> int | None:
    text = str(value or "").strip()
    if text.isdigit() and 1 <= int(text) <= 6:
        return int(text)
    return next((code for code, lbl in Level.choices if text == lbl), None)


def _kind(value: Any, credit_code: str) -> str | None:
    text = str(value or "").strip()
    if not text:
        return Organisation.Kind.DEPARTMENT if credit_code else Organisation.Kind.GOVERNMENT
    return next((code for code, lbl in Organisation.Kind.choices if text in (code, lbl)), None)


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def read_rows(rows, add_error) -> list[OrgRow]:
    """Parse the sheet's (row number, values) pairs; ``add_error(row, column, message)``."""
    result: list[OrgRow] = []
    seen: dict[str, int] = {}
    seen_credit: dict[str, int] = {}
    for number, values in rows:
        code = _text(values.get(ORG_CODE)).upper()
        name = _text(values.get(ORG_NAME))
        credit_code = _text(values.get(ORG_CREDIT)).upper()
        problems = []
        if not code:
            problems.append((ORG_CODE, "请填写机构编码（本表内唯一，上级机构编码引用它）。"))
        elif code in seen:
            problems.append((ORG_CODE, f"与第 {seen[code]} 行的机构编码重复。"))
        if not name:
            problems.append((ORG_NAME, "请填写机构名称。"))
        if credit_code and credit_code in seen_credit:
            problems.append((ORG_CREDIT,
                             f"与第 {seen_credit[credit_code]} 行的统一社会信用代码重复。"))
        level = _level(values.get(ORG_LEVEL))
        if level is None:
            problems.append((ORG_LEVEL, "层级应为 1–6：1 国家级、2 省级、3 市级、4 县级、"
                                        "5 镇(乡、街道)级、6 村(社区)级。"))
        kind = _kind(values.get(ORG_KIND), credit_code)
        if kind is None:
            problems.append((ORG_KIND, "机构类型无效，可选：" + "、".join(
                str(lbl) for _, lbl in Organisation.Kind.choices) + "。"))
        for column, message in problems:
            add_error(number, column, message)
        if problems or level is None or kind is None:
            continue
        seen[code] = number
        if credit_code:
            seen_credit[credit_code] = number
        result.append(OrgRow(row=number, code=code, name=name, credit_code=credit_code,
                             parent_code=_text(values.get(ORG_PARENT)).upper(), level=level,
                             region_code=_text(values.get(ORG_REGION)), kind=kind))
    return result


def _match_existing(rows: list[OrgRow]) -> dict[str, Organisation]:
    by_credit = {o.credit_code: o for o in Organisation.objects.filter(
        credit_code__in=[r.credit_code for r in rows if r.credit_code])}
    ids = [int(r.code[len(_ID_PREFIX):]) for r in rows
           if r.code.startswith(_ID_PREFIX) and r.code[len(_ID_PREFIX):].isdigit()]
    by_id = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    found = {}
    for row in rows:
        if row.credit_code and row.credit_code in by_credit:
            found[row.code] = by_credit[row.credit_code]
        elif row.code.startswith(_ID_PREFIX) and row.code[len(_ID_PREFIX):].isdigit() and (
                int(row.code[len(_ID_PREFIX):]) in by_id):
            found[row.code] = by_id[int(row.code[len(_ID_PREFIX):])]
    return found


def _by_parent_and_name(names: list[str]) -> dict[tuple[int, str], Organisation]:
    """The registered organisations bearing one of ``names``, by (parent id, name), in one
    query; of two with the same name under one parent, the older."""
    found: dict[tuple[int, str], Organisation] = {}
    if not names:
        return found
    for organisation in Organisation.objects.filter(name__in=set(names),
                                                    parent__isnull=False).order_by("-pk"):
        if organisation.parent_id is not None:  # as filtered
            found[(organisation.parent_id, organisation.name)] = organisation
    return found


def plan(rows: list[OrgRow], *, actor, add_error) -> OrgPlan:
    """Decide which rows exist and which are created, parents first; every problem (an
    unknown parent, a cycle, a bad credit code, no permission) goes to ``add_error``."""
    result = OrgPlan()
    by_code = {r.code: r for r in rows}
    existing = _match_existing(rows)
    for row in rows:
        row.existing = existing.get(row.code)
    same_name = _by_parent_and_name([r.name for r in rows if r.existing is None])
    # Resolve parents: breadth-first from the rows whose parent is known (or none).
    resolved: dict[str, Organisation | None] = {}
    failed: set[str] = set()
    pending = list(rows)
    while pending:
        progress = False
        for row in list(pending):
            parent_row = by_code.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent_row is None:
                add_error(row.row, ORG_PARENT,
                          f"上级机构编码“{row.parent_code}”不在“{ORGS}”表中。")
            elif parent_row is not None and parent_row.code in failed:
                add_error(row.row, ORG_PARENT, f"上级机构（第 {parent_row.row} 行）有误。")
            elif parent_row is not None and parent_row.code not in resolved:
                continue  # its parent first
            else:
                parent = resolved.get(parent_row.code) if parent_row else None
                pending.remove(row)
                progress = True
                row.parent_existing = parent
                if row.existing is None and parent is not None:
                    # The same name under the same parent is the same organisation.
                    row.existing = same_name.get((parent.pk, row.name))
                if row.existing is None and not _check_new(
                        row, parent, parent_row, by_code, resolved, actor, add_error):
                    failed.add(row.code)
                    continue
                resolved[row.code] = row.existing
                if row.existing is None:
                    result.new.append(row)
                continue
            pending.remove(row)
            progress = True
            failed.add(row.code)
        if not progress:
            for row in pending:
                add_error(row.row, ORG_PARENT, "上级机构的引用形成了循环。")
            break
    for row in result.new:
        anchor = _anchor(row, by_code, resolved)
        if row.credit_code and anchor is not None:
            result.anchors[row.credit_code] = anchor
    return result


def _anchor(row: OrgRow, by_code: dict[str, OrgRow], resolved) -> Organisation | None:
    """The nearest existing organisation at or above ``row``."""
    node = row
    while node is not None:
        if resolved.get(node.code) is not None:
            return resolved[node.code]
        node = by_code.get(node.parent_code) if node.parent_code else None
    return None


def _check_new(row: OrgRow, parent: Organisation | None, parent_row: OrgRow | None,
               by_code, resolved, actor, add_error) -> bool:
    candidate = Organisation(name=row.name, kind=row.kind, region_code=row.region_code,
                             level=row.level, credit_code=row.credit_code or None,
                             parent=parent)
    # The fields' own checks, in Python: the database's constraints are checked once each
    # by a query, so a sheet of many rows would cost a query per row and constraint. The
    # one constraint the fields do not cover is written out here.
    try:
        candidate.full_clean(exclude=["path", "parent"], validate_unique=False,
                             validate_constraints=False)
    except ValidationError as exc:
        columns = {"name": ORG_NAME, "kind": ORG_KIND, "region_code": ORG_REGION,
                   "level": ORG_LEVEL, "credit_code": ORG_CREDIT}
        for name, messages in exc.message_dict.items():
            add_error(row.row, columns.get(name, ""), "；".join(messages))
        return False
    if row.kind == Organisation.Kind.DEPARTMENT and not row.credit_code:
        add_error(row.row, ORG_CREDIT, "政府部门须填写统一社会信用代码。")
        return False
    if parent_row is None:
        if not (actor is None or getattr(actor, "is_superuser", False)):
            add_error(row.row, ORG_PARENT, "新增机构须填写上级机构编码（已登记或本表中的机构）；"
                                           "新增顶级机构请联系系统管理员。")
            return False
        return True
    anchor = _anchor(parent_row, by_code, resolved)
    if anchor is None:
        return True  # under a new root, which itself was allowed
    if not perms.can_on_organisation(actor=actor, action=perms.EDIT_ITEM,
                                     organisation=anchor):
        add_error(row.row, ORG_PARENT, f"无权在“{anchor.name}”下新增机构。")
        return False
    return True


def create(plan_: OrgPlan, *, actor, now) -> None:
    """Create the planned organisations, parents first (inside the import's transaction)."""
    made: dict[str, Organisation] = {}
    for row in plan_.new:
        parent = made.get(row.parent_code) or row.parent_existing
        organisation = organisation_create_inner(
            actor=actor, name=row.name, kind=row.kind, region_code=row.region_code,
            level=row.level, parent=parent, credit_code=row.credit_code or None, now=now)
        made[row.code] = organisation
        plan_.created.append(row.name)
