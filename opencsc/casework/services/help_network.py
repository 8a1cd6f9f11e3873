"""Who works with the family beyond the lead practitioner: the Team Around the Family, family network
meetings (family group decision making), services provided, and the lead child protection
practitioner of a section 47 enquiry or CP plan. Split from `family_help` (the help episode's own
lifecycle); the same rules: one transaction each, with its status history and audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, User
from opencsc.audit.services import Actor, record_event
from opencsc.casework import invariants
from opencsc.casework.models import (
    ChildProtectionPlan,
    FamilyNetworkAttendee,
    FamilyNetworkMeeting,
    HelpEpisode,
    MeetingOutcome,
    ReferralEpisode,
    Section47,
    Service,
    ServiceReferral,
    Stage,
    TeamAroundFamilyMember,
)
from opencsc.casework.services._common import audit, history, record_new, require_change, save_new
from opencsc.casework.services.family_help import open_help_episode, require_family_help, require_text
from opencsc.people.models import Person


def team_member_add(
    *,
    actor_user: Any,
    actor: Actor,
    episode: HelpEpisode,
    name: str,
    agency: str = "",
    organisation: Any = None,
    role: str = "",
    joined_on: dt.date,
    user: User | None = None,
) -> TeamAroundFamilyMember:
    """Add a practitioner to the Team Around the Family: their organisation from the agency register
    (`organisation`, whose name is kept in `agency` as it was when they joined), or typed when it
    is not in the register. Audits `casework.taf_member_add`."""
    child = episode.child
    require_family_help(actor_user, child)
    require_text("name", name, "Enter the practitioner's name")
    if organisation is not None:
        agency = organisation.name
    require_text("organisation", agency, "Select their organisation, or enter its name")
    invariants.not_in_future("joined_on", joined_on, "date")
    with transaction.atomic():
        member = TeamAroundFamilyMember(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            name=name,
            agency=agency.strip(),
            organisation=organisation,
            role=role,
            user=user,
            joined_on=joined_on,
        )
        record_new(
            member,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.taf_member_add",
            to_status=Stage.OPEN,
            effective_date=joined_on,
            note="Practitioner joined the Team Around the Family",
        )
    return member


def network_meeting_offer(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    kind: str,
    offered_on: dt.date,
    before_pre_proceedings: bool = False,
) -> FamilyNetworkMeeting:
    """Record the offer of a family network meeting or family group conference, on the family's open
    help episode or social care episode. Audits `casework.network_meeting_offer`."""
    require_family_help(actor_user, child)
    invariants.not_in_future("offered_on", offered_on, "date of the offer")
    help_episode = open_help_episode(child)
    referral = ReferralEpisode.objects.filter(child=child).open().first()
    if help_episode is None and referral is None:
        invariants.refuse("offered_on", "The child has no open help or social care episode")
    with transaction.atomic():
        meeting = FamilyNetworkMeeting(
            child=child,
            recorded_by=actor_user,
            help_episode=help_episode,
            referral_episode=referral,
            kind=kind,
            offered_on=offered_on,
            before_pre_proceedings=before_pre_proceedings,
        )
        record_new(
            meeting,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.network_meeting_offer",
            to_status=Stage.OPEN,
            effective_date=offered_on,
            note=f"{meeting.get_kind_display()} offered",
            before_pre_proceedings=before_pre_proceedings,
        )
    return meeting


def network_meeting_record(
    *,
    actor_user: Any,
    actor: Actor,
    meeting: FamilyNetworkMeeting,
    meeting_date: dt.date | None,
    outcome: str,
    facilitator: str = "",
    family_plan: str = "",
    relatives: list[Person] | None = None,
    other_name: str = "",
    other_relationship: str = "",
) -> FamilyNetworkMeeting:
    """Record the meeting (or that the family declined it): who came from the family network (relatives
    on the record, and anyone else named), and the plan the family made. Audits
    `casework.network_meeting_record`."""
    child = meeting.child
    require_family_help(actor_user, child)
    if meeting.outcome:
        invariants.refuse("outcome", "This meeting is already recorded")
    if outcome not in MeetingOutcome.values:
        invariants.refuse("outcome", "Select what happened")
    if outcome != MeetingOutcome.DECLINED:
        if meeting_date is None:
            invariants.refuse("meeting_date", "Enter the date of the meeting")
        invariants.not_in_future("meeting_date", meeting_date, "meeting date")
        invariants.not_before(
            "meeting_date", meeting_date, meeting.offered_on, "The meeting cannot be before the offer"
        )
    if outcome == MeetingOutcome.PLAN_AGREED:
        require_text("family_plan", family_plan, "Enter the plan the family made")
    if other_name.strip() and not other_relationship.strip():
        invariants.refuse("other_relationship", "Enter their relationship to the child")
    with transaction.atomic():
        meeting.meeting_date = meeting_date if outcome != MeetingOutcome.DECLINED else None
        meeting.outcome, meeting.facilitator, meeting.family_plan = outcome, facilitator, family_plan
        save_new(meeting)
        for relative, relationship in _relationships(child, relatives or []):
            FamilyNetworkAttendee.objects.create(
                child=child,
                recorded_by=actor_user,
                meeting=meeting,
                person=relative,
                name=relative.full_name,
                relationship=relationship,
            )
        if other_name.strip():
            FamilyNetworkAttendee.objects.create(
                child=child, recorded_by=actor_user, meeting=meeting, name=other_name, relationship=other_relationship
            )
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=meeting,
            from_status=Stage.OPEN,
            to_status=Stage.COMPLETED,
            effective_date=meeting.meeting_date or meeting.offered_on,
            note=f"{meeting.get_kind_display()}: {MeetingOutcome(outcome).label.lower()}",
        )
        audit(
            actor=actor,
            action="casework.network_meeting_record",
            child=child,
            obj=meeting,
            outcome=outcome,
            attendees=meeting.attendees.count(),
        )
    return meeting


def _relationships(child: Person, relatives: list[Person]) -> list[tuple[Person, str]]:
    """Each chosen relative with their relationship to the child, in words (from the genogram)."""
    from opencsc.casework.family_network import related_people

    known = {p.pk: words for p, words in related_people(child)}
    for relative in relatives:
        if relative.pk not in known:
            invariants.refuse("relatives", "Choose people from the child's family network")
    return [(r, known[r.pk]) for r in relatives]


def lead_cp_practitioner_set(
    *, actor_user: Any, actor: Actor, obj: Section47 | ChildProtectionPlan, lead_practitioner: User
) -> Section47 | ChildProtectionPlan:
    """Record the lead child protection practitioner of a section 47 enquiry or a CP plan (Families
    First: a social worker of the multi-agency child protection team). Audits
    `casework.lead_cp_practitioner_set`."""
    child = obj.child
    require_change(actor_user, child)
    if lead_practitioner.role not in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        invariants.refuse("lead_practitioner", "The lead child protection practitioner is a qualified social worker")
    with transaction.atomic():
        previous = obj.lead_practitioner_id
        obj.lead_practitioner = lead_practitioner
        obj.save(update_fields=["lead_practitioner", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=obj,
            from_status=Stage.OPEN,
            to_status=Stage.OPEN,
            effective_date=timezone.localdate(),
            note="Lead child protection practitioner named",
        )
        audit(
            actor=actor,
            action="casework.lead_cp_practitioner_set",
            child=child,
            obj=obj,
            previous_lead=previous,
            lead=lead_practitioner.pk,
        )
    return obj


def service_refer(
    *, actor_user: Any, actor: Actor, child: Person, service: Service, referred_on: dt.date
) -> ServiceReferral:
    """Refer the child (and family) to a service from the catalogue, under their open help episode if
    any. Audits `casework.service_refer`; in the chronology."""
    require_family_help(actor_user, child)
    if not service.active:
        invariants.refuse("service", "This service is no longer offered")
    invariants.not_in_future("referred_on", referred_on, "referral date")
    with transaction.atomic():
        referral = ServiceReferral(
            child=child,
            recorded_by=actor_user,
            service=service,
            help_episode=open_help_episode(child),
            referred_on=referred_on,
        )
        record_new(
            referral,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.service_refer",
            to_status=Stage.OPEN,
            effective_date=referred_on,
            note=f"Referred to {service.name}",
            service=service.pk,
        )
    return referral


def service_update(
    *,
    actor_user: Any,
    actor: Actor,
    referral: ServiceReferral,
    start_date: dt.date | None,
    sessions_offered: int,
    sessions_attended: int,
    end_date: dt.date | None = None,
) -> ServiceReferral:
    """Record the start, the attendance so far and the end of a service. Audits `casework.service_update`;
    the start and the end go into the chronology."""
    child = referral.child
    require_family_help(actor_user, child)
    invariants.not_in_future("start_date", start_date, "start date")
    invariants.not_in_future("end_date", end_date, "end date")
    invariants.not_before("start_date", start_date, referral.referred_on, "It cannot start before the referral")
    if end_date is not None and start_date is None:
        invariants.refuse("start_date", "Enter when the service started")
    invariants.not_before("end_date", end_date, start_date, "It cannot end before it started")
    if sessions_attended > sessions_offered:
        invariants.refuse("sessions_attended", "Sessions attended cannot be more than sessions offered")
    with transaction.atomic():
        started, ended = referral.start_date is None and start_date, referral.end_date is None and end_date
        referral.start_date, referral.end_date = start_date, end_date
        referral.sessions_offered, referral.sessions_attended = sessions_offered, sessions_attended
        save_new(referral)
        for day, note in ((start_date if started else None, "Started"), (end_date if ended else None, "Ended")):
            if day is not None:
                history(
                    actor_user=actor_user,
                    actor=actor,
                    child=child,
                    obj=referral,
                    from_status=Stage.OPEN,
                    to_status=Stage.IN_PROGRESS if note == "Started" else Stage.ENDED,
                    effective_date=day,
                    note=f"{note} {referral.service.name}",
                )
        audit(
            actor=actor,
            action="casework.service_update",
            child=child,
            obj=referral,
            attended=sessions_attended,
            offered=sessions_offered,
        )
    return referral


def _catalogue_values(values: dict[str, Any]) -> dict[str, Any]:
    name = (values.get("name") or "").strip()
    require_text("name", name, "Enter the name of the service")
    agency = values.get("provider_agency")
    provider = (values.get("provider") or "").strip()
    if values.get("commissioned"):
        if agency is None:
            invariants.refuse("provider_agency", "Select the organisation that provides the service")
        provider = agency.name
    else:
        agency = None
        require_text("provider", provider, "Enter the council service that runs it")
    return {
        "name": name,
        "kind": values["kind"],
        "commissioned": bool(values.get("commissioned")),
        "provider": provider,
        "provider_agency": agency,
        "description": (values.get("description") or "").strip(),
        "active": bool(values.get("active", True)),
    }


def service_catalogue_save(*, actor_user: Any, actor: Actor, service: Service | None = None, **values: Any) -> Service:
    """Add a service to the catalogue or change one: a commissioned service names its provider from
    the agency register, an in-house one the council service that runs it. Team managers and system
    administrators only (`access.can_manage_services`). Audits `casework.service_catalogue_add` or
    `casework.service_catalogue_change` with the fields changed. No person's data."""
    if not access.can_manage_services(actor_user):
        raise PermissionDenied("You cannot change the services catalogue")
    clean = _catalogue_values(values)
    clash = Service.objects.filter(name__iexact=clean["name"])
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        invariants.refuse("name", "A service with this name is already in the catalogue")
    with transaction.atomic():
        if service is None:
            service = Service(**clean)
            changed = sorted(clean)
            action = "casework.service_catalogue_add"
        else:
            changed = sorted(k for k, v in clean.items() if getattr(service, k) != v)
            for key, value in clean.items():
                setattr(service, key, value)
            action = "casework.service_catalogue_change"
        save_new(service)
        record_event(actor=actor, action=action, obj=service, detail={"fields": changed})
    return service
