"""Forms for the IG register pages: one model form per kind of register entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from opencsc.core.forms import GovukModelForm
from opencsc.privacy import models as m

_TEXT = {"rows": 3}


@dataclass(frozen=True)
class RegisterKind:
    slug: str
    model: type[Any]
    title: str
    fields: tuple[str, ...]
    many: tuple[str, ...] = ()
    can_add: bool = True


KINDS: dict[str, RegisterKind] = {
    kind.slug: kind
    for kind in (
        RegisterKind(
            "categories",
            m.Category,
            "Data categories",
            ("name", "public_description", "sources", "is_special_category", "is_criminal_offence", "display_order"),
            can_add=False,  # the 17 categories are fixed by the code (core.categories)
        ),
        RegisterKind(
            "purposes",
            m.Purpose,
            "Purposes",
            ("code", "name", "public_description", "data_subjects", "display_order"),
            many=("categories", "lawful_bases", "recipient_types", "retention_rules"),
        ),
        RegisterKind(
            "bases",
            m.LawfulBasis,
            "Lawful bases, conditions and exemptions",
            (
                "code",
                "kind",
                "name",
                "reference",
                "dpa_reference",
                "needs_policy_document",
                "public_description",
                "display_order",
            ),
        ),
        RegisterKind(
            "recipients",
            m.RecipientType,
            "Recipient types",
            ("code", "name", "public_description", "is_outside_uk", "display_order"),
        ),
        RegisterKind(
            "retention",
            m.RetentionRule,
            "Retention rules",
            ("code", "name", "years", "trigger", "statutory", "authority", "public_description", "display_order"),
        ),
        RegisterKind(
            "transfers",
            m.InternationalTransfer,
            "International transfers",
            ("code", "name", "destination", "recipient_type", "safeguard", "public_description", "display_order"),
        ),
        RegisterKind(
            "processors",
            m.Processor,
            "Processors (acting on the council's behalf)",
            (
                "code",
                "name",
                "subject_matter",
                "contract_reference",
                "contract_start",
                "contract_end",
                "sub_processors",
                "end_of_contract",
                "is_outside_uk",
                "public_description",
                "display_order",
            ),
            many=("categories", "purposes"),
        ),
        RegisterKind(
            "controller",
            m.Controller,
            "Controller and data protection officer",
            (
                "name",
                "address",
                "ico_registration",
                "dpo_name",
                "dpo_email",
                "dpo_address",
                "rights_email",
                "rights_phone",
                "service_description",
                "security_measures",
            ),
            can_add=False,
        ),
    )
}


def form_class(kind: RegisterKind) -> type[GovukModelForm]:
    widgets: dict[str, forms.Widget] = {}
    for name in kind.fields:
        field = kind.model._meta.get_field(name)
        if field.get_internal_type() == "TextField":
            widgets[name] = forms.Textarea(attrs=_TEXT)
    for name in kind.many:
        widgets[name] = forms.CheckboxSelectMultiple()
    meta = type("Meta", (), {"model": kind.model, "fields": [*kind.fields, *kind.many], "widgets": widgets})
    return type(f"{kind.model.__name__}Form", (GovukModelForm,), {"Meta": meta})
