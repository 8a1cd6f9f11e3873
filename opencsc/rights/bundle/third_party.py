"""Find third-party information in a bundle before anyone reads it.

Proposed for redaction, each with the exemption code TP (third party, DPA 2018 Sch 2 para 16):
* the names (first, last, full, other names), identifiers (LA child id, UPN, former UPN, NHS
  number), addresses (first line and postcode), telephone numbers and contact details of every
  other person known to the system;
* whole passages flagged as third-party when they were recorded (case notes carry the flag);
* staff members' names, when the council's policy says so (`OPENCSC_SAR_REDACT_PROFESSIONALS`).

Strings are matched as whole words, case-insensitively, ignoring the punctuation and spacing between
words ("ZZ1 1ZZ" and "zz1-1zz" are the same postcode), longest first. A string that is also the
subject's own (a sibling's shared surname or address) is not proposed: it is theirs too. NHS numbers
are encrypted, so they are found the other way round: every ten-digit sequence in the text is looked
up through the keyed blind index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from opencsc.people.models import Address, ContactDetail, Person, PersonName, TelephoneNumber
from opencsc.people.services import nhs_number_index
from opencsc.rights.bundle.compile import Bundle, Line

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_TEN_DIGITS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
THIRD_PARTY = "TP"
MIN_WORD = 2  # single letters (initials) are not proposed on their own


@dataclass(frozen=True)
class Finding:
    """One proposed redaction: the span `start:end` of `line.text`, and why."""

    line_key: str
    start: int
    end: int
    text: str
    kind: str  # name, identifier, address, phone, contact, passage, professional
    exemption: str = THIRD_PARTY


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(m.group(0).lower() for m in _TOKEN.finditer(text))


class Dictionary:
    """Token sequences of third-party strings, looked up by their first token."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[str, ...], str] = {}
        self.lengths: dict[str, set[int]] = {}
        self.own: set[tuple[str, ...]] = set()

    def add(self, text: str, kind: str) -> None:
        tokens = _tokens(text)
        if not tokens or (len(tokens) == 1 and len(tokens[0]) < MIN_WORD):
            return
        self.kinds.setdefault(tokens, kind)
        self.lengths.setdefault(tokens[0], set()).add(len(tokens))

    def add_own(self, text: str) -> None:
        tokens = _tokens(text)
        if tokens:
            self.own.add(tokens)
            for token in tokens:  # each word of the subject's own name or address is theirs too
                self.own.add((token,))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        matches = list(_TOKEN.finditer(text))
        words = [m.group(0).lower() for m in matches]
        spans: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            for length in sorted(self.lengths.get(words[i], ()), reverse=True):
                candidate = tuple(words[i : i + length])
                if len(candidate) == length and candidate in self.kinds and candidate not in self.own:
                    spans.append((matches[i].start(), matches[i + length - 1].end(), self.kinds[candidate]))
                    i += length
                    break
            else:
                i += 1
        return spans


def build_dictionary(person: Person) -> Dictionary:
    """Every other person's strings, less the subject's own."""
    d = Dictionary()
    own_parts = [person.first_name, person.last_name, person.preferred_name, person.la_child_id or "", person.upn]
    for text in own_parts:
        if text:
            d.add_own(text)
    for first, last in PersonName.objects.filter(person=person).values_list("first_name", "last_name"):
        d.add_own(f"{first} {last}")
    for line1, postcode in Address.objects.filter(person=person).values_list("line1", "postcode"):
        d.add_own(line1)
        d.add_own(postcode)
    for (number,) in TelephoneNumber.objects.filter(person=person).values_list("number"):
        d.add_own(number)
    for (value,) in ContactDetail.objects.filter(person=person).values_list("value"):
        d.add_own(value)

    others = Person.objects.exclude(pk=person.pk)
    for first, last, preferred, la_id, upn, former in others.values_list(
        "first_name", "last_name", "preferred_name", "la_child_id", "upn", "former_upn"
    ).iterator(chunk_size=5000):
        d.add(f"{first} {last}", "name")
        for text in (first, last, preferred):
            if text:
                d.add(text, "name")
        for identifier in (la_id, upn, former):
            if identifier:
                d.add(identifier, "identifier")
    for first, last in PersonName.objects.exclude(person=person).values_list("first_name", "last_name").iterator():
        d.add(f"{first} {last}", "name")
        d.add(first, "name")
        d.add(last, "name")
    for line1, postcode in Address.objects.exclude(person=person).values_list("line1", "postcode").iterator():
        d.add(line1, "address")
        d.add(postcode, "address")
    for (number,) in TelephoneNumber.objects.exclude(person=person).values_list("number").iterator():
        d.add(number, "phone")
    for (value,) in ContactDetail.objects.exclude(person=person).values_list("value").iterator():
        d.add(value, "contact")
    if settings.OPENCSC_SAR_REDACT_PROFESSIONALS:
        from opencsc.accounts.models import User

        for first, last, username in User.objects.values_list("first_name", "last_name", "username"):
            d.add(f"{first} {last}", "professional")
            d.add(username, "professional")
    return d


