"""The synthetic demo borough: teams, staff of every role, and families with their relationships.

Deterministic: the same seed and as-of date give the same borough. Faker en_GB supplies names and
street lines, with real postcodes from the project's shipped list (`opencsc.demo.postcodes`); NHS
numbers come from the 999 test range and UPNs carry a DfE pseudo-LA code (001), so nothing can match a
real person. Rows are written in bulk (this is a generator, not casework), and each person
created gets its audit event, chained in bulk as system process "seed_demo".
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from faker import Faker

from opencsc.accounts import reach
from opencsc.accounts.models import Allocation, AllocationKind, RestrictedAccess, Role, Team, TeamKind, User
from opencsc.audit.services import Actor, record_event, record_events_bulk
from opencsc.demo.identifiers import test_nhs_number, unique_demo_upn
from opencsc.demo.postcodes import HOME_POSTCODES
from opencsc.people import models as pm
from opencsc.people.matching import index as match_index
from opencsc.people.services import nhs_number_index
from opencsc.sharing.demo import seed_agencies

DEMO_PASSWORD = "demo-only-password"  # noqa: S105  (printed by `make run`; demo personas only)

# (username, first, last, role, team name)
PERSONAS: list[tuple[str, str, str, str, str]] = [
    ("sw.demo", "Sam", "Worker", Role.SOCIAL_WORKER, "Family Support East"),
    ("tm.demo", "Tara", "Manager", Role.TEAM_MANAGER, "Family Support East"),
    ("mash.demo", "Mo", "Triage", Role.MASH_PRACTITIONER, "Front Door and MASH"),
    ("chair.demo", "Chris", "Chair", Role.CONFERENCE_CHAIR, "Independent Reviewing Service"),
    ("analyst.demo", "Ana", "Lyst", Role.PERFORMANCE_ANALYST, "Performance and Insight"),
    ("ig.demo", "Iggy", "Governance", Role.IG_OFFICER, "Information Governance"),
    ("partner.demo", "Pat", "Partner", Role.PARTNER, "Exampleton Constabulary Public Protection Unit"),
    ("admin.demo", "Ada", "Admin", Role.SYSTEM_ADMIN, "Systems"),
]
TEAMS: list[tuple[str, str]] = [
    ("Front Door and MASH", TeamKind.FRONT_DOOR),
    ("Assessment North", TeamKind.ASSESSMENT),
    ("Assessment South", TeamKind.ASSESSMENT),
    ("Family Support East", TeamKind.FAMILY_SUPPORT),
    ("Family Support West", TeamKind.FAMILY_SUPPORT),
    ("Children in Care", TeamKind.CHILDREN_IN_CARE),
    ("Leaving Care", TeamKind.LEAVING_CARE),
    ("Independent Reviewing Service", TeamKind.REVIEWING),
    ("Performance and Insight", TeamKind.PERFORMANCE),
    ("Information Governance", TeamKind.INFORMATION_GOVERNANCE),
    ("Exampleton Constabulary Public Protection Unit", TeamKind.PARTNER),
    ("Systems", TeamKind.SYSTEMS),
    # Families First: the Family Help service and a multi-agency child protection team (their work is
    # seeded by `demo.family_help`; they get no generated staff, so the borough's draw is unchanged).
    ("Family Help Hub", TeamKind.FAMILY_HELP),
    ("Multi-agency Child Protection Team", TeamKind.MULTI_AGENCY_CP),
]
# Early-help-only children for each child of the statutory journeys: most families a council helps
# never reach social care (issue 13).
EARLY_HELP_RATIO = 2
CASEWORK_TEAM_KINDS = {
    TeamKind.ASSESSMENT,
    TeamKind.FAMILY_SUPPORT,
    TeamKind.CHILDREN_IN_CARE,
    TeamKind.LEAVING_CARE,
    TeamKind.FRONT_DOOR,
}
ETHNICITY_WEIGHTS = {
    "WBRI": 40,
    "WOTH": 8,
    "BAFR": 9,
    "BCRB": 6,
    "MWBC": 5,
    "MOTH": 4,
    "AIND": 5,
    "APKN": 4,
    "ABAN": 3,
    "AOTH": 3,
    "CHNE": 2,
    "OOTH": 4,
    "WIRI": 1,
    "REFU": 2,
    "NOBT": 2,
    "BOTH": 2,
}


# Families are written in batches: one bulk insert per model for this many families, instead of a
# dozen small inserts per family (the seed's hot spot, measured in bench/README.md).
FLUSH_EVERY = 500
FAMILY_MODELS: tuple[type[models.Model], ...] = (
    pm.Person,
    pm.FamilyGroup,
    pm.FamilyMembership,
    pm.Relationship,
    pm.Address,
    pm.TelephoneNumber,
    pm.StateBenefit,
    pm.PoliceInformation,
    pm.SchoolEnrolment,
    pm.Disability,
    pm.HealthInformation,
    Allocation,
)


@dataclass
class SeedReport:
    teams: int = 0
    staff: int = 0
    families: int = 0
    children: int = 0
    adults: int = 0
    persons_by_id: list[int] = field(default_factory=list)


class DemoBorough:
    def __init__(self, *, seed: int, as_of: dt.date, staff_per_team: int = 4):
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.as_of = as_of
        self.staff_per_team = staff_per_team
        self.report = SeedReport()
        self.serial = 0
        self._password_hash = make_password(DEMO_PASSWORD)  # hashing is deliberately slow: do it once
        # Rows of the families built since the last flush, by model, in the order they were made.
        self._pending: dict[type[models.Model], list[models.Model]] = {model: [] for model in FAMILY_MODELS}
        self._pending_families = 0

    # --- staff ------------------------------------------------------------------------------
    def build_staff(self) -> dict[str, Team]:
        teams = {name: Team.objects.create(name=name, kind=kind) for name, kind in TEAMS}
        users: list[User] = []
        for username, first, last, role, team_name in PERSONAS:
            users.append(self._user(username, first, last, role, teams[team_name]))
        for team in teams.values():
            if team.kind in CASEWORK_TEAM_KINDS:
                role = Role.MASH_PRACTITIONER if team.kind == TeamKind.FRONT_DOOR else Role.SOCIAL_WORKER
                for i in range(self.staff_per_team):
                    users.append(
                        self._user(
                            f"{team.name.split()[0].lower()}.{team.pk}.{i}",
                            self.fake.first_name(),
                            self.fake.last_name(),
                            role,
                            team,
                        )
                    )
                users.append(
                    self._user(
                        f"manager.{team.pk}", self.fake.first_name(), self.fake.last_name(), Role.TEAM_MANAGER, team
                    )
                )
        for _ in range(3):
            users.append(
                self._user(
                    f"chair.{len(users)}",
                    self.fake.first_name(),
                    self.fake.last_name(),
                    Role.CONFERENCE_CHAIR,
                    teams["Independent Reviewing Service"],
                )
            )
        User.objects.bulk_create(users)
        for user in User.objects.filter(role=Role.TEAM_MANAGER).select_related("team"):
            if user.team is not None:
                user.managed_teams.add(user.team)
        self.report.teams, self.report.staff = len(teams), len(users)
        return teams

    def _user(self, username: str, first: str, last: str, role: str, team: Team) -> User:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            team=team,
            email=f"{username}@exampleton.example",
            job_title=Role(role).label,
        )
        user.password = self._password_hash
        return user

    # --- families ---------------------------------------------------------------------------
    def build_families(self, children: int, teams: dict[str, Team]) -> None:
        # A family's first allocation is to a children's team; the leaving-care team takes young
        # people when they leave care (`journeys`), not families of young children.
        casework_teams = [t for t in teams.values() if t.kind in CASEWORK_TEAM_KINDS - {TeamKind.LEAVING_CARE}]
        workers_by_team: dict[int, list[User]] = {}
        for user in User.objects.filter(role__in=[Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER]):
            if user.team_id is not None:
                workers_by_team.setdefault(user.team_id, []).append(user)
        demo_worker = User.objects.get(username="sw.demo")
        made = 0
        while made < children:
            size = min(self.rng.choice([1, 1, 2, 2, 2, 3, 3, 4]), children - made)
            team = self.rng.choice(casework_teams)
            worker = demo_worker if made < 12 else self.rng.choice(workers_by_team.get(team.pk) or [None])
            if worker is demo_worker and demo_worker.team is not None:
                team = demo_worker.team
            self._family(size, team, worker)
            made += size
            if self._pending_families >= FLUSH_EVERY:
                self._flush()
        self._flush()
        self._restrict_some()

    def _family(self, size: int, team: Team, worker: User | None) -> None:
        surname = self.fake.last_name()
        mother = self._adult(surname, "F")
        adults = [mother]
        father = (
            self._adult(surname if self.rng.random() < 0.6 else self.fake.last_name(), "M")
            if self.rng.random() < 0.7
            else None
        )
        if father:
            adults.append(father)
        kids = [self._child(surname, unborn=(i == size - 1 and self.rng.random() < 0.04)) for i in range(size)]
        self._later(*adults, *kids)
        self._family_rows(surname, mother, father, kids, team, worker)
        self.report.families += 1
        self.report.adults += len(adults)
        self.report.children += len(kids)
        self._pending_families += 1

    def _later(self, *rows: models.Model) -> None:
        for row in rows:
            self._pending[type(row)].append(row)

    def _flush(self) -> None:
        """Insert the pending families' rows, one bulk insert per model, parents before children.
        bulk_create gives the new rows their keys (PostgreSQL, SQLite 3.35+), and each row's foreign
        keys are taken from the objects they point to when it is inserted."""
        for model, rows in self._pending.items():
            if rows:
                model._default_manager.bulk_create(rows, batch_size=2000)
        self.report.persons_by_id += [p.pk for p in self._pending[pm.Person]]
        self._pending = {model: [] for model in FAMILY_MODELS}
        self._pending_families = 0

    def _family_rows(
        self,
        surname: str,
        mother: pm.Person,
        father: pm.Person | None,
        kids: list[pm.Person],
        team: Team,
        worker: User | None,
    ) -> None:
        family = pm.FamilyGroup(name=f"{surname} family")
        self._later(family)
        members = [pm.FamilyMembership(person=mother, family=family, role="mother")]
        rels: list[pm.Relationship] = []
        if father:
            members.append(pm.FamilyMembership(person=father, family=family, role="father"))
            rels.append(
                pm.Relationship(
                    person=father, relative=mother, kind=pm.RelationshipKind.PARTNER, lives_with=self.rng.random() < 0.5
                )
            )
        for i, kid in enumerate(kids):
            members.append(pm.FamilyMembership(person=kid, family=family, role="child"))
            rels.append(
                pm.Relationship(
                    person=mother,
                    relative=kid,
                    kind=pm.RelationshipKind.PARENT,
                    has_parental_responsibility=True,
                    lives_with=True,
                )
            )
            if father:
                rels.append(
                    pm.Relationship(
                        person=father,
                        relative=kid,
                        kind=pm.RelationshipKind.PARENT,
                        has_parental_responsibility=self.rng.random() < 0.8,
                    )
                )
            for sibling in kids[i + 1 :]:
                rels.append(
                    pm.Relationship(person=kid, relative=sibling, kind=pm.RelationshipKind.SIBLING, lives_with=True)
                )
        self._later(*members, *rels)
        self._details(mother, [k for k in kids if not k.is_unborn], father)
        start = self.as_of - dt.timedelta(days=self.rng.randrange(1, 700))
        self._later(
            *[
                Allocation(person=kid, team=team, worker=worker, kind=AllocationKind.ALLOCATED_WORKER, start_date=start)
                for kid in kids
            ]
        )

    def _details(self, mother: pm.Person, kids: list[pm.Person], father: pm.Person | None) -> None:
        moved_in = self.as_of - dt.timedelta(days=self.rng.randrange(60, 3000))
        address = dict(
            line1=self.fake.street_address(),
            town="Exampleton",
            postcode=self.rng.choice(HOME_POSTCODES),
            start_date=moved_in,
        )
        household = [mother, *kids] + ([father] if father and self.rng.random() < 0.5 else [])
        self._later(*[pm.Address(person=p, **address) for p in household])
        phones = [pm.TelephoneNumber(person=mother, kind="mobile", number=f"07700 900{self.rng.randrange(1000):03d}")]
        rows: list[Any] = []
        if self.rng.random() < 0.3:
            rows.append(pm.StateBenefit(person=mother, benefit="universal_credit", start_date=moved_in))
        if self.rng.random() < 0.15 and father:
            rows.append(
                pm.PoliceInformation(
                    person=father,
                    kind="domestic_abuse",
                    source="Exampleton Police",
                    summary="Police attended a reported domestic incident; no charge.",
                    recorded_on=self.as_of - dt.timedelta(days=self.rng.randrange(10, 400)),
                )
            )
        for kid in kids:
            age = kid.age_on(self.as_of) or 0
            if 4 <= age <= 16:
                rows.append(
                    pm.SchoolEnrolment(
                        person=kid,
                        school_name=f"{self.fake.last_name()} Primary School"
                        if age < 11
                        else f"Exampleton {self.fake.last_name()} Academy",
                    )
                )
            if self.rng.random() < 0.08:
                rows.append(pm.Disability(person=kid, code=self.rng.choice(["AUT", "LD", "COMM", "MOB"])))
            else:  # the CIN census needs NONE recorded for a child with no disability (rule 8540)
                rows.append(pm.Disability(person=kid, code="NONE"))
            if self.rng.random() < 0.2:
                rows.append(
                    pm.HealthInformation(
                        person=kid,
                        kind="assessment",
                        summary="Health visitor review: growth on track.",
                        recorded_on=self.as_of - dt.timedelta(days=self.rng.randrange(10, 300)),
                        source="Exampleton Health Visiting",
                    )
                )
        self._later(*phones, *rows)

    def _adult(self, surname: str, sex: str) -> pm.Person:
        first = self.fake.first_name_female() if sex == "F" else self.fake.first_name_male()
        dob = self.as_of - dt.timedelta(days=self.rng.randrange(18 * 365, 50 * 365))
        return self._person(is_child=False, first_name=first, last_name=surname, sex=sex, date_of_birth=dob)

    def _child(self, surname: str, *, unborn: bool) -> pm.Person:
        self.serial += 1
        la_child_id = f"DEMO{self.serial:06d}"
        if unborn:
            edd = self.as_of + dt.timedelta(days=self.rng.randrange(20, 150))
            return self._person(
                is_child=True,
                first_name="",
                last_name=surname,
                sex="U",
                expected_date_of_birth=edd,
                la_child_id=la_child_id,
            )
        sex = self.rng.choice("MF")
        first = self.fake.first_name_female() if sex == "F" else self.fake.first_name_male()
        dob = self.as_of - dt.timedelta(days=self.rng.randrange(30, 17 * 365))
        age = (self.as_of - dob).days // 365
        upn = unique_demo_upn(self.serial, dob.year + 5) if age >= 5 else ""
        return self._person(
            is_child=True,
            first_name=first,
            last_name=surname,
            sex=sex,
            date_of_birth=dob,
            la_child_id=la_child_id,
            upn=upn,
            upn_unknown_reason="" if upn else "UN1",
        )

    def _person(self, **fields: Any) -> pm.Person:
        nhs = test_nhs_number(self.rng) if fields.get("date_of_birth") else ""
        ethnicity = self.rng.choices(list(ETHNICITY_WEIGHTS), weights=list(ETHNICITY_WEIGHTS.values()))[0]
        return pm.Person(
            **fields,
            nhs_number=nhs,
            nhs_number_index=nhs_number_index(nhs),
            nhs_number_verified=bool(nhs) and self.rng.random() < 0.9,
            ethnicity=ethnicity,
        )

    def _restrict_some(self) -> None:
        """Two restricted records (for example, a staff member's relative), named for the demo manager."""
        manager = User.objects.get(username="tm.demo")
        for person in pm.Person.objects.filter(is_child=True).order_by("pk")[3:5]:
            pm.Person.objects.filter(pk=person.pk).update(is_restricted=True)
            RestrictedAccess.objects.create(person=person, user=manager, granted_by=manager)


def seed_borough(*, children: int, seed: int, as_of: dt.date) -> SeedReport:
    """Build the whole borough in one transaction (all or nothing), with its audit events."""
    borough = DemoBorough(seed=seed, as_of=as_of)
    with transaction.atomic(), reach.bulk_load():  # the access-scope table rebuilt once at the end
        teams = borough.build_staff()
        borough.build_families(children, teams)
        from opencsc.demo.journeys import build_journeys  # five years of casework (issue 3)

        build_journeys(seed=seed, as_of=as_of)
        from opencsc.demo.front_door import seed_contacts_awaiting_triage  # the MASH queue (issue 11)

        seed_contacts_awaiting_triage(seed=seed, as_of=as_of)
        from opencsc.demo.early_help import build_early_help  # help below social care (issue 13)

        build_early_help(borough, seed=seed, as_of=as_of, children=EARLY_HELP_RATIO * children)
        seed_agencies()
        from opencsc.demo.partners import seed_partner_users, seed_processors  # partners (issue 16)

        seed_partner_users(borough._password_hash)
        seed_processors()
        match_index.rebuild()  # people were bulk-created: the matching index is built once (issue 12)
        record_events_bulk(
            actor=Actor.system("seed_demo"),
            action="person.create",
            rows=[
                {
                    "subject_person_id": pk,
                    "object_type": "people.Person",
                    "object_id": str(pk),
                    "object_repr": f"person {pk}",
                }
                for pk in borough.report.persons_by_id
            ],
        )
        record_event(
            actor=Actor.system("seed_demo"),
            action="demo.seed",
            detail={"children": children, "seed": seed, "as_of": as_of.isoformat()},
        )
    return borough.report
