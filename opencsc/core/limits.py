"""The one place for input limits: what a date, a piece of text, an NHS number or a postcode may be.

Forms (through `opencsc.core.forms`), the services behind them, the returns importers and (later) the
API call these same functions, so a value refused on a page is refused from a file too. Each check
returns a message saying how to fix the value, or None when it is fine; nothing here raises on hostile
input (huge years, huge text, control characters), which is the point.

Dates: every date is between 1 January 1900 and 31 December of the year five years from now, unless
its field says otherwise (`DATE_RULES`): a birth not in the future, an expected birth within about ten
months, a death not in the future. Text: a field's own `max_length`, or for a TextField the cap in
`TEXT_CAPS` (else `DEFAULT_TEXT_CAP`). NHS numbers: ten digits, Modulus 11, and not all one digit
(0000000000 passes Modulus 11). Postcodes: the UK format (GOV.UK's pattern, with BFPO and GIR 0AA).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

EARLIEST_DATE = dt.date(1900, 1, 1)
YEARS_AHEAD = 5  # planned dates (reviews, an order's end) may be ahead; nothing sensible is further


def _today() -> dt.date:
    return timezone.localdate()


def _years_ahead() -> dt.date:
    return dt.date(_today().year + YEARS_AHEAD, 12, 31)


@dataclass(frozen=True)
class DateRule:
    earliest: Callable[[], dt.date]
    latest: Callable[[], dt.date]
    too_late: str  # how to say "too late" for this field, with {label} and {latest}


_GENERAL = DateRule(lambda: EARLIEST_DATE, _years_ahead, "{label} must be before {latest}")
_NOT_FUTURE = DateRule(lambda: EARLIEST_DATE, _today, "{label} must be today or in the past")
# An expected date of birth: no more than ten months ahead (a pregnancy).
_EXPECTED_BIRTH = DateRule(
    lambda: EARLIEST_DATE,  # an old record's expected date stays as it was; only the future is bounded
    lambda: _today() + dt.timedelta(days=305),
    "{label} must be within about 10 months from today (by {latest})",
)

# Keyed "app_label.Model.field" (or a form's own key). Fields not listed use the general rule.
DATE_RULES: dict[str, DateRule] = {
    "people.Person.date_of_birth": _NOT_FUTURE,
    "people.Person.date_of_death": _NOT_FUTURE,
    "people.Person.expected_date_of_birth": _EXPECTED_BIRTH,
    "search.date_of_birth": _GENERAL,
}


def date_bounds(key: str = "") -> tuple[dt.date, dt.date]:
    rule = DATE_RULES.get(key, _GENERAL)
    return rule.earliest(), rule.latest()


def date_error(value: dt.date | None, *, key: str = "", label: str = "The date") -> str | None:
    """Why `value` is outside its field's bounds, or None."""
    if value is None:
        return None
    rule = DATE_RULES.get(key, _GENERAL)
    earliest, latest = rule.earliest(), rule.latest()
    if value < earliest:
        return f"{label} must be on or after {earliest:%-d %B %Y}"
    if value > latest:
        return rule.too_late.format(label=label, latest=f"{latest:%-d %B %Y}")
    return None


def parse_date_parts(day: Any, month: Any, year: Any) -> dt.date:
    """A date from the three boxes of a GOV.UK date input. Raises ValueError with a plain message for
    anything that is not a real date, including years of any length (2147483648 or 10**100 raise
    ValueError, never OverflowError)."""
    texts = [str(part).strip() for part in (day, month, year)]
    if not all(t.isdigit() and t.isascii() for t in texts):
        raise ValueError("must be a real date, in numbers")
    d, m, y = texts
    if len(y) != 4:
        raise ValueError("must have a year of 4 digits, like 2019")
    if len(d) > 2 or len(m) > 2:
        raise ValueError("must be a real date")
    return dt.date(int(y), int(m), int(d))  # a ValueError for 31 February and the like


