"""Synthetic identifiers that pass the real checks but can never belong to a real person."""

from __future__ import annotations

import random

from opencsc.people.identifiers import nhs_check_digit, upn_check_letter

# A recognised LA number (the DfE UPN rule 1530 checks it); NHS numbers stay in the 999 test range.
DEMO_LA_CODE = "209"


def test_nhs_number(rng: random.Random) -> str:
    """A number in the 999 range reserved for test data, with a valid Modulus 11 check digit."""
    while True:
        first_nine = "999" + f"{rng.randrange(10**6):06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def demo_upn(rng: random.Random, serial: int, year: int) -> str:
    body = f"{DEMO_LA_CODE}{rng.randrange(2000, 7000):04d}{year % 100:02d}{serial % 1000:03d}"
    return upn_check_letter(body) + body
