"""Property tests (hypothesis): every form of the project, fed extreme values in every field (huge
years, huge text, unicode, NUL characters, formula-looking text), never raises, and whatever it accepts
is inside the limits of `opencsc.core.limits`. Then the same through the pages that store a person and
an address: never a 5xx, and nothing stored outside the limits.

Forms are discovered (every subclass of the GOV.UK form mixin, the person-part forms and the privacy
register's forms), so a form another engineer adds is fuzzed too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from typing import Any

import pytest
from django import forms
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencsc.core import limits
from opencsc.core.forms import GovukDateField, GovukFormMixin

pytestmark = pytest.mark.django_db

# Forms built around a live object, given it by their page; their fields are choices drawn from it.
NEEDS_CONTEXT = {"DecisionForm", "ShareItemsForm", "GovukModelForm", "GovukForm", "SignInForm"}

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "=1+1",
            "+1+2",
            "@SUM(1)",
            "\x00",
            "a\x00b",
            "\u202eevil",
            "😀" * 50,
            "x" * 100_001,
            "y" * 20_001,
            "z" * 5_001,
            "0000000000",
            "2147483648",
            "<script>alert(1)</script>",
        ]
    ),
)
DATE_PART = st.one_of(
    st.integers(min_value=-5, max_value=40).map(str),
    st.integers(min_value=0, max_value=10**30).map(str),
    st.sampled_from(
        ["", "0", "0001", "1800", "1899", "1900", "2100", "9999", "2147483648", "\uff11\uff12", " 1", "\x00", "1e9"]
    ),
)


def _all_forms() -> list[type[forms.BaseForm]]:
    for app in apps.get_app_configs():
        if app.name.startswith("opencsc"):
            for module in ("forms", "views"):
                with contextlib.suppress(ModuleNotFoundError):
                    importlib.import_module(f"{app.name}.{module}")
    found: list[type[forms.BaseForm]] = []

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub not in found and sub.__name__ not in NEEDS_CONTEXT and not sub.__name__.startswith("_"):
                found.append(sub)
            walk(sub)

    walk(GovukFormMixin)
    from opencsc.people.forms import part_form_class
    from opencsc.people.parts import PART_KINDS
    from opencsc.privacy.forms import KINDS, form_class

    found += [part_form_class(kind) for kind in PART_KINDS.values()]
    for kind in KINDS.values():
        register_form = form_class(kind)
        PRIVACY_KINDS[register_form] = kind
        found.append(register_form)
    return found


PRIVACY_KINDS: dict[type, Any] = {}
FORMS = _all_forms()


def _build(form_class: type[forms.BaseForm], data: dict[str, Any]) -> forms.BaseForm:
    if form_class.__name__ == "AllocateForm":
        from opencsc.accounts.models import Team, User

        return form_class(data, teams=Team.objects.all(), workers=User.objects.all())  # type: ignore[call-arg]
    if form_class in PRIVACY_KINDS:  # as its page builds it: on the entry it changes, or a new one
        kind = PRIVACY_KINDS[form_class]
        entry = kind.model() if kind.can_add else kind.model.objects.order_by("pk").first()
        return form_class(data, instance=entry)  # type: ignore[call-arg]
    return form_class(data)


@st.composite
def form_and_data(draw: st.DrawFn) -> tuple[type[forms.BaseForm], dict[str, Any]]:
    form_class = draw(st.sampled_from(FORMS))
    data: dict[str, Any] = {}
    for name, field in _build(form_class, {}).fields.items():
        if isinstance(field, forms.MultiValueField):
            for i in range(len(field.fields)):
                data[f"{name}_{i}"] = draw(DATE_PART)
        else:
            data[name] = draw(HOSTILE_TEXT)
    return form_class, data


def test_the_fuzz_covers_every_form():
    names = {f.__name__ for f in FORMS}
    assert {"PersonForm", "SearchForm", "ContactForm", "CaseNoteForm", "RequestForm"} <= names
    assert len(FORMS) > 50


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=form_and_data())
def test_every_form_refuses_or_bounds_extreme_values(case):
    form_class, data = case
    form = _build(form_class, data)
    if not form.is_valid():  # refusing is fine: raising is not (that was the 500)
        return
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, GovukDateField) and isinstance(value, dt.date):
            earliest, latest = limits.date_bounds(field.bounds)
            assert earliest <= value <= latest, (form_class.__name__, name, value)
        elif isinstance(value, str):
            assert "\x00" not in value, (form_class.__name__, name)
            if isinstance(field, forms.CharField):
                assert field.max_length is not None, f"{form_class.__name__}.{name} has no length limit"
                assert len(value) <= field.max_length, (form_class.__name__, name, len(value))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    first=HOSTILE_TEXT,
    nhs=HOSTILE_TEXT,
    postcode=HOSTILE_TEXT,
    born=st.tuples(DATE_PART, DATE_PART, DATE_PART),
    died=st.tuples(DATE_PART, DATE_PART, DATE_PART),
)
def test_pages_never_fail_and_store_nothing_outside_the_limits(
    client_for, social_worker, child, first, nhs, postcode, born, died
):
    from opencsc.people.models import Address, Person

    client = client_for(social_worker)
    person = {
        "first_name": first,
        "last_name": "Fuzz",
        "sex": "U",
        "is_child": "on",
        "nhs_number": nhs,
        **{f"date_of_birth_{i}": part for i, part in enumerate(born)},
        **{f"date_of_death_{i}": part for i, part in enumerate(died)},
    }
    assert client.post("/people/new/", person).status_code < 500
    address = {"line1": first, "town": "Exampleton", "postcode": postcode}
    address |= {f"start_date_{i}": part for i, part in enumerate(born)}
    assert client.post(f"/people/{child.pk}/add/address/", address).status_code < 500
    search = {"name": first, "nhs_number": nhs, **{f"date_of_birth_{i}": part for i, part in enumerate(born)}}
    assert client.get("/people/", search).status_code < 500
    for stored in [*Person.objects.all(), *Address.objects.all()]:
        assert limits.model_errors(stored) == {}, stored.pk
        if isinstance(stored, Person) and stored.nhs_number:
            assert limits.nhs_number_error(stored.nhs_number) is None
