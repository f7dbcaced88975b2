"""现场核查 (on-site inspection): the record an inspection step of the route makes of the
item version's checklist (ADR 0031), its photos, and the rule that the step cannot be
completed without it.

An inspection step is a route task declared ``ow:kind="inspection"`` (workflow.bpmn); its
work item carries ``kind == "inspection"``. The handler who may work on that item saves
the record: every point of ``ImplementationVersion.inspection_checklist`` answered
``pass`` / ``fail`` / ``na`` with a note (required for ``fail``) and photos (JPEG / PNG,
through the same upload checks as materials). Each save locks the work items and the
case (the engine's order), checks the case version the page showed, writes the record
and appends an INSPECTION_RECORD action (with its audit row and outbox event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.workflow import permissions as workflow_permissions
from onewindow.workflow import services as workflow_services
from onewindow.workflow.bpmn import INSPECTION
from onewindow.workflow.errors import TaskNotReady, WorkItemNotFound
from onewindow.workflow.models import WorkItem

from .. import deadlines, lifecycle, uploads
from ..codes import SUBJECT_TYPE, ActionKind
from ..errors import InspectionInvalid, InspectionMissing, UploadRejected
from ..models import Case, InspectionPhoto, InspectionRecord, InspectionResult
from ._common import lock_case_id

K = ActionKind
RESULTS = tuple(InspectionResult.values)
MAX_NOTE = 500
MAX_CONCLUSION = 2000
MAX_PHOTOS_PER_POINT = 10
PHOTO_TYPES = {uploads.JPEG.content_type, uploads.PNG.content_type}

Upload = tuple[IO[bytes] | bytes, str]  # (stream or bytes, the file name as sent)


def checklist_of(case: Case) -> list[dict[str, str]]:
    """The version's checklist as ``[{"key", "text"}]`` (rows without a key are skipped)."""
    points = []
    for row in case.version.inspection_checklist or []:
        if isinstance(row, dict) and row.get("key"):
            points.append({"key": str(row["key"]), "text": str(row.get("text") or row["key"])})
    return points


def is_inspection_step(work_item: WorkItem) -> bool:
    return work_item.kind == INSPECTION


def _invalid(problems: dict[str, str], codes: dict[str, str]) -> InspectionInvalid:
    first = next(iter(problems.values()))
    return InspectionInvalid(
        _("现场核查记录有 %(count)s 处需要修改：%(first)s") % {"count": len(problems),
                                                             "first": first},
        details={**problems, "codes": codes},
    )


def _lock_step(actor: Actor, work_item: WorkItem) -> tuple[WorkItem, Case]:
    """The work item (locked with its siblings, then the case: the engine's order), which
    the actor may work on, still READY and an inspection step."""
    rows = workflow_services.work_items_lock(subject_type=work_item.subject_type,
                                             subject_id=work_item.subject_id)
    item = next((row for row in rows if row.pk == work_item.pk), None)
    if (item is None or item.subject_type != SUBJECT_TYPE
            or not workflow_permissions.can_work_on(actor=actor, work_item=item)):
        raise WorkItemNotFound(_("未找到该待办任务。"))
    if item.status != WorkItem.Status.READY:
        raise TaskNotReady(_("该任务已不在待办中（已办结、退回或撤销），请刷新待办列表。"))
    if not is_inspection_step(item):
        message = _("“%(task)s”不是现场核查环节。") % {"task": item.task_label}
        raise InspectionInvalid(message, details={"work_item": message})
    return item, lock_case_id(int(item.subject_id))


def _check_photos(uploads_by_point: Mapping[str, Sequence[Upload]] | None
                  ) -> dict[str, list[uploads.CheckedUpload]]:
    """Every new photo sniffed before the transaction (no lock held while reading)."""
    checked: dict[str, list[uploads.CheckedUpload]] = {}
    for key, files in (uploads_by_point or {}).items():
        for stream, filename in files:
            upload = uploads.check_upload(stream=stream, filename=filename)
            if upload.content_type not in PHOTO_TYPES:
                message = _("现场照片只能是 JPEG 或 PNG 图片。")
                raise UploadRejected(message, details={key: message})
            checked.setdefault(str(key), []).append(upload)
    return checked


