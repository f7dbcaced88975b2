"""Builders for cases tests: applications submitted online or registered at the window,
and the files people upload. The world they happen in (a centre, departments, staff,
applicants and catalog items) is ``onewindow.testing.build_world``."""

import datetime as dt
import io
import zipfile

from onewindow.testing.files import pdf_bytes
from onewindow.testing.world import World


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ofd_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


FORM = {"contact_name": "张三", "contact_phone": "13906310001",
        "application_content": "申请开办一家小餐馆。"}


def submit_online(world: World, now: dt.datetime, *, item=None, actor=None, key: str = "",
                  legal=None, form=None):
    """A citizen (or agent) applies online with every required material uploaded."""
    from onewindow.cases import services

    actor = actor or world.citizen
    item = item or world.item
    draft = services.case_draft_save(actor=actor, implementation_code=item.code,
                                     form_data=form or FORM, applicant_legal=legal, now=now)
    for material in draft.materials.filter(requirement="REQUIRED"):
        services.case_material_upload(actor=actor, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name), filename="scan.pdf",
                                      now=now)
    return services.case_submit(actor=actor, case=draft, idempotency_key=key or f"k{draft.pk}",
                                now=now)


def walk_in(world: World, now: dt.datetime, *, item=None, received: tuple[str, ...] | None = None,
            id_number: str | None = None, name: str = "王五"):
    """A clerk registers a walk-in applicant and submits with the paper ``received``
    (all required materials by default)."""
    from onewindow.cases import services
    from onewindow.identity.tests.factories import make_id_number

    item = item or world.item
    draft = services.case_register_walk_in(
        actor=world.clerk, implementation_code=item.code, id_number=id_number or make_id_number(),
        name=name, phone="13906319999", form_data=FORM, now=now,
    )
    materials = draft.materials.filter(requirement="REQUIRED")
    ids = [m.pk for m in materials if received is None or m.name in received]
    if ids:
        services.case_material_receive_paper(actor=world.clerk, case=draft, material_ids=ids,
                                             now=now)
    return services.case_submit_at_window(actor=world.clerk, case=draft,
                                          idempotency_key=f"w{draft.pk}", now=now)
