"""Form helpers: every form renders with the GOV.UK Design System components (crispy-forms-gds)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms


class GovukFormMixin:
    """Adds a crispy-forms-gds helper that renders fields only (the page owns <form> and buttons)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_errors = True
        for field in self.fields.values():  # type: ignore[attr-defined]
            _tailor_messages(field)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def _tailor_messages(field: forms.Field) -> None:
    label = str(field.label or "this").lower()
    field.error_messages.setdefault("required", f"Enter {label}")
    if isinstance(field, forms.ChoiceField):
        field.error_messages["required"] = f"Select {label}"
        field.error_messages["invalid_choice"] = f"Select {label} from the list"  # noqa: S608 (not SQL)


class GovukDateField(DateInputField):
    """Day, month and year boxes (the GOV.UK date input), with messages that say how to fix it."""

    def __init__(self, *, label: str, required: bool = True, past_only: bool = False, **kwargs: Any) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        self.past_only = past_only
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
        return result

    def compress(self, data_list: Any) -> dt.date | None:
        try:
            return super().compress(data_list)
        except forms.ValidationError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
