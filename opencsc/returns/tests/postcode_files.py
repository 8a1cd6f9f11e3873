"""Synthetic ONS postcode directory files in the layouts ONS publish (for tests and the bench script).

The headers are the published ones: ONSPD to 2024, NSPL to 2024, and the 2025 layout shared by both
(year-stamped geography columns). Rows carry real postcodes' areas and grid references for the few
postcodes the demo uses (`ssda903.postcodes.SYNTHETIC_POSTCODES`) plus generated ones; every other
column is left blank, as ONS leave a column that does not apply.
"""

from __future__ import annotations

import csv
from pathlib import Path

ONSPD_2024 = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "npark",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua24",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]
NSPL_2024 = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa11",
    "cty",
    "ced",
    "laua",
    "ward",
    "hlthau",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "park",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua11",
    "buasd11",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]
ONSPD_2025 = [
    "pcd7",
    "pcd8",
    "pcds",
    "dointr",
    "doterm",
    "usrtypind",
    "east1m",
    "north1m",
    "gridind",
    "oa21cd",
    "cty25cd",
    "ced25cd",
    "lad25cd",
    "wd25cd",
    "nhser24cd",
    "ctry25cd",
    "rgn25cd",
    "pcon24cd",
    "ttwa15cd",
    "itl25cd",
    "npark16cd",
    "lsoa21cd",
    "msoa21cd",
    "wz11cd",
    "sicbl24cd",
    "bua24cd",
    "ruc21ind",
    "oac11ind",
    "lat",
    "long",
    "lep21cd1",
    "lep21cd2",
    "pfa23cd",
    "imd20ind",
    "icb23cd",
]

COUNTRY = {"WAL": "W92000004", "SCO": "S92000003", "NIR": "N92000002"}
DISTRICT = {"E10000016": "E07000110"}  # Kent: Maidstone as the district under the county
NO_COUNTY = "E99999999"  # ONS's pseudo-code where an area has no county


def _pcd7(postcode: str) -> str:
    """ONS's 7-character form: the outward code padded to 4 (or 3 and the inward code joined)."""
    outward, inward = postcode.split()
    return f"{outward:<4}{inward}"[:7] if len(outward) < 4 else outward + inward


def _fields(postcode: str, la: str, east: int | None, north: int | None, terminated: str = "") -> dict[str, str]:
    outside = la in COUNTRY
    county = la if la.startswith("E10") else ("" if outside else NO_COUNTY)
    district = DISTRICT.get(la, la) if not outside else {"WAL": "W06000015", "SCO": "S12000036", "NIR": "N09000003"}[la]
    return {
        "postcode": postcode,
        "pcd7": _pcd7(postcode),
        "terminated": terminated,
        "county": county,
        "district": district,
        "country": COUNTRY.get(la, "E92000001"),
        "east": "" if east is None else str(east),
        "north": "" if north is None else str(north),
        "grid": "9" if east is None else "1",
    }


def _row(header: list[str], f: dict[str, str]) -> list[str]:
    names = {
        "pcd": f["pcd7"],
        "pcd7": f["pcd7"],
        "pcd2": f["postcode"],
        "pcd8": f["postcode"],
        "pcds": f["postcode"],
        "dointr": "198001",
        "doterm": f["terminated"],
        "oscty": f["county"],
        "cty": f["county"],
        "cty25cd": f["county"],
        "oslaua": f["district"],
        "laua": f["district"],
        "lad25cd": f["district"],
        "ctry": f["country"],
        "ctry25cd": f["country"],
        "oseast1m": f["east"],
        "east1m": f["east"],
        "osnrth1m": f["north"],
        "north1m": f["north"],
        "osgrdind": f["grid"],
        "gridind": f["grid"],
    }
    return [names.get(column, "") for column in header]


def write_directory(path: Path, rows: list[tuple[str, str, int | None, int | None, str]], header: list[str]) -> Path:
    """Write (postcode, upper-tier LA or WAL/SCO/NIR, easting, northing, doterm) rows in the layout."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, quoting=csv.QUOTE_ALL)
        out.writerow(header)
        for postcode, la, east, north, terminated in rows:
            out.writerow(_row(header, _fields(postcode, la, east, north, terminated)))
    return path


def demo_rows() -> list[tuple[str, str, int | None, int | None, str]]:
    from opencsc.returns.ssda903.postcodes import SYNTHETIC_POSTCODES

    rows = [(pc, la, e, n, "") for pc, (la, e, n) in SYNTHETIC_POSTCODES.items() if la not in ("CON", "NUK")]
    rows.append(("SE6 9ZZ", "E09000023", 538000, 173000, "200912"))  # terminated, still known
    rows.append(("SE6 9ZY", "E09000023", None, None, ""))  # no grid reference (ONS grid indicator 9)
    return rows


def generated_rows(n: int) -> list[tuple[str, str, int | None, int | None, str]]:
    """n well-formed, distinct postcodes (up to 936,000) in one London borough, for timing loads."""
    out = []
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for i in range(n):
        district, rest = divmod(i, 4000)
        sector, unit = divmod(rest, 400)
        a, b = divmod(unit, 20)
        postcode = f"Z{district % 9 + 1}{chr(65 + district // 9 % 26)} {sector}{letters[a]}{letters[b]}"
        out.append((postcode, "E09000023", 530000 + i % 10000, 170000 + i % 9000, ""))
    return out
