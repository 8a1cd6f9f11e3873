"""LA codes a UPN may carry in characters 2-4 (CIN census rule 1530).

The UPN check letter itself lives in `opencsc.people.identifiers` (one copy for forms, importers and
returns). This module holds only what rule 1530 adds: the post-April-1998 LA codes and the DfE's
"pseudo LA" codes, as published in the rule text (domain reference §6.2), plus 942 and 943, which the
2023-24 ruleset added for the LAs created by reorganisation.
"""

from __future__ import annotations

from functools import cache

_RANGES = (
    (1, 5),
    (201, 213),
    (301, 320),
    (330, 336),
    (340, 344),
    (350, 359),
    (370, 373),
    (380, 384),
    (390, 394),
    (420, 420),
    (660, 681),
    (701, 708),
    (800, 803),
    (805, 808),
    (810, 813),
    (815, 816),
    (820, 823),
    (825, 826),
    (830, 831),
    (835, 841),
    (845, 846),
    (850, 852),
    (855, 857),
    (860, 861),
    (865, 896),
    (908, 909),
    (916, 916),
    (919, 919),
    (921, 921),
    (925, 926),
    (928, 929),
    (931, 931),
    (933, 933),
    (935, 938),
    (940, 943),
)


@cache
def upn_la_codes() -> frozenset[str]:
    """Every three-digit code rule 1530 accepts."""
    return frozenset(f"{n:03d}" for low, high in _RANGES for n in range(low, high + 1))


def is_upn_la_code(code: str) -> bool:
    return code in upn_la_codes()
