"""Reads of the processing register, for the public notice, the Article 30 record and the consistency
checks that tie the register to the field registry. The register holds no personal data, so these reads
need no person-level access check; the IG pages that call them check the role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Prefetch, QuerySet

from opencsc.core.categories import DataCategory
from opencsc.core.personal_data import fields_by_category
from opencsc.privacy.models import (
    BasisKind,
    Category,
    Controller,
    InternationalTransfer,
    LawfulBasis,
    Processor,
    Purpose,
    RecipientType,
    RetentionRule,
)

REGISTER_MODELS: tuple[type[Any], ...] = (
    Category,
    Purpose,
    LawfulBasis,
    RecipientType,
    RetentionRule,
    InternationalTransfer,
    Processor,
    Controller,
)


def purposes_with_links() -> QuerySet[Purpose]:
    return Purpose.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("display_order")),
        Prefetch("lawful_bases", queryset=LawfulBasis.objects.order_by("kind", "display_order")),
        Prefetch("recipient_types", queryset=RecipientType.objects.order_by("display_order")),
        Prefetch("retention_rules", queryset=RetentionRule.objects.order_by("display_order")),
        Prefetch("processors", queryset=Processor.objects.order_by("display_order")),
    ).order_by("display_order", "name")


def last_updated() -> dt.datetime | None:
    """When the register last changed: the notice shows it, so a change to the register is visible."""
    stamps = [model.objects.aggregate(latest=Max("updated_at"))["latest"] for model in REGISTER_MODELS]
    present = [stamp for stamp in stamps if stamp is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class ServiceLine:
    """One service the council provides or commissions, as the public notice names it."""

    kind: str
    name: str
    provider: str
    commissioned: bool
    description: str = ""


# The notice's "details of the services we provide" come from the services catalogue, which lives in
# casework (above this app): casework registers its reader here when it starts, so privacy never
# imports it. Each source returns the services taking referrals.
_SERVICE_SOURCES: list[Callable[[], list[ServiceLine]]] = []


def register_services_source(source: Callable[[], list[ServiceLine]]) -> None:
    if source not in _SERVICE_SOURCES:
        _SERVICE_SOURCES.append(source)


def services_we_provide() -> list[tuple[str, list[ServiceLine]]]:
    """The services, grouped by kind in the order first met (the sources sort them)."""
    groups: dict[str, list[ServiceLine]] = {}
    for source in _SERVICE_SOURCES:
        for line in source():
            groups.setdefault(line.kind, []).append(line)
    return list(groups.items())


@dataclass
class Notice:
    controller: Controller | None
    categories: list[Category]
    purposes: list[Purpose]
    recipient_types: list[RecipientType]
    national: list[RecipientType]
    conditions: list[LawfulBasis]
    exemptions: list[LawfulBasis]
    retention_rules: list[RetentionRule]
    transfers: list[InternationalTransfer]
    updated: dt.datetime | None
    processors: list[Processor] = field(default_factory=list)
    services: list[tuple[str, list[ServiceLine]]] = field(default_factory=list)


NATIONAL_RECIPIENTS = ("nhs-cpis", "dfe")


def privacy_notice() -> Notice:
    """Everything the public notice says, straight from the register."""
    recipient_types = list(RecipientType.objects.order_by("display_order", "name"))
    bases = list(LawfulBasis.objects.order_by("display_order"))
    return Notice(
        controller=Controller.objects.first(),
        categories=list(Category.objects.order_by("display_order", "name")),
        purposes=list(purposes_with_links()),
        recipient_types=[r for r in recipient_types if r.code not in NATIONAL_RECIPIENTS],
        national=[r for r in recipient_types if r.code in NATIONAL_RECIPIENTS],
        conditions=[b for b in bases if b.kind in (BasisKind.ARTICLE_9, BasisKind.ARTICLE_10)],
        exemptions=[b for b in bases if b.kind == BasisKind.SCHEDULE_2],
        retention_rules=list(RetentionRule.objects.order_by("display_order")),
        transfers=list(InternationalTransfer.objects.select_related("recipient_type").order_by("display_order")),
        updated=last_updated(),
        processors=list(Processor.objects.order_by("display_order", "name")),
        services=services_we_provide(),
    )


# --- Article 30 record -----------------------------------------------------------------------

ROPA_COLUMNS = [
    "Purpose",
    "Description",
    "Categories of data subjects",
    "Categories of personal data",
    "Special category data",
    "Criminal offence data",
    "Lawful basis (Article 6)",
    "Article 9 and 10 conditions (DPA 2018 Schedule 1)",
    "Schedule 2 exemptions",
    "Categories of recipients",
    "Processors acting for the council (Article 28)",
    "International transfers and safeguards",
    "Retention (envisaged time limits for erasure)",
    "Fields holding the data",
]


def record_of_processing() -> list[list[str]]:
    """One row per purpose, in the columns UK GDPR Article 30(1) asks for (see ROPA_COLUMNS)."""
    held = fields_by_category()
    transfers = list(InternationalTransfer.objects.select_related("recipient_type"))
    rows = []
    for purpose in purposes_with_links():
        categories = list(purpose.categories.all())
        bases = list(purpose.lawful_bases.all())
        recipients = list(purpose.recipient_types.all())
        recipient_ids = {r.pk for r in recipients}
        rows.append(
            [
                purpose.name,
                purpose.public_description,
                purpose.data_subjects,
                "; ".join(c.name for c in categories),
                "; ".join(c.name for c in categories if c.is_special_category),
                "; ".join(c.name for c in categories if c.is_criminal_offence),
                "; ".join(f"{b.name} ({b.citation})" for b in bases if b.kind == BasisKind.ARTICLE_6),
                "; ".join(
                    f"{b.name} ({b.citation})" for b in bases if b.kind in (BasisKind.ARTICLE_9, BasisKind.ARTICLE_10)
                ),
                "; ".join(f"{b.name} ({b.citation})" for b in bases if b.kind == BasisKind.SCHEDULE_2),
                "; ".join(r.name for r in recipients),
                "; ".join(_processor_text(p) for p in purpose.processors.all()),
                "; ".join(f"{t.destination}: {t.safeguard}" for t in transfers if t.recipient_type_id in recipient_ids),
                "; ".join(f"{r.name}: {r.period}" for r in purpose.retention_rules.all()),
                "; ".join(sorted(f for c in categories for f in held.get(c.data_category, []))),
            ]
        )
    return rows


def _processor_text(processor: Processor) -> str:
    terms = [processor.subject_matter, f"contract {processor.duration}"]
    if processor.sub_processors:
        terms.append(f"sub-processors: {processor.sub_processors}")
    terms.append(f"at the end: {processor.get_end_of_contract_display().lower()}")
    return f"{processor.name} ({'; '.join(terms)})"


# --- Consistency between the register and the field registry ---------------------------------


def categories_missing_from_register() -> set[DataCategory]:
    """Categories some field holds that the register does not describe (the notice would be silent)."""
    described = set(Category.objects.values_list("code", flat=True))
    return {category for category in fields_by_category() if category.value not in described}


def register_categories_without_fields(*, exclude_apps: frozenset[str] = frozenset()) -> set[str]:
    """Register categories no field holds (the notice would promise something the code does not do)."""
    from opencsc.core.personal_data import registered_models, tags_for

    held: set[str] = set()
    for model in registered_models():
        if model._meta.app_label in exclude_apps:
            continue
        held |= {tag.value for tag in tags_for(model).values() if isinstance(tag, DataCategory)}
    return set(Category.objects.values_list("code", flat=True)) - held
