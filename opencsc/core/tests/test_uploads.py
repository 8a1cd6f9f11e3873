"""One file-size refusal for every reader of an outside file (returns, provider lists, CP-IS)."""

from __future__ import annotations

import io

import pytest

from opencsc.core.uploads import FileRefused, FileTooLarge, check_path, read_upload


def test_the_refusal_names_the_file_its_size_and_the_limit(tmp_path):
    file = tmp_path / "Episodes.csv"
    file.write_bytes(b"x" * 2048)
    with pytest.raises(FileTooLarge) as caught:
        check_path(file, limit=1000, what="one SSDA903 CSV file")
    assert str(caught.value) == (
        "Episodes.csv is 2,048 bytes (2 KB), more than the 1,000 allowed for one SSDA903 CSV file "
        "(1000 bytes): check it is the right file"
    )
    assert isinstance(caught.value, FileRefused) and isinstance(caught.value, ValueError)


def test_a_file_at_the_limit_is_accepted(tmp_path):
    file = tmp_path / "a.csv"
    file.write_bytes(b"x" * 1000)
    assert check_path(file, limit=1000, what="a file") == 1000


def test_an_upload_is_never_read_past_the_limit():
    class Stream(io.BytesIO):
        name = "big.xml"
        size = None
        largest = 0

        def read(self, size: int | None = -1) -> bytes:
            Stream.largest = max(Stream.largest, size or 0)
            return super().read(size)

    with pytest.raises(FileTooLarge, match=r"big\.xml is more than the 10 allowed"):
        read_upload(Stream(b"y" * 10_000), limit=10, what="a test")
    assert Stream.largest == 11


def test_every_reader_refuses_with_the_same_exception(tmp_path, settings):
    from opencsc.cpis.parsing import parse
    from opencsc.returns.build.importer import read_cin_for_import
    from opencsc.returns.ssda903.csv_io import read_903_file
    from opencsc.returns.ssda903.providers import read_provider_file

    file = tmp_path / "big.csv"
    file.write_bytes(b"CHILD,SEX\n" + b"1,1\n" * 100)
    settings.OPENCSC_CPIS_MAX_FILE_BYTES = 10
    readers = [
        lambda: read_903_file(file, max_bytes=10),
        lambda: read_cin_for_import(file, max_bytes=10),
        lambda: read_provider_file(file, max_bytes=10),
        lambda: parse(file.read_bytes()),
    ]
    for read in readers:
        with pytest.raises(FileTooLarge, match=r"more than the 10 allowed for .*: check it is the right file"):
            read()
