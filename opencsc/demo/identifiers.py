"""Synthetic identifiers that pass the real checks but can never belong to a real person."""

from __future__ import annotations

import random

from opencsc.people.identifiers import nhs_check_digit, upn_check_letter

# UPN characters 2-4: a DfE "pseudo LA" code, not a council's. Rule 1530 (CIN census, and openCSC's
# `opencsc.returns.cin.identifiers`) accepts 001-005 as well as the real LA numbers, so the demo's UPNs
# pass every UPN rule without carrying a real council's number. NHS numbers stay in the 999 test range.
DEMO_LA_CODE = "001"


def test_nhs_number(rng: random.Random) -> str:
    """A number in the 999 range reserved for test data, with a valid Modulus 11 check digit."""
    while True:
        first_nine = "999" + f"{rng.randrange(10**6):06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def demo_upn(rng: random.Random, serial: int, year: int) -> str:
    """A UPN with a random four-digit "establishment" (for factories: unlikely, not certain, to be unique)."""
    return _upn(rng.randrange(2000, 7000), serial, year)


def unique_demo_upn(serial: int, year: int) -> str:
    """A UPN that no other serial (below 5,000,000) gets: the serial's thousands make the four-digit
    "establishment" and the rest its three-digit serial (CIN rule 1520: UPNs are unique in a return)."""
    return _upn(2000 + (serial // 1000) % 5000, serial, year)


def _upn(establishment: int, serial: int, year: int) -> str:
    body = f"{DEMO_LA_CODE}{establishment:04d}{year % 100:02d}{serial % 1000:03d}"
    return upn_check_letter(body) + body
