"""Codes in plain words, in one place: `{% load plain_words %}{{ plan.category|meaning:"cin_category_of_abuse" }}`
gives "Neglect (NEG)"; a list of codes joins them ("Domestic violence: child (3A), ..."). The names are
those of `opencsc.core.codelists`."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from opencsc.core import codelists

register = template.Library()


@register.filter
def meaning(code: object, list_name: str) -> str:
    if code is None or code == "":
        return ""
    if isinstance(code, Iterable) and not isinstance(code, str):
        return ", ".join(codelists.meaning(list_name, str(c)) for c in code)
    return codelists.meaning(list_name, str(code))
