"""The published SSDA903 validator (csc-validator-be-903 0.1.17), run as an independent oracle.

It pins pandas<2 and clashes with the CIN validator, so it never enters openCSC's environment:
`oracle_903()` creates ``${OPENCSC_ORACLE_HOME:-~/.cache/opencsc-oracle}/903-0.1.17`` once (from PyPI)
and reuses it, and `run_903_oracle` runs our runner script (`runner.py`) there on a folder of CSVs.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opencsc.returns.tests.oracle_venv import OracleUnavailable as OracleUnavailable
from opencsc.returns.tests.oracle_venv import ensure_venv

PACKAGES = ("csc-validator-be-903==0.1.17",)
RUNNER = Path(__file__).with_name("runner.py")
POSTCODES = Path(__file__).with_name("postcodes.py")

# Where the published validator reports a (rule, child) that openCSC rightly does not, and why.
# Confirmed on synthetic corpora (docs/returns-validation-903.md). Rules where it misses what we find
# (231 and 233 crash, 709/710 read a PLACEMENT column that does not exist, 165 compares SEX with 1/2,
# 347 compares ACCOM with "T") need no entry: the oracle test only checks we find what it finds.
KNOWN_DEFECTS_903: dict[str, str] = {
    "146": "2024-25 lists the new placement type as lower-case 'k3', so every valid K3 placement is flagged",
    "SW17STG2": "flags every child whose latest social worker episode has ended, including children who "
    "left care during the year (they need no open social worker episode at 31 March)",
    "SW11bSTG2": "pairs each episode with the one before it in reverse order, so an episode ending in the "
    "last five days of March is flagged even when a later episode follows it",
    "1001": "drops young people aged 20 or over from the Header before totalling their care, then treats "
    "the missing total as 'not a relevant child', so every 20- and 21-year-old care leaver is flagged",
    "625": "compares the birth of a mother's child with the end of her latest episode of any kind, so a "
    "birth after a placement change (episode ended X1) is flagged; openCSC compares with leaving care",
    "583": "sorts decisions to place for adoption by their DD/MM/YYYY text, not their date, so the 'latest' "
    "decision is chosen wrongly",
    "558": "counts ended decisions across the merged rows, so it only fires for a child with two or more",
    "SW07STG2": "subtracts 365.2425 days (numpy's year) instead of a calendar year, so an episode ending on "
    "1 April of the year before is outside the window when that span includes 29 February",
    "577": "runs after rule 365 has written 31 March into the shared Episodes table, so an open period of "
    "care looks closed and a missing period of a child still in care ending after 31 March is flagged",
    "575": "the same rule-365 side effect: a missing period still open in an episode still open at 31 March "
    "is flagged as if the placement had ended",
}


@dataclass(frozen=True)
class OracleResult:
    pairs: frozenset[tuple[str, str]]
    crashed: frozenset[str]
    skipped: frozenset[str]
    seconds: float  # wall-clock time inside the validator's process (reading, preparing, validating)
    cpu_seconds: float


def oracle_postcodes(python: Path, postcodes: list[str]) -> list[tuple[str, tuple[str, int, int]]]:
    """The rows of the ONS postcode directory the published validator ships (with its upper-tier LA
    derivation) for these postcodes, as `PostcodeLookup.from_rows` takes them: so openCSC runs the
    placement-location rules (169, 179, 392a/c, 406, 420, 1015...) on the same directory."""
    done = subprocess.run(
        [str(python), "-W", "ignore", str(POSTCODES)],
        input=json.dumps(sorted(set(postcodes))),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [(pcd, (la, east, north)) for pcd, la, east, north in rows if la]


def oracle_903() -> Path:
    """The oracle environment's python, created on first use; raises `OracleUnavailable`."""
    return ensure_venv("903-0.1.17", PACKAGES)


def collection_end_year(year: str) -> str:
    """ "2025-26" -> "2026", the year form the published validator takes."""
    return str(int(year[:4]) + 1)


def run_903_oracle(
    folder: Path,
    year: str,
    python: Path,
    *,
    previous: Path | None = None,
    la_code: str = "E09000023",
    providers: Path | None = None,
) -> OracleResult:
    """The published validator's (rule, child) pairs for the CSV return in `folder` (with `providers`,
    Ofsted's combined provider list as an XLSX file, the URN rules run too)."""
    command = [str(python), "-W", "ignore", str(RUNNER), str(folder), "--year", collection_end_year(year)]
    command += ["--la", la_code] + (["--prev", str(previous)] if previous is not None else [])
    command += ["--providers", str(providers)] if providers is not None else []
    done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=1800)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return OracleResult(
        frozenset((rule, child) for rule, child in data["pairs"]),
        frozenset(data["crashed"]),
        frozenset(data["skipped"]),
        float(data["seconds"]),
        float(data.get("cpu_seconds", data["seconds"])),
    )
