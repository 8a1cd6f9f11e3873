"""Every personal-data field carries its privacy-notice category; sensitive ones are encrypted."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from opencsc.core.categories import ENCRYPTED, DataCategory
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL, fields_by_category, personal_data, registered_models, tags_for
from opencsc.people.models import Person

# Models that point at a person but hold no personal data of their own: access-control and audit
# bookkeeping, described in the processing register as security records.
ACCESS_CONTROL_MODELS = {"accounts.Allocation", "accounts.RestrictedAccess", "accounts.BreakGlassGrant"}


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("opencsc.")]


def _points_at_person(model: type[models.Model]) -> bool:
    return any(
        isinstance(f, models.ForeignKey | models.OneToOneField) and f.related_model is Person
        for f in model._meta.concrete_fields
    )


def test_every_model_about_a_person_is_registered():
    missing = [
        m._meta.label
        for m in _project_models()
        if (m is Person or _points_at_person(m))
        and m not in set(registered_models())
        and m._meta.label not in ACCESS_CONTROL_MODELS
    ]
    assert not missing, f"Models holding data about a person without categories: {missing}"


@pytest.mark.parametrize("model", list(registered_models()), ids=lambda m: m._meta.label)
def test_every_field_of_a_registered_model_is_tagged(model):
    tags = tags_for(model)
    fields = {f.name for f in model._meta.concrete_fields}
    assert fields - set(tags) == set(), f"untagged fields on {model._meta.label}"
    assert set(tags) - fields == set(), f"tags for fields that do not exist on {model._meta.label}"


@pytest.mark.parametrize("model", list(registered_models()), ids=lambda m: m._meta.label)
def test_special_category_and_criminal_fields_are_encrypted(model):
    for name, tag in tags_for(model).items():
        if tag is NOT_PERSONAL or tag not in ENCRYPTED:
            continue
        field = model._meta.get_field(name)
        if name == "nhs_number_index" or isinstance(field, models.BooleanField | models.DateField | models.ForeignKey):
            continue  # the keyed blind index, flags and dates carry no readable sensitive content
        assert isinstance(field, EncryptedTextField), f"{model._meta.label}.{name} ({tag}) is not encrypted"


def test_the_registry_finds_a_missing_tag():
    """The check above is not vacuous: a model with an untagged field is reported."""

    @personal_data(id=NOT_PERSONAL)
    class Probe(models.Model):  # noqa: DJ008
        secret = models.CharField(max_length=10)

        class Meta:
            app_label = "core"
            managed = False

    try:
        assert {f.name for f in Probe._meta.concrete_fields} - set(tags_for(Probe)) == {"secret"}
    finally:
        from opencsc.core import personal_data as registry

        registry._REGISTRY.pop(Probe)
        apps.all_models["core"].pop("probe", None)


def test_person_record_covers_the_foundation_categories():
    held = set(fields_by_category())
    # Referral, assessment and MASH information is held by casework (issue 3).
    assert set(DataCategory) - held <= {DataCategory.REFERRAL}


@pytest.mark.django_db
def test_encrypted_values_never_reach_the_database_in_clear(child):
    from opencsc.people.models import PoliceInformation

    canary_police = "CANARY-POLICE-7f3a"
    PoliceInformation.objects.create(
        person=child, kind="intelligence", summary=canary_police, source="Exampleton Police", recorded_on="2026-01-01"
    )
    child.ethnicity = "APKN"
    child.save()
    found = []
    with connection.cursor() as cursor:
        for model in _project_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    cursor.execute(f"SELECT {connection.ops.quote_name(field.column)} FROM {table}")  # noqa: S608
                    for (value,) in cursor.fetchall():
                        if value and (canary_police in value or value == "APKN" or child.nhs_number in value):
                            found.append(f"{table}.{field.column}")
    assert found == []
    assert PoliceInformation.objects.get(person=child).summary == canary_police


# VACUUM INTO cannot run inside the test's transaction
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sqlite_database_file_holds_no_plaintext(child, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the file check is for the embedded SQLite database; PostgreSQL is covered by the SQL scan")
    from opencsc.people.models import HealthInformation

    HealthInformation.objects.create(
        person=child, kind="mental_health", summary="CANARY-HEALTH-91bc", recorded_on="2026-01-01"
    )
    target = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    raw = target.read_bytes()
    assert child.last_name.encode() in raw  # the copy really holds the data...
    assert b"CANARY-HEALTH-91bc" not in raw  # ...but not the sensitive field in clear
    assert child.nhs_number.encode() not in raw
