from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_the_workers_caseload(client_for, social_worker, child):
    response = client_for(social_worker).get("/")
    assert response.status_code == 200
    assert child.full_name in response.content.decode()


def test_outsider_home_does_not_list_the_child(client_for, outsider, child):
    response = client_for(outsider).get("/")
    assert child.full_name not in response.content.decode()