def third_party_nhs_numbers(texts: Iterable[str], person: Person) -> set[str]:
    """The ten-digit sequences in `texts` that are another person's NHS number, found through the
    blind index in one query per thousand candidates (the numbers themselves are encrypted)."""
    candidates = {"".join(m.groups()) for text in texts for m in _TEN_DIGITS.finditer(text)}
    by_index = {nhs_number_index(digits): digits for digits in candidates}
    found: set[str] = set()
    keys = [k for k in by_index if k]
    for i in range(0, len(keys), 1000):
        rows = Person.objects.filter(nhs_number_index__in=keys[i : i + 1000]).exclude(pk=person.pk)
        found |= {by_index[k] for k in rows.values_list("nhs_number_index", flat=True)}
    return found


def find_in_line(line: Line, dictionary: Dictionary, nhs_numbers: set[str]) -> list[Finding]:
    if line.third_party:
        return [Finding(line.key, 0, len(line.text), line.text, "passage")]
    if not line.scan:
        return []
    spans = dictionary.find(line.text)
    if nhs_numbers:
        taken = [(s, e) for s, e, _ in spans]
        for m in _TEN_DIGITS.finditer(line.text):
            if "".join(m.groups()) in nhs_numbers and not any(a < m.end() and m.start() < b for a, b in taken):
                spans.append((m.start(), m.end(), "identifier"))
    return [Finding(line.key, s, e, line.text[s:e], kind) for s, e, kind in sorted(spans)]


def propose(bundle: Bundle, *, dictionary: Dictionary | None = None) -> list[Finding]:
    """Every proposed redaction in the bundle, in reading order."""
    dictionary = dictionary or build_dictionary(bundle.person)
    lines = list(bundle.lines())
    nhs_numbers = third_party_nhs_numbers((ln.text for ln in lines if not ln.third_party), bundle.person)
    findings: list[Finding] = []
    for line in lines:
        findings += find_in_line(line, dictionary, nhs_numbers)
    return findings


def known_strings(person: Person) -> list[str]:
    """What a check of the output looks for: the full name of every other person, each identifier,
    first line of address, postcode and telephone number, less those that are the subject's own too
    (a sibling's shared address). Used by the tests and the benchmark."""
    found: list[str] = []
    for first, last, la_id, upn in Person.objects.exclude(pk=person.pk).values_list(
        "first_name", "last_name", "la_child_id", "upn"
    ):
        found.append(f"{first} {last}".strip())
        found += [v for v in (la_id, upn) if v]
    others = Address.objects.exclude(person=person)
    found += others.values_list("line1", flat=True)
    found += others.values_list("postcode", flat=True)
    found += TelephoneNumber.objects.exclude(person=person).values_list("number", flat=True)
    own_addresses = Address.objects.filter(person=person)
    own = {" ".join(_tokens(v)) for v in [*own_addresses.values_list("line1", flat=True)]}
    own |= {" ".join(_tokens(v)) for v in own_addresses.values_list("postcode", flat=True)}
    own |= {
        " ".join(_tokens(v)) for v in TelephoneNumber.objects.filter(person=person).values_list("number", flat=True)
    }
    return [s for s in dict.fromkeys(found) if s and " ".join(_tokens(s)) not in own]
