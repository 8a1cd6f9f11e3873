"""Reviewing a subject access bundle for a request: proposals kept as decisions, re-applied on every
rebuild; manual redactions and exemptions; rendering with the decisions burned in; release as a
disclosure to the data subject. Every write is one transaction with its audit event."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.core.categories import DataCategory
from opencsc.rights.bundle import pdf, third_party
from opencsc.rights.bundle.build import letter_text
from opencsc.rights.bundle.compile import Bundle, compile_bundle
from opencsc.rights.bundle.exemptions import Exemption
from opencsc.rights.models import (
    BundleRedaction,
    BundleRelease,
    RedactionDecision,
    RedactionSource,
    RequestKind,
    RightsRequest,
)
from opencsc.rights.services import RightsError


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _require_bundle_request(request: RightsRequest) -> None:
    if request.kind != RequestKind.SUBJECT_ACCESS:
        raise RightsError("Only a subject access request has a bundle")
    if request.subject_id is None:
        raise RightsError("Link the person's record to the request first")
    if request.is_closed:
        raise RightsError("This request is closed")


@dataclass
class Review:
    bundle: Bundle
    redactions: list[BundleRedaction]
    findings: list[third_party.Finding]

    @property
    def pending(self) -> int:
        return sum(r.decision == RedactionDecision.PENDING for r in self.redactions)


def _decisions(request: RightsRequest) -> dict[tuple[str, str], BundleRedaction]:
    return {(r.line_key, _norm(r.text)): r for r in request.redactions.all()}


def bundle_compile(*, actor: Actor, request: RightsRequest) -> Review:
    """Compile the bundle as the record stands now, find third-party information, and keep a pending
    proposal for every string not seen before; earlier decisions stay and apply again."""
    _require_bundle_request(request)
    assert request.subject is not None  # noqa: S101 (checked above)
    bundle = compile_bundle(request.subject)
    findings = third_party.propose(bundle)
    with transaction.atomic():
        known = _decisions(request)
        new = []
        for f in findings:
            key = (f.line_key, _norm(f.text))
            if key not in known:
                known[key] = BundleRedaction(request=request, line_key=f.line_key, text=f.text, kind=f.kind)
                new.append(known[key])
        BundleRedaction.objects.bulk_create(new, batch_size=1000)
        record_event(
            actor=actor,
            action="rights.bundle_build",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"entries": len(bundle.entries), "proposals": len(findings), "new": len(new)},
        )
    return Review(bundle, list(request.redactions.all()), findings)


def _check_exemption(exemption: str, reason: str, opinion: str) -> None:
    if exemption not in Exemption.values:
        raise RightsError("Select the exemption")
    if exemption == Exemption.SH and not opinion.strip():
        raise RightsError("Serious harm needs the health or social work professional's opinion, and who gave it")
    if exemption != Exemption.TP and not reason.strip():
        raise RightsError("Give the reason for applying the exemption")


def redaction_decide(
    *,
    actor_user: Any,
    actor: Actor,
    redaction: BundleRedaction,
    decision: str,
    exemption: str = Exemption.TP,
    reason: str = "",
    opinion: str = "",
) -> BundleRedaction:
    if decision not in (RedactionDecision.ACCEPTED, RedactionDecision.REJECTED):
        raise RightsError("Select whether to remove it or leave it in")
    if decision == RedactionDecision.ACCEPTED:
        _check_exemption(exemption, reason, opinion)
    elif not reason.strip() and redaction.kind == "passage":
        raise RightsError("Say why a passage flagged as third-party can be released")
    with transaction.atomic():
        redaction.decision = decision
        redaction.exemption = exemption
        redaction.reason = reason.strip()[:500]
        redaction.professional_opinion = opinion.strip()
        redaction.decided_by = actor_user
        redaction.decided_at = timezone.now()
        redaction.save()
        record_event(
            actor=actor,
            action="rights.redaction_decide",
            obj=redaction,
            subject_person_id=redaction.request.subject_id,
            detail={"decision": decision, "exemption": exemption, "line": redaction.line_key},
        )
    return redaction


def redactions_accept_pending(*, actor_user: Any, actor: Actor, request: RightsRequest) -> int:
    """Accept every pending proposal as third-party information (the reviewer's bulk action)."""
    with transaction.atomic():
        count = request.redactions.filter(decision=RedactionDecision.PENDING).update(
            decision=RedactionDecision.ACCEPTED,
            exemption=Exemption.TP,
            decided_by=actor_user,
            decided_at=timezone.now(),
        )
        record_event(
            actor=actor,
            action="rights.redaction_decide",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"decision": "accepted", "bulk": count},
        )
    return count


