"""Reading and writing CIN census XML: round trip, unreadable values, hostile files refused quickly."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from lxml import etree

from opencsc.returns.cin.synthetic import synthetic_return
from opencsc.returns.cin.tables import COLUMNS, LINKS
from opencsc.returns.cin.validate import validate_cin
from opencsc.returns.cin.xml_io import (
    CINFormatError,
    UnsafeXMLError,
    cin_xml_bytes,
    read_cin_xml,
    write_cin_xml,
)

YEAR = "2025-26"
HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
    "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
    "<LEA>209</LEA></Source></Header>"
)


def _child(identifiers: str = "", episode: str = "") -> str:
    return (
        "<Child><ChildIdentifiers><LAchildID>DEMO000001</LAchildID><PersonBirthDate>2015-05-01</PersonBirthDate>"
        f"<Sex>F</Sex>{identifiers}</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        "<CINdetails><CINreferralDate>2025-06-02</CINreferralDate><ReferralSource>1A</ReferralSource>"
        f"<PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>{episode}</CINdetails></Child>"
    )


def _message(children: str) -> bytes:
    body = f"<Message>{HEADER}<Children>{children}</Children></Message>"
    return f'<?xml version="1.0" encoding="utf-8"?>{body}'.encode()


def test_round_trip_keeps_every_value(tmp_path: Path) -> None:
    tables = synthetic_return(400, YEAR, seed=9)
    path = tmp_path / "cin.xml"
    write_cin_xml(tables, path)
    back = read_cin_xml(path)
    assert back.problems == []
    assert back.header == tables.header
    for name, columns in COLUMNS.items():
        for column in (*columns, *LINKS[name]):
            assert back.tables[name][column] == tables.tables[name][column], (name, column)
    assert cin_xml_bytes(back) == path.read_bytes()


def test_written_file_is_the_dfe_shape() -> None:
    root = etree.fromstring(cin_xml_bytes(synthetic_return(30, YEAR, seed=2)))
    assert root.tag == "Message" and root.nsmap == {}
    assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
    assert root.findtext("Header/CollectionDetails/Year") == "2026"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    sexes = {e.text for e in root.iter("Sex")}
    assert sexes <= {"M", "F", "U"} and sexes >= {"M", "F"}
    assert {e.text for e in root.iter("ReferralNFA")} == {"true", "false"}
    assert root.find("Children/Child/ChildIdentifiers/LAchildID") is not None
    assert not list(root.iter("PersonName", "Forename", "Surname", "Postcode"))


def test_icpc_not_required_as_digits_and_flags_in_capitals_are_read() -> None:
    s47 = (
        "<Section47><S47ActualStartDate>2025-06-03</S47ActualStartDate><ICPCnotRequired>1</ICPCnotRequired>"
        "</Section47><Section47><S47ActualStartDate>2025-06-04</S47ActualStartDate>"
        "<ICPCnotRequired>FALSE</ICPCnotRequired></Section47>"
    )
    tables = read_cin_xml(_message(_child(episode=s47)))
    assert tables.column("Section47", "ICPCnotRequired") == [True, False]
    assert tables.column("CINdetails", "ReferralNFA") == [False]


def test_unreadable_dates_are_reported_not_dropped() -> None:
    tables = read_cin_xml(
        _message(_child("<PersonDeathDate>31/12/2025</PersonDeathDate>", "<CINclosureDate>2025-02-30</CINclosureDate>"))
    )
    assert tables.column("ChildIdentifiers", "PersonDeathDate") == [None]
    schema = [(f.child_id, f.table, f.field, f.row) for f in validate_cin(tables, YEAR) if f.rule == "SCHEMA"]
    assert schema == [
        ("DEMO000001", "ChildIdentifiers", "PersonDeathDate", 0),
        ("DEMO000001", "CINdetails", "CINclosureDate", 0),
    ]
    message = next(f.message for f in validate_cin(tables, YEAR) if f.rule == "SCHEMA")
    assert "31/12/2025" in message


def test_reviews_all_dates_are_read() -> None:
    plan = (
        "<ChildProtectionPlans><CPPstartDate>2025-06-10</CPPstartDate><InitialCategoryOfAbuse>NEG"
        "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse><NumberOfPreviousCPP>0"
        "</NumberOfPreviousCPP><Reviews><CPPreviewDate>2025-09-01</CPPreviewDate><CPPreviewDate>2026-03-02"
        "</CPPreviewDate></Reviews></ChildProtectionPlans>"
    )
    tables = read_cin_xml(_message(_child(episode=plan)))
    assert tables.column("Reviews", "CPPreviewDate") == [dt.date(2025, 9, 1), dt.date(2026, 3, 2)]
    assert tables.column("Reviews", "_cpp") == [0, 0]


def test_a_namespaced_message_is_not_a_cin_file() -> None:
    with pytest.raises(CINFormatError, match="Message"):
        read_cin_xml(b'<Message xmlns="urn:x"><Children/></Message>')
    with pytest.raises(CINFormatError, match="well-formed"):
        read_cin_xml(b"<Message><Children>")


# --- hostile files ----------------------------------------------------------------------------------------

LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
HOSTILE = {
    "billion laughs": f'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY lol0 "lol">{LAUGHS}]>'
    "<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers></Child>"
    "</Children></Message>",
    "quadratic blowup": f'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "{"x" * 50_000}">]>'
    + "<Message><Children>"
    + "&a;" * 50_000
    + "</Children></Message>",
    "xxe file": '<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers></Child>"
    "</Children></Message>",
    "xxe http": '<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
    "<Message><Children>&x;</Children></Message>",
    "external dtd": '<?xml version="1.0"?><!DOCTYPE Message SYSTEM "http://127.0.0.1:9/cin.dtd"><Message/>',
    "parameter entities": '<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY % p SYSTEM "file:///etc/passwd">'
    "%p;]><Message/>",
    "doctype after comment": '<?xml version="1.0"?><!-- hi --><!DOCTYPE Message [<!ENTITY a "b">]><Message/>',
    "xinclude": '<?xml version="1.0"?><Message xmlns:xi="http://www.w3.org/2001/XInclude"><Children>'
    '<xi:include href="file:///etc/passwd" parse="text"/></Children></Message>',
    "xinclude deep": '<?xml version="1.0"?><Message><Children><Child><ChildIdentifiers>'
    '<LAchildID><include xmlns="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'
    "</LAchildID>"
    "</ChildIdentifiers></Child></Children></Message>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_quickly(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXMLError):
        read_cin_xml(HOSTILE[name].encode())
    assert time.perf_counter() - started < 1.0


def test_utf16_doctype_is_refused() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Message [<!ENTITY a "b">]><Message>&a;</Message>'
    with pytest.raises(UnsafeXMLError):
        read_cin_xml(text.encode("utf-16"))


def test_hostile_file_from_disk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(HOSTILE["xxe file"], encoding="utf-8")
    with pytest.raises(UnsafeXMLError):
        read_cin_xml(path)
