from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from opencsc.accounts.models import BreakGlassReason
from opencsc.core.forms import GovukForm, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask the service desk.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TokenForm(GovukForm):
    token = forms.CharField(
        label="Security code",
        max_length=6,
        min_length=6,
        help_text="The 6-digit code from your authenticator app",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the 6-digit security code",
            "min_length": "Enter all 6 digits of the security code",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The security code is 6 digits, with no letters or spaces")
        return token


class BreakGlassForm(GovukForm):
    identifier = forms.CharField(
        label="LA child id or NHS number",
        max_length=20,
        help_text="Emergency access is for one person, found by an exact identifier",
    )
    reason_category = forms.ChoiceField(
        label="Why do you need emergency access?", choices=BreakGlassReason.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Explain what has happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        help_text="At least 20 characters. Information governance will review this.",
        error_messages={"min_length": "Explain why you need emergency access in at least 20 characters"},
    )


class AllocateForm(GovukForm):
    team: forms.ModelChoiceField = forms.ModelChoiceField(label="Team", queryset=None, empty_label="Select a team")  # type: ignore[arg-type]
    worker: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Allocated worker",
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label="Nobody yet (held by the team)",
        help_text="The worker must be in the team you select",
    )

    def __init__(self, *args: Any, teams: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = cast(forms.ModelChoiceField, self.fields["team"])
        worker_field = cast(forms.ModelChoiceField, self.fields["worker"])
        team_field.queryset = teams
        worker_field.queryset = workers
        worker_field.label_from_instance = lambda u: f"{u.get_full_name()} ({u.team})"  # type: ignore[method-assign,assignment]


class RestrictedForm(GovukForm):
    restricted = forms.BooleanField(label="Restrict this record to named users", required=False)
    add_user = forms.CharField(
        label="Name another user (username)",
        required=False,
        max_length=150,
        help_text="They will see this record whatever their caseload",
    )


class EnrolmentCodeForm(GovukForm):
    enrolment_code = forms.CharField(
        label="Enrolment code",
        max_length=20,
        help_text="12 letters and numbers from a system administrator, for example ABCD-EFGH-JKMN",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the enrolment code a system administrator gave you"},
    )


class DeviceResetForm(GovukForm):
    reason = forms.CharField(
        label="Why should their authenticator app be removed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="For example: phone lost on 3 December, reported to the service desk (call 1234)",
        error_messages={"required": "Say why the app should be removed"},
    )
