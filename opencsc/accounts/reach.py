"""Keeping `CaseloadReach` exact: the triggers that maintain it, a full rebuild, and a check.

A person is in the family reach of an allocation when the allocation is theirs, when they are
related to its person either way round, or when they share a family group with its person. The
relation is symmetric, so "who does this allocation reach" and "which allocations reach this
person" are the same set of pairs.

The table changes only when one of its inputs does, and database triggers make each change in the
same statement's transaction:

* an allocation inserted, updated or deleted: its own rows are replaced (a handful of people);
* a relationship inserted, updated or deleted: the two people's rows are recomputed;
* a family membership inserted, updated or deleted: the rows of everyone in the family group(s)
  concerned are recomputed;
* a person deleted: their rows go.

Triggers rather than service calls because the scope is a security decision: a derived table
that a bulk update, an importer or a future service could forget to refresh would silently widen
or narrow who sees a record. Whatever writes those tables, through the ORM, `bulk_create`,
`QuerySet.update` or raw SQL, the reach follows. The same statements serve SQLite and PostgreSQL;
only the trigger wrappers differ. `rebuild` recomputes everything (after the migration that
creates the table, or to repair); `discrepancies` compares the table with a fresh computation and
backs `manage.py check_access_scope` and the property tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

from opencsc.accounts.models import Allocation, CaseloadReach
from opencsc.people.models import FamilyMembership, Person, Relationship

REACH = CaseloadReach._meta.db_table
ALLOCATION = Allocation._meta.db_table
RELATIONSHIP = Relationship._meta.db_table
MEMBERSHIP = FamilyMembership._meta.db_table
PERSON = Person._meta.db_table
COLUMNS = "person_id, allocation_id, team_id, worker_id, start_date, end_date"


def _pairs(within: str | None) -> str:
    """(x, y) for every person x in `within` (an SQL list, or every person when None) and every y
    whose allocations reach x: x itself, x's relatives either way round, x's family-group members."""

    def where(column: str) -> str:
        return f" WHERE {column} IN ({within})" if within is not None else ""

    return (
        f"SELECT p.id AS x, p.id AS y FROM {PERSON} p{where('p.id')}"
        f" UNION SELECT r.person_id, r.relative_id FROM {RELATIONSHIP} r{where('r.person_id')}"
        f" UNION SELECT r.relative_id, r.person_id FROM {RELATIONSHIP} r{where('r.relative_id')}"
        f" UNION SELECT m.person_id, m2.person_id FROM {MEMBERSHIP} m"
        f" JOIN {MEMBERSHIP} m2 ON m2.family_id = m.family_id{where('m.person_id')}"
    )


def _reach_rows(within: str | None) -> str:
    return (
        f"SELECT pairs.x, a.id, a.team_id, a.worker_id, a.start_date, a.end_date"
        f" FROM ({_pairs(within)}) pairs JOIN {ALLOCATION} a ON a.person_id = pairs.y"
    )


def _recompute(within: str) -> list[str]:
    """Replace the rows of the people listed in `within`."""
    return [
        f"DELETE FROM {REACH} WHERE person_id IN ({within})",
        f"INSERT INTO {REACH} ({COLUMNS}) {_reach_rows(within)}",
    ]


def _allocation_rows(row: str) -> list[str]:
    """Insert the rows of one allocation (`row` is NEW): everyone its person reaches. The relation
    is symmetric, so the people reaching its person are the people it reaches."""
    return [
        f"INSERT INTO {REACH} ({COLUMNS})"
        f" SELECT reached.y, {row}.id, {row}.team_id, {row}.worker_id, {row}.start_date, {row}.end_date"
        f" FROM ({_pairs(f'{row}.person_id')}) reached"
    ]


def _family(*rows: str) -> str:
    """The person of a membership row and everyone in its family group (after the change)."""
    return " UNION ".join(
        f"SELECT {row}.person_id UNION SELECT person_id FROM {MEMBERSHIP} WHERE family_id = {row}.family_id"
        for row in rows
    )


# (table, event, WHEN condition or None, statements). OLD is the row before an update or delete,
# NEW the row after an insert or update. Updates that leave the people and groups alone (a note,
# a role) change nothing here.
TRIGGERS: list[tuple[str, str, str | None, list[str]]] = [
    (ALLOCATION, "INSERT", None, _allocation_rows("NEW")),
    (ALLOCATION, "UPDATE", None, [f"DELETE FROM {REACH} WHERE allocation_id = OLD.id", *_allocation_rows("NEW")]),
    (ALLOCATION, "DELETE", None, [f"DELETE FROM {REACH} WHERE allocation_id = OLD.id"]),
    (RELATIONSHIP, "INSERT", None, _recompute("NEW.person_id, NEW.relative_id")),
    (
        RELATIONSHIP,
        "UPDATE",
        "OLD.person_id <> NEW.person_id OR OLD.relative_id <> NEW.relative_id",
        _recompute("OLD.person_id, OLD.relative_id, NEW.person_id, NEW.relative_id"),
    ),
    (RELATIONSHIP, "DELETE", None, _recompute("OLD.person_id, OLD.relative_id")),
    (MEMBERSHIP, "INSERT", None, _recompute(_family("NEW"))),
    (
        MEMBERSHIP,
        "UPDATE",
        "OLD.person_id <> NEW.person_id OR OLD.family_id <> NEW.family_id",
        _recompute(_family("OLD", "NEW")),
    ),
    (MEMBERSHIP, "DELETE", None, _recompute(_family("OLD"))),
    (PERSON, "DELETE", None, [f"DELETE FROM {REACH} WHERE person_id = OLD.id"]),
]


def _name(table: str, event: str) -> str:
    return f"reach_{table}_{event.lower()}"


def _create_sql(vendor: str) -> list[str]:
    statements = []
    for table, event, when, body in TRIGGERS:
        name = _name(table, event)
        condition = f" WHEN ({when})" if when else ""
        if vendor == "postgresql":
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {'; '.join(body)}; RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} EXECUTE FUNCTION {name}()",
            ]
        elif vendor == "sqlite":
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} BEGIN {'; '.join(body)}; END",
            ]
        else:
            raise NotImplementedError(f"no access-scope triggers for {vendor}")
    return statements


def _drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {_name(t, e)}() CASCADE" for t, e, _, _ in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {_name(t, e)}" for t, e, _, _ in TRIGGERS]


def install_triggers(connection: Any = default_connection) -> None:
    """Create (or replace) the triggers; the migrations call this, and it is safe to run again."""
    with connection.cursor() as cursor:
        for sql in _create_sql(connection.vendor):
            cursor.execute(sql)


def drop_triggers(connection: Any = default_connection) -> None:
    with connection.cursor() as cursor:
        for sql in _drop_sql(connection.vendor):
            cursor.execute(sql)


@contextmanager
def bulk_load(connection: Any = default_connection) -> Iterator[None]:
    """For loading many rows inside one transaction (the demo seed): the per-row triggers are
    dropped, then put back and the table rebuilt once at the end, in the same transaction. Their
    cost grows with the tables during a long load, so row-by-row upkeep of a 58,000-child borough
    is far slower than one rebuild. No other session sees the table without its triggers: the
    drop is part of the transaction (PostgreSQL holds the tables' locks until it commits), and a
    failure rolls the drop back with everything else."""
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_load must run inside a transaction")
    drop_triggers(connection)
    yield
    install_triggers(connection)
    rebuild(connection)


def rebuild(connection: Any = default_connection) -> int:
    """Recompute the whole table in one transaction; returns the number of rows."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {REACH}")
        cursor.execute(f"INSERT INTO {REACH} ({COLUMNS}) {_reach_rows(None)}")
        cursor.execute(f"SELECT COUNT(*) FROM {REACH}")
        return int(cursor.fetchone()[0])


def discrepancies(connection: Any = default_connection, *, limit: int = 20) -> tuple[list[tuple], list[tuple]]:
    """Rows a fresh computation has that the table lacks, and rows the table has that a fresh
    computation does not or holds twice (at most `limit` of each). Both empty means the table is
    exact."""
    fresh, stored = _reach_rows(None), f"SELECT {COLUMNS} FROM {REACH}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({fresh} EXCEPT {stored}) missing LIMIT {int(limit)}")
        missing = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(f"SELECT * FROM ({stored} EXCEPT {fresh}) extra LIMIT {int(limit)}")
        extra = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT person_id, allocation_id, COUNT(*) FROM {REACH} GROUP BY person_id, allocation_id"
            f" HAVING COUNT(*) > 1 LIMIT {int(limit)}"
        )
        extra += [("duplicated", *row) for row in cursor.fetchall()]
    return missing, extra
