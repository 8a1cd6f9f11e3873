"""The sign-in backend: Django's own, loading the signed-in user with their team in one query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithTeamBackend(ModelBackend):
    """Django's `ModelBackend`, except that the user of each request comes with their team joined:
    every page's header names it and the access checks read it, so it costs no second query."""

    def get_user(self, user_id: Any) -> Any:
        user = get_user_model()._default_manager.select_related("team").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
