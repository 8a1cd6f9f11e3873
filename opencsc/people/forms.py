from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.forms import modelform_factory

from opencsc.core.forms import GovukDateField, GovukForm, GovukModelForm
from opencsc.people.models import Person, Sex
from opencsc.people.parts import PartKind

PERSON_FIELDS = (
    "is_child",
    "first_name",
    "last_name",
    "preferred_name",
    "sex",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "ethnicity",
    "nhs_number",
    "la_child_id",
    "upn",
    "former_upn",
    "upn_unknown_reason",
)


def _date_fields(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.DateField):
        label = str(field.verbose_name).capitalize()
        return GovukDateField(
            label=label,
            required=not field.blank,
            help_text=field.help_text or "For example, 27 3 2019",
            bounds=f"{field.model._meta.label}.{field.name}",
        )
    formfield = field.formfield(**kwargs)
    if isinstance(field, models.BooleanField) and formfield is not None:
        formfield.label = str(field.verbose_name).capitalize()
    return formfield


class PersonForm(GovukModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        formfield_callback = _date_fields
        labels = {
            "is_child": "This person is a child (or an unborn child)",
            "nhs_number": "NHS number",
            "la_child_id": "LA child id",
            "upn": "Unique pupil number (UPN)",
            "former_upn": "Former UPN",
            "upn_unknown_reason": "Reason the UPN is not known",
            "ethnicity": "Ethnicity",
        }
        help_texts = {
            "nhs_number": "10 digits, like 999 123 4578",
            "la_child_id": "Up to 20 letters and numbers; leave blank for an adult",
            "upn": "13 characters, like P207000016049",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].widget = forms.RadioSelect(choices=Sex.choices)
        self.fields["last_name"].error_messages["required"] = "Enter the last name (family name)"
        for name in ("ethnicity", "upn_unknown_reason"):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [("", "Not recorded"), *list(field.choices)[1:]]  # type: ignore[arg-type]

    def _post_clean(self) -> None:
        # Identifier checks and invariants run in the service, which reports them per field.
        pass


def part_form_class(kind: PartKind) -> type[forms.ModelForm]:
    return modelform_factory(
        kind.model,
        form=GovukModelForm,
        fields=kind.fields,
        formfield_callback=_date_fields,  # type: ignore[arg-type]
    )


class SearchForm(GovukForm):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="First, last or other name; the start of a name is enough",
    )
    date_of_birth = GovukDateField(label="Date of birth", required=False, bounds="search.date_of_birth")
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=14)
    la_child_id = forms.CharField(label="LA child id", required=False, max_length=20)
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10, help_text="Helps find people who may already be known"
    )

    def clean_nhs_number(self) -> str:
        from opencsc.people.identifiers import nhs_number_error

        value = self.cleaned_data["nhs_number"].strip()
        if value and (message := nhs_number_error(value)):
            raise forms.ValidationError(message)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wanted = ("name", "date_of_birth", "nhs_number", "la_child_id", "postcode")
        if not self.errors and not any(data.get(k) for k in wanted):
            raise forms.ValidationError("Enter a name, date of birth, NHS number or LA child id to search for")
        return data


class NotAMatchForm(GovukForm):
    """Shown on the new-person form when the matcher finds a certain match: the person can be added
    only if the practitioner confirms they are someone else, and says why (kept in the audit trail)."""

    confirmed = forms.BooleanField(
        label="This is a different person from the certain match shown above",
        required=True,
        error_messages={"required": "Confirm that this is a different person, or open the record that matches"},
    )
    reason = forms.CharField(
        label="How do you know this is a different person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=20,
        max_length=500,
        help_text="For example: spoke to the school, who confirmed the child has a different date of birth",
        error_messages={
            "required": "Say how you know this is a different person, in at least 20 characters",
            "min_length": "Say how you know this is a different person, in at least 20 characters",
        },
    )
