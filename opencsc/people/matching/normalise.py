"""Turning what a practitioner typed, or what a record holds, into comparable parts: name tokens,
their nickname families and phonetic codes, postcodes and date-of-birth variants.

Nicknames come from two lists shipped as data: the `nicknames` package's hand-curated list of
English names and their diminutives (Apache-2.0), and `data/nicknames_extra.csv`, the short forms
of names from the borough's other origins (South Asian, Arabic, Polish, Romanian, West African,
Somali, Irish) and British forms the first list lacks. Phonetic codes are Metaphone (jellyfish).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import jellyfish
from nicknames import NickNamer

_EXTRA = Path(__file__).parent / "data" / "nicknames_extra.csv"
_SPLIT = re.compile(r"[\s\-]+")
_NOT_LETTER = re.compile(r"[^a-z]")


def fold(text: str) -> str:
    """Lower case, accents off (Zoë -> zoe, Łukasz -> lukasz), apostrophes and dots dropped."""
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def name_tokens(*names: str) -> list[str]:
    """The words of one or more names, in order, each once: "Smith-Jones" gives smith and jones
    (a double-barrelled surname is matched one half at a time), "O'Connor" gives oconnor."""
    tokens: list[str] = []
    for name in names:
        for part in _SPLIT.split(fold(name or "")):
            token = _NOT_LETTER.sub("", part)
            if token and token not in tokens:
                tokens.append(token)
    return tokens


@lru_cache(maxsize=1)
def _nickname_table() -> dict[str, frozenset[str]]:
    """name -> the formal names it may stand for (itself included)."""
    table: dict[str, set[str]] = defaultdict(set)
    namer = NickNamer()
    for formal, nicks in namer.nickname_lookup.items():
        table[formal].add(formal)
        for nick in nicks:
            table[nick].add(formal)
    with _EXTRA.open(encoding="utf-8") as handle:
        for row in csv.reader(line for line in handle if not line.startswith("#")):
            names = [n.strip() for n in row if n.strip()]
            if not names:
                continue
            formal = names[0]
            table[formal].add(formal)
            for nick in names[1:]:
                table[nick].add(formal)
    return {name: frozenset(formals) for name, formals in table.items()}


@lru_cache(maxsize=100_000)
def formal_names(token: str) -> frozenset[str]:
    """The formal names a token may be short for, itself included: bill -> {bill, william, ...}."""
    return _nickname_table().get(token, frozenset()) | {token}


def are_nicknames(a: str, b: str) -> bool:
    """Whether one name is listed as a short form of the other (Bill and William, Kasia and
    Katarzyna). Two short forms of one name (Mia and Emily, both of Amelia) are not: too loose."""
    return a != b and (a in formal_names(b) or b in formal_names(a))


@lru_cache(maxsize=1)
def _short_forms() -> dict[str, frozenset[str]]:
    """formal name -> the names listed as its short forms (the reverse of `_nickname_table`)."""
    table: dict[str, set[str]] = defaultdict(set)
    for nick, formals in _nickname_table().items():
        for formal in formals:
            if formal != nick:
                table[formal].add(nick)
    return {name: frozenset(nicks) for name, nicks in table.items()}


@lru_cache(maxsize=100_000)
def name_family(token: str) -> frozenset[str]:
    """The token, the formal names it may be short for and the short forms of each of those."""
    formals = formal_names(token)
    short = _short_forms()
    return formals.union(*(short.get(f, frozenset()) for f in formals))


@lru_cache(maxsize=100_000)
def phonetic(token: str) -> str:
    """Metaphone code of a name token ("" for an initial)."""
    return jellyfish.metaphone(token) if len(token) > 1 else ""


@lru_cache(maxsize=100_000)
def token_codes(token: str) -> frozenset[str]:
    """The codes a token is filed under: the phonetic code of the token and of each formal name it
    may be short for, so Bill and William share William's code. At most 6, the token's own first."""
    if len(token) < 2:
        return frozenset()
    codes = {phonetic(token)}
    for formal in sorted(formal_names(token))[:5]:
        codes.add(phonetic(formal))
    return frozenset(code for code in codes if code)


def postcode(value: str) -> str:
    """Upper case without spaces: "e1 2ab" -> "E12AB"."""
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def postcode_sector(value: str) -> str:
    """Outward code and the first inward digit: E12AB -> E12 + 2 (a few hundred households)."""
    pc = postcode(value)
    return pc[:-2] if len(pc) >= 5 else ""


def postcode_district(value: str) -> str:
    pc = postcode(value)
    return pc[:-3] if len(pc) >= 5 else ""