def _clean_results(results: Any, points: list[dict[str, str]], *, case: Case,
                   item: WorkItem, new_photos: Mapping[str, int]) -> dict[str, dict]:
    """The record's results as stored, or ``InspectionInvalid`` naming every point."""
    problems: dict[str, str] = {}
    codes: dict[str, str] = {}

    def problem(key: str, code: str, message) -> None:
        problems.setdefault(key, str(message))
        codes.setdefault(key, code)

    if not isinstance(results, dict):
        problem("results", "type", _("核查结果须为对象，按核查要点的 key 填写。"))
        raise _invalid(problems, codes)
    known = {point["key"] for point in points}
    for key in results:
        if key not in known:
            problem(str(key), "unknown", _("核查要点中没有 %(key)s。") % {"key": key})
    wanted_ids: set[int] = set()
    for point in points:
        value = results.get(point["key"])
        if isinstance(value, dict):
            photos = value.get("photos") or []
            if isinstance(photos, list):
                wanted_ids |= {p for p in photos if isinstance(p, int) and not isinstance(p, bool)}
    own = set(InspectionPhoto.objects.filter(
        pk__in=wanted_ids, case=case, work_item=item).values_list("pk", "point"))
    cleaned: dict[str, dict] = {}
    for point in points:
        key, value = point["key"], results.get(point["key"])
        if value is None:
            problem(key, "required", _("请填写“%(text)s”的核查结果。") % {"text": point["text"]})
            continue
        if not isinstance(value, dict):
            problem(key, "type", _("“%(text)s”的核查结果须为对象。") % {"text": point["text"]})
            continue
        result = value.get("result")
        note = value.get("note") or ""
        photos = value.get("photos") or []
        if result not in RESULTS:
            problem(key, "option", _("“%(text)s”的结果应为符合、不符合或不适用。")
                    % {"text": point["text"]})
            continue
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            problem(key, "length", _("“%(text)s”的说明不能超过 %(max)s 个字。")
                    % {"text": point["text"], "max": MAX_NOTE})
            continue
        if result == InspectionResult.FAIL and not note.strip():
            problem(key, "required", _("“%(text)s”不符合，请写明情况。") % {"text": point["text"]})
            continue
        if not isinstance(photos, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) for p in photos):
            problem(key, "type", _("照片须为照片编号的列表。"))
            continue
        if any((p, key) not in own for p in photos):
            problem(key, "not-own-photo",
                    _("“%(text)s”引用的照片不是本环节为该要点上传的。") % {"text": point["text"]})
            continue
        photos = list(dict.fromkeys(photos))
        if key in new_photos:
            photos.append(new_photos[key])
        if len(photos) > MAX_PHOTOS_PER_POINT:
            problem(key, "range", _("每个核查要点最多 %(max)s 张照片。")
                    % {"max": MAX_PHOTOS_PER_POINT})
            continue
        cleaned[key] = {"result": result, "note": note.strip(), "photos": photos}
    if problems:
        raise _invalid(problems, codes)
    return cleaned


def _store_photo(*, case: Case, item: WorkItem, key: str, checked: uploads.CheckedUpload,
                 actor: Actor, now: dt.datetime, stored: list[str]) -> InspectionPhoto:
    photo = InspectionPhoto(
        case=case, region_code=case.region_code, work_item=item, point=key,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
        uploaded_by=actor, uploaded_at=now,
    )
    photo.file.save(f"photo.{checked.kind.extension}", ContentFile(checked.content), save=False)
    if photo.file.name:
        stored.append(photo.file.name)
    photo.save()
    return photo


def _remove(stored: list[str]) -> None:
    for name in stored:
        InspectionPhoto.file.field.storage.delete(name)


def inspection_photo_upload(*, actor: Actor, work_item: WorkItem, point: str,
                            stream: IO[bytes] | bytes, filename: str,
                            now: dt.datetime) -> InspectionPhoto:
    """Add one photo to a point of an open inspection step (JPEG / PNG, checked like every
    upload); a record names it by id in the point's ``photos``. Audited."""
    [checked] = _check_photos({point: [(stream, filename)]})[point]
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            item, case = _lock_step(actor, work_item)
            if point not in {p["key"] for p in checklist_of(case)}:
                message = _("核查要点中没有 %(key)s。") % {"key": point}
                raise InspectionInvalid(message, details={"point": message,
                                                          "codes": {"point": "unknown"}})
            photo = _store_photo(case=case, item=item, key=point, checked=checked,
                                 actor=actor, now=now, stored=stored)
            audit_record(actor=actor, action="cases.inspection_photo_added",
                         subject_type=SUBJECT_TYPE, subject_id=str(case.pk),
                         after={"photo_id": photo.pk, "point": point,
                                "work_item_id": item.pk, "sha256": checked.sha256,
                                "size": checked.size}, now=now)
            return photo
    except BaseException:
        _remove(stored)
        raise


