"""`{% person_summary person %}`: the summary at the top of every page about a person (status,
allocated worker and team, key dates, alerts, family). The page's own selector has already checked
access and audited the person; the family the summary names are people too, so the tag audits them
(`person.list`, listing "summary family") wherever the summary is drawn, unless the page's view
event already named them (`people.kin.summary_family_ids` given to the page's selector)."""

from __future__ import annotations

from typing import Any

from django import template

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.casework import help_model
from opencsc.casework.summary import help_summary
from opencsc.casework.summary import person_summary as build_summary
from opencsc.people.selectors import record_people_listed

register = template.Library()


@register.inclusion_tag("casework/_summary.html", takes_context=True)
def person_summary(context: Any, person: Any, tasks: Any = None) -> dict[str, Any]:
    """`tasks`: the person's open tasks when the page has read them all (`{% person_summary person
    tasks=o.tasks %}` on the casework page), so the summary does not read them again."""
    request = context.get("request")
    user = getattr(request, "user", None)
    # A partner lead practitioner's summary is a different read: their help, never the statutory rows.
    if access.sees_help_only(user):
        summary = help_summary(user=user, person=person)
    else:
        summary = build_summary(user=user, person=person, open_tasks=tasks)
    # The page's own view event names the family when its selector was told (`summary_family_ids`);
    # anyone it did not name is recorded here.
    named: frozenset[int] = getattr(person, "audited_person_ids", frozenset())
    unnamed = [member.person_id for member in summary.family if member.person_id not in named]
    if request is not None and unnamed:
        record_people_listed(actor=Actor.from_request(request), people_ids=unnamed, listing="summary family")
    return {"s": summary, "person": person}


@register.simple_tag
def help_name() -> str:
    """ "Early help" or "Family help", as the council's setting names its help (`help_model`)."""
    return help_model.help_name()
