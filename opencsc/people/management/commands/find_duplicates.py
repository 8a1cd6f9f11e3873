"""manage.py find_duplicates: propose duplicate person records over the whole database (schedule it).

Proposals wait in the review queue (/people/duplicates/, information governance). Pairs already
reviewed are left as they are. Audited once per run.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.people.matching.duplicates import find_duplicates


class Command(BaseCommand):
    help = "Propose duplicate person records for review."

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=0, unit="step", desc="Finding duplicates (blocks, then scoring)", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            counts = find_duplicates(actor=Actor.system("find_duplicates"), progress=progress)
        finally:
            bar.close()
        self.stdout.write(
            f"{counts['people']} people; {counts['pairs_in_blocks']} pairs shared a block,"
            f" {counts['pairs_compared']} of them scored; {counts['proposed']} proposed for review"
            f" ({counts['already_reviewed']} already reviewed left as they were)."
        )
