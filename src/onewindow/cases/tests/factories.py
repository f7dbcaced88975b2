"""Builders for cases tests: an organisation tree with a centre, staff, applicants and
catalog items made through the catalog's own services."""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import Account, LegalPerson, Organisation, Role
from onewindow.identity.tests.factories import (
    CentreFactory,
    CitizenFactory,
    LegalPersonFactory,
    NaturalPersonFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)

FOOD_MATERIALS = [
    {"name": "食品经营许可申请书", "original_count": 1},
    {"name": "营业执照", "original_count": 0, "copy_count": 1, "source": "AGENCY",
     "issuing_agency": "市场监督管理局", "licence_type_code": "LIC-BL"},
    {"name": "经营场所使用证明", "original_count": 0, "copy_count": 1,
     "tolerance_allowed": True, "tolerance_supply_days": 10},
    {"name": "食品安全管理制度", "original_count": 1},
    {"name": "委托书", "requirement": "OPTIONAL", "original_count": 1},
]


def pdf_bytes(text: str = "hello", *, catalog_extra: bytes = b"") -> bytes:
    """A small valid PDF (cross-reference table, trailer, startxref) that pypdf opens;
    ``text`` goes into a comment so files differ, ``catalog_extra`` into the catalog."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n% " + text.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ofd_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


@dataclass
class World:
    city: Organisation
    centre: Organisation
    dept: Organisation
    other_city: Organisation
    other_centre: Organisation
    other_dept: Organisation
    clerk: Account
    other_clerk: Account
    handler: Account
    chief: Account
    supervisor: Account
    citizen: Account
    agent: Account
    enterprise: LegalPerson
    item: object
    instant_item: object


def build_world(*, now: dt.datetime) -> World:
    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    centre = CentreFactory(parent=city, name="测试市政务服务中心")
    dept = OrganisationFactory(parent=city, name="测试市市场监督管理局")
    other_city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="外市人民政府",
                                     region_code="371100")
    other_centre = CentreFactory(parent=other_city, name="外市政务服务中心",
                                 region_code="371100")
    other_dept = OrganisationFactory(parent=other_city, name="外市市场监督管理局",
                                     region_code="371100")
    clerk = StaffFactory(organisation=centre, display_name="窗口甲")
    grant(clerk, Role.WINDOW_CLERK, centre)
    other_clerk = StaffFactory(organisation=other_centre, display_name="外市窗口")
    grant(other_clerk, Role.WINDOW_CLERK, other_centre)
    handler = StaffFactory(organisation=dept, display_name="承办人")
    grant(handler, Role.HANDLER, dept)
    chief = StaffFactory(organisation=dept, display_name="首席代表")
    grant(chief, Role.CHIEF_REPRESENTATIVE, dept)
    supervisor = StaffFactory(organisation=city, display_name="监察员")
    grant(supervisor, Role.SUPERVISOR, city)
    citizen = CitizenFactory()
    agent = CitizenFactory(kind=Account.Kind.AGENT, person=NaturalPersonFactory())
    enterprise = LegalPersonFactory()
    from onewindow.identity.models import AgentAuthorization

    AgentAuthorization.objects.create(account=agent, legal_person=enterprise, granted_at=now)
    item = make_item(organisation=dept, now=now, name="食品经营许可（新办）",
                     materials=FOOD_MATERIALS)
    instant_item = make_item(
        organisation=dept, now=now, name="个体工商户设立登记", handling_type="1",
        legal_limit_amount=0, promised_limit_amount=0,
        materials=[{"name": "个体工商户登记申请书", "original_count": 1}],
    )
    return World(city, centre, dept, other_city, other_centre, other_dept, clerk, other_clerk,
                 handler, chief, supervisor, citizen, agent, enterprise, item, instant_item)


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
