"""manage.py build_return: the files, the audit event and one DfE disclosure per child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ReferralEpisode
from opencsc.returns.cin.xml_io import read_cin_xml
from opencsc.returns.ssda903.csv_io import read_903_dir

pytestmark = pytest.mark.django_db


def test_build_return_writes_the_files_audits_and_records_the_transfer(child, tmp_path, capsys):
    from opencsc.sharing.models import Disclosure

    ReferralEpisode.objects.create(child=child, referral_date=dt.date(2025, 6, 2), source="1A", primary_need="N1")
    call_command("build_return", "cin", "--year", "2025-26", "--out", str(tmp_path / "cin.xml"), "--check")
    out, err = capsys.readouterr()
    tables = read_cin_xml(tmp_path / "cin.xml")
    assert tables.column("ChildIdentifiers", "LAchildID") == [child.la_child_id]
    assert tables.header["Year"] == "2026" and tables.header["ReferenceDate"] == dt.date(2026, 3, 31)
    assert "1 children" in out and "Validation:" in out and "child" in err  # the progress bar on stderr
    assert AuditEvent.objects.filter(action="return.build", detail__kind="cin").exists()
    assert list(Disclosure.objects.filter(kind="transfer").values_list("person_id", flat=True)) == [child.pk]

    call_command("build_return", "903", "--year", "2025-26", "--out", str(tmp_path / "903"), "--no-transfer")
    assert {"Header", "Episodes", "OC3", "SWEpisodes", "PrevPerm"} <= set(read_903_dir(tmp_path / "903"))
    assert Disclosure.objects.filter(kind="transfer").count() == 1  # --no-transfer: a file for checking only

    call_command("build_return", "annex-a", "--as-of", "2025-09-30", "--out", str(tmp_path / "a.xlsx"))
    assert (tmp_path / "a.xlsx").stat().st_size > 0
