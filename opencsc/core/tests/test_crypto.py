from __future__ import annotations

import base64

import pytest
from django.db import connection

from opencsc.core import crypto
from opencsc.core.management.commands.rotate_field_keys import rotate
from opencsc.people.models import Person, PoliceInformation

NEW_KEY = "new2:" + base64.b64encode(b"n" * 32).decode()


def test_round_trip_and_fresh_nonce():
    a = crypto.encrypt("hello", context="people.Person.ethnicity")
    b = crypto.encrypt("hello", context="people.Person.ethnicity")
    assert a != b
    assert crypto.decrypt(a, context="people.Person.ethnicity") == "hello"


def test_ciphertext_moved_to_another_column_does_not_decrypt():
    token = crypto.encrypt("WBRI", context="people.Person.ethnicity")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="people.PoliceInformation.summary")


def test_flipped_bit_is_detected():
    token = crypto.encrypt("summary", context="x.y.z")
    prefix, kid, b64 = token.split(":", 2)
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{kid}:{base64.b64encode(bytes(blob)).decode()}", context="x.y.z")


def test_blind_index_is_keyed_and_stable(settings):
    first = crypto.blind_index("9991234567", purpose="nhs_number")
    assert first == crypto.blind_index("9991234567", purpose="nhs_number")
    settings.OPENCSC_BLIND_INDEX_KEY = base64.b64encode(b"k" * 32).decode()
    assert crypto.blind_index("9991234567", purpose="nhs_number") != first


def test_encrypted_field_refuses_equality_lookup(db):
    with pytest.raises(TypeError, match="encrypted"):
        list(Person.objects.filter(ethnicity="WBRI"))


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_new_key_and_old_key_can_go(settings, child):
    PoliceInformation.objects.create(
        person=child, kind="caution", summary="Cautioned 2024", source="Police", recorded_on="2024-02-02"
    )
    old = settings.OPENCSC_FIELD_KEYS
    settings.OPENCSC_FIELD_KEYS = f"{NEW_KEY},{old}"
    counts = rotate(batch_size=1)
    assert counts["people.PoliceInformation.summary"] == 1
    assert counts["people.Person.nhs_number"] >= 1
    assert rotate() == {name: 0 for name in counts}  # resumable: nothing left the second time
    settings.OPENCSC_FIELD_KEYS = NEW_KEY  # old key removed
    assert PoliceInformation.objects.get(person=child).summary == "Cautioned 2024"
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM people_policeinformation")
        assert cursor.fetchone()[0].startswith("v1:new2:")
