"""Disposal batches: four eyes, legal holds (at preparation and again at carry-out), removal from
every table of the database, the audit chain still verifying, all-or-nothing per person, and
linked adults following the child's rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from opencsc.accounts.models import CaseloadReach
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.people.matching.models import MatchKey, MatchProfile
from opencsc.people.models import Person
from opencsc.rights.disposal import removal
from opencsc.rights.disposal import services as disposal
from opencsc.rights.disposal.models import BatchStatus, DisposalBatch, ItemOutcome
from opencsc.rights.models import LegalHold
from opencsc.rights.tests.disposal_fixtures import scan_database

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def _prepare(user):
    return disposal.batch_prepare(actor=Actor.from_user(user), actor_user=user, today=TODAY)


def _approved(preparer, approver):
    batch = _prepare(preparer)
    disposal.batch_approve(actor=Actor.from_user(approver), actor_user=approver, batch=batch)
    return batch


def _carry_out(batch, user):
    return disposal.batch_carry_out(actor=Actor.from_user(user), actor_user=user, batch=batch)


def test_a_batch_holds_what_is_due_with_its_rule_and_the_linked_adult(family, ig_officer):
    batch = _prepare(ig_officer)
    items = {i.person_id: i for i in batch.items.all()}
    assert items[family.child.pk].rule == "child-in-need"
    assert items[family.child.pk].due_on == dt.date(2017, 1, 1)
    assert items[family.mother.pk].rule == "linked-adult"  # held only for the child
    assert items[family.mother.pk].linked_to == [family.child.pk]
    assert family.father.pk not in items  # he has an allocation of his own


def test_the_preparer_cannot_approve_their_own_batch(family, ig_officer, second_ig, social_worker):
    batch = _prepare(ig_officer)
    with pytest.raises(disposal.DisposalError, match="someone else must approve"):
        disposal.batch_approve(actor=Actor.from_user(ig_officer), actor_user=ig_officer, batch=batch)
    with pytest.raises(disposal.DisposalError, match="information governance"):
        disposal.batch_approve(actor=Actor.from_user(social_worker), actor_user=social_worker, batch=batch)
    with pytest.raises(disposal.DisposalError, match="approved batch"):
        _carry_out(batch, second_ig)  # not approved yet
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        DisposalBatch.objects.filter(pk=batch.pk).update(approved_by=ig_officer)
    disposal.batch_approve(actor=Actor.from_user(second_ig), actor_user=second_ig, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == second_ig
    assert Person.objects.filter(pk=family.child.pk).exists()  # nothing removed before carrying out


def test_after_disposal_the_person_is_in_no_table_and_the_audit_chain_verifies(family, ig_officer, second_ig):
    ids = {family.child.pk, family.mother.pk, family.alias.pk}
    assert scan_database(ids, family.needles)  # the scan finds them before
    before_events = AuditEvent.objects.filter(subject_person_id=family.child.pk).count()
    batch = _carry_out(_approved(ig_officer, second_ig), ig_officer)
    assert batch.status == BatchStatus.CARRIED_OUT
    assert scan_database(ids, family.needles) == []
    connection.check_constraints()  # nothing left pointing at a removed row (checked now, not at commit)
    assert not MatchProfile.objects.filter(person_id__in=ids).exists()
    assert not MatchKey.objects.filter(person_id__in=ids).exists()
    assert not CaseloadReach.objects.filter(person_id__in=ids).exists()
    # Audit events about the child are kept, with ids only, and the chain still verifies.
    kept = AuditEvent.objects.filter(subject_person_id=family.child.pk)
    assert kept.count() > before_events  # plus the disposal's own event
    call_command("verify_audit")
    item = batch.items.get(person_id=family.child.pk)
    assert item.outcome == ItemOutcome.DISPOSED and item.events_scrubbed >= 3
    assert {"health", "name", "nhs_number", "address"} <= set(item.categories)
    assert item.rows_removed["people.Person"] == 2  # the child and the older record merged into them
    assert item.rows_removed["casework.CaseNote"] == 1
    assert item.rows_removed["sharing.Disclosure"] == 1 and item.rows_removed["rights.DisputeNote"] == 1
    assert Person.objects.filter(pk=family.father.pk).exists()


def test_disposal_is_refused_under_a_legal_hold_set_after_approval(family, ig_officer, second_ig):
    batch = _approved(ig_officer, second_ig)
    LegalHold.objects.create(name="Smith v Exampleton", person=family.child, reason="Litigation", set_by=second_ig)
    _carry_out(batch, ig_officer)
    child_item = batch.items.get(person_id=family.child.pk)
    assert child_item.outcome == ItemOutcome.REFUSED and "Smith v Exampleton" in child_item.refused_reason
    mother_item = batch.items.get(person_id=family.mother.pk)
    assert mother_item.outcome == ItemOutcome.REFUSED  # her child is kept, so she is
    assert Person.objects.filter(pk__in=[family.child.pk, family.mother.pk]).count() == 2
    assert scan_database({family.child.pk}, [family.child.full_name])  # still all there


def test_a_held_record_is_left_out_of_a_batch_and_an_inquiry_hold_stops_everything(family, ig_officer):
    LegalHold.objects.create(name="Smith v Exampleton", person=family.child, reason="Litigation", set_by=ig_officer)
    with pytest.raises(disposal.DisposalError, match="Nothing is due"):
        _prepare(ig_officer)  # the mother goes only with the child, who is held
    LegalHold.objects.all().update(released_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    LegalHold.objects.create(name="Independent inquiry", reason="Every record", set_by=ig_officer)
    with pytest.raises(disposal.DisposalError, match="Nothing is due"):
        _prepare(ig_officer)


def test_an_interrupted_disposal_leaves_all_of_the_persons_data(family, ig_officer, second_ig, monkeypatch):
    batch = _approved(ig_officer, second_ig)
    ids = {family.child.pk, family.mother.pk}
    before = scan_database(ids, family.needles)
    real_remove = removal.remove

    def remove_then_die(found):
        real_remove(found)  # every row of the person is deleted...
        raise RuntimeError("process killed")  # ...and then the process dies before the commit

    monkeypatch.setattr(removal, "remove", remove_then_die)
    with pytest.raises(RuntimeError):
        _carry_out(batch, ig_officer)
    assert scan_database(ids, family.needles) == before
    assert MatchProfile.objects.filter(person_id__in=ids).count() == 2
    assert batch.items.filter(outcome=ItemOutcome.PENDING).count() == 2
    call_command("verify_audit")
    monkeypatch.setattr(removal, "remove", real_remove)
    _carry_out(batch, ig_officer)  # running it again carries on
    assert scan_database(ids, family.needles) == []


def test_the_command_prepares_approves_and_carries_out_with_four_eyes(family, ig_officer, second_ig, capsys):
    call_command("apply_retention", "--dry-run")
    listed = capsys.readouterr().out
    assert f"{family.child.pk}\t{family.child.la_child_id}\tchild-in-need" in listed
    assert f"{family.mother.pk}\t\tlinked-adult" in listed and "1 linked adults would go with them" in listed
    assert not any(line.startswith(f"{family.father.pk}\t") for line in listed.splitlines())
    call_command("apply_retention", "--prepare", "--user", ig_officer.username)
    batch = DisposalBatch.objects.get()
    with pytest.raises(CommandError, match="someone else must approve"):
        call_command("apply_retention", "--approve", batch.reference, "--user", ig_officer.username)
    call_command("apply_retention", "--approve", batch.reference, "--user", second_ig.username)
    call_command("apply_retention", "--carry-out", batch.reference, "--user", ig_officer.username, "--no-progress")
    assert f"{batch.reference}: 2 disposed of, 0 kept" in capsys.readouterr().out
    assert not Person.objects.filter(pk__in=[family.child.pk, family.mother.pk]).exists()


def test_a_record_with_new_activity_since_approval_is_kept(family, ig_officer, second_ig):
    from opencsc.casework.models import CaseNote

    batch = _approved(ig_officer, second_ig)
    CaseNote.objects.create(child=family.child, note_date=dt.date(2026, 5, 1), subject="Came back", body="New")
    _carry_out(batch, ig_officer)
    assert batch.items.get(person_id=family.child.pk).refused_reason.startswith("No longer due")
    assert Person.objects.filter(pk__in=[family.child.pk, family.mother.pk]).count() == 2


def test_a_record_another_persons_row_depends_on_is_kept_whole(family, ig_officer, second_ig):
    from opencsc.casework.models import CaseNote, ReferralEpisode
    from opencsc.people.tests.factories import ChildFactory

    sibling = ChildFactory()
    episode = ReferralEpisode.objects.get(child=family.child)
    CaseNote.objects.create(child=sibling, episode=episode, note_date=dt.date(2010, 3, 1), subject="S", body="B")
    batch = _carry_out(_approved(ig_officer, second_ig), ig_officer)
    item = batch.items.get(person_id=family.child.pk)
    assert item.outcome == ItemOutcome.REFUSED and "casework.CaseNote" in item.refused_reason
    assert Person.objects.filter(pk=family.child.pk).exists()
    assert CaseNote.objects.filter(child=sibling).exists() and CaseNote.objects.filter(child=family.child).exists()
