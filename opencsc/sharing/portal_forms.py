"""Forms for the council's side of the partner portal: sending a MASH check, delivering a share as a
portal view, revoking one (GOV.UK components)."""

from __future__ import annotations

from typing import Any

from django import forms

from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.sharing.models import Agency, CheckUrgency
from opencsc.sharing.portal_services import CHECK_AGENCY_KIND, agencies_on_the_portal


def check_agencies() -> Any:
    """Organisations the front door can ask through the portal (police, health, schools, probation,
    housing) that have portal users."""
    return (
        agencies_on_the_portal()
        .filter(recipient_type__code__in=list(CHECK_AGENCY_KIND))
        .select_related("recipient_type")
        .order_by("name")
    )


class CheckSendForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Which organisation are you asking?",
        queryset=Agency.objects.none(),
        empty_label="Select an organisation",
        error_messages={"required": "Select the organisation to ask"},
    )
    urgency = forms.ChoiceField(
        label="How soon must they answer?",
        choices=CheckUrgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how soon the partner must answer"},
    )
    question = forms.CharField(
        label="What are you asking them to check?",
        help_text="The partner sees this, the child's name, date of birth and address (as far as the sharing "
        "agreement allows), and nothing else from the record.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter what you are asking the partner to check"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = check_agencies()  # type: ignore[attr-defined]


class ViewCreateForm(GovukForm):
    expires_on = GovukDateField(
        label="Open until", help_text="For example, 27 3 2027. The view closes at the end of that day."
    )


class AnswerForm(GovukForm):
    summary = forms.CharField(
        label="Your answer",
        help_text="What your organisation holds that is relevant, or that you hold nothing. It is recorded on the "
        "child's record as information from your organisation, with your name.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter your answer, or say that your organisation holds nothing relevant"},
    )


class PartnerUserForm(GovukForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Work email address", max_length=254)
    username = forms.CharField(label="Username", max_length=150, help_text="What they type to sign in")
