"""Demo data for ``onewindow demo``: a city (威海市-like, region 371000), its government
service centre with windows, departments, a town centre, and one account per role.

Only the demo command calls this, never a migration. Re-running it changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from onewindow.identity import services as identity
from onewindow.identity.models import Account, LegalPerson, NaturalPerson, Organisation, Role

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo password, demo data only

Kind = Organisation.Kind

# (key, name, kind, region, level, credit code, parent key)
ORGANISATIONS = [
    ("city", "威海市人民政府", Kind.GOVERNMENT, "371000", 3, "11371000004359010J", None),
    ("centre", "威海市政务服务中心", Kind.SERVICE_CENTRE, "371000", 3, "11371000MB1000001P",
     "city"),
    ("amr", "威海市市场监督管理局", Kind.DEPARTMENT, "371000", 3, "11371000MB1000002T", "city"),
    ("hrss", "威海市人力资源和社会保障局", Kind.DEPARTMENT, "371000", 3, "11371000MB1000003X",
     "city"),
    ("housing", "威海市住房和城乡建设局", Kind.DEPARTMENT, "371000", 3, "11371000MB10000041",
     "city"),
    ("nrp", "威海市自然资源和规划局", Kind.DEPARTMENT, "371000", 3, "11371000MB10000054", "city"),
    ("health", "威海市卫生健康委员会", Kind.DEPARTMENT, "371000", 3, "11371000MB10000067",
     "city"),
    ("psb", "威海市公安局", Kind.DEPARTMENT, "371000", 3, "11371000MB1000007A", "city"),
    ("district", "威海市环翠区人民政府", Kind.GOVERNMENT, "371002", 4, "11371000MB1000008D",
     "city"),
    ("town", "环翠区鲸园街道便民服务中心", Kind.TOWN_CENTRE, "371002", 5, "11371002MB1000009D",
     "district"),
]

WINDOWS = [
    ("centre", "A01", "综合受理窗口一", "无差别综合受理"),
    ("centre", "A02", "综合受理窗口二", "无差别综合受理"),
    ("centre", "A03", "企业开办专区", "市场主体登记"),
    ("centre", "B01", "投资项目审批窗口", "工程建设项目"),
    ("centre", "C01", "统一出件窗口", "出件"),
    ("town", "01", "便民服务窗口", "综合受理"),
]

PEOPLE = {
    "citizen1": ("张晓明", "37100219900307002X", "13806310001", "山东省威海市环翠区新威路 18 号"),
    "agent1": ("李海燕", "371002198808080052", "13806310002", "山东省威海市环翠区统一路 66 号"),
}

ENTERPRISE = ("威海海纳科技有限公司", "91371002MA3C8K6T2W", "王建国")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str


STAFF = [
    # username, display name, role, scope key, home organisation key
    ("clerk1", "赵窗口", Role.WINDOW_CLERK, "centre", "centre"),
    ("handler1", "钱承办", Role.HANDLER, "amr", "amr"),
    ("chief1", "孙首席", Role.CHIEF_REPRESENTATIVE, "amr", "amr"),
    ("supervisor1", "周监察", Role.SUPERVISOR, "city", "centre"),
    ("catalogadmin1", "吴事项", Role.CATALOG_ADMIN, "city", "centre"),
    ("admin", "郑管理", Role.SYSTEM_ADMIN, "city", "centre"),
]


def demo_accounts() -> list[DemoAccount]:
    names = {key: name for key, name, *_ in ORGANISATIONS}
    accounts = [
        DemoAccount("citizen1", "个人用户（自然人）", "—"),
        DemoAccount("agent1", f"企业经办人（{ENTERPRISE[0]}）", "—"),
    ]
    accounts += [
        DemoAccount(username, str(Role(role).label), names[scope])
        for username, _, role, scope, _ in STAFF
    ]
    return accounts


@transaction.atomic
def load_identity(*, now: dt.datetime) -> None:
    orgs: dict[str, Organisation] = {}
    for key, name, kind, region, level, credit, parent in ORGANISATIONS:
        existing = Organisation.objects.filter(name=name).first()
        orgs[key] = existing or identity.organisation_create_inner(
            actor=None, name=name, kind=kind, region_code=region, level=level,
            parent=orgs.get(parent), credit_code=credit, now=now,
        )
    for key, number, name, domain in WINDOWS:
        if not orgs[key].windows.filter(number=number).exists():
            identity.window_create_inner(actor=None, centre=orgs[key], number=number, name=name,
                                         domain=domain, now=now)

    for username, (name, id_number, phone, address) in PEOPLE.items():
        if Account.objects.filter(username=username).exists():
            continue
        person = NaturalPerson.objects.filter(id_number=id_number).first() or (
            identity.person_register_inner(actor=None, name=name, id_number=id_number, phone=phone,
                                           address=address, now=now)
        )
        kind = Account.Kind.AGENT if username == "agent1" else Account.Kind.CITIZEN
        identity.account_create_inner(actor=None, username=username, password=DEMO_PASSWORD,
                                      kind=kind, person=person, now=now)

    agent = Account.objects.get(username="agent1")
    name, credit, representative = ENTERPRISE
    enterprise = LegalPerson.objects.filter(credit_code=credit).first() or (
        identity.legal_person_register_inner(actor=None, name=name, credit_code=credit,
                                             legal_representative=representative, now=now)
    )
    identity.authorization_grant_inner(actor=None, account=agent, legal_person=enterprise, now=now)

    for username, display, role, scope, home in STAFF:
        account = Account.objects.filter(username=username).first()
        if account is None:
            account = identity.account_create_inner(
                actor=None, username=username, password=DEMO_PASSWORD, kind=Account.Kind.STAFF,
                organisation=orgs[home], display_name=display, now=now,
                is_staff=(role == Role.SYSTEM_ADMIN),
            )
            if role == Role.SYSTEM_ADMIN:
                account.is_superuser = True
                account.save(update_fields=["is_superuser"])
        identity.role_grant_inner(actor=None, account=account, role=role, organisation=orgs[scope],
                                  now=now)
