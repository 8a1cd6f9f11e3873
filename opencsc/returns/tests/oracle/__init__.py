"""The published DfE validators, run as independent oracles in throwaway virtual environments.

The published CIN validator (csc-validator-be-cin 0.1.13, data-to-insight, MIT) pins pandas<2 and
numpy<2 and clashes with the 903 one, so it never enters openCSC's environment: `cin_oracle()`
creates ``${OPENCSC_ORACLE_HOME:-~/.cache/opencsc-oracle}/cin-0.1.13`` once (from PyPI) and reuses it,
and `run_cin_oracle` runs our small runner script there on one file.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opencsc.returns.tests.oracle_venv import OracleUnavailable as OracleUnavailable
from opencsc.returns.tests.oracle_venv import ensure_venv

CIN_PACKAGES = ("csc-validator-be-cin==0.1.13", "numpy<2")
RUNNER = Path(__file__).with_name("cin_runner.py")


# Where the published CIN validator reports a (rule, child) that openCSC rightly does not, and why.
# Confirmed on synthetic corpora (see docs/returns-validation-cin.md). Rules where it misses what we
# find (8540 dropped; 8869, 8945Q, 8950Q, 8870Q never fire; 8614, 8897Q, 8898, 8565 crash; 8935 and
# 8940 compare plans by their per-episode number; 8740 reads only "0") need no exclusion: the oracle
# test checks only that we find everything it finds.
CIN_KNOWN_DEFECTS: dict[str, str] = {
    "8832": "merges CINdetails with ChildProtectionPlans but swaps the two row-number columns, so it "
    "reports whichever children happen to sit at those row numbers",
    "duplicate-id": "every rule joins tables by LAchildID, so two children sharing an id (rule 8510) are "
    "treated as one child and one child's activity is checked against the other's episodes",
    "8569Q": "subtracts one working day too few (pandas CustomBusinessDay(n=days-1)), so an NFA referral "
    "on the last working day before 1 April is queried; the rule allows it",
    "8670Q": "the same off-by-one: an open assessment started exactly 45 working days before 31 March "
    "is queried, though it is not yet 'more than 45 working days' old",
    "8675Q": "the same off-by-one for the 15 working days to the initial conference",
    "2885": "reads ICPCnotRequired as not-required only when written 1, so with true a section 47 that "
    "needed no conference is taken as one whose conference the plan should match",
    "4003": "joins reviews to plans by the per-episode plan number, so a review can be compared with "
    "another episode's plan",
}


@dataclass(frozen=True)
class OracleResult:
    pairs: frozenset[tuple[str, str | None]]  # (rule, LA child id); None when the child has no id
    return_level: frozenset[str]
    crashed: frozenset[str]
    seconds: float


def cin_oracle() -> Path:
    """The oracle environment's python, created on first use; raises `OracleUnavailable`."""
    return ensure_venv("cin-0.1.13", CIN_PACKAGES)


def run_cin_oracle(path: Path, year_end: int, python: Path | None = None) -> OracleResult:
    """Run the published validator on one CIN XML file for the collection ending in `year_end`."""
    python = python or cin_oracle()
    done = subprocess.run(
        [str(python), "-W", "ignore", str(RUNNER), str(path), str(year_end)],
        check=False,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the published CIN validator failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(done.stdout)
    return OracleResult(
        pairs=frozenset((rule, _child_id(child)) for rule, child in data["pairs"]),
        return_level=frozenset(data["return_level"]),
        crashed=frozenset(data["crashed"]),
        seconds=float(data["seconds"]),
    )


def _child_id(value: str) -> str | None:
    return None if value in ("<NA>", "nan", "None", "NaT") else value
