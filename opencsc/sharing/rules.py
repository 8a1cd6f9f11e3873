"""The rule every share passes: is there a current agreement that lets this agency receive these
categories for this purpose, with the Article 9 or 10 condition the categories need? The answer is
either the agreement to rely on, or the reasons it is refused, in words a practitioner can act on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from opencsc.core.categories import CRIMINAL_OFFENCE, SPECIAL_CATEGORY, DataCategory
from opencsc.privacy.models import Purpose
from opencsc.sharing.models import Agency, SharingAgreement


class SharingRefused(Exception):
    """A share that no agreement (or approved request) allows. `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Decision:
    agreement: SharingAgreement | None = None
    allowed_categories: list[DataCategory] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.agreement is not None and not self.reasons


def _date(day: dt.date) -> str:
    return day.strftime("%-d %B %Y")


def _missing_conditions(agreement: SharingAgreement, categories: set[DataCategory]) -> list[str]:
    reasons = []
    special = sorted(c.label for c in categories & SPECIAL_CATEGORY)
    if special and agreement.special_condition_id is None:
        reasons.append(
            f"Agreement {agreement.reference} names no Article 9 condition, so it cannot cover "
            f"{', '.join(special)} (special category data)"
        )
    criminal = sorted(c.label for c in categories & CRIMINAL_OFFENCE)
    if criminal and agreement.criminal_condition_id is None:
        reasons.append(
            f"Agreement {agreement.reference} names no Article 10 condition, so it cannot cover "
            f"{', '.join(criminal)} (criminal offence data)"
        )
    return reasons


def _categories_of(agreement: SharingAgreement) -> set[DataCategory]:
    # `.all()`, not `values_list`: `evaluate` has prefetched the categories, so this asks nothing more
    return {DataCategory(category.code) for category in agreement.categories.all()}


def evaluate(
    *, agency: Agency, purpose: Purpose, categories: Iterable[DataCategory] = (), on: dt.date | None = None
) -> Decision:
    """The agreement that allows the share, or every reason none does. With no `categories`, asks
    only whether some agreement lets this agency receive anything for this purpose (and which
    categories); the final check at the moment of sharing passes the categories chosen."""
    day = on or timezone.localdate()
    wanted = set(categories)
    if not agency.is_active:
        return Decision(reasons=[f"{agency} is no longer an active agency in the agency register"])
    agreements = list(SharingAgreement.objects.for_agency(agency).prefetch_related("purposes", "categories"))
    if not agreements:
        return Decision(
            reasons=[
                f"There is no sharing agreement with {agency} or with {agency.recipient_type} in general. "
                "Ask information governance whether the information can be shared another way."
            ]
        )
    current = [a for a in agreements if a.valid_from <= day and (a.valid_until is None or a.valid_until >= day)]
    if not current:
        return Decision(reasons=[_why_not_current(agreements, day)])
    for_purpose = [a for a in current if any(p.pk == purpose.pk for p in a.purposes.all())]
    if not for_purpose:
        names = ", ".join(a.reference for a in current)
        return Decision(reasons=[f"The agreements with {agency} ({names}) do not cover the purpose '{purpose}'"])
    best: Decision | None = None
    for agreement in for_purpose:
        covered = _categories_of(agreement)
        reasons = [
            f"Agreement {agreement.reference} does not allow sharing {c.label}"
            for c in sorted(wanted - covered, key=lambda c: c.label)
        ]
        reasons += _missing_conditions(agreement, wanted & covered)
        decision = Decision(agreement, sorted(covered, key=list(DataCategory).index), reasons)
        if decision.allowed:
            return decision
        if best is None or len(reasons) < len(best.reasons):
            best = decision
    assert best is not None  # noqa: S101  (for_purpose is not empty)
    best.agreement = None
    return best


def _why_not_current(agreements: list[SharingAgreement], day: dt.date) -> str:
    ended = [a for a in agreements if a.valid_until is not None and a.valid_until < day]
    if ended:
        latest = max(ended, key=lambda a: a.valid_until or day)
        return (
            f"Agreement {latest.reference} ({latest.name}) expired on {_date(latest.valid_until or day)}. "
            "Information governance must renew it before anything is shared under it."
        )
    first = min(agreements, key=lambda a: a.valid_from)
    return f"Agreement {first.reference} ({first.name}) does not start until {_date(first.valid_from)}"


def require(
    *, agency: Agency, purpose: Purpose, categories: Iterable[DataCategory], on: dt.date | None = None
) -> Decision:
    """`evaluate`, raising SharingRefused unless the share is allowed."""
    wanted = list(categories)
    if not wanted:
        raise SharingRefused(["Choose at least one piece of information to share"])
    decision = evaluate(agency=agency, purpose=purpose, categories=wanted, on=on)
    if not decision.allowed:
        raise SharingRefused(decision.reasons)
    return decision
