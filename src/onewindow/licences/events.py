"""Events the licence library publishes (payloads carry no personal data; the aggregate
is ``licences.licence`` with the licence's primary key, the identifier is in the payload).

- ``licences.licence.issued``      {identifier, type_code, issuer_code, case_number, origin}
- ``licences.licence.revoked``     {identifier, type_code, issuer_code, reason}
- ``licences.licence.superseded``  {identifier, type_code, issuer_code, new_identifier}
- ``licences.licence.annotated``   {identifier, seq}
- ``licences.key.rotated``         {organisation_code, kid, retired_kid}
"""

LICENCE_ISSUED = "licences.licence.issued"
LICENCE_REVOKED = "licences.licence.revoked"
LICENCE_SUPERSEDED = "licences.licence.superseded"
LICENCE_ANNOTATED = "licences.licence.annotated"
KEY_ROTATED = "licences.key.rotated"