def parse_date_text(text: str, formats: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")) -> dt.date | None:
    """A date from a file (an import, later the API) in one of `formats`, or None if it is not one.
    Never raises: importers report None as a refused row."""
    value = (text or "").strip()
    if len(value) > 10:
        return None
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except (ValueError, OverflowError):
            continue
    return None


# --- text ----------------------------------------------------------------------------------------

DEFAULT_TEXT_CAP = 20_000  # characters: some 3,000 words, far beyond any one entry's need
TEXT_CAPS: dict[str, int] = {
    "casework.CaseNote.body": 50_000,  # a long note (a transcribed meeting) stays possible
    "people.HealthInformation.summary": 5_000,
    "people.PoliceInformation.summary": 5_000,
    "people.FinancialInformation.summary": 5_000,
}
SUMMARY_CAP = 5_000  # any other field called "summary"


def text_limit(model: type[models.Model], field_name: str) -> int:
    """How many characters `model.field_name` may hold: its max_length, or its TextField cap."""
    field = model._meta.get_field(field_name)
    max_length = getattr(field, "max_length", None)
    if max_length:
        return int(max_length)
    key = f"{model._meta.label}.{field_name}"
    if key in TEXT_CAPS:
        return TEXT_CAPS[key]
    return SUMMARY_CAP if field_name == "summary" else DEFAULT_TEXT_CAP


def text_error(value: str | None, *, limit: int, label: str = "This") -> str | None:
    """Why `value` cannot be stored: too long, or holding a NUL character (PostgreSQL refuses it)."""
    if not value:
        return None
    if "\x00" in value:
        return f"{label} contains a character that cannot be stored: remove it and try again"
    if len(value) > limit:
        return f"{label} must be {limit:,} characters or fewer (it has {len(value):,})"
    return None


def model_text_errors(instance: models.Model) -> dict[str, str]:
    """Every text field of `instance` over its limit, by field name (for services and importers)."""
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = getattr(instance, field.attname, None)
            if isinstance(value, str):
                label = str(field.verbose_name).capitalize()
                if message := text_error(value, limit=text_limit(type(instance), field.name), label=label):
                    errors[field.name] = message
    return errors


# --- identifiers ---------------------------------------------------------------------------------

_NHS_SEPARATORS = re.compile(r"[\s-]")


def nhs_number_error(value: str) -> str | None:
    """Ten digits, Modulus 11, and not all one digit (0000000000 passes Modulus 11 but is no one's)."""
    number = _NHS_SEPARATORS.sub("", value or "")
    if not (number.isascii() and number.isdigit()) or len(number) != 10:
        return "Enter an NHS number with 10 digits, like 999 123 4578"
    if len(set(number)) == 1:
        return "Enter a real NHS number: it cannot be the same digit ten times"
    total = sum(int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(number[9]):
        return "Enter a real NHS number: the last digit does not match the other nine (check for a typo)"
    return None


# The UK postcode shape (outward code, space optional, inward code): one or two letters, a digit, an
# optional letter or digit, then a digit and two letters; with GIR 0AA and BFPO numbers. As broad as
# the DfE's own check (the 903's rule 392c accepts "ZZ99 9ZZ", the pseudo-postcode for no fixed
# abode), so a value it accepts is never refused here; it checks the shape, not that it exists. The
# 903's own check is `returns.ssda903.postcodes.POSTCODE_FORMAT` (the DfE's rule, for return files).
_POSTCODE = re.compile(r"^(GIR ?0AA|BFPO ?\d{1,4}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "ex12bt" -> "EX1 2BT"."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if compact.startswith("BFPO"):
        return f"BFPO {compact[4:]}"
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcode_error(value: str) -> str | None:
    """Why `value` is not a UK postcode, or None. Blank is for the caller to allow or not."""
    if not value or not value.strip():
        return None
    if len(value) > 10 or not _POSTCODE.match(normalise_postcode(value)):
        return "Enter a real UK postcode, like EX1 2BT"
    return None


POSTCODE_FIELDS = frozenset({"people.Address.postcode"})


def model_errors(instance: models.Model) -> dict[str, str]:
    """Every limit `instance` breaks, by field name: text lengths, date bounds (keyed by the model's
    field) and UK postcodes. Services call it before saving, so imports and the API get the same
    limits as the pages; it normalises a valid postcode in place ("ex12bt" -> "EX1 2BT")."""
    errors = model_text_errors(instance)
    label = instance._meta.label
    for field in instance._meta.concrete_fields:
        key = f"{label}.{field.name}"
        value = getattr(instance, field.attname, None)
        if isinstance(field, models.DateField) and type(value) is dt.date:  # not a DateTimeField's value
            if message := date_error(value, key=key, label=str(field.verbose_name).capitalize()):
                errors[field.name] = message
        elif key in POSTCODE_FIELDS and isinstance(value, str) and value.strip():
            if message := postcode_error(value):
                errors[field.name] = message
            else:
                setattr(instance, field.attname, normalise_postcode(value))
    return errors
