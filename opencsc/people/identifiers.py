"""Checks for the identifiers a child carries: NHS number, unique pupil number, LA child id.

Each check returns None when the value is valid, or a message telling the user how to fix it, so the
same function serves forms, importers and the returns' validation rules.
"""

from __future__ import annotations

import re

# --- NHS number (NHS Data Dictionary, Modulus 11) -------------------------------------------------

_NHS_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and hyphens people type ("943 476 5919" -> "9434765919")."""
    return _NHS_SEPARATORS.sub("", value or "")


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when the total gives 10 (never issued)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number_error(value: str) -> str | None:
    """Ten digits, Modulus 11, not all one digit: the rule is in `opencsc.core.limits`."""
    from opencsc.core import limits

    return limits.nhs_number_error(value)


def is_test_nhs_number(value: str) -> bool:
    """Numbers from 999 000 0000 are reserved for test and demo data and never issued."""
    return normalise_nhs_number(value).startswith("999")


def format_nhs_number(value: str) -> str:
    number = normalise_nhs_number(value)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else value


# --- Unique pupil number (DfE, check letter modulo 23) ----------------------------------------------

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN_SHAPE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (11 digits, then a digit or a letter for a
    temporary UPN, whose letter counts as its position in UPN_LETTERS)."""
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += value * position
    return UPN_LETTERS[total % 23]


def upn_error(value: str) -> str | None:
    upn = (value or "").strip().upper()
    if len(upn) != 13:
        return "Enter a UPN with 13 characters: a letter, 11 digits, then a digit or a letter"
    if not _UPN_SHAPE.match(upn):
        return "Enter a UPN as a letter, then 11 digits, then a digit or a letter, like P207000016049"
    if upn[12].isalpha() and upn[12] not in UPN_LETTERS:
        return "The last character of a temporary UPN cannot be I, O or S"
    if upn[0] != upn_check_letter(upn[1:]):
        return "Enter a real UPN: the first letter does not match the other characters (check for a typo)"
    return None


# --- LA child id ------------------------------------------------------------------------------------

_LA_CHILD_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


def la_child_id_error(value: str) -> str | None:
    if not value:
        return "Enter the LA child id"
    if len(value) > 20:
        return "The LA child id must be 20 characters or fewer"
    if not _LA_CHILD_ID.match(value):
        return "The LA child id can only contain letters and numbers, with no spaces"
    return None
