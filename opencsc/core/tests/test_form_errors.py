"""Every form, submitted empty, names each required field in its error (GOV.UK: "Enter the date of
birth", never Django's "This field is required."), shows all of them at once, and the error summary
links each one to its field. Forms are found by walking the apps' form registries, so a new step or
record part is covered without being listed here."""

from __future__ import annotations

import importlib
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils.html import escape

from opencsc.casework.views.steps import STEPS
from opencsc.core.forms import DJANGO_REQUIRED, GovukForm, GovukFormMixin, GovukModelForm
from opencsc.people.forms import PersonForm, SearchForm, part_form_class
from opencsc.people.parts import PART_KINDS

pytestmark = pytest.mark.django_db


APPS_WITH_FORMS = ("accounts", "audit.views", "casework", "cpis", "people", "people.families", "privacy", "sharing")


def _subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def _forms() -> list[tuple[str, type[forms.BaseForm]]]:
    for module in APPS_WITH_FORMS:
        importlib.import_module(f"opencsc.{module if '.' in module else module + '.forms'}")
    found: list[tuple[str, type[forms.BaseForm]]] = [("person", PersonForm)]
    found += [(f"part:{slug}", part_form_class(kind)) for slug, kind in PART_KINDS.items()]
    found += [(f"step:{slug}", step.form) for slug, step in STEPS.items()]
    named = {form for _, form in found}
    for form in sorted(_subclasses(GovukFormMixin), key=lambda c: f"{c.__module__}.{c.__name__}"):
        if form in named or form in (GovukForm, GovukModelForm) or not form.__module__.startswith("opencsc."):
            continue
        if getattr(getattr(form, "_meta", None), "model", True) is None:
            continue  # a model form base without a model
        found.append((f"{form.__module__.removeprefix('opencsc.')}.{form.__name__}", form))
    return found


def _empty(form_class: type[forms.BaseForm]) -> forms.BaseForm | None:
    try:
        return form_class(data={})
    except TypeError:
        return None  # needs arguments from its page (items to share, a request): covered by its app's tests


def _significant(label: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", label.lower()) if len(w) > 2} - {"the", "and", "for", "this"}


def _names(message: str, label: str) -> bool:
    """Whether the message names the field: a word of the label (or its stem: "reviewed" for
    "Review note") appears in it."""
    stems = {w[:5] for w in _significant(label)}
    return any(w[:5] in stems for w in _significant(message))


@pytest.mark.parametrize(("name", "form_class"), _forms(), ids=[n for n, _ in _forms()])
def test_empty_submit_names_every_required_field(name, form_class):
    form = _empty(form_class)
    if form is None:
        pytest.skip(f"{name} needs arguments from its page")
    assert not form.is_valid() or not any(f.required for f in form.fields.values())
    html = render_to_string("core/includes/error_summary.html", {"form": form})
    assert DJANGO_REQUIRED not in html
    for field_name, field in form.fields.items():
        if not field.required or isinstance(field.widget, forms.HiddenInput):
            continue
        errors = form.errors.get(field_name)
        assert errors, f"{name}: no error for the required field {field_name}"
        label = str(field.label or field_name.replace("_", " "))
        for message in errors:
            assert message != DJANGO_REQUIRED
            assert _names(message, label), f"{name}: {message!r} does not name {label!r}"
            assert escape(message) in html, f"{name}: {message!r} is not in the error summary"


def test_the_summary_links_each_error_to_its_field():
    form = PersonForm(data={})
    form.is_valid()
    html = render_to_string("core/includes/error_summary.html", {"form": form})
    assert '<a href="#id_last_name">Enter the last name (family name)</a>' in html


def test_nhs_number_is_a_numeric_text_input_not_a_text_area():
    for form in (PersonForm(), SearchForm()):
        widget = form.fields["nhs_number"].widget
        assert isinstance(widget, forms.TextInput), type(widget)
        assert widget.attrs.get("inputmode") == "numeric"
        assert widget.attrs.get("autocomplete") == "off"
        assert "<textarea" not in str(form["nhs_number"])


def test_two_bad_fields_show_two_errors_at_once():
    form = PersonForm(data={"nhs_number": "12", "sex": "Z"})
    form.is_valid()
    assert "last_name" in form.errors and "sex" in form.errors


@pytest.mark.parametrize("url", ["/people/", "/audit/"])
def test_search_forms_send_no_csrf_token_in_the_address(url, client_for, social_worker, ig_officer):
    user = ig_officer if url.startswith("/audit") else social_worker
    html = client_for(user).get(url).content.decode()
    get_forms = re.findall(r'<form method="get".*?</form>', html, re.S)
    assert get_forms, url
    for form in get_forms:
        assert "csrfmiddlewaretoken" not in form
