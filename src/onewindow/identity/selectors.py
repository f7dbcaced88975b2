"""Reads of the identity domain that carry rules (visibility, masking, lookup)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.common.ids import is_digits
from onewindow.common.redaction import mask_id_number, mask_phone

from .models import Account, LegalPerson, NaturalPerson, Organisation, RoleAssignment
from .permissions import can_view_personal_data
from .validators import is_valid_id_number, normalize_id_number


def account_for_login(*, identifier: str, portal: str) -> Account | None:
    """Find the account a login form's identifier names.

    The citizen portal takes a resident ID number, a mobile number or a username of a
    citizen or agent account; the staff login takes a staff username only; "any" (the
    token endpoint) tries a staff username first, then the citizen identifiers.
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    accounts = Account.objects.select_related("person")
    if portal in ("staff", "any"):
        staff = accounts.filter(kind=Account.Kind.STAFF, username=identifier).first()
        if staff is not None or portal == "staff":
            return staff
    accounts = accounts.exclude(kind=Account.Kind.STAFF)
    candidate = normalize_id_number(identifier)
    if len(candidate) == 18 and is_valid_id_number(candidate):
        return accounts.filter(person__id_number=candidate).first()
    if len(identifier) == 11 and is_digits(identifier):
        found = accounts.filter(person__phone=identifier).order_by("pk")[:2]
        # A phone number shared by two accounts cannot identify one of them.
        return found[0] if len(found) == 1 else None
    return accounts.filter(username=identifier).first()


def person_find_by_id_number(*, id_number: str) -> NaturalPerson | None:
    return NaturalPerson.objects.filter(id_number=normalize_id_number(id_number)).first()


@dataclass(frozen=True)
class PersonView:
    """A natural person as a given viewer may see them."""

    name: str
    id_number: str
    phone: str
    masked: bool


def person_view(*, viewer: Account, person: NaturalPerson, reveal: bool = True) -> PersonView:
    """``reveal=False`` masks even for viewers who may see the full numbers: pages where
    the numbers are not needed (a citizen's home page) show them masked by default."""
    if reveal and can_view_personal_data(viewer, person):
        return PersonView(person.name, person.id_number, person.phone, masked=False)
    return PersonView(
        person.name, mask_id_number(person.id_number), mask_phone(person.phone), masked=True
    )


def organisation_subtree(*, root: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(path__startswith=root.path)


def organisation_centres(*, root: Organisation | None = None) -> QuerySet[Organisation]:
    centres = Organisation.objects.filter(
        kind__in=[Organisation.Kind.SERVICE_CENTRE, Organisation.Kind.TOWN_CENTRE], is_active=True
    )
    if root is not None:
        centres = centres.filter(path__startswith=root.path)
    return centres


def role_assignments(*, account: Account) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(account=account).select_related("organisation")


def legal_persons_for_agent(*, account: Account, today) -> QuerySet[LegalPerson]:
    """Enterprises an agent account may act for on ``today``."""
    from .models import authorisation_in_force_q

    return LegalPerson.objects.filter(
        authorisation_in_force_q(today, prefix="agents__"), agents__account=account,
    ).distinct()
