"""manage.py validate_return {cin,903} PATH [--year 2025-26] [--previous DIR] [--format text|json|csv]

Checks a return from another system with openCSC's validation engines: a CIN census XML file, or a
directory of SSDA903 CSV files (with last year's in --previous DIR for the rules that compare years).
Nothing from the files is stored; one `return.validate_upload` audit event records the check. The
findings go to stdout in the chosen format; exit status 1 when the return has errors, 2 when the files
were refused.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor
from opencsc.core.uploads import FileRefused, check_path
from opencsc.returns import checking


def _read_dir(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        raise checking.CheckRefused(f"{folder} is not a directory of SSDA903 CSV files")
    files = {}
    for file in sorted(folder.glob("*.csv")):
        check_path(file, limit=checking.command_max_bytes(), what="one SSDA903 CSV file")
        files[file.name] = file.read_bytes()
    return files


class Command(BaseCommand):
    help = "Check a CIN census or SSDA903 return from another system against the DfE rules (nothing is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(checking.KINDS))
        parser.add_argument("path", help="CIN: the XML file; 903: the directory of CSV files")
        parser.add_argument("--year", default=None, help="Collection year, like 2025-26 (CIN: from its header)")
        parser.add_argument("--previous", default=None, help="903: last year's CSV files, for the year-on-year rules")
        parser.add_argument("--format", choices=("text", "json", "csv"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path = options["kind"], Path(options["path"])
        actor = Actor.system("validate_return")
        if kind == "cin" and options["previous"]:
            raise CommandError("--previous is for the 903 (the CIN census rules do not compare years)")
        sizes: dict[str, int] = {}
        try:
            if kind == "cin":
                if not path.is_file():
                    raise checking.CheckRefused(f"{path} is not a file")
                check_path(path, limit=checking.command_max_bytes(), what="a CIN census file to check")
                data = path.read_bytes()
                sizes[path.name] = len(data)
                result = checking.check_cin(
                    data, name=path.name, year=options["year"], limit=checking.command_max_bytes()
                )
            else:
                files = _read_dir(path)
                sizes = {name: len(data) for name, data in files.items()}
                previous = _read_dir(Path(options["previous"])) if options["previous"] else None
                result = checking.check_903(
                    files, year=options["year"], previous=previous, limit=checking.command_max_bytes()
                )
        except FileRefused as exc:
            checking.audit_check(actor=actor, kind=kind, files=sizes, result=None, refused=str(exc))
            self.stderr.write(f"Refused: {exc}")
            sys.exit(2)
        checking.audit_check(actor=actor, kind=kind, files=sizes, result=result)
        chosen = options["format"]
        output = result.as_json() if chosen == "json" else result.as_csv() if chosen == "csv" else result.as_text()
        self.stdout.write(output, ending="" if output.endswith("\n") else "\n")
        if result.errors:
            sys.exit(1)
