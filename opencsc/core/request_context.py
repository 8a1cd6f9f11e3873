"""The id of the request (or scheduled-job run) being served, for logs and audit events.

`RequestIdMiddleware` sets it for each request and `opencsc.ops.jobs` for each job run; the JSON log
formatter (`opencsc.ops.logs`) adds it to every log line, and `Actor.system()` puts it on the audit
events a job writes, so one id ties a request's (or a run's) log lines to its audit events."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager

_current: contextvars.ContextVar[str] = contextvars.ContextVar("opencsc_request_id", default="")

# What a request id from the reverse proxy (X-Request-ID) may look like before it is trusted: nginx's
# $request_id is 32 hex digits; a UUID has hyphens. Anything else is replaced by our own id.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9-]{16,64}$")


def current() -> str:
    return _current.get()


def acceptable(value: str) -> bool:
    return bool(_ACCEPTABLE.match(value))


@contextmanager
def bound(request_id: str) -> Iterator[str]:
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)
