"""The published CIN validator on the census built from a demo borough with its early help families
(a step-up from help with source 5D, help alone, a closure), under both help models: the two files are
byte-identical and the validator finds no errors (queries and its documented defects aside)."""

from __future__ import annotations

import io
import os

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from opencsc.casework.models import HelpEpisode
from opencsc.returns.build.cin import build_cin
from opencsc.returns.build.common import current_year
from opencsc.returns.cin.xml_io import write_cin_xml
from opencsc.returns.tests.oracle import CIN_KNOWN_DEFECTS, OracleUnavailable, cin_oracle, run_cin_oracle

pytestmark = [pytest.mark.oracle, pytest.mark.django_db]


def test_cin_census_is_identical_under_both_models_and_valid(settings, tmp_path):
    try:
        python = cin_oracle()
    except OracleUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The oracle is required in CI: {exc}")
        pytest.skip(f"The oracle could not be installed (no network?): {exc}")
    call_command("seed_demo", children=40, seed=13, stdout=io.StringIO())
    assert HelpEpisode.objects.filter(stepped_up_to__isnull=False).exists()
    year = current_year()
    files = {}
    with time_machine.travel(timezone.now(), tick=False):  # the header's DateTime is the same
        for model in ("tiered", "family_help"):
            settings.OPENCSC_HELP_MODEL = model
            files[model] = tmp_path / f"{model}.xml"
            write_cin_xml(build_cin(year), files[model])
    assert files["tiered"].read_bytes() == files["family_help"].read_bytes()
    assert b"<ReferralSource>5D</ReferralSource>" in files["tiered"].read_bytes()
    result = run_cin_oracle(files["tiered"], int(year[:4]) + 1, python)
    errors = [(rule, child) for rule, child in result.pairs if not (rule.endswith("Q") or rule in CIN_KNOWN_DEFECTS)]
    assert errors == []
    assert result.return_level == frozenset()
