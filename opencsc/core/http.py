"""Request types for views behind `login_required` (where `request.user` is a staff User)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from opencsc.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    request_id: str
