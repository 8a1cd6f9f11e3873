"""A small demo borough with casework journeys, for the returns' end-to-end tests.

`seed_demo` (issue 3 item 11) does not produce journeys yet, so this fixture builds them itself,
THROUGH THE CASEWORK AND PEOPLE SERVICES (via the onboarding importer, which calls nothing else):

1. the demo borough (`opencsc.demo.borough.seed_borough`): families with names, addresses, NHS numbers;
2. CIN journeys for `cin_children` children from the CIN engine's valid-by-construction generator;
3. looked-after journeys for `lac_children` children from the 903 engine's simulator, imported with
   their WHOLE care history (every episode, review, social-worker change and missing episode since the
   period of care began), so periods start where they really did;
4. every journey child then gets a name, an address with a postcode and a test-range NHS number from
   the demo's Faker, through the people services, so the returns' "no names" test has real values to
   look for.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from faker import Faker

from opencsc.audit.services import Actor
from opencsc.demo.borough import seed_borough
from opencsc.demo.identifiers import test_nhs_number
from opencsc.people import services as people
from opencsc.people.models import Address, Person
from opencsc.returns.build.importer import import_903, import_account, import_cin
from opencsc.returns.cin.synthetic import make_upn, records_to_tables, synthetic_records
from opencsc.returns.cin.xml_io import write_cin_xml
from opencsc.returns.ssda903 import synthetic as s903
from opencsc.returns.ssda903.csv_io import write_903_dir
from opencsc.returns.ssda903.tables import table_from_rows

YEAR = "2025-26"
AS_OF = dt.date(2026, 3, 31)
JOURNEY_PREFIXES = ("JCIN", "LACX")  # children whose journeys this fixture records through the services
ID_PREFIXES = ("DEMOCL", "DEMO", *JOURNEY_PREFIXES)  # the LA child id schemes in the fixture


@dataclass
class DemoJourneys:
    cin_report: object
    lac_report: object


def _lac_tables(n: int, seed: int) -> dict[str, pl.DataFrame]:
    """The 903 simulator's children: this year's return, with Episodes, Reviews, SWEpisodes and
    Missing replaced by the whole history up to the reference date (ids LACX..., valid UPNs)."""
    children = [s903.simulate_child(i, seed, YEAR) for i in range(1, n + 1)]
    tables = dict(s903.build_return(children, YEAR, seed))
    history = s903._Year(dt.date(1990, 4, 1), AS_OF)
    full = {"Episodes": [], "Reviews": [], "SWEpisodes": [], "Missing": []}
    for child in children:
        rows = s903._rows_for_year(child, history, seed)
        for name in full:
            full[name] += rows[name]
    for name, rows in full.items():
        tables[name] = table_from_rows(name, rows)
    renamed = {}
    for name, frame in tables.items():
        renamed[name] = frame.with_columns(pl.col("CHILD").str.replace("^DEMO", "LACX"))
    header = renamed["Header"]
    upns = [
        make_upn(80_000_000 + int(child[4:])) if upn and len(upn) == 13 else upn
        for child, upn in zip(header["CHILD"].to_list(), header["UPN"].to_list(), strict=True)
    ]
    renamed["Header"] = header.with_columns(pl.Series("UPN", upns, dtype=pl.String))
    return renamed


def _name_children(seed: int, prefixes: tuple[str, ...]) -> None:
    """Give every journey child a name, an address and an NHS number, through the people services."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    user, actor = import_account(), Actor.system("demo_journeys")
    for person in Person.objects.filter(la_child_id__regex=rf"^({'|'.join(prefixes)})").order_by("pk"):
        sex = person.sex
        first = fake.first_name_female() if sex == "F" else fake.first_name_male() if sex == "M" else ""
        nhs = test_nhs_number(rng) if person.date_of_birth else ""
        person = people.person_update(
            actor_user=user,
            actor=actor,
            person=person,
            expected_version=person.version,
            changes={"first_name": first, "last_name": fake.last_name(), "nhs_number": nhs},
        )
        people.part_add(
            actor_user=user,
            actor=actor,
            person=person,
            model=Address,
            data={
                "line1": fake.street_address(),
                "town": "Exampleton",
                "postcode": fake.postcode(),
                "start_date": dt.date(2020, 1, 1),
            },
        )


def seed_demo_with_journeys(
    *, children: int = 150, cin_children: int = 90, lac_children: int = 60, seed: int = 2026
) -> DemoJourneys:
    seed_borough(children=children, seed=seed, as_of=AS_OF)
    with tempfile.TemporaryDirectory() as folder:
        cin_path = Path(folder) / "cin.xml"
        write_cin_xml(records_to_tables(synthetic_records(cin_children, YEAR, seed, prefix="JCIN"), YEAR), cin_path)
        cin_report = import_cin(cin_path, partial=True)
        lac_dir = Path(folder) / "lac"
        write_903_dir(_lac_tables(lac_children, seed), lac_dir)
        lac_report = import_903(lac_dir, year=YEAR, partial=True)
    _name_children(seed, ("JCIN", "LACX"))
    return DemoJourneys(cin_report, lac_report)
