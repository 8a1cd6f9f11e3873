"""The confirmations of the disposal pages: each step is a deliberate act, so each asks for one."""

from __future__ import annotations

from django import forms

from opencsc.core.forms import GovukForm


class PrepareForm(GovukForm):
    confirm = forms.BooleanField(
        label="I have checked the list: these records are due under the council's retention rules",
        error_messages={"required": "Confirm that you have checked the list of records due"},
    )


class ApproveForm(GovukForm):
    confirm = forms.BooleanField(
        label="I have checked this batch and approve the disposal of these records",
        error_messages={"required": "Confirm that you have checked the batch before approving it"},
    )


class CarryOutForm(GovukForm):
    confirm = forms.BooleanField(
        label="I understand that these records will be removed for good and cannot be brought back",
        error_messages={"required": "Confirm that you understand the records will be removed for good"},
    )
