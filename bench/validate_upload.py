"""Benchmark: checking a return from another system (the Returns page's upload and
`manage.py validate_return`), to decide whether it can run inside the request.

Times `returns.checking.check_cin` (read the XML bytes + validate) on synthetic CIN censuses with
broken children, and `check_903` on synthetic SSDA903 sets, at the sizes given. No database rows are
read beyond the (empty) provider register and postcode directory, so SQLite is enough.

    .venv/bin/python bench/validate_upload.py                     # CIN 5,000 and 20,000; 903 1,000 and 5,000
    .venv/bin/python bench/validate_upload.py --cin 80000 --ssda 20000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencsc.config.test_settings")
django.setup()

from django.test.utils import setup_databases, setup_test_environment  # noqa: E402

from opencsc.returns import checking  # noqa: E402
from opencsc.returns.cin.synthetic import broken_return  # noqa: E402
from opencsc.returns.cin.xml_io import cin_xml_bytes  # noqa: E402
from opencsc.returns.ssda903.csv_io import write_903_dir  # noqa: E402
from opencsc.returns.ssda903.synthetic import synthetic_903  # noqa: E402

YEAR = "2025-26"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cin", type=int, nargs="*", default=[5000, 20000])
    parser.add_argument("--ssda", type=int, nargs="*", default=[1000, 5000])
    args = parser.parse_args()
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    for n in args.cin:
        data = cin_xml_bytes(broken_return(n, YEAR, seed=1)[0])
        started = time.perf_counter()
        result = checking.check_cin(data, name="cin.xml", year=YEAR)
        took = time.perf_counter() - started
        print(
            f"CIN {n:>7,} children, {len(data) / 1e6:6.1f} MB: {took:5.2f} s "
            f"({result.errors} errors, {result.queries} queries)"
        )
    for n in args.ssda:
        tables = synthetic_903(n, seed=1, year=YEAR)
        with tempfile.TemporaryDirectory() as folder:
            files = {p.name: p.read_bytes() for p in write_903_dir(tables, folder)}
        size = sum(len(v) for v in files.values())
        started = time.perf_counter()
        result = checking.check_903(files, year=YEAR)
        took = time.perf_counter() - started
        print(f"903 {n:>7,} children, {size / 1e6:6.1f} MB: {took:5.2f} s ({result.errors} errors)")


if __name__ == "__main__":
    main()
