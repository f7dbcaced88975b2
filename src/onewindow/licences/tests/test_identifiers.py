import random

import pytest
from stdnum.iso7064 import mod_37_36

from onewindow.licences.identifiers import (
    ALPHABET,
    InvalidIdentifier,
    build_identifier,
    is_valid_identifier,
    mod37_36_check_char,
    mod37_36_is_valid,
    parse_identifier,
)

TYPE_CODE = "11100000000013127D001"  # defining body's credit code + 001
ISSUER = "11371000MB1000002T"


def test_check_character_matches_the_iso_7064_example():
    # The example of ISO 7064 (as used by python-stdnum's documentation).
    assert mod37_36_check_char("A12425GABC1234002") == "M"
    assert mod37_36_is_valid("A12425GABC1234002M")
    assert not mod37_36_is_valid("A12425GABC1234002N")


def test_check_character_agrees_with_stdnum_on_random_inputs():
    rng = random.Random(36)
    for _ in range(2000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60)))
        assert mod37_36_check_char(text) == mod_37_36.calc_check_digit(text)


def test_build_and_parse_round_trip():
    identifier = build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="00000042",
                                  version=1)
    assert identifier.startswith(f"1.2.156.3005.2.{TYPE_CODE}.{ISSUER}.00000042.001.")
    body = identifier[:-2].replace(".", "")
    assert identifier[-1] == mod_37_36.calc_check_digit(body)
    parsed = parse_identifier(identifier)
    assert (parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version) == (
        TYPE_CODE, ISSUER, "00000042", 1)
    assert str(parsed) == identifier
    assert parse_identifier(identifier.lower()) == parsed  # typed in lower case


def test_every_single_character_change_is_caught():
    identifier = build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="123456",
                                  version=2)
    for position, ch in enumerate(identifier):
        if ch == "." or position < len("1.2.156.3005.2."):
            continue
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if replacement == ch:
                continue
            changed = identifier[:position] + replacement + identifier[position + 1:]
            assert not is_valid_identifier(changed), changed


def test_swapping_two_neighbours_is_caught():
    identifier = build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="314159",
                                  version=1)
    body = identifier[:-2]
    for i in range(len("1.2.156.3005.2."), len(body) - 1):
        a, b = body[i], body[i + 1]
        if a == b or "." in (a, b):
            continue
        swapped = body[:i] + b + a + body[i + 2:] + identifier[-2:]
        assert not is_valid_identifier(swapped)


@pytest.mark.parametrize("bad", [
    "",
    "1.2.156.3005.1.11100000000013127D001.11371000MB1000002T.1.001.X",  # wrong arc
    "1.2.156.3005.2.11100000000013127D001.11371000MB1000002T.1.1.X",  # version not 3 digits
    "1.2.156.3005.2.111000000000131.11371000MB1000002T.1.001.X",  # short type code
    "1.2.156.3005.2.11100000000013127D001.11371000MB1000002T.1.000.X",  # version 000
])
def test_malformed_identifiers_are_rejected(bad):
    with pytest.raises(InvalidIdentifier):
        parse_identifier(bad)
    with pytest.raises(InvalidIdentifier):  # asked again: a refusal is never remembered
        parse_identifier(bad)


def test_a_parsed_identifier_is_remembered_whatever_its_spelling():
    identifier = build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="7",
                                  version=2)
    assert parse_identifier(f"  {identifier.lower()} ") is parse_identifier(identifier)


def test_build_rejects_bad_parts():
    with pytest.raises(InvalidIdentifier):
        build_identifier(type_code="123", issuer_code=ISSUER, serial="1")
    with pytest.raises(InvalidIdentifier):
        build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="1", version=1000)
    with pytest.raises(InvalidIdentifier):
        build_identifier(type_code=TYPE_CODE, issuer_code=ISSUER, serial="a-1")
