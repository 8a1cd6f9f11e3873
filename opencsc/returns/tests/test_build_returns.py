"""The CIN census and SSDA903 built from a seeded demo borough: no names, addresses (outside the 903's
postcode columns) or NHS numbers in either file, and no errors from openCSC's validation."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from opencsc.people.models import Address, Person, PersonName
from opencsc.returns.build.cin import build_cin
from opencsc.returns.build.ssda903 import build_903
from opencsc.returns.cin.validate import validate_cin
from opencsc.returns.cin.xml_io import write_cin_xml
from opencsc.returns.ssda903.csv_io import read_903_dir, write_903_dir
from opencsc.returns.ssda903.validate import validate_903
from opencsc.returns.tests.demo_journeys import ID_PREFIXES, YEAR, seed_demo_with_journeys

POSTCODE_COLUMNS = {"HOME_POST", "PL_POST"}  # the only place the DfE asks for a postcode


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def sensitive_values() -> dict[str, set[str]]:
    """Every name, address line, postcode and NHS number in the database."""
    names = set()
    for first, last in Person.objects.values_list("first_name", "last_name"):
        names |= {n for n in (first, last) if n}
    for first, last in PersonName.objects.values_list("first_name", "last_name"):
        names |= {n for n in (first, last) if n}
    lines, postcodes = set(), set()
    for line1, line2, postcode in Address.objects.values_list("line1", "line2", "postcode"):
        lines |= {x for x in (line1, line2) if x}
        postcodes.add(_squash(postcode))
    nhs = set(Person.objects.values_list("nhs_number", flat=True))
    return {"name": names, "address": lines, "postcode": postcodes, "nhs": {n for n in nhs if n}}


def leaks(cells: list[tuple[str, str]], values: dict[str, set[str]], postcode_ok: set[str]) -> list[str]:
    """(column, text) cells holding any of the values: names as whole words, the rest anywhere."""
    name_words = {n.casefold() for n in values["name"]}
    found = []
    for column, text in cells:
        if column.endswith(("LAchildID", "CHILD")):  # the council's id scheme prefix is not a name
            text = re.sub(rf"^({'|'.join(ID_PREFIXES)})(?=\d)", "", text)
        words = {w.casefold() for w in re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", text)}
        if hit := words & name_words:
            found.append(f"name {sorted(hit)} in {column}")
        squashed = _squash(text)
        if column not in postcode_ok and any(pc and pc in squashed for pc in values["postcode"]):
            found.append(f"postcode in {column}")
        if any(line.casefold() in text.casefold() for line in values["address"]):
            found.append(f"address in {column}")
        if any(n in squashed for n in values["nhs"]):
            found.append(f"NHS number in {column}")
    return found


def cin_cells(path: Path) -> list[tuple[str, str]]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    return [(el.tag, el.text) for el in tree.iter() if el.text and el.text.strip()]


def csv_cells(folder: Path) -> list[tuple[str, str]]:
    cells = []
    for name, frame in read_903_dir(folder).items():
        for column in frame.columns:
            cells += [(f"{name}.{column}", v) for v in frame[column].drop_nulls().to_list()]
    return cells


@pytest.mark.django_db
def test_returns_from_the_demo_borough_carry_no_names_and_pass_our_validation(tmp_path):
    journeys = seed_demo_with_journeys(children=60, cin_children=45, lac_children=30, seed=2026)
    assert journeys.cin_report.committed and journeys.lac_report.committed
    values = sensitive_values()
    assert values["name"] and values["postcode"] and values["nhs"] and values["address"]

    cin = build_cin(YEAR)
    write_cin_xml(cin, tmp_path / "cin.xml")
    assert len(cin) >= 40
    assert leaks(cin_cells(tmp_path / "cin.xml"), values, postcode_ok=set()) == []
    raw = (tmp_path / "cin.xml").read_text(encoding="utf-8")
    assert not any(n in raw for n in values["nhs"])

    ssda = build_903(YEAR)
    write_903_dir(ssda, tmp_path / "903")
    assert ssda["Episodes"].height >= 30
    postcode_columns = {f"Episodes.{c}" for c in POSTCODE_COLUMNS}
    assert leaks(csv_cells(tmp_path / "903"), values, postcode_ok=postcode_columns) == []

    # Every child is valid: the demo generator's own as much as the journeys recorded through the services.
    for findings in (validate_cin(cin, YEAR), validate_903(ssda, YEAR)):
        errors = [f for f in findings if f.severity == "error"]
        assert errors == [], Counter((f.rule, f.child_id) for f in errors)
