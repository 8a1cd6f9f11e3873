"""The field registry: every field of a model that holds personal data, tagged with its category.

A model that describes a person declares, with `@personal_data(...)`, the category of each of its
fields, or `NOT_PERSONAL` for keys, timestamps and workflow flags. Tests walk every model in openCSC
and fail when a field is untagged, when a model points at a person without being registered, or when
a special-category or criminal field is not encrypted. The privacy notice and Article 30 record are
generated from this registry and the processing register, so they say what the code does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import models

from opencsc.core.categories import DataCategory


class _NotPersonal:
    def __repr__(self) -> str:
        return "NOT_PERSONAL"


NOT_PERSONAL = _NotPersonal()
Tag = DataCategory | _NotPersonal

_REGISTRY: dict[type[models.Model], dict[str, Tag]] = {}

M = TypeVar("M", bound=type[models.Model])


def personal_data(**tags: Tag) -> Callable[[M], M]:
    """Class decorator registering the category of each field of a model."""

    def register(model: M) -> M:
        _REGISTRY[model] = dict(tags)
        return model

    return register


def registered_models() -> Iterator[type[models.Model]]:
    yield from _REGISTRY


def tags_for(model: type[models.Model]) -> dict[str, Tag]:
    return _REGISTRY.get(model, {})


def category_of(model: type[models.Model], field_name: str) -> DataCategory | None:
    tag = _REGISTRY.get(model, {}).get(field_name)
    return tag if isinstance(tag, DataCategory) else None


def fields_by_category() -> dict[DataCategory, list[str]]:
    """{category: ["people.Person.first_name", ...]} for the notice and the Article 30 record."""
    result: dict[DataCategory, list[str]] = {}
    for model, tags in _REGISTRY.items():
        for field_name, tag in tags.items():
            if isinstance(tag, DataCategory):
                result.setdefault(tag, []).append(f"{model._meta.label}.{field_name}")
    return result
