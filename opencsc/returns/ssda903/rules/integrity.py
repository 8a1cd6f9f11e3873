"""Internal consistency of the return: every child's rows agree with the Header and with each other."""

from __future__ import annotations

import polars as pl

from ..context import Ctx
from .base import Hits, c, only, present, rule, true

H = "Header"


def _in_header(table: str, code: str) -> None:
    @rule(
        code,
        f"This child is in the {table} table but not in the Header: add the child to the Header or "
        "correct the child ID.",
        needs=(H, table),
        fields={table: "CHILD"},
    )
    def check(ctx: Ctx) -> Hits:
        known = ctx.t(H)["CHILD"].drop_nulls().unique().implode()
        return only(table, ctx.t(table), ~c("CHILD").is_in(known))


def _same_as_header(table: str, code: str, field: str) -> None:
    column = f"{field}_dt" if field == "DOB" else field

    @rule(
        code,
        f"The {field} in the {table} table differs from the Header: make them the same.",
        needs=(H, table),
        fields={table: field},
    )
    def check(ctx: Ctx) -> Hits:
        header = ctx.t(H).select("CHILD", pl.col(column).alias("_h"))
        merged = ctx.t(table).join(header, on="CHILD", how="inner")
        return only(table, merged, present(column) & present("_h") & (c(column) != c("_h")))


def _once(table: str, code: str) -> None:
    @rule(
        code,
        f"This child appears more than once in the {table} table: keep one row per child.",
        needs=(table,),
        fields={table: "CHILD"},
    )
    def check(ctx: Ctx) -> Hits:
        return only(table, ctx.t(table), pl.len().over("CHILD") > 1)


for _table, _code in (
    ("AD1", "INT01"),
    ("PlacedAdoption", "INT02"),
    ("Episodes", "INT03"),
    ("Missing", "INT04"),
    ("OC2", "INT05"),
    ("OC3", "INT06"),
    ("PrevPerm", "INT07"),
    ("Reviews", "INT08"),
    ("UASC", "INT09"),
):
    _in_header(_table, _code)
for _table, _code in (
    ("AD1", "INT11"),
    ("PlacedAdoption", "INT12"),
    ("Missing", "INT13"),
    ("OC2", "INT14"),
    ("OC3", "INT15"),
    ("PrevPerm", "INT16"),
    ("Reviews", "INT17"),
    ("UASC", "INT18"),
):
    _same_as_header(_table, _code, "DOB")
_same_as_header("UASC", "INT21", "SEX")
for _table, _code in (
    ("AD1", "INT31"),
    ("Header", "INT32"),
    ("OC2", "INT33"),
    ("OC3", "INT34"),
    ("PrevPerm", "INT35"),
    ("UASC", "INT36"),
):
    _once(_table, _code)


@rule(
    "1012",
    "The child has no episodes this year, so no other information (reviews, missing, adoption, "
    "previous permanence, OC2) should be returned for them.",
    needs=("Episodes",),
    fields={t: "CHILD" for t in ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2")},
)
def r1012(ctx: Ctx) -> Hits:
    known = ctx.t("Episodes")["CHILD"].drop_nulls().unique().implode()
    hits: dict[str, pl.Series] = {}
    for table in ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2"):
        if ctx.has(table):
            hits.update(only(table, ctx.t(table), ~true(c("CHILD").is_in(known))))
    return hits
