"""The one file-size refusal for every file openCSC reads from outside: returns, provider lists,
CP-IS messages and uploads to check.

A file is refused on its size before a single byte of it is parsed, with one exception
(`FileTooLarge`) and one message, whoever reads it:

    "Episodes.csv is 300,000,000 bytes (286 MB), more than the 268,435,456 allowed for one SSDA903
    CSV file (256 MB): check it is the right file"

Every reader's own "this file cannot be used" error (`ReturnFileError`, `ImportRefused`,
`ProviderFileError`, `CpisFileError`) subclasses `FileRefused`, so a command or page that reads an
untrusted file catches `FileRefused` and shows its message, whatever the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Protocol

from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile


class FileRefused(ValueError):
    """A file from outside cannot be used; the message says why, in words the user can act on."""


class FileTooLarge(FileRefused):
    """The file is larger than its reader allows (checked before it is opened or parsed)."""

    def __init__(self, *, name: str, size: int | None, limit: int, what: str) -> None:
        self.name, self.size, self.limit, self.what = name, size, limit, what
        super().__init__(too_large_message(name=name, size=size, limit=limit, what=what))


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.0f} MB"
    if size >= 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size} bytes"


def too_large_message(*, name: str, size: int | None, limit: int, what: str) -> str:
    """The refusal, naming the file, its size and the limit (`size` None: "more than" the limit)."""
    shown = f"is {size:,} bytes ({_human(size)}), more" if size is not None else "is more"
    return f"{name} {shown} than the {limit:,} allowed for {what} ({_human(limit)}): check it is the right file"


def refuse_if_too_large(size: int, *, limit: int, name: str, what: str) -> None:
    """Raise `FileTooLarge` when `size` exceeds `limit`."""
    if size > limit:
        raise FileTooLarge(name=name, size=size, limit=limit, what=what)


def check_path(path: str | Path, *, limit: int, what: str) -> int:
    """The size of a file on disk, or `FileTooLarge` (the file is not opened)."""
    file = Path(path)
    size = file.stat().st_size
    refuse_if_too_large(size, limit=limit, name=file.name, what=what)
    return size


def check_bytes(data: bytes, *, limit: int, name: str, what: str) -> bytes:
    """The bytes as given, or `FileTooLarge`."""
    refuse_if_too_large(len(data), limit=limit, name=name, what=what)
    return data


class _Upload(Protocol):
    name: str | None
    size: int | None

    def read(self, size: int = ...) -> bytes: ...


def read_upload(upload: _Upload | IO[bytes], *, limit: int, what: str, name: str | None = None) -> bytes:
    """Read an uploaded file (Django's UploadedFile, or any binary stream) but never more than
    `limit` + 1 bytes, so an oversized upload is refused without being held in memory."""
    label = name or str(getattr(upload, "name", None) or "The file")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int):
        refuse_if_too_large(declared, limit=limit, name=label, what=what)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(name=label, size=None, limit=limit, what=what)
    return data


class BoundedMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps every uploaded file in memory, never on disk (whatever FILE_UPLOAD_MAX_MEMORY_SIZE says),
    and drops a file once it passes `limit`, naming it in `too_large`. For uploads that must leave no
    trace (a return from another system, checked and discarded). Install it on the request before
    its body is read (the view must then apply CSRF protection itself: see returns.check_views)."""

    def __init__(self, request: Any = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: list[str] = []
        self._size = 0

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self._size = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._size += len(raw_data)
        if self._size > self.limit:
            self.too_large.append(str(self.file_name))
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
