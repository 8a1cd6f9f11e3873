"""CP-IS test helpers: children in each state the cohort rules care about, built with the factories
(rows written directly, as the casework tests do for history)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.services import Actor
from opencsc.casework.tests.factories import CareEpisodeFactory, CINPlanFactory, CPPlanFactory, EpisodeFactory
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory, UnbornChildFactory

TODAY = timezone.localdate


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def verified_child(**kwargs):
    return ChildFactory(nhs_number_verified=True, **kwargs)


def episode_for(child, referral: dt.date):
    return EpisodeFactory(child=child, referral_date=referral)


def cp_plan(child, start: dt.date, end: dt.date | None = None, *, pre_birth: bool = False, episode=None):
    episode = episode or episode_for(child, start - dt.timedelta(days=20))
    return CPPlanFactory(episode=episode, child=child, start_date=start, end_date=end, is_pre_birth=pre_birth)


def cin_plan(child, start: dt.date):
    return CINPlanFactory(episode=episode_for(child, start - dt.timedelta(days=20)), child=child, start_date=start)


def care_period(child, start: dt.date, end: dt.date | None = None, *, legal_status: str = "C2"):
    from opencsc.casework.tests.factories import PeriodFactory

    period = PeriodFactory(child=child, start_date=start, end_date=end, reason_ceased="E11" if end else "")
    CareEpisodeFactory(
        period=period,
        child=child,
        start_date=start,
        end_date=end,
        legal_status=legal_status,
        reason_ceased="E11" if end else "",
    )
    return period


def unborn_with_mother(*, verified: bool = True, plan_start: dt.date | None = None, plan_end: dt.date | None = None):
    """An unborn child on a pre-birth plan, linked to the mother as parent (mother -> child)."""
    mother = PersonFactory(sex="F", nhs_number_verified=verified)
    unborn = UnbornChildFactory()
    RelationshipFactory(person=mother, relative=unborn)
    plan = cp_plan(unborn, plan_start or days_ago(30), plan_end, pre_birth=True)
    return mother, unborn, plan


def allocate(child, team, worker):
    AllocationFactory(
        person=child, team=team, worker=worker, kind=AllocationKind.ALLOCATED_WORKER, start_date=dt.date(2015, 1, 1)
    )


@pytest.fixture
def system_actor():
    return Actor.system("cpis")


@pytest.fixture
def ig_actor(ig_officer):
    return Actor.from_user(ig_officer)


def message_id() -> str:
    return str(uuid.uuid4()).upper()


HL7 = "urn:hl7-org:v3"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<REPC_MT000003GB01 xmlns="urn:hl7-org:v3"><id extension="&lol3;"/></REPC_MT000003GB01>"""


def ack_xml(sequence: int, quantity: int, records: list[tuple[int, str, str]]) -> bytes:
    rows = "".join(
        f'<acknowledgementRecord><id extension="{n}"/><subject><id extension="{nhs}"/></subject>'
        f'<acknowledgementDetail code="{code}"/></acknowledgementRecord>'
        for n, nhs, code in records
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><REPC_MT000003GB01 xmlns="{HL7}">'
        f'<creationTime value="20250602090000+0100"/><id extension="{sequence}"/>'
        f'<transmissionQuantity value="{quantity}"/>{rows}</REPC_MT000003GB01>'
    ).encode()


def access_xml(nhs: str, *, msg_id: str | None = None, when: str = "20250602031500+0100") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><REPC_MT000004GB01 xmlns="{HL7}">'
        f'<id root="{msg_id or message_id()}"/><creationTime value="20250602031600+0100"/>'
        f'<subject><patient><id extension="{nhs}"/></patient></subject>'
        f'<accessEvent><effectiveTime value="{when}"/>'
        f'<location><id extension="RZZ01"/><name>Exampleton General Hospital Emergency Department</name></location>'
        f"</accessEvent></REPC_MT000004GB01>"
    ).encode()


def inactive_xml(nhs: str, *, msg_id: str | None = None) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><REPC_MT000005GB01 xmlns="{HL7}">'
        f'<id root="{msg_id or message_id()}"/><creationTime value="20250602031600+0100"/>'
        f'<subject><patient><id extension="{nhs}"/></patient></subject></REPC_MT000005GB01>'
    ).encode()
