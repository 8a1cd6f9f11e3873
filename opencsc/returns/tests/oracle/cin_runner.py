"""Run the published CIN validator (csc-validator-be-cin) on one file and print JSON.

Runs inside the oracle's own virtual environment, never in openCSC's (it pins pandas<2 and numpy<2).
Usage: python cin_runner.py FILE.xml YEAR_END
Prints {"pairs": [[rule, child_id], ...], "return_level": [rule, ...], "crashed": [rule, ...],
"seconds": s}: one pair per (rule, child) the validator reports.
"""

import contextlib
import io
import json
import re
import sys
import time
import warnings
import xml.etree.ElementTree as ET

warnings.filterwarnings("ignore")


def main(path: str, year_end: str) -> dict:
    from cin_validator import cin_validator
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    started = time.perf_counter()
    root = ET.parse(path).getroot()  # noqa: S314
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        data = cin_validator.process_data(cin_validator.convert_data(root))
        result = cin_validator.CinValidator(data, get_year_ruleset(year_end))
    issues = result.full_issue_df
    pairs = (
        sorted({(str(r), str(c)) for r, c in zip(issues["rule_code"], issues["child_id"], strict=True)})
        if len(issues)
        else []
    )
    return_level = (
        sorted({str(r) for r in result.multichild_issues["rule_code"]}) if len(result.multichild_issues) else []
    )
    crashed = sorted(set(re.findall(r"Error with rule (\S+?):", printed.getvalue())))
    return {
        "pairs": pairs,
        "return_level": return_level,
        "crashed": crashed,
        "seconds": round(time.perf_counter() - started, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
