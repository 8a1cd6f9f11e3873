"""Run the published SSDA903 validator (lac_validator) on a folder of CSVs; print (rule, child) pairs as JSON.

Runs INSIDE the oracle's own virtual environment (never imported by openCSC). Usage:
    python runner.py THIS_DIR --year 2026 [--prev PREV_DIR] [--la E09000023] [--rules a,b] [--providers FILE.xlsx]
(--providers: Ofsted's combined provider list, uploaded as the tool's "CH lookup").
Prints {"pairs": [[rule, child], ...], "crashed": [...], "skipped": [...], "ran": n, "seconds": wall,
"cpu_seconds": cpu}.
"""

import argparse
import contextlib
import io
import json
import logging
import sys
import time
import warnings
from pathlib import Path


def _uploads(folder, description):
    return [
        {"name": path.name, "file_content": path.read_bytes(), "description": description}
        for path in sorted(Path(folder).glob("*.csv"))
    ]


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("this")
    parser.add_argument("--year", required=True)
    parser.add_argument("--prev")
    parser.add_argument("--la", default="E09000023")
    parser.add_argument("--rules")
    parser.add_argument("--providers")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    started, cpu_started = time.perf_counter(), time.process_time()
    from lac_validator.lac_validator import LacValidator
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    files = _uploads(args.this, "This year")
    if args.prev:
        files += _uploads(args.prev, "Prev year")
    if args.providers:
        path = Path(args.providers)
        files.append({"name": path.name, "file_content": path.read_bytes(), "description": "CH lookup"})
    with contextlib.redirect_stdout(io.StringIO()):  # some rules print()
        validator = LacValidator(
            metadata={"collectionYear": args.year, "localAuthority": args.la},
            files=files,
            registry=get_year_ruleset(args.year),
            selected_rules=args.rules.split(",") if args.rules else None,
        )
    pairs = set()
    for table, frame in validator.ds_results.items():
        if table == "metadata" or "CHILD" not in frame.columns:
            continue
        for column in frame.columns:
            if str(column).startswith("ERR_"):
                flagged = frame.loc[frame[column] == True, "CHILD"]  # noqa: E712 (pandas mask)
                pairs.update((column[4:], str(child)) for child in flagged)
    print(
        json.dumps(
            {
                "pairs": sorted(pairs),
                "crashed": sorted(validator.fails),
                "skipped": sorted(validator.skips),
                "ran": len(validator.dones),
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds": round(time.process_time() - cpu_started, 3),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
