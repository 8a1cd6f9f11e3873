"""Put a bundle together: compile, propose, apply decisions, render."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from opencsc.people.models import Person
from opencsc.rights.bundle import pdf, third_party
from opencsc.rights.bundle.compile import Bundle, compile_bundle

DEFAULT_LETTER = (
    "You asked to see the information the {service} holds about {subject}. This bundle is our answer to "
    "your request under Article 15 of the UK General Data Protection Regulation.\n\n"
    "It holds everything we hold about {subject}, oldest first: the record itself, every kind of "
    "information in it, the work of the service (contacts, referrals, assessments, plans, reviews, visits "
    "and notes), the chronology, information other agencies gave us, every time we shared information "
    "about {subject} and with whom, and who looked at the record.\n\n"
    "Some information has been removed because it is about other people, or for another reason the law "
    "allows. Each place is marked with a black box and a code, and the schedule at the end lists every "
    "entry where we removed something and why.\n\n"
    "If you think we have not given you everything, or you want something corrected, please tell us, "
    "quoting the reference above. You can also complain to the Information Commissioner's Office: "
    "ico.org.uk/make-a-complaint, telephone 0303 123 1113."
)


def letter_text(person: Person) -> str:
    service = str(settings.OPENCSC_SERVICE_NAME)
    if not service.lower().endswith("service"):
        service = f"{service} service"
    return DEFAULT_LETTER.format(service=service, subject=person.full_name)


def spans_from(findings: Iterable[third_party.Finding]) -> dict[str, list[pdf.Span]]:
    spans: dict[str, list[pdf.Span]] = {}
    for f in findings:
        spans.setdefault(f.line_key, []).append(pdf.Span(f.start, f.end, f.exemption))
    return spans


@dataclass
class Built:
    bundle: Bundle
    findings: list[third_party.Finding]
    pdf: bytes


def build_all_accepted(
    person: Person,
    *,
    reference: str,
    requester: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Built:
    """The bundle with every proposed redaction accepted (for overnight runs and checks)."""
    bundle = compile_bundle(person)
    if progress:
        progress("compiled", len(bundle.entries), len(bundle.entries))
    findings = third_party.propose(bundle)
    if progress:
        progress("proposed", len(findings), len(findings))
    letter = pdf.Letter(
        council=settings.OPENCSC_COUNCIL_NAME,
        reference=reference,
        requester=requester or person.full_name,
        date_text=f"{timezone.localdate():%d %B %Y}",
        body=letter_text(person),
    )
    content = pdf.render(
        bundle,
        spans_from(findings),
        letter,
        progress=(lambda done, total: progress("rendered", done, total)) if progress else None,
    )
    return Built(bundle, findings, content)
