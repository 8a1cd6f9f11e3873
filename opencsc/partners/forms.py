"""The portal's forms with a document to attach (GOV.UK file upload; ADR 0032)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Fieldset
from django import forms
from django.conf import settings

from opencsc.sharing.portal_forms import AnswerForm, ReferralForm


def _file_field() -> forms.FileField:
    return forms.FileField(
        label="Attach a document (optional)",
        help_text="A PDF, a PNG or JPEG image, or a Word (.docx), Excel (.xlsx) or OpenDocument (.odt) file, up to "
        f"{settings.OPENCSC_DOCUMENTS_MAX_BYTES // (1024 * 1024)} MB. It goes on the child's record with your answer.",
        required=False,
        allow_empty_file=True,  # an empty file gets the documents app's own message
    )


class AnswerWithDocumentForm(AnswerForm):
    file = _file_field()


class ReferralWithDocumentForm(ReferralForm):
    file = _file_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text.replace("with your answer", "with your request")
        self.helper.layout.append(Fieldset("file", legend="A document", legend_size="m", legend_tag="h2"))
