"""No personal data in the logs: drive a full journey through the browser, then scan everything the
server logged (its JSON log: one line per request, plus Django's warnings) for every name and NHS
number of the seeded borough. Searching by name puts the name in the query string, so this also shows
that paths and query strings never reach the log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import REPO, AppServer, server_environment
from .test_journeys import _find_child

pytestmark = pytest.mark.browser

_PEOPLE = """
import json, django
django.setup()
from opencsc.people.models import Person
people = Person.objects.values_list("first_name", "last_name", "preferred_name", "nhs_number")
print(json.dumps([list(p) for p in people]))
"""


def _seeded_people(server: AppServer) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PEOPLE],
        cwd=REPO,
        env=server_environment(server.workdir),
        capture_output=True,
        text=True,
        check=True,
    )
    people: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return people


def test_a_full_journey_leaves_no_personal_data_in_the_logs(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    child = facts["child"]
    worker = start_journey("log-scan")
    worker.sign_in(facts["social_worker"])
    worker.arrive("Your caseload")
    _find_child(worker, child["full_name"])  # the name goes into the query string
    worker.page.get_by_role("table").get_by_role("link", name=child["full_name"]).click()
    worker.arrive(child["full_name"])
    worker.page.get_by_role("link", name="See the family as a genogram").click()
    worker.arrive("Genogram")
    response = worker.visit("/people/999999999/")  # a record that does not exist: a logged 404
    assert response is not None and response.status == 404
    worker.arrive("Page not found")
    worker.sign_out()

    log = app_server.log_path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]

    people = _seeded_people(app_server)
    assert len(people) > 40
    names = {part for person in people for part in person[:3] if part and len(part) >= 3}
    nhs_numbers = {person[3] for person in people if person[3]}
    assert child["last_name"] in names and nhs_numbers
    found = sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", log))
    found += sorted(number for number in nhs_numbers if number in log)
    assert not found, f"personal data in the server log: {found[:10]}"
    requests = [line for line in lines if line.get("logger") == "opencsc.request"]
    assert any(line["route"] == "/people/<int:person_id>/" for line in requests), "the journey left no request log"
    assert all(len(line.get("request_id", "")) == 32 for line in requests)
    expect(worker.page.get_by_text("You have signed out")).to_be_visible()
