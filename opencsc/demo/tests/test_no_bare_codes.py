"""Every code a page of the demo borough shows has its meaning beside it.

The test seeds a small demo borough, signs in as each persona, opens their home page, the pages
their work leads to (the MASH queue, a contact's decision page, the work tray, children's records,
casework, chronology and notes pages, the audit trail) and fails on:

- a DfE or NHS code from the shared code lists standing alone ("RC8", "N4") rather than written
  after its meaning as `codelists.meaning` writes it ("Family in acute stress (N4)");
- a code with the DfE's raw capitalised description ("6: POLICE");
- an audit event name (`casework.view`).

Cells marked `data-citation` (the title of a published source) are left out.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit import events
from opencsc.casework.models import Contact, ContactStatus
from opencsc.core import codelists
from opencsc.demo.borough import seed_borough

pytestmark = pytest.mark.django_db

# Lists whose codes are distinctive enough to find in running text (letters and digits together).
LISTS = [
    "cin_referral_source",
    "cin_primary_need",
    "cin_reason_for_closure",
    "903_legal_status",
    "903_placement_type",
    "903_placement_provider",
    "903_reason_episode_ceased",
    "903_reason_placement_change",
    "903_review_participation",
    "903_prev_perm",
    "903_sw_change_reason",
    "cpis_upload_record_response",
]
DISTINCTIVE = re.compile(r"^(?=.*[A-Z])(?=.*\d)[A-Z0-9]{2,6}$")
RAW_DFE = re.compile(r"\b[0-9A-Z]{1,5}: [A-Z]{4,}")
# A cell marked data-citation quotes a published document's title ("DMS 1.0 RC5": a release, not a code).
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<td[^>]*data-citation[^>]*>.*?</td>|<[^>]+>", re.S)


def _codes() -> dict[str, set[str]]:
    """Each distinctive code with the plain descriptions it has in the lists that hold it."""
    found: dict[str, set[str]] = {}
    for name in LISTS:
        for code, description in codelists.entries(name):
            if DISTINCTIVE.match(code):
                found.setdefault(code, set()).add(codelists.plain_description(description))
    return found


CODES = _codes()
IN_BRACKETS = re.compile(r"\((" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True)) + r")\)")
CODE_TOKEN = re.compile(
    r"(?<![\w(/-])(" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True)) + r")(?![\w)/-])"
)
EVENT_NAME = re.compile(r"\b(" + "|".join(re.escape(n) for n in events.EVENTS) + r")\b")


def visible_text(page: str) -> str:
    return html_lib.unescape(TAGS.sub(" ", page))


def bare_codes(page: str) -> list[str]:
    """Codes shown without their meaning, raw DfE labels and event names, in the page's text."""
    text = visible_text(page)
    text = " ".join(text.split())
    problems = [f"bare code {m.group(1)}" for m in CODE_TOKEN.finditer(text)]
    problems += [
        f"code without its meaning {text[max(0, m.start() - 40) : m.end()]!r}"
        for m in IN_BRACKETS.finditer(text)
        if not any(text[: m.start()].rstrip().endswith(meaning) for meaning in CODES[m.group(1)])
    ]
    problems += [f"raw DfE label {m.group(0)!r}" for m in RAW_DFE.finditer(text)]
    problems += [f"event name {m.group(1)}" for m in EVENT_NAME.finditer(text)]
    return problems


def test_the_checker_finds_what_it_should():
    assert bare_codes("<p>Closed: RC8</p>") == ["bare code RC8"]
    assert bare_codes("<p>Case closed after assessment, no further action (RC8)</p>") == []
    assert bare_codes("<p>Case closed (RC8)</p>") == ["code without its meaning 'Case closed (RC8)'"]
    assert bare_codes("<td>6: POLICE</td>") == ["raw DfE label '6: POLICE'"]
    assert bare_codes("<code>casework.view</code>") == ["event name casework.view"]
    assert bare_codes('<a href="/x?c=N4">Family in acute stress (N4)</a>') == []


PERSONAS = ["sw.demo", "tm.demo", "mash.demo", "chair.demo", "analyst.demo", "ig.demo", "partner.demo", "admin.demo"]


def _pages_for(user: User) -> list[str]:
    pages = ["/", "/casework/tray/"]
    if user.role == "mash_practitioner":
        pages.append("/casework/front-door/")
        contact = Contact.objects.exclude(status=ContactStatus.DECIDED).filter(triage__isnull=False).first()
        if contact is not None and access.can_change_person(user, contact.child_id):
            pages.append(f"/casework/{contact.child_id}/record/decision/{contact.pk}/")
    if user.role == "ig_officer":
        pages.append("/audit/")
    visible = access.visible_persons(user).filter(is_child=True).order_by("pk")[:6]
    for person in visible:
        pages += [f"/people/{person.pk}/", f"/casework/{person.pk}/", f"/casework/{person.pk}/chronology/"]
    return pages


def test_no_page_of_the_demo_borough_shows_a_bare_code(client_for):
    """One seed for every persona (a borough per test would take minutes)."""
    seed_borough(children=40, seed=7, as_of=timezone.localdate())
    waiting = Contact.objects.exclude(status=ContactStatus.DECIDED)
    assert waiting.count() >= 5, "the demo has contacts waiting at the front door"
    assert waiting.filter(triage__isnull=True).exists() and waiting.filter(triage__isnull=False).exists()
    assert all(c.reason and c.family_told for c in waiting)
    failures = []
    for username in PERSONAS:
        user = User.objects.get(username=username)
        client = client_for(user)
        for url in _pages_for(user):
            response = client.get(url, follow=True)  # a partner's home is the partner portal
            assert response.status_code == 200, f"{username} {url}: {response.status_code}"
            failures += [f"{username} {url}: {problem}" for problem in bare_codes(response.content.decode())]
    assert not failures, "\n".join(failures[:60])
