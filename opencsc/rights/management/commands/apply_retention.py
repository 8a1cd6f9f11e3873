"""manage.py apply_retention

--dry-run                      list every record due for disposal, with the rule that made it due,
                               any legal hold that stops it, and the adults who would go with a child
--prepare --user NAME          prepare a disposal batch of what is due and not held
--approve REF --user NAME      approve a batch (a different information governance officer)
--carry-out REF --user NAME    carry out an approved batch, one transaction per person, with progress;
                               after an interruption, run it again: it carries on

The same services as the pages under /rights/disposal/ (ADR 0030)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from opencsc.audit.services import Actor, record_event
from opencsc.rights.disposal import services as disposal
from opencsc.rights.disposal.models import LINKED_ADULT, DisposalBatch, ItemOutcome
from opencsc.rights.retention import evaluate


class Command(BaseCommand):
    help = "Retention and disposal: list what is due (--dry-run), prepare, approve and carry out disposal batches."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="List what is due; change nothing")
        mode.add_argument("--prepare", action="store_true", help="Prepare a disposal batch of what is due")
        mode.add_argument("--approve", metavar="BATCH", help="Approve a batch (not its preparer)")
        mode.add_argument("--carry-out", metavar="BATCH", help="Carry out an approved batch")
        parser.add_argument("--user", help="The information governance officer doing it (username)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            return self._dry_run()
        user = self._user(options["user"])
        actor = Actor.from_user(user)
        try:
            if options["prepare"]:
                batch = disposal.batch_prepare(actor=actor, actor_user=user)
                self.stdout.write(
                    f"Prepared {batch.reference}: {batch.items.count()} people; another officer approves it."
                )
            elif options["approve"]:
                disposal.batch_approve(actor=actor, actor_user=user, batch=self._batch(options["approve"]))
                self.stdout.write(f"Approved {options['approve']}")
            else:
                self._carry_out(actor, user, self._batch(options["carry_out"]), not options["no_progress"])
        except disposal.DisposalError as exc:
            raise CommandError(str(exc)) from exc

    def _user(self, username: str | None) -> Any:
        if not username:
            raise CommandError("Say who is doing it: --user USERNAME (an information governance officer)")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        return user

    def _batch(self, reference: str) -> DisposalBatch:
        batch = DisposalBatch.objects.filter(reference=reference).first()
        if batch is None:
            raise CommandError(f"No disposal batch {reference!r}")
        return batch

    def _carry_out(self, actor: Actor, user: Any, batch: DisposalBatch, show: bool) -> None:
        pending = batch.items.filter(outcome=ItemOutcome.PENDING).count()
        bar = tqdm(total=pending, unit="person", desc=batch.reference) if show else None

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(1)

        batch = disposal.batch_carry_out(actor=actor, actor_user=user, batch=batch, progress=progress)
        if bar is not None:
            bar.close()
        disposed = batch.items.filter(outcome=ItemOutcome.DISPOSED).count()
        refused = batch.items.filter(outcome=ItemOutcome.REFUSED)
        self.stdout.write(f"{batch.reference}: {disposed} disposed of, {refused.count()} kept")
        for item in refused:
            self.stdout.write(f"  kept person {item.person_id}: {item.refused_reason}")

    def _dry_run(self) -> None:
        due = list(evaluate())
        self.stdout.write("person_id\tla_child_id\trule\ttrigger_date\tdue_on\tlegal_hold")
        for d in due:
            self.stdout.write(
                f"{d.person_id}\t{d.la_child_id}\t{d.rule} ({d.rule_name})\t{d.trigger_date}\t{d.due_on}\t{d.held_by}"
            )
        batch, _ = disposal.proposed(timezone.localdate())
        adults = [d for d in batch if d.rule == LINKED_ADULT]
        for d in adults:
            self.stdout.write(f"{d.person_id}\t\t{d.rule} ({d.rule_name})\t{d.trigger_date}\t{d.due_on}\t")
        held = sum(1 for d in due if d.held_by)
        record_event(
            actor=Actor.system("apply_retention"),
            action="rights.retention_review",
            detail={"due": len(due), "held": held, "linked_adults": len(adults), "dry_run": True},
        )
        self.stdout.write(
            f"{len(due)} records due for disposal, {held} of them under a legal hold; "
            f"{len(adults)} linked adults would go with them"
        )