def redaction_add(
    *,
    actor_user: Any,
    actor: Actor,
    request: RightsRequest,
    line_key: str,
    text: str,
    exemption: str,
    reason: str,
    opinion: str = "",
) -> BundleRedaction:
    """A redaction the reviewer adds: `text` must appear in that line of the bundle as it is now."""
    _require_bundle_request(request)
    assert request.subject is not None  # noqa: S101
    _check_exemption(exemption, reason, opinion)
    line = next((ln for ln in compile_bundle(request.subject).lines() if ln.key == line_key), None)
    if line is None:
        raise RightsError("No line of the bundle has that reference: copy it from the bundle page")
    if not text.strip() or text.strip().lower() not in line.text.lower():
        raise RightsError("Those words are not in that line: copy them exactly")
    with transaction.atomic():
        redaction = BundleRedaction.objects.create(
            request=request,
            line_key=line_key,
            text=text.strip(),
            kind="manual",
            source=RedactionSource.MANUAL,
            decision=RedactionDecision.ACCEPTED,
            exemption=exemption,
            reason=reason.strip()[:500],
            professional_opinion=opinion.strip(),
            decided_by=actor_user,
            decided_at=timezone.now(),
        )
        record_event(
            actor=actor,
            action="rights.redaction_decide",
            obj=redaction,
            subject_person_id=request.subject_id,
            detail={"decision": "added", "exemption": exemption, "line": line_key},
        )
    return redaction


def spans_for(bundle: Bundle, redactions: list[BundleRedaction]) -> dict[str, list[pdf.Span]]:
    """Where each decision applies in the bundle as compiled now: every occurrence of the text in its
    line, for accepted and still-pending ones (a pending proposal stays removed until decided)."""
    by_line: dict[str, list[BundleRedaction]] = {}
    for r in redactions:
        if r.decision != RedactionDecision.REJECTED:
            by_line.setdefault(r.line_key, []).append(r)
    spans: dict[str, list[pdf.Span]] = {}
    for line in bundle.lines():
        for r in by_line.get(line.key, []):
            if r.kind == "passage" and _norm(r.text) == _norm(line.text):
                spans.setdefault(line.key, []).append(pdf.Span(0, len(line.text), r.exemption))
                continue
            lower, needle, at = line.text.lower(), r.text.lower(), 0
            while needle and (at := lower.find(needle, at)) >= 0:
                spans.setdefault(line.key, []).append(pdf.Span(at, at + len(needle), r.exemption))
                at += len(needle)
    return spans


def render_for_request(request: RightsRequest, review: Review) -> bytes:
    reasons = {r.exemption: r.reason for r in review.redactions if r.reason and r.decision != "rejected"}
    assert request.subject is not None  # noqa: S101
    letter = pdf.Letter(
        council=settings.OPENCSC_COUNCIL_NAME,
        reference=request.reference,
        requester=request.requester_name,
        date_text=f"{timezone.localdate():%d %B %Y}",
        body=letter_text(request.subject),
    )
    return pdf.render(review.bundle, spans_for(review.bundle, review.redactions), letter, reasons=reasons)


def bundle_release(*, actor_user: Any, actor: Actor, request: RightsRequest) -> tuple[BundleRelease, bytes]:
    """Compile again (so the release is the record as it stands), refuse while any proposal is
    undecided, render, and record the release as a disclosure to the data subject in their
    disclosure log, with its audit event, in one transaction."""
    from opencsc.sharing.services import disclosure_record_subject_access  # rights sits above sharing

    review = bundle_compile(actor=actor, request=request)
    if review.pending:
        raise RightsError(f"{review.pending} proposed redactions are not decided yet")
    content = render_for_request(request, review)
    digest = hashlib.sha256(content).hexdigest()
    assert request.subject is not None  # noqa: S101
    by_label = {c.label: c.value for c in DataCategory}
    categories = sorted({by_label[e.category] for e in review.bundle.entries if e.category in by_label})
    with transaction.atomic():
        disclosure = disclosure_record_subject_access(
            actor=actor,
            actor_user=actor_user,
            person=request.subject,
            reference=request.reference,
            categories=categories,
            digest=digest,
        )
        release = BundleRelease.objects.create(
            request=request,
            subject=request.subject,
            released_by=actor_user,
            digest=digest,
            disclosure_id=disclosure.pk,
            entries=len(review.bundle.entries),
            redactions=sum(r.decision == RedactionDecision.ACCEPTED for r in review.redactions),
        )
        record_event(
            actor=actor,
            action="rights.bundle_release",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"digest": digest, "disclosure": disclosure.pk, "entries": release.entries},
        )
    return release, content
