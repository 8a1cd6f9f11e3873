"""Form helpers: every form renders with the GOV.UK Design System components (crispy-forms-gds)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name

from opencsc.core import limits


class GovukFormMixin:
    """Adds a crispy-forms-gds helper that renders fields only (the page owns <form> and buttons)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_errors = True
        # The page owns <form> and its token: a POST page writes {% csrf_token %} itself, and a GET
        # form (a search) must never put the token in the address bar.
        self.helper.disable_csrf = True
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            _tailor_messages(field, name)
            _tailor_widget(field, name)
            _cap_text(field, model, name)
            _word_empty_choice(field)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def _cap_text(field: forms.Field, model: Any, name: str) -> None:
    """Every text box has a limit (`opencsc.core.limits`): the model field's, or the general cap for a
    box with none, so no form accepts 100,000 characters into a summary."""
    if not isinstance(field, forms.CharField) or field.max_length is not None:
        return
    limit = limits.DEFAULT_TEXT_CAP
    if model is not None:
        with contextlib.suppress(FieldDoesNotExist):
            limit = limits.text_limit(model, name)
    field.max_length = limit
    message = f"{field.label or 'This'} must be {limit:,} characters or fewer"
    field.validators.append(MaxLengthValidator(limit, message=message))


# Fields typed as digits: a one-line text input that brings up the number pad, never a text area (an
# encrypted model field would otherwise get one) nor type=number (which spins and drops leading zeros).
NUMERIC_FIELDS: dict[str, str] = {"nhs_number": "govuk-input--width-10", "sdq_score": "govuk-input--width-2"}


def _tailor_widget(field: forms.Field, name: str) -> None:
    if name in NUMERIC_FIELDS and not isinstance(field.widget, forms.HiddenInput | forms.Select):
        field.widget = forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": f"govuk-input {NUMERIC_FIELDS[name]}",
            }
        )


DJANGO_BLANK = "---------"


def _word_empty_choice(field: forms.Field) -> None:
    """A list's empty choice says "Select", never Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = "Select"
    elif isinstance(field, forms.ChoiceField) and not isinstance(field.widget, forms.RadioSelect):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [("", "Select") if (v == "" and label == DJANGO_BLANK) else (v, label) for v, label in choices]


DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


def field_words(label: str) -> str:
    """A label as it reads inside a sentence: "Date of birth" -> "date of birth", "NHS number" stays."""
    label = label.strip().rstrip("?:").strip()
    if len(label) > 1 and label[1].isupper():
        return label  # an acronym first (NHS, UPN, LA)
    return label[:1].lower() + label[1:]


def _tailor_messages(field: forms.Field, name: str = "") -> None:
    """Every message names its field ("Enter the date of birth"), never Django's "This field is required."."""
    label = str(field.label or pretty_name(name) or "this")
    # "Select the reason", but a question keeps its own words: "Select before this period of care, ..."
    words = ("" if label.rstrip().endswith("?") else "the ") + field_words(label)
    if str(field.error_messages.get("required", DJANGO_REQUIRED)) != DJANGO_REQUIRED:
        return  # the form said it its own way
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        field.error_messages["required"] = f"Select {words}"
        field.error_messages["invalid_choice"] = f"Select {words} from the list"  # noqa: S608 (not SQL)
    elif isinstance(field, forms.BooleanField):
        field.error_messages["required"] = f"Confirm {words}"
    else:
        field.error_messages["required"] = f"Enter {words}"


class GovukDateField(DateInputField):
    """Day, month and year boxes (the GOV.UK date input), with messages that say how to fix it.
    Every date is kept within its field's bounds from `opencsc.core.limits` (`bounds` is the key
    there, like "people.Person.date_of_birth"; the general bounds otherwise), and any year typed,
    however long, gives a message, never an error page."""

    def __init__(
        self, *, label: str, required: bool = True, past_only: bool = False, bounds: str = "", **kwargs: Any
    ) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        self.past_only = past_only
        self.bounds = bounds
        self.error_messages["required"] = f"Enter the {label.lower()}"
        self.error_messages["incomplete"] = f"Enter the {label.lower()} as a day, month and year"
        self.error_messages["invalid"] = f"{label} must be a real date, like 27 3 2019"

    def clean(self, value: Any) -> dt.date | None:
        if value is not None and not any(value):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        result = super().clean(value)
        if result and self.past_only and result > dt.date.today():  # noqa: DTZ011
            raise forms.ValidationError(f"{self.label} must be today or in the past")
        if message := limits.date_error(result, key=self.bounds, label=str(self.label)):
            raise forms.ValidationError(message, code="out_of_bounds")
        return result

    def compress(self, data_list: Any) -> dt.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return limits.parse_date_parts(day, month, year)
        except ValueError as exc:
            if "year of 4 digits" in str(exc):
                raise forms.ValidationError(f"{self.label} {exc}", code="invalid") from exc
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
