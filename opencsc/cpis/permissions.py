"""Who may use the CP-IS pages. Kept beside the app (not in `accounts.access`, which another change
is editing) but written the same way: one predicate per decision.

* Information governance builds and downloads the upload, imports NHS England's messages and reads
  the completeness report for the whole cohort.
* Team managers read the completeness report for the children in their own scope only, with a link
  to each record, so their teams can trace missing NHS numbers.
* Nobody else: a social worker cannot download the upload.
"""

from __future__ import annotations

from typing import Any

from opencsc.accounts.models import Role


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_cpis(user: Any) -> bool:
    """Build and download uploads, import acknowledgements and notifications."""
    return _active(user) and user.role == Role.IG_OFFICER


def can_view_completeness(user: Any) -> bool:
    return _active(user) and user.role in (Role.IG_OFFICER, Role.TEAM_MANAGER)


def sees_whole_cohort(user: Any) -> bool:
    """IG reads every row (LA child id and what is missing, never names); others only their scope."""
    return can_manage_cpis(user)
