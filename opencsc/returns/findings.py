"""What a validation rule reports, shared by the CIN census and SSDA903 engines."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):  # noqa: UP042 (str() of members is relied on in reports)
    ERROR = "error"  # the DfE refuses the return until it is fixed
    QUERY = "query"  # the DfE asks the council to confirm or explain ("Q" rules)


@dataclass(frozen=True, slots=True)
class Finding:
    """One (rule, child, table, field, row) the rule flags, with a message a worker can act on.

    `child_id` is the LA child id used in the return (never a name). `row` is the 0-based row of the
    table within the return as built or read; None for return-level rules.
    """

    rule: str
    child_id: str | None
    table: str
    field: str
    row: int | None
    message: str
    severity: Severity = Severity.ERROR
