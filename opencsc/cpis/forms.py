from __future__ import annotations

from typing import Any

from django import forms

from opencsc.core.forms import GovukForm
from opencsc.core.uploads import FileTooLarge, refuse_if_too_large
from opencsc.cpis import parsing


class UploadForm(GovukForm):
    confirm = forms.BooleanField(
        label="I understand this file tells NHS England which children are on a plan or looked after, "
        "and will send it to CP-IS through MESH",
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].error_messages["required"] = "Confirm that you will send the file to CP-IS"


class ImportForm(GovukForm):
    file = forms.FileField(
        label="File from NHS England CP-IS",
        help_text="An acknowledgement (REPC_MT000003GB01), access to service notification (REPC_MT000004GB01) "
        "or inactive NHS number notification (REPC_MT000005GB01), as XML",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages.update(
            {
                "required": "Choose the CP-IS file to import",
                "empty": "The file is empty",
                "invalid": "Choose the CP-IS file to import",
            }
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            name = upload.name or "The file"
            refuse_if_too_large(upload.size, limit=parsing.max_bytes(), name=name, what="a CP-IS message")
        except FileTooLarge as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
