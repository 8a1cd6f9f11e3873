"""Benchmark: `import_postcodes` (read, check, replace the postcode directory in one transaction) on
a synthetic directory in the ONSPD layout, and the lookup a 903 check then makes.

    DATABASE_URL=postgres://... .venv/bin/python bench/postcodes_load.py 200000
    .venv/bin/python bench/postcodes_load.py 2700000        # the whole-UK ONSPD's size

It runs in a throwaway test database (created and dropped), so it never touches a real one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencsc.config.test_settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

from opencsc.returns.postcode_directory import import_postcodes, postcode_lookup  # noqa: E402
from opencsc.returns.tests.postcode_files import ONSPD_2024, demo_rows, generated_rows, write_directory  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = write_directory(Path(folder) / "ONSPD.csv", demo_rows() + generated_rows(n), ONSPD_2024)
            size = path.stat().st_size
            started = time.perf_counter()
            report = import_postcodes(path)
            took = time.perf_counter() - started
            again = time.perf_counter()
            assert import_postcodes(path).unchanged
            same = time.perf_counter() - again
        keys = [row[0] for row in generated_rows(min(n, 3000))]
        looked = time.perf_counter()
        lookup = postcode_lookup(keys)
        lookup_s = time.perf_counter() - looked
        print(
            f"{connection.vendor}: {report.postcodes:,} postcodes ({size / 1e6:.0f} MB, ONSPD layout) loaded in "
            f"{took:.1f} s; the same file again {same:.1f} s (unchanged); "
            f"lookup of {len(keys):,} postcodes {lookup_s * 1000:.0f} ms ({len(lookup.rows) if lookup else 0} found)"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