def inspection_record_save(
    *, actor: Actor, work_item: WorkItem, results: Any, conclusion: str = "",
    inspectors: str = "", inspected_on: dt.date | None = None,
    photos: Mapping[str, Sequence[Upload]] | None = None,
    expected_version: int | None = None, now: dt.datetime,
) -> InspectionRecord:
    """Save the 现场核查记录 of an open inspection step (see the module doc). ``results``:
    ``{point key: {"result": "pass" | "fail" | "na", "note": str, "photos": [photo ids]}}``
    for every point of the checklist; ``photos``: new photos by point key (the page's
    upload), stored with the record. ``inspected_on`` defaults to the day already recorded,
else today; never later than today.
    Bad input: ``cases.inspection-invalid`` (422) with every point's problem, nothing
    written; a stale page: ``cases.conflict`` (409)."""
    checked = _check_photos(photos)
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return _save(actor=actor, work_item=work_item, results=results,
                         conclusion=conclusion, inspectors=inspectors,
                         inspected_on=inspected_on, checked=checked,
                         expected_version=expected_version, now=now, stored=stored)
    except BaseException:
        _remove(stored)
        raise


def _save(*, actor, work_item, results, conclusion, inspectors, inspected_on, checked,
          expected_version, now, stored) -> InspectionRecord:
    item, case = _lock_step(actor, work_item)
    lifecycle.check(case, K.INSPECTION_RECORD, expected_version=expected_version)
    points = checklist_of(case)
    if not points:
        message = _("该事项没有现场核查要点，请先由事项管理员在实施清单中维护。")
        raise InspectionInvalid(message, details={"results": message})
    problems: dict[str, str] = {}
    codes: dict[str, str] = {}
    conclusion = (conclusion or "").strip()
    if len(conclusion) > MAX_CONCLUSION:
        problems["conclusion"] = str(_("核查结论不能超过 %(max)s 个字。") % {"max": MAX_CONCLUSION})
        codes["conclusion"] = "length"
    inspectors = (inspectors or "").strip()
    if len(inspectors) > 200:
        problems["inspectors"] = str(_("核查人员不能超过 200 个字。"))
        codes["inspectors"] = "length"
    today = deadlines.local_date(now)
    if inspected_on is None:
        # A record saved again keeps the day it was inspected (the task page sends none).
        inspected_on = InspectionRecord.objects.filter(case=case, work_item=item).values_list(
            "inspected_on", flat=True).first() or today
    if inspected_on > today:
        problems["inspected_on"] = str(_("核查日期不能晚于今天。"))
        codes["inspected_on"] = "range"
    unknown = [key for key in checked if key not in {p["key"] for p in points}]
    for key in unknown:
        problems[key] = str(_("核查要点中没有 %(key)s。") % {"key": key})
        codes[key] = "unknown"
    if problems:
        raise _invalid(problems, codes)
    # The results are checked before any photo is stored, so a refused record stores none;
    # a new photo is checked against the limit as a placeholder id (0), then replaced.
    placeholder = {key: 0 for key in checked}
    cleaned = _clean_results(results, points, case=case, item=item, new_photos=placeholder)
    for key, files in checked.items():
        cleaned[key]["photos"] = [p for p in cleaned[key]["photos"] if p != 0]
        for upload in files:
            photo = _store_photo(case=case, item=item, key=key, checked=upload, actor=actor,
                                 now=now, stored=stored)
            cleaned[key]["photos"].append(photo.pk)
        if len(cleaned[key]["photos"]) > MAX_PHOTOS_PER_POINT:
            message = _("每个核查要点最多 %(max)s 张照片。") % {"max": MAX_PHOTOS_PER_POINT}
            raise InspectionInvalid(message, details={key: message, "codes": {key: "range"}})
    record, _created = InspectionRecord.objects.update_or_create(
        case=case, work_item=item,
        defaults={"region_code": case.region_code, "task_label": item.task_label,
                  "checklist": points, "results": cleaned, "conclusion": conclusion,
                  "inspectors": inspectors, "inspected_on": inspected_on,
                  "recorded_by": actor, "recorded_at": now},
    )
    tally = {value: 0 for value in RESULTS}
    for value in cleaned.values():
        tally[value["result"]] += 1
    lifecycle.transition(
        case, K.INSPECTION_RECORD, actor=actor, now=now, expected_version=expected_version,
        data={"work_item_id": item.pk, "task_label": item.task_label,
              "organisation": item.organisation.name, "record_id": record.pk,
              "inspected_on": inspected_on.isoformat(), "results": tally},
    )
    return record


def require_record(case: Case, work_item) -> None:
    """The completion rule: an inspection step leaves only with its record (called by the
    one code path of a step, review.on_workflow_step)."""
    if not is_inspection_step(work_item):
        return
    if not InspectionRecord.objects.filter(case=case, work_item_id=work_item.pk).exists():
        message = _("请先保存现场核查记录，再提交本环节。")
        raise InspectionMissing(message, details={"inspection": message})
