"""Prepare the browser tests' own database, run as a separate process before the server starts.

`python -m tests.browser.prepare` migrates the throwaway SQLite file named by SQLITE_PATH, seeds the demo
borough exactly as `manage.py seed_demo --children 40 --seed 7` does, and prints (as JSON on the last
line of stdout) the few facts the journeys need: who signs in, which child they look for, and an
outsider who must not see that child. The facts are chosen through the application's own access rules,
so the journeys do not depend on primary keys or on the order the seed happens to create rows in.

Migrating an empty SQLite file takes several seconds of CPU, paid by every pytest-xdist worker on every
run; so the freshly migrated, still empty database is kept in the temporary directory under a name
derived from every migration file, the settings and the Django version, and copied from there while
none of those change. Seeding always runs fresh.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

SEED_CHILDREN = 40
SEED = 7
REPO = Path(__file__).resolve().parents[2]
CACHE = Path(tempfile.gettempdir()) / "opencsc-browser-tests-db"


def _schema_key() -> str:
    import django

    digest = hashlib.sha256(django.__version__.encode())
    sources = [*sorted(REPO.glob("opencsc/**/migrations/*.py")), REPO / "opencsc" / "config" / "settings.py"]
    for path in sources:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _copy_sqlite(source: Path, target: Path) -> None:
    # The backup API copies a consistent database whatever its journal mode (WAL leaves side files).
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _migrate(database: Path) -> None:
    """Give `database` the current schema: from the cached empty copy if there is one, else by migrating."""
    from django.core.management import call_command

    CACHE.mkdir(exist_ok=True)
    template = CACHE / f"migrated-{_schema_key()}.sqlite3"
    with (CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one xdist worker migrates, the other waits and copies
        if template.exists():
            _copy_sqlite(template, database)
            return
        call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
        from django.db import connections

        connections.close_all()
        for stale in CACHE.glob("migrated-*.sqlite3"):
            stale.unlink()
        partial = template.with_suffix(".partial")
        _copy_sqlite(database, partial)
        os.replace(partial, template)


def _facts() -> dict[str, Any]:
    from django.db.models import Count

    from opencsc.accounts import access
    from opencsc.accounts.models import Role, User
    from opencsc.demo.borough import DEMO_PASSWORD, PERSONAS
    from opencsc.people.selectors import caseload_for_user

    persona = {role: username for username, _first, _last, role, _team in PERSONAS}
    worker = User.objects.get(username=persona[Role.SOCIAL_WORKER])
    # The child with the largest visible family makes the most telling genogram.
    child_ids = [a.person_id for a in caseload_for_user(worker) if a.person.first_name]
    child = (
        access.visible_persons(worker)
        .filter(pk__in=child_ids)
        .annotate(links=Count("relationships_in", distinct=True) + Count("relationships", distinct=True))
        .order_by("-links", "pk")
        .first()
    )
    if child is None:
        raise SystemExit("the seeded borough gave the demo social worker no named child")
    outsider = next(
        user
        for user in User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True)
        .exclude(team=worker.team)
        .order_by("username")
        if not access.can_view_person(user, child.pk)
    )
    # The shared view is of another child of the worker's caseload: the journeys change the main
    # child's address, after which a view of what was shared rightly refuses to show it.
    view_child = access.visible_persons(worker).filter(pk__in=child_ids).exclude(pk=child.pk).order_by("pk").first()
    if view_child is None:
        raise SystemExit("the seeded borough gave the demo social worker only one named child")
    from opencsc.accounts import mfa
    from opencsc.audit.services import Actor

    second_ig = _disposal_case()

    # Each persona sets up their app on first sign-in with a code an administrator would have issued.
    codes = {
        username: mfa.enrolment_code_issue(
            actor=Actor.system("browser-tests"), issued_by=None, user=User.objects.get(username=username)
        )
        # hv.demo: the health visitor who makes a request for support in the partner portal journey
        for username in [*(p[0] for p in PERSONAS), outsider.username, second_ig, "hv.demo"]
    }
    spare = (
        User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER)
        .exclude(username__in=[*codes, worker.username])
        .order_by("username")
        .first()
    )
    return {
        "front_door_child": _front_door_child(worker),
        "portal_check_child": _portal_check_child(worker),
        "shared_view": _shared_view(worker, view_child),
        "shared_view_child": {"id": view_child.pk, "last_name": view_child.last_name},
        "password": DEMO_PASSWORD,
        "enrolment_codes": codes,
        "social_worker": worker.username,
        "social_worker_name": worker.get_full_name(),
        "team_manager": persona[Role.TEAM_MANAGER],
        "ig_officer": persona[Role.IG_OFFICER],
        "second_ig_officer": second_ig,
        "disposal_child_id": _disposal_child_id(),
        "outsider": outsider.username,
        "spare_user": spare.username if spare else "",
        "child": {
            "id": child.pk,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "full_name": child.full_name,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else "",
        },
    }


DISPOSAL_CHILD = ("Dispo", "Browsertest")


def _disposal_case() -> str:
    """For the disposal journey: a second information governance officer (the four eyes), one
    synthetic child long due for disposal, and a legal hold on every other record the seed made
    due, so the journey disposes of that child only and the other journeys keep their people."""
    import datetime as dt

    from opencsc.accounts.models import Role, User
    from opencsc.casework.models import ReferralEpisode
    from opencsc.demo.borough import DEMO_PASSWORD
    from opencsc.people.models import Person
    from opencsc.rights.models import LegalHold
    from opencsc.rights.retention import evaluate

    ig = User.objects.get(role=Role.IG_OFFICER, username="ig.demo")
    second = User.objects.create_user(
        username="ig2.demo",
        password=DEMO_PASSWORD,
        first_name="Iris",
        last_name="Second",
        role=Role.IG_OFFICER,
        team=ig.team,
        email="ig2.demo@exampleton.example",
        job_title=Role.IG_OFFICER.label,
    )
    child = Person.objects.create(
        is_child=True,
        first_name=DISPOSAL_CHILD[0],
        last_name=DISPOSAL_CHILD[1],
        sex="M",
        date_of_birth=dt.date(1990, 3, 4),
        la_child_id="DISPOSE001",
    )
    ReferralEpisode.objects.create(
        child=child,
        referral_date=dt.date(2005, 1, 4),
        closure_date=dt.date(2005, 6, 1),
        closure_reason="RC8",
        source="2A",
        primary_need="N1",
    )
    for due in evaluate():
        if due.person_id != child.pk:
            LegalHold.objects.create(
                name="Browser tests: kept for the other journeys",
                person_id=due.person_id,
                reason="Test data",
                set_by=ig,
            )
    return second.username


def _disposal_child_id() -> int:
    from opencsc.people.models import Person

    return Person.objects.get(first_name=DISPOSAL_CHILD[0], last_name=DISPOSAL_CHILD[1]).pk


def _front_door_child(worker: Any) -> str:
    """The child of the social worker persona's caseload with a contact waiting at the front door
    (seeded by `opencsc.demo.front_door`): the MASH journey passes it to them."""
    from opencsc.casework.models import Contact, ContactStatus
    from opencsc.casework.services import case_holder

    for contact in Contact.objects.exclude(status=ContactStatus.DECIDED).select_related("child"):
        if case_holder(contact.child)[1] == worker:
            return contact.child.full_name
    raise SystemExit("the seeded borough has no contact waiting about the social worker persona's children")


def _portal_check_child(worker: Any) -> str:
    """A child with a contact waiting at the front door and not yet rated, other than the one the
    MASH journey passes to the social worker: the partner portal journey asks the police about them."""
    from opencsc.casework.models import Contact, ContactStatus

    taken = _front_door_child(worker)
    for contact in (
        Contact.objects.exclude(status=ContactStatus.DECIDED)
        .filter(triage__isnull=True)
        .select_related("child")
        .order_by("pk")
    ):
        if contact.child.full_name != taken and contact.child.first_name:
            return contact.child.full_name
    raise SystemExit("the seeded borough has no second contact waiting for triage")


def _shared_view(worker: Any, child: Any) -> str:
    """The social worker persona shares the child's name and address with the police and delivers it
    as a portal view open for a week: the partner journey opens it, then the worker revokes it."""
    import datetime as dt

    from django.utils import timezone

    from opencsc.audit.services import Actor
    from opencsc.core.categories import DataCategory
    from opencsc.privacy.models import Purpose
    from opencsc.sharing import portal_services, services
    from opencsc.sharing.items import disclosable_items
    from opencsc.sharing.models import Agency

    items = disclosable_items(child)
    shared = (DataCategory.NAME, DataCategory.ADDRESS)
    keys = [item.key for category in shared for item in items.get(category, [])]
    disclosure = services.disclosure_share(
        actor_user=worker,
        actor=Actor.from_user(worker),
        person=child,
        agency=Agency.objects.get(name="Exampleton Constabulary Public Protection Unit"),
        purpose=Purpose.objects.get(code="support-and-protect"),
        item_keys=keys,
        consent="safeguarding",
        consent_detail="The police are part of the child's safety plan",
    )
    view = portal_services.shared_view_create(
        actor_user=worker,
        actor=Actor.from_user(worker),
        disclosure=disclosure,
        expires_on=timezone.localdate() + dt.timedelta(days=7),
    )
    return view.reference


def main() -> None:
    """Migrate, seed and print the facts. Command output goes to stderr so stdout stays parseable."""
    import django
    from django.core.management import call_command

    django.setup()
    _migrate(Path(os.environ["SQLITE_PATH"]))
    call_command("seed_demo", children=SEED_CHILDREN, seed=SEED, stdout=sys.stderr)
    call_command("compute_indicators", "--no-progress", stdout=sys.stderr)  # the dashboard's figures
    call_command("compute_health_needs", "--no-progress", stdout=sys.stderr)  # the health-needs page's picture
    print(json.dumps(_facts()))


if __name__ == "__main__":
    main()
