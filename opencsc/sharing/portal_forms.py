"""Forms for the council's side of the partner portal: sending a MASH check, delivering a share as a
portal view, revoking one (GOV.UK components)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Fieldset, Layout
from django import forms

from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.sharing.models import Agency, CheckUrgency
from opencsc.sharing.portal_services import CHECK_AGENCY_KIND, agencies_on_the_portal
from opencsc.sharing.portal_services import REQUIRED as REFERRAL_REQUIRED


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


class ReferralForm(GovukForm):
    """The partner's request for support (multi-agency referral form). Field names are the service's
    (`portal_services.REFERRAL_FIELDS`) and the API's, so the service's messages land on the right
    field; a file field for attachments can be added later without changing the rest."""

    child_first_name = forms.CharField(label="Child's first name", required=False, max_length=100)
    child_last_name = forms.CharField(
        label="Child's last name", max_length=100, help_text="For an unborn baby, the mother's last name"
    )
    child_other_names = forms.CharField(
        label="Other names the child is known by (optional)", required=False, max_length=200
    )
    child_date_of_birth = GovukDateField(
        label="Date of birth", required=False, help_text="If you know it. For example, 27 3 2019"
    )
    child_expected_date = GovukDateField(
        label="Expected date of birth", required=False, help_text="Only for an unborn baby. For example, 27 3 2027"
    )
    address_line1 = forms.CharField(label="Address line 1 (optional)", required=False, max_length=200)
    address_town = forms.CharField(label="Town or city (optional)", required=False, max_length=100)
    address_postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    school = forms.CharField(label="School, nursery or college (optional)", required=False, max_length=200)
    household = forms.CharField(
        label="Who the child lives with (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names and relationships, as far as you know them",
    )
    concern = forms.CharField(
        label="What is the concern?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you have seen or been told, when, and by whom",
    )
    why_now = forms.CharField(
        label="Why are you referring now?", widget=forms.Textarea(attrs={"rows": 3}), help_text="What has changed"
    )
    consent_given = forms.ChoiceField(
        label="Has the family agreed to this referral?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the family agreed to this referral"},
    )
    no_consent_reason = forms.CharField(
        label="If not, why are you referring without their agreement?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, asking would put the child at risk",
    )
    family_told = forms.CharField(
        label="What has the family been told?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="About this referral and what happens next; or that they have not been told, and why",
    )
    referrer_name = forms.CharField(label="Your name", max_length=150)
    referrer_role = forms.CharField(label="Your role", max_length=150)
    referrer_phone = forms.CharField(label="Your telephone number", max_length=30)
    referrer_email = forms.EmailField(label="Your work email address", max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in REFERRAL_REQUIRED.items():
            self.fields[name].error_messages["required"] = message
        self.fields["referrer_email"].error_messages["invalid"] = "Enter an email address like name@example.org"
        self.helper.layout = Layout(
            Fieldset(
                "child_first_name",
                "child_last_name",
                "child_other_names",
                "child_date_of_birth",
                "child_expected_date",
                "address_line1",
                "address_town",
                "address_postcode",
                "school",
                "household",
                legend="The child",
                legend_size="m",
                legend_tag="h2",
            ),
            Fieldset("concern", "why_now", legend="The concern", legend_size="m", legend_tag="h2"),
            Fieldset(
                "consent_given",
                "no_consent_reason",
                "family_told",
                legend="The family's agreement",
                legend_size="m",
                legend_tag="h2",
            ),
            Fieldset(
                "referrer_name",
                "referrer_role",
                "referrer_phone",
                "referrer_email",
                legend="Your contact details",
                legend_size="m",
                legend_tag="h2",
            ),
        )

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["consent_given"] = {"yes": True, "no": False}.get(data.get("consent_given") or "")
        return data
