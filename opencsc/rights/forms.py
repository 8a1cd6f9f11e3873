"""Forms of the rights pages: the public "ask us" form and information governance's own."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Layout
from django import forms

from opencsc.accounts.models import RestrictionGround
from opencsc.core.categories import DataCategory
from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.rights.models import NotifyMethod, ReplyBy, RequesterRelationship, RequestKind, RequestStatus

HONEYPOT_FIELD = "website"


class AskUsForm(GovukForm):
    """No account needed. A hidden `website` box catches form-filling robots instead of a CAPTCHA
    (which would shut out some disabled people); the rate limit does the rest."""

    kind = forms.ChoiceField(label="What would you like to do?", choices=RequestKind.choices, widget=forms.RadioSelect)
    requester_name = forms.CharField(label="Your full name", max_length=200)
    requester_relationship = forms.ChoiceField(
        label="Who is the information about?",
        choices=[
            (RequesterRelationship.SELF, "Me"),
            (RequesterRelationship.PARENT, "A child I am a parent or carer of"),
            (RequesterRelationship.REPRESENTATIVE, "Someone I represent (for example as their solicitor or advocate)"),
        ],
        widget=forms.RadioSelect,
    )
    subject_name = forms.CharField(
        label="Their full name, if it is not you",
        max_length=200,
        required=False,
        help_text="Include any other names they have been known by",
    )
    subject_date_of_birth = GovukDateField(
        label="Date of birth of the person the information is about",
        required=False,
        past_only=True,
        help_text="This helps us find the right record. For example, 27 3 2007",
    )
    details = forms.CharField(
        label="Tell us what you are asking for",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For a correction, say what is wrong and what it should say. You can write up to 5,000 characters.",
    )
    reply_by = forms.ChoiceField(label="How should we reply?", choices=ReplyBy.choices, widget=forms.RadioSelect)
    reply_email = forms.EmailField(label="Email address", required=False, max_length=254)
    reply_address = forms.CharField(
        label="Postal address", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(*self.fields)  # the honeypot is written by the template, hidden
        self.fields["kind"].error_messages["required"] = "Select what you would like to do"
        self.fields["requester_relationship"].error_messages["required"] = "Select who the information is about"
        self.fields["reply_by"].error_messages["required"] = "Select how we should reply"
        self.fields["requester_name"].error_messages["required"] = "Enter your full name"
        self.fields["details"].error_messages["required"] = "Tell us what you are asking for"
        self.fields["details"].error_messages["max_length"] = (
            "What you are asking for must be 5,000 characters or fewer"
        )
        self.fields["reply_email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.com"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reply_by") == ReplyBy.EMAIL and not data.get("reply_email"):
            self.add_error("reply_email", "Enter the email address we should reply to")
        if data.get("reply_by") == ReplyBy.POST and not (data.get("reply_address") or "").strip():
            self.add_error("reply_address", "Enter the postal address we should reply to")
        relationship = data.get("requester_relationship")
        if relationship and relationship != RequesterRelationship.SELF and not data.get("subject_name"):
            self.add_error("subject_name", "Enter the full name of the person the information is about")
        return data


class StaffRequestForm(AskUsForm):
    received_on = GovukDateField(label="Date the request was received", past_only=True)
    identity_needed = forms.BooleanField(
        label="We need proof of identity before we can start (the month starts when it is seen)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester_name"].label = "Requester's full name"
        self.fields["kind"].label = "What is the request for?"
        self.fields["details"].label = "What they asked for"


class IdentityForm(GovukForm):
    evidence = forms.CharField(
        label="What was seen",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: passport seen at the Civic Centre, address matches a council tax bill",
    )
    verified_on = GovukDateField(label="Date identity was confirmed", past_only=True)


class LinkSubjectForm(GovukForm):
    person_id = forms.IntegerField(
        label="Person id of their record",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-10"}),
    )
    on_behalf_decision = forms.CharField(
        label="For a request made for a child: competence and consent",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Whether the child can understand their rights and has agreed, or why the parent may act for them",
    )


class ExtendForm(GovukForm):
    months = forms.TypedChoiceField(
        label="Extend by", choices=[(1, "1 month"), (2, "2 months")], coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Why the request is complex or numerous", max_length=2000, widget=forms.Textarea)
    letter = forms.CharField(label="Letter to the requester", max_length=5000, widget=forms.Textarea)


class CloseForm(GovukForm):
    status = forms.ChoiceField(
        label="How did the request end?",
        choices=[
            (RequestStatus.ANSWERED, "Answered"),
            (RequestStatus.REFUSED, "Refused, with the lawful reason"),
            (RequestStatus.WITHDRAWN, "Withdrawn by the requester"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Lawful reason (for a refusal)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the information is needed to comply with a legal obligation (Article 17(3)(b))",
    )
    letter = forms.CharField(label="Response letter", required=False, max_length=10000, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == RequestStatus.REFUSED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the lawful reason for refusing")
        if data.get("status") in (RequestStatus.ANSWERED, RequestStatus.REFUSED) and not data.get("letter"):
            self.add_error("letter", "Enter the response letter")
        return data


class RectifyForm(GovukForm):
    categories = forms.MultipleChoiceField(
        label="What kind of information was corrected?",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="What was corrected, and where",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Correct the record itself through its own pages (Change personal details, or the casework step), "
        "so its history and audit trail are kept; then record here what changed",
    )


class DisputeForm(GovukForm):
    statement = forms.CharField(
        label="The requester's statement", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    council_view = forms.CharField(
        label="Why the council keeps the record as it is",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NotifyForm(GovukForm):
    disclosure_id = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label="How they were told", choices=NotifyMethod.choices)
    notified_on = GovukDateField(label="Date told", past_only=True)


class RestrictForm(GovukForm):
    ground = forms.ChoiceField(
        label="Ground for the restriction", choices=RestrictionGround.choices, widget=forms.RadioSelect
    )
