"""Episodes of help, read generically, and the words the council's model of help gives them.

`OPENCSC_HELP_MODEL` is "tiered" (early help below child in need, child protection above) or
"family_help" (the Families First model: one Family Help service joining targeted early help and
section 17 work, multi-agency child protection teams). The setting changes what things are called
and which pathways are offered; it never changes a stored row, so the CIN census and Annex A built
from the same record are identical under either (tests hold this).

`episodes_of_help(child)` puts every kind of help side by side, oldest first: help episodes (stored
in `HelpEpisode`), and the statutory episodes read from their own models (a child in need episode is a
referral episode; child protection a CP plan; looked after a period of care). Nothing is copied: the
statutory returns keep reading the statutory models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from opencsc.people.models import Person


class HelpKind(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    FAMILY_HELP = "family_help", "Family help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked after"
    CARE_LEAVER = "care_leaver", "Care leaver"


TIERED = "tiered"
FAMILY_HELP = "family_help"

# Words per model. Keys are HelpKind values; the tiered words are the HelpKind labels.
_FAMILY_HELP_WORDS = {
    HelpKind.CHILD_IN_NEED: "Family help (child in need, section 17)",
    HelpKind.CHILD_PROTECTION: "Child protection (multi-agency team)",
}


def model() -> str:
    return str(getattr(settings, "OPENCSC_HELP_MODEL", TIERED))


def is_family_help() -> bool:
    return model() == FAMILY_HELP


def help_kind() -> HelpKind:
    """The kind a stored help episode is, under the council's model."""
    return HelpKind.FAMILY_HELP if is_family_help() else HelpKind.EARLY_HELP


def help_name() -> str:
    """ "Early help" or "Family help": what the non-statutory help is called."""
    return help_kind().label


def kind_label(kind: str) -> str:
    if is_family_help() and kind in _FAMILY_HELP_WORDS:
        return _FAMILY_HELP_WORDS[HelpKind(kind)]
    return HelpKind(kind).label


def decision_label() -> str:
    """The front door's "step to help" decision, in the council's words."""
    return f"Step to {help_name().lower()}"


def keeps_help_open_on_step_up() -> bool:
    """Under Family Help a family keeps its help episode (and lead practitioner) while a child in need
    assessment runs on top; under the tiers the early help episode ends when the case steps up."""
    return is_family_help()


@dataclass(frozen=True)
class EpisodeOfHelp:
    kind: str
    start: dt.date
    end: dt.date | None
    detail: str = ""

    @property
    def label(self) -> str:
        return kind_label(self.kind)


def episodes_of_help(
    child: Person,
    *,
    help_episodes: Sequence[Any] | None = None,
    referrals: Sequence[Any] | None = None,
    cp_plans: Sequence[Any] | None = None,
    periods: Sequence[Any] | None = None,
    care_leaver: bool = True,
) -> list[EpisodeOfHelp]:
    """Every episode of help the child has had, of every kind, oldest first (the caller has checked
    access). Statutory kinds are read from the statutory models; a caller that has already read the
    child's rows (the casework page) passes them in rather than reading them again, and says with
    `care_leaver=False` that the child has no care leaver contact (so none is looked for)."""
    from opencsc.casework.models import (
        CareLeaverContact,
        ChildProtectionPlan,
        HelpEpisode,
        PeriodOfCare,
        ReferralEpisode,
    )

    kind = help_kind()
    if help_episodes is None:
        help_episodes = list(HelpEpisode.objects.filter(child=child))
    if referrals is None:
        referrals = list(ReferralEpisode.objects.filter(child=child))
    if cp_plans is None:
        cp_plans = list(ChildProtectionPlan.objects.filter(child=child))
    if periods is None:
        periods = list(PeriodOfCare.objects.filter(child=child))
    items = [EpisodeOfHelp(kind, h.start_date, h.end_date, h.get_end_reason_display()) for h in help_episodes]
    items += [
        EpisodeOfHelp(HelpKind.CHILD_IN_NEED, e.referral_date, e.closure_date, e.get_closure_reason_display())
        for e in referrals
        if not e.referral_nfa
    ]
    items += [
        EpisodeOfHelp(HelpKind.CHILD_PROTECTION, p.start_date, p.end_date, p.get_latest_category_display())
        for p in cp_plans
    ]
    items += [EpisodeOfHelp(HelpKind.LOOKED_AFTER, p.start_date, p.end_date) for p in periods]
    first_leaver = (
        CareLeaverContact.objects.filter(child=child).order_by("contact_date").first() if care_leaver else None
    )
    if first_leaver is not None:
        items.append(EpisodeOfHelp(HelpKind.CARE_LEAVER, first_leaver.contact_date, None))
    return sorted(items, key=lambda e: (e.start, e.end or dt.date.max))
