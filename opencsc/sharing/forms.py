"""Forms for sharing, third-party requests and the agency register (GOV.UK components)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Layout
from django import forms

from opencsc.core.forms import GovukDateField, GovukForm, GovukModelForm
from opencsc.privacy.models import BasisKind, Category, LawfulBasis, Purpose
from opencsc.sharing.items import Item
from opencsc.sharing.models import Agency, AgencyContact, Channel, Consent, RequestKind, SharingAgreement

# National bodies receive statutory transfers built by the returns and CP-IS code, not ad hoc shares.
STATUTORY_AGENCY_CODES = ("dfe", "nhs-cpis")


def _agencies() -> Any:
    return (
        Agency.objects.filter(is_active=True).exclude(code__in=STATUTORY_AGENCY_CODES).select_related("recipient_type")
    )


class ShareStartForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Who are you sharing with?",
        queryset=_agencies(),
        empty_label="Choose an agency",
        error_messages={"required": "Select the agency you are sharing with"},
    )
    purpose = forms.ModelChoiceField(
        label="Why are you sharing?",
        queryset=Purpose.objects.order_by("display_order"),
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are sharing"},
    )


CONSENT_CHOICES = [(c.value, c.label) for c in Consent if c != Consent.NOT_APPLICABLE]


class ShareItemsForm(GovukForm):
    """The items allowed by the agreement (rendered as grouped checkboxes by the page), consent, channel."""

    items = forms.MultipleChoiceField(
        label="Information to share",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the information to share"},
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether consent was given, or why you are sharing without it"},
    )
    consent_detail = forms.CharField(
        label="Who agreed, or why you are sharing without consent",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter who agreed, or why you are sharing without consent"},
    )
    channel = forms.ChoiceField(label="How it will be sent", choices=Channel.choices, required=False)

    def __init__(self, *args: Any, items: list[Item], with_channel: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(item.key, item.title) for item in items]  # type: ignore[attr-defined]
        self.fields["items"].error_messages["invalid_choice"] = (
            "Some of the information chosen is not allowed by the agreement; choose again"
        )
        if not with_channel:
            del self.fields["channel"]
        self.helper.layout = Layout(*(name for name in ("consent", "consent_detail", "channel") if name in self.fields))


class RequestForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Who is asking?",
        queryset=_agencies(),
        empty_label="Choose an agency",
        error_messages={"required": "Select the agency that is asking"},
    )
    kind = forms.ChoiceField(label="Kind of request", choices=RequestKind.choices, widget=forms.RadioSelect)
    requester_name = forms.CharField(label="Name and rank or role of the person asking", max_length=200)
    requester_reference = forms.CharField(label="Their reference (optional)", max_length=100, required=False)
    received_on = GovukDateField(label="Date received", past_only=True)
    details = forms.CharField(label="What they ask for and why", widget=forms.Textarea(attrs={"rows": 4}))
    purpose = forms.ModelChoiceField(label="Purpose", queryset=Purpose.objects.order_by("display_order"))
    lawful_basis = forms.ModelChoiceField(
        label="Lawful basis (Article 6)",
        queryset=LawfulBasis.objects.filter(kind=BasisKind.ARTICLE_6).order_by("display_order"),
    )
    categories = forms.ModelMultipleChoiceField(
        label="Information asked for",
        queryset=Category.objects.order_by("display_order"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the information the request asks for"},
    )
    consent_confirmed = forms.BooleanField(
        label="For an MP or councillor: I have seen the person's consent", required=False
    )


class DecisionForm(GovukForm):
    approve = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Approve: release the information"), ("no", "Refuse")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to approve or refuse the request"},
    )
    categories = forms.ModelMultipleChoiceField(
        label="Information to release",
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    special_condition = forms.ModelChoiceField(
        label="Article 9 condition (if special category data is released)",
        queryset=LawfulBasis.objects.filter(kind=BasisKind.ARTICLE_9).order_by("display_order"),
        required=False,
    )
    criminal_condition = forms.ModelChoiceField(
        label="Article 10 condition (if criminal offence data is released)",
        queryset=LawfulBasis.objects.filter(kind=BasisKind.ARTICLE_10).order_by("display_order"),
        required=False,
    )
    note = forms.CharField(
        label="Reasons for your decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reasons for your decision"},
    )

    def __init__(self, *args: Any, requested: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = requested  # type: ignore[attr-defined]


class AgencyForm(GovukModelForm):
    class Meta:
        model = Agency
        fields = ["name", "recipient_type", "channel", "channel_address", "address", "country", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class AgencyContactForm(GovukModelForm):
    class Meta:
        model = AgencyContact
        fields = ["name", "job_title", "email", "phone"]


class AgreementForm(GovukModelForm):
    valid_from = GovukDateField(label="Valid from")
    valid_until = GovukDateField(label="Valid until (leave empty if open-ended)", required=False)

    class Meta:
        model = SharingAgreement
        fields = [
            "name",
            "reference",
            "agency",
            "recipient_type",
            "purposes",
            "categories",
            "lawful_basis",
            "special_condition",
            "criminal_condition",
            "valid_from",
            "valid_until",
            "dpia_reference",
        ]
        widgets = {"purposes": forms.CheckboxSelectMultiple, "categories": forms.CheckboxSelectMultiple}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("agency")) == bool(data.get("recipient_type")):
            raise forms.ValidationError("Choose either one agency or a recipient type, not both")
        return data
