"""Per-request timing spans for the `Server-Timing` response header (see `core.middleware`).

Code that does a costly, well-defined piece of work wraps it in `span("name")`; the time is added to
the current request's total for that name, kept in a context variable so that concurrent requests
(threads, or tasks under ASGI) never mix their figures. Outside a request (management commands,
tests calling services directly) nothing is recorded and `span` costs one context-variable lookup.

Only durations are ever recorded: span names are fixed identifiers chosen in code, never data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_spans: ContextVar[dict[str, float] | None] = ContextVar("opencsc_server_timing", default=None)


def begin() -> Token[dict[str, float] | None]:
    """Start collecting spans for this request; pass the token to `end`."""
    return _spans.set({})


def end(token: Token[dict[str, float] | None]) -> dict[str, float]:
    """Stop collecting and return seconds per span name."""
    spans = _spans.get() or {}
    _spans.reset(token)
    return spans


@contextmanager
def span(name: str) -> Iterator[None]:
    spans = _spans.get()
    if spans is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        spans[name] = spans.get(name, 0.0) + time.perf_counter() - started


def header_value(total_seconds: float, spans: dict[str, float]) -> str:
    """`total;dur=12.3, audit;dur=1.4` (milliseconds, as the Server-Timing syntax expects)."""
    parts = [f"total;dur={total_seconds * 1000:.1f}"]
    parts += [f"{name};dur={seconds * 1000:.1f}" for name, seconds in sorted(spans.items())]
    return ", ".join(parts)
