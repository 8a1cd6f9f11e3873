"""A practitioner shares information about a child: only what the agreement allows is offered, a share
outside it is refused, and every successful share leaves exactly one disclosure and one audit event."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import BreakGlassGrant
from opencsc.audit.events import Kind
from opencsc.audit.models import AuditEvent
from opencsc.sharing import services
from opencsc.sharing.models import Disclosure
from opencsc.sharing.rules import SharingRefused
from opencsc.sharing.selectors import pack_token
from opencsc.sharing.tests.conftest import key

pytestmark = pytest.mark.django_db


def _items_url(child, agency, purpose):
    return f"{reverse('sharing:share_items', args=[child.pk])}?agency={agency.pk}&purpose={purpose.pk}"


def _post(client, child, agency, purpose, items, **extra):
    data = {"items": items, "consent": "safeguarding", "consent_detail": "Risk of harm tonight", **extra}
    return client.post(_items_url(child, agency, purpose), data)


def test_the_page_offers_only_what_the_agreement_allows(social_worker, child, record, school, safeguarding, client_for):
    page = client_for(social_worker).get(_items_url(child, school, safeguarding)).content.decode()
    assert "1 Test Street" in page  # address: in the education agreement
    assert "CANARY-ASTHMA" in page  # health: in it too
    assert "CANARY-POLICE" not in page  # criminal: not in it
    assert "does not allow: Criminal and police records" in page


def test_a_successful_share_leaves_exactly_one_disclosure_and_one_event(
    social_worker, child, record, police, safeguarding, client_for
):
    before = AuditEvent.objects.count()
    response = _post(
        client_for(social_worker),
        child,
        police,
        safeguarding,
        [key(record["address"], "address"), key(record["police"], "criminal")],
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert Disclosure.objects.count() == 1
    events = list(AuditEvent.objects.filter(seq__gt=before, kind=Kind.DISCLOSURE))
    assert [(e.action, e.subject_person_id, e.object_id) for e in events] == [
        ("sharing.disclosure", child.pk, str(disclosure.pk))
    ]
    assert disclosure.audit_seq == events[0].seq
    assert disclosure.categories == ["address", "criminal"]
    assert disclosure.agreement.reference == "ISA-POLICE"
    assert disclosure.lawful_basis.code == "art6-1e-public-task"
    assert disclosure.criminal_condition.code == "art10-sch1-p18-safeguarding"
    assert disclosure.condition is None  # no special category data went
    assert disclosure.disclosed_by == social_worker and disclosure.consent == "safeguarding"
    assert len(disclosure.records) == 2 and disclosure.pack_digest


def test_a_forged_item_outside_the_agreement_is_refused_and_nothing_is_recorded(
    social_worker, child, record, school, safeguarding, client_for
):
    response = _post(client_for(social_worker), child, school, safeguarding, [key(record["police"], "criminal")])
    assert response.status_code == 200
    assert "not allowed by the agreement" in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_the_service_refuses_a_category_outside_the_agreement_and_audits_it(
    social_worker, sw_actor, child, record, school, safeguarding
):
    with pytest.raises(SharingRefused) as refused:
        services.disclosure_share(
            actor_user=social_worker,
            actor=sw_actor,
            person=child,
            agency=school,
            purpose=safeguarding,
            item_keys=[key(record["police"], "criminal")],
            consent="safeguarding",
            consent_detail="Risk",
        )
    assert "does not allow sharing Criminal and police records" in refused.value.reasons[0]
    assert Disclosure.objects.count() == 0
    assert (
        AuditEvent.objects.filter(action="sharing.refused", subject_person_id=child.pk, outcome="denied").count() == 1
    )


def test_an_item_of_another_child_is_refused(
    social_worker, sw_actor, child, record, stranger_child, police, safeguarding
):
    from opencsc.people.models import Address

    theirs = Address.objects.create(
        person=stranger_child, line1="9 Elsewhere", town="X", postcode="ZZ9 9ZZ", start_date=dt.date(2020, 1, 1)
    )
    with pytest.raises(SharingRefused):
        services.disclosure_share(
            actor_user=social_worker,
            actor=sw_actor,
            person=child,
            agency=police,
            purpose=safeguarding,
            item_keys=[key(theirs, "address")],
            consent="safeguarding",
            consent_detail="Risk",
        )
    assert Disclosure.objects.count() == 0


def test_no_agreement_for_the_purpose_is_refused_on_the_first_page(social_worker, child, school, client_for):
    from opencsc.privacy.models import Purpose

    response = client_for(social_worker).post(
        reverse("sharing:share_start", args=[child.pk]),
        {"agency": school.pk, "purpose": Purpose.objects.get(code="crime").pk},
    )
    assert response.status_code == 200
    assert "do not cover the purpose" in response.content.decode()


def test_sharing_without_consent_needs_a_reason(social_worker, child, record, police, safeguarding, client_for):
    response = _post(
        client_for(social_worker), child, police, safeguarding, [key(record["address"], "address")], consent_detail=""
    )
    assert "Enter who agreed, or why you are sharing without consent" in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_break_glass_reads_but_cannot_share(outsider, child, record, police, safeguarding, client_for):
    BreakGlassGrant.objects.create(
        user=outsider,
        person=child,
        reason_category="safeguarding_emergency",
        reason="Urgent police call tonight",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client = client_for(outsider)
    assert client.get(reverse("sharing:disclosure_log", args=[child.pk])).status_code == 200
    assert _post(client, child, police, safeguarding, [key(record["address"], "address")]).status_code == 404
    assert Disclosure.objects.count() == 0


def test_the_disclosure_log_lists_the_share(social_worker, child, record, police, safeguarding, client_for):
    client = client_for(social_worker)
    _post(client, child, police, safeguarding, [key(record["address"], "address")])
    page = client.get(reverse("sharing:disclosure_log", args=[child.pk])).content.decode()
    assert "Exampleton Constabulary Public Protection Unit" in page
    assert Disclosure.objects.get().reference in page


def test_the_pack_shows_exactly_what_was_shared(social_worker, child, record, police, safeguarding, client_for):
    client = client_for(social_worker)
    _post(client, child, police, safeguarding, [key(record["address"], "address")])
    disclosure = Disclosure.objects.get()
    page = client.get(reverse("sharing:pack", args=[pack_token(disclosure)])).content.decode()
    assert "1 Test Street" in page
    assert "CANARY-POLICE" not in page and "CANARY-ASTHMA" not in page
    assert AuditEvent.objects.filter(action="sharing.pack_open", object_id=str(disclosure.pk)).count() == 1
    download = client.get(reverse("sharing:pack", args=[pack_token(disclosure)]) + "?download=1")
    assert "attachment" in download["Content-Disposition"]


def test_the_pack_link_expires(social_worker, child, record, police, safeguarding, client_for):
    client = client_for(social_worker)
    _post(client, child, police, safeguarding, [key(record["address"], "address")])
    token = pack_token(Disclosure.objects.get())
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        response = client_for(social_worker).get(reverse("sharing:pack", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_tampered_pack_link_is_not_found(social_worker, child, record, police, safeguarding, client_for):
    client = client_for(social_worker)
    _post(client, child, police, safeguarding, [key(record["address"], "address")])
    token = pack_token(Disclosure.objects.get())
    assert client.get(reverse("sharing:pack", args=[token[:-2] + "xx"])).status_code == 404


def test_a_changed_record_cannot_pass_for_the_pack_that_was_sent(
    social_worker, child, record, police, safeguarding, client_for
):
    client = client_for(social_worker)
    _post(client, child, police, safeguarding, [key(record["address"], "address")])
    record["address"].line1 = "2 Changed Road"
    record["address"].save()
    response = client.get(reverse("sharing:pack", args=[pack_token(Disclosure.objects.get())]))
    assert response.status_code == 410
    assert "2 Changed Road" not in response.content.decode()


def test_the_pack_is_closed_to_someone_who_cannot_see_the_child(
    social_worker, outsider, child, record, police, safeguarding, client_for
):
    _post(client_for(social_worker), child, police, safeguarding, [key(record["address"], "address")])
    token = pack_token(Disclosure.objects.get())
    assert client_for(outsider).get(reverse("sharing:pack", args=[token])).status_code == 404


def test_derived_copies_of_the_record_are_never_offered_for_sharing(child, record):
    """The matching index and the stored page digest hold normalised copies of the child's name, date
    of birth and address: a share offers the record's own items, never those copies."""
    from opencsc.people.matching.index import index_people
    from opencsc.people.matching.models import MatchProfile
    from opencsc.sharing.items import disclosable_items, items_for

    index_people([child.pk])
    profile = MatchProfile.objects.get(person=child)
    assert profile.surnames  # the copy exists
    keys = [item.key for items in disclosable_items(child).values() for item in items]
    assert any(k.startswith("people.Person:") for k in keys)
    assert not [k for k in keys if k.split(":")[0] in {"people.MatchProfile", "people.PersonDigest"}]
    forged = [{"model": "people.MatchProfile", "id": profile.pk, "key": f"people.MatchProfile:{profile.pk}:name"}]
    assert items_for(child, forged) == []
