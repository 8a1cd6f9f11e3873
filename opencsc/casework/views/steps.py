"""The pages where each step of the journey is recorded. Each step is a form and one service call;
one view (`step`) renders them all, so every step has the same access check, the same GOV.UK
error handling, and nothing is half-saved (the service runs in one transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.db import models
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, User
from opencsc.audit.services import Actor
from opencsc.casework import forms as f
from opencsc.casework import help_model
from opencsc.casework import models as cm
from opencsc.casework import services as s
from opencsc.core.forms import GovukForm
from opencsc.people.models import Person


@dataclass
class Ctx:
    """What a step handler needs: who, about whom, and the row the step acts on (if any)."""

    user: User
    actor: Actor
    child: Person
    obj: Any = None

    @property
    def episode(self) -> cm.ReferralEpisode | None:
        return cm.ReferralEpisode.objects.filter(child=self.child).open().first()

    @property
    def help(self) -> cm.HelpEpisode | None:
        return cm.HelpEpisode.objects.filter(child=self.child, end_date__isnull=True).first()

    def who(self) -> dict[str, Any]:
        return {"actor_user": self.user, "actor": self.actor}


@dataclass(frozen=True)
class Step:
    title: str
    form: type[GovukForm]
    run: Callable[[Ctx, dict[str, Any]], Any]
    model: type[models.Model] | None = None
    needs_episode: bool = False
    initial: Callable[[Ctx], dict[str, Any]] = field(default=lambda ctx: {})
    prepare: Callable[[Ctx, GovukForm], None] = field(default=lambda ctx, form: None)
    intro: Callable[[Ctx], list[str]] = field(default=lambda ctx: [])
    done: str = "Saved"
    roles: frozenset[str] = frozenset()
    # The `accounts.access` decision that lets a user take this step for a child.
    may: Callable[[Any, int], bool] = access.can_change_person
    # What the page shows beside the form (the contact in full on the front door's steps).
    panel: Callable[[Ctx], Any] | None = None


def _today(ctx: Ctx) -> dict[str, Any]:
    return {}


def _prepare_reply(ctx: Ctx, form: GovukForm) -> None:
    field = cast(forms.ModelChoiceField, form.fields["check"])
    field.queryset = cm.MashCheck.objects.filter(triage__contact=ctx.obj, replied_on__isnull=True)


def _prepare_decision(ctx: Ctx, form: GovukForm) -> None:
    """Offer only the outcomes possible for this child: passing to the allocated worker needs an
    open case someone holds; a new referral needs no open referral episode; stepping to help needs no
    open help (and, under the tiers, no open referral)."""
    field = cast(forms.ChoiceField, form.fields["decision"])
    holder = s.case_holder(ctx.child)
    drop = {cm.ContactDecision.PASS_TO_WORKER} if holder == (None, None) else set()
    referral_open = cm.ReferralEpisode.objects.filter(child=ctx.child).open().exists()
    if referral_open:
        drop.add(cm.ContactDecision.REFERRAL)
    help_open = cm.HelpEpisode.objects.filter(child=ctx.child, end_date__isnull=True).exists()
    if help_open or (referral_open and not help_model.is_family_help()):
        drop.add(cm.ContactDecision.EARLY_HELP)  # help is open already, or (tiered) social care holds the child
    words: dict[str, str] = {str(cm.ContactDecision.EARLY_HELP): help_model.decision_label()}
    field.choices = [
        (value, words.get(value, label)) for value, label in cm.ContactDecision.choices if value not in drop
    ]


def _contact_panel(ctx: Ctx) -> Any:
    from opencsc.casework.mash import contact_panel

    return contact_panel(user=ctx.user, actor=ctx.actor, contact=ctx.obj)


def _decide(ctx: Ctx, d: dict[str, Any]) -> Any:
    return s.contact_decide(
        **ctx.who(),
        contact=ctx.obj,
        decision=d["decision"],
        decision_date=d["decision_date"],
        rationale=d["decision_rationale"],
        referrer_outcome=d["referrer_outcome"],
        primary_need=d["primary_need"],
        team=d["team"],
        worker=d["worker"],
    )


def _care_change_initial(ctx: Ctx) -> dict[str, Any]:
    current = ctx.obj.episodes.filter(end_date__isnull=True).first()
    if current is None:
        return {}
    return {
        k: getattr(current, k)
        for k in ("legal_status", "placement_type", "placement_provider", "urn", "placement_postcode", "carer")
    }


def _care_change(ctx: Ctx, d: dict[str, Any]) -> Any:
    values = {
        k: d[k] for k in ("legal_status", "placement_type", "placement_provider", "urn", "placement_postcode", "carer")
    }
    return s.care_episode_change(
        **ctx.who(),
        period=ctx.obj,
        change_date=d["change_date"],
        values=values,
        reason_place_change=d["reason_place_change"],
    )


def _chair(ctx: Ctx) -> dict[str, Any]:
    """A conference recorded by a chair names them as its chair."""
    return {"chair": ctx.user} if ctx.user.role == Role.CONFERENCE_CHAIR else {}


def _conference(ctx: Ctx, d: dict[str, Any]) -> Any:
    return s.conference_record(**ctx.who(), episode=cast(cm.ReferralEpisode, ctx.episode), **_chair(ctx), **d)


def _cp_review(ctx: Ctx, d: dict[str, Any]) -> Any:
    return s.cp_review_record(**ctx.who(), plan=ctx.obj, **_chair(ctx), **d)


ADOPTION_FIELDS = (
    "decision_date",
    "match_date",
    "placed_date",
    "adoption_order_date",
    "placed_ceased_date",
    "reason_placed_ceased",
    "foster_carer_adoption",
    "number_of_adopters",
    "adopter_sex",
    "adopter_legal_status",
)


def _adoption_initial(ctx: Ctx) -> dict[str, Any]:
    record = ctx.obj.adoption.first()
    if record is None:
        return {"decision_date": timezone.localdate()}
    return {k: getattr(record, k) for k in ADOPTION_FIELDS}


def _adoption(ctx: Ctx, d: dict[str, Any]) -> Any:
    """The first milestone creates the period's adoption record; later ones add to it."""
    values = {k: d[k] for k in ADOPTION_FIELDS}
    record = ctx.obj.adoption.first()
    if record is None:
        return s.adoption_record(**ctx.who(), period=ctx.obj, **values)
    return s.adoption_update(**ctx.who(), record=record, **values)


def _adoption_intro(ctx: Ctx) -> list[str]:
    lines = [f"Looked after since {ctx.obj.start_date:%d %B %Y}."]
    if ctx.obj.adoption.exists():
        lines.append("Add the milestones reached since the last update, or correct a date.")
    return lines


def _previous_permanence_initial(ctx: Ctx) -> dict[str, Any]:
    record = cm.PreviousPermanence.objects.filter(period=ctx.obj).first()
    if record is None:
        return {}
    parts = (record.order_day, record.order_month, record.order_year)
    return {
        "option": record.option,
        "la_code": record.la_code,
        "order_date": ["" if v is None else str(v) for v in parts],
    }


def _previous_permanence(ctx: Ctx, d: dict[str, Any]) -> Any:
    day, month, year = d["order_date"]
    return s.previous_permanence_record(
        **ctx.who(),
        period=ctx.obj,
        option=d["option"],
        la_code=d["la_code"],
        order_day=day,
        order_month=month,
        order_year=year,
    )


def _previous_permanence_intro(ctx: Ctx) -> list[str]:
    lines = [
        f"Looked after since {ctx.obj.start_date:%d %B %Y}. Record whether, before this, the child had been "
        "adopted or was under a special guardianship, residence or child arrangements order (SSDA903 PrevPerm)."
    ]
    if cm.PreviousPermanence.objects.filter(period=ctx.obj).exists():
        lines.append("This period of care already has previous permanence recorded: saving corrects it.")
    return lines


def _dolo_intro(ctx: Ctx) -> list[str]:
    return [
        f"Looked after since {ctx.obj.start_date:%d %B %Y}. While the order lasts the child is placed in a "
        "children's home (K2) or another placement Z12 or Z13."
    ]


def _dolo_end_intro(ctx: Ctx) -> list[str]:
    return [f"The order started on {ctx.obj.start_date:%d %B %Y}."]


def _s47_intro(ctx: Ctx) -> list[str]:
    return [f"Started {ctx.obj.start_date:%d %B %Y}. Initial conference target: {ctx.obj.icpc_target:%d %B %Y}."]


def _assessment_intro(ctx: Ctx) -> list[str]:
    return [f"Due by {ctx.obj.due_date:%d %B %Y} (45 working days after the referral)."]


def _episode_intro(ctx: Ctx) -> list[str]:
    ep = ctx.episode
    return [f"Referral of {ep.referral_date:%d %B %Y}."] if ep else []


def _on_episode(fn: Callable[..., Any]) -> Callable[[Ctx, dict[str, Any]], Any]:
    return lambda ctx, d: fn(**ctx.who(), episode=ctx.episode, **d)


def _on_obj(fn: Callable[..., Any], name: str) -> Callable[[Ctx, dict[str, Any]], Any]:
    return lambda ctx, d: fn(**ctx.who(), **{name: ctx.obj}, **d)


def _on_child(fn: Callable[..., Any]) -> Callable[[Ctx, dict[str, Any]], Any]:
    return lambda ctx, d: fn(**ctx.who(), child=ctx.child, **d)


def _dated(name: str) -> Callable[[Ctx], dict[str, Any]]:
    return lambda ctx: {name: timezone.localdate()}


MANAGERS = frozenset({Role.TEAM_MANAGER})
HELP_MAY = access.can_work_family_help


def _help_name() -> str:
    return help_model.help_name()


def _help_intro(ctx: Ctx) -> list[str]:
    episode = ctx.obj
    if not isinstance(episode, cm.HelpEpisode):
        keyed = isinstance(ctx.obj, (cm.FamilyHelpPlan, cm.FamilyHelpAssessment, cm.TeamAroundFamilyMember))
        if not keyed:
            return []
        # the help episode and its lead in one query (the plan's or assessment's row keys the episode)
        episode = cm.HelpEpisode.objects.select_related("lead_practitioner").get(pk=ctx.obj.episode_id)
    lead = f", lead practitioner {episode.lead_practitioner}" if episode.lead_practitioner else ""
    return [f"{_help_name()} since {episode.start_date:%d %B %Y}{lead}."]


def _help_start_intro(ctx: Ctx) -> list[str]:
    from opencsc.casework.services.family_help import _step_down_source

    source = _step_down_source(ctx.child, timezone.localdate())
    if source is None:
        return ["Use this when help starts other than from a front-door decision (a partner asks for it)."]
    return [
        f"The social care episode of {source.referral_date:%d %B %Y} closed on {source.closure_date:%d %B %Y} "
        f"with the family referred to {_help_name().lower()} (RC9): this help is recorded as its step-down."
    ]


def _help_start_initial(ctx: Ctx) -> dict[str, Any]:
    return {"start_date": timezone.localdate(), "organisation": "Exampleton Council Family Help service"}


def _assessment_organisation(ctx: Ctx) -> dict[str, Any]:
    return {"start_date": timezone.localdate(), "organisation": ctx.obj.organisation}


def _prepare_review(ctx: Ctx, form: GovukForm) -> None:
    goals = list(ctx.obj.goals.all())
    field = cast(forms.TypedMultipleChoiceField, form.fields["achieved"])
    field.choices = [(g.pk, g.goal) for g in goals if g.status != cm.GoalStatus.ACHIEVED]
    f.add_goal_ratings(form, goals)


def _help_review(ctx: Ctx, d: dict[str, Any]) -> Any:
    values = dict(d)
    ratings = f.pop_goal_ratings(values)
    return s.help_plan_review(**ctx.who(), plan=ctx.obj, ratings=ratings, **values)


def _prepare_meeting(ctx: Ctx, form: GovukForm) -> None:
    from opencsc.casework.family_network import related_people

    people = related_people(ctx.child)
    field = cast(forms.ModelMultipleChoiceField, form.fields["relatives"])
    field.queryset = Person.objects.filter(pk__in=[p.pk for p, _ in people])
    words = {p.pk: w for p, w in people}
    setattr(field, "label_from_instance", lambda p: f"{p.full_name} ({words.get(p.pk, '')})")  # noqa: B010


def _meeting(ctx: Ctx, d: dict[str, Any]) -> Any:
    values = dict(d)
    values["relatives"] = list(values["relatives"])
    return s.network_meeting_record(**ctx.who(), meeting=ctx.obj, **values)


STEPS: dict[str, Step] = {
    "contact": Step(
        "Record a contact",
        f.ContactForm,
        _on_child(s.contact_create),
        initial=_dated("contact_date"),
        done="Contact recorded: a decision is due within one working day",
    ),
    "triage": Step(
        "MASH triage",
        f.TriageForm,
        _on_obj(s.mash_triage_record, "contact"),
        model=cm.Contact,
        initial=_dated("triaged_on"),
        done="Triage recorded and checks requested",
        panel=_contact_panel,
    ),
    "check-reply": Step(
        "Record an agency's reply",
        f.CheckReplyForm,
        lambda ctx, d: s.mash_check_reply(**ctx.who(), **d),
        model=cm.Contact,
        prepare=_prepare_reply,
        initial=_dated("replied_on"),
        done="Reply stored as information from another agency",
        panel=_contact_panel,
    ),
    "decision": Step(
        "Decide on the contact",
        f.DecisionForm,
        _decide,
        model=cm.Contact,
        prepare=_prepare_decision,
        initial=_dated("decision_date"),
        done="Decision recorded",
        panel=_contact_panel,
    ),
    "referral": Step(
        "Open a referral",
        f.ReferralForm,
        _on_child(s.referral_create),
        initial=_dated("referral_date"),
        done="Referral opened: the assessment is due in 45 working days",
    ),
    "assessment": Step(
        "Start the assessment",
        f.AssessmentStartForm,
        _on_episode(s.assessment_start),
        needs_episode=True,
        intro=_episode_intro,
        initial=_dated("start_date"),
        done="Assessment started",
    ),
    "assessment-complete": Step(
        "Complete the assessment",
        f.AssessmentCompleteForm,
        _on_obj(s.assessment_complete, "assessment"),
        model=cm.Assessment,
        intro=_assessment_intro,
        initial=_dated("completed_date"),
        done="Assessment sent to a team manager to authorise",
    ),
    "assessment-authorise": Step(
        "Authorise the assessment",
        f.AuthoriseForm,
        _on_obj(s.assessment_authorise, "assessment"),
        model=cm.Assessment,
        intro=_assessment_intro,
        initial=_dated("authorised_date"),
        roles=MANAGERS,
        done="Assessment authorised",
    ),
    "strategy": Step(
        "Record a strategy discussion",
        f.StrategyForm,
        _on_episode(s.strategy_discussion_record),
        needs_episode=True,
        intro=_episode_intro,
        initial=_dated("discussion_date"),
        done="Strategy discussion recorded",
    ),
    "s47-complete": Step(
        "End the section 47 enquiry without a conference",
        f.Section47CompleteForm,
        _on_obj(s.section47_complete, "enquiry"),
        model=cm.Section47,
        intro=_s47_intro,
        initial=_dated("completed_date"),
        done="Section 47 enquiry completed",
    ),
    "conference": Step(
        "Record a child protection conference",
        f.ConferenceForm,
        _conference,
        needs_episode=True,
        intro=_episode_intro,
        initial=_dated("conference_date"),
        done="Conference recorded",
        may=access.can_record_conference,
    ),
    "cp-review": Step(
        "Record a review conference",
        f.ReviewConferenceForm,
        _cp_review,
        model=cm.ChildProtectionPlan,
        initial=_dated("conference_date"),
        done="Review recorded",
        may=access.can_record_conference,
    ),
    "core-group": Step(
        "Record a core group",
        f.CoreGroupForm,
        _on_obj(s.core_group_record, "plan"),
        model=cm.ChildProtectionPlan,
        initial=_dated("meeting_date"),
        done="Core group recorded",
    ),
    "cp-end": Step(
        "End the child protection plan",
        f.EndForm,
        _on_obj(s.cp_plan_end, "plan"),
        model=cm.ChildProtectionPlan,
        initial=_dated("end_date"),
        done="Plan ended",
    ),
    "visit": Step(
        "Record a visit",
        f.VisitForm,
        lambda ctx, d: s.visit_record(**ctx.who(), child=ctx.child, episode=ctx.episode, **d),
        initial=_dated("visit_date"),
        done="Visit recorded",
    ),
    "cin-plan": Step(
        "Start a child in need plan",
        f.CINPlanForm,
        _on_episode(s.cin_plan_start),
        needs_episode=True,
        initial=_dated("start_date"),
        done="Child in need plan started",
    ),
    "cin-review": Step(
        "Review the child in need plan",
        f.ReviewForm,
        _on_obj(s.cin_plan_review, "plan"),
        model=cm.ChildInNeedPlan,
        initial=_dated("review_date"),
        done="Review recorded",
    ),
    "cin-end": Step(
        "End the child in need plan",
        f.EndForm,
        _on_obj(s.cin_plan_end, "plan"),
        model=cm.ChildInNeedPlan,
        initial=_dated("end_date"),
        done="Plan ended",
    ),
    "care-start": Step(
        "The child becomes looked after",
        f.CarePeriodStartForm,
        _on_child(s.care_period_start),
        initial=_dated("start_date"),
        done="Period of care started: now record the child's previous permanence",
    ),
    "care-change": Step(
        "Change of legal status, placement or carer",
        f.CareChangeForm,
        _care_change,
        model=cm.PeriodOfCare,
        initial=_care_change_initial,
        done="New episode recorded",
    ),
    "care-end": Step(
        "The child stops being looked after",
        f.CarePeriodEndForm,
        _on_obj(s.care_period_end, "period"),
        model=cm.PeriodOfCare,
        initial=_dated("end_date"),
        done="Period of care ended",
    ),
    "lac-review": Step(
        "Record a looked-after review",
        f.LACReviewForm,
        _on_obj(s.lac_review_record, "period"),
        model=cm.PeriodOfCare,
        initial=_dated("review_date"),
        done="Review recorded",
        may=access.can_record_conference,
    ),
    "missing": Step(
        "Record a missing or away episode", f.MissingForm, _on_child(s.missing_record), done="Missing episode recorded"
    ),
    "care-leaver": Step(
        "Record contact with a care leaver",
        f.CareLeaverForm,
        _on_child(s.care_leaver_contact_record),
        initial=_dated("contact_date"),
        done="Contact recorded",
    ),
    "health-check": Step(
        "Record a health, dental or SDQ check",
        f.HealthCheckForm,
        _on_child(s.health_check_record),
        initial=_dated("check_date"),
        done="Health check recorded",
    ),
    "conviction": Step(
        "Record a conviction or final warning",
        f.YouthConvictionForm,
        _on_child(s.youth_conviction_record),
        done="Conviction recorded",
    ),
    "adoption": Step(
        "Adoption milestones",
        f.AdoptionForm,
        _adoption,
        model=cm.PeriodOfCare,
        initial=_adoption_initial,
        intro=_adoption_intro,
        done="Adoption milestones saved",
    ),
    "previous-permanence": Step(
        "Previous permanence",
        f.PreviousPermanenceForm,
        _previous_permanence,
        model=cm.PeriodOfCare,
        initial=_previous_permanence_initial,
        intro=_previous_permanence_intro,
        done="Previous permanence saved",
    ),
    "dolo": Step(
        "Record a deprivation of liberty order",
        f.DoloForm,
        _on_obj(s.dolo_record, "period"),
        model=cm.PeriodOfCare,
        intro=_dolo_intro,
        done="Deprivation of liberty order recorded",
    ),
    "dolo-end": Step(
        "The deprivation of liberty order ends",
        f.DoloEndForm,
        _on_obj(s.dolo_end, "order"),
        model=cm.DeprivationOfLibertyOrder,
        initial=_dated("end_date"),
        intro=_dolo_end_intro,
        done="Deprivation of liberty order ended",
    ),
    "sw-episode": Step(
        "Change of social worker",
        f.SocialWorkerEpisodeForm,
        _on_child(s.social_worker_episode_start),
        initial=_dated("start_date"),
        done="Social worker episode recorded",
    ),
    "uasc": Step(
        "Unaccompanied asylum-seeking child status",
        f.UascForm,
        _on_child(s.uasc_record),
        done="UASC status recorded",
    ),
    "closure": Step(
        "Close the case",
        f.ClosureForm,
        _on_episode(s.episode_close),
        needs_episode=True,
        intro=_episode_intro,
        initial=_dated("closure_date"),
        done="Case closed",
    ),
    "note": Step(
        "Write a case note",
        f.CaseNoteForm,
        lambda ctx, d: s.case_note_add(**ctx.who(), child=ctx.child, episode=ctx.episode, **d),
        initial=_dated("note_date"),
        done="Case note saved",
    ),
    "chronology-entry": Step(
        "Add to the chronology", f.ChronologyForm, _on_child(s.chronology_entry_add), done="Added to the chronology"
    ),
    "unborn": Step(
        "Record an unborn child",
        f.UnbornForm,
        lambda ctx, d: s.unborn_child_register(**ctx.who(), mother=ctx.child, **d),
        done="Unborn child recorded",
    ),
    "birth": Step("Record the birth", f.BirthForm, _on_child(s.birth_record), done="Birth recorded"),
    # --- early help / Family Help (the words follow OPENCSC_HELP_MODEL; see casework.help_model)
    "help-start": Step(
        "Start help for the family",
        f.HelpStartForm,
        _on_child(s.help_episode_open),
        initial=_help_start_initial,
        intro=_help_start_intro,
        done="Help started: the whole-family assessment is due",
    ),
    "help-lead": Step(
        "Change the lead practitioner",
        f.HelpLeadForm,
        _on_obj(s.help_lead_change, "episode"),
        model=cm.HelpEpisode,
        initial=_dated("start_date"),
        intro=_help_intro,
        done="Lead practitioner changed",
    ),
    "help-assessment": Step(
        "Start the whole-family assessment",
        f.HelpAssessmentStartForm,
        _on_obj(s.help_assessment_start, "episode"),
        model=cm.HelpEpisode,
        initial=_assessment_organisation,
        intro=_help_intro,
        done="Whole-family assessment started",
        may=HELP_MAY,
    ),
    "help-assessment-complete": Step(
        "Complete the whole-family assessment",
        f.HelpAssessmentCompleteForm,
        _on_obj(s.help_assessment_complete, "assessment"),
        model=cm.FamilyHelpAssessment,
        initial=_dated("completed_date"),
        intro=_help_intro,
        done="Assessment completed: now agree the family's plan",
        may=HELP_MAY,
    ),
    "help-plan": Step(
        "Agree the family's plan",
        f.HelpPlanForm,
        _on_obj(s.help_plan_start, "episode"),
        model=cm.HelpEpisode,
        initial=_dated("start_date"),
        intro=_help_intro,
        done="The family's plan is agreed: its first review is due",
        may=HELP_MAY,
    ),
    "help-goal": Step(
        "Add a goal to the family's plan",
        f.HelpGoalForm,
        _on_obj(s.help_goal_add, "plan"),
        model=cm.FamilyHelpPlan,
        intro=_help_intro,
        done="Goal added",
        may=HELP_MAY,
    ),
    "help-review": Step(
        "Review the family's plan",
        f.HelpReviewForm,
        _help_review,
        model=cm.FamilyHelpPlan,
        prepare=_prepare_review,
        initial=_dated("review_date"),
        intro=_help_intro,
        done="Review recorded: the next review is due",
        may=HELP_MAY,
    ),
    "help-team": Step(
        "Add to the Team Around the Family",
        f.TeamMemberForm,
        _on_obj(s.team_member_add, "episode"),
        model=cm.HelpEpisode,
        initial=_dated("joined_on"),
        intro=_help_intro,
        done="Practitioner added to the Team Around the Family",
        may=HELP_MAY,
    ),
    "help-step-up": Step(
        "Step up to children's social care",
        f.HelpStepUpForm,
        _on_obj(s.help_step_up, "episode"),
        model=cm.HelpEpisode,
        initial=_dated("referral_date"),
        intro=_help_intro,
        done="Referral opened: the assessment is due in 45 working days",
    ),
    "help-close": Step(
        "End the help",
        f.HelpCloseForm,
        _on_obj(s.help_episode_close, "episode"),
        model=cm.HelpEpisode,
        initial=_dated("end_date"),
        intro=_help_intro,
        done="Help ended",
        may=HELP_MAY,
    ),
    "network-offer": Step(
        "Offer a family network meeting",
        f.NetworkOfferForm,
        _on_child(s.network_meeting_offer),
        initial=_dated("offered_on"),
        done="Offer recorded",
        may=HELP_MAY,
    ),
    "network-meeting": Step(
        "Record the family network meeting",
        f.NetworkMeetingForm,
        _meeting,
        model=cm.FamilyNetworkMeeting,
        prepare=_prepare_meeting,
        initial=_dated("meeting_date"),
        done="Meeting recorded",
        may=HELP_MAY,
    ),
    "service-refer": Step(
        "Refer to a service",
        f.ServiceReferForm,
        _on_child(s.service_refer),
        initial=_dated("referred_on"),
        done="Referral to the service recorded",
        may=HELP_MAY,
    ),
    "service-update": Step(
        "Update a service",
        f.ServiceUpdateForm,
        _on_obj(s.service_update, "referral"),
        model=cm.ServiceReferral,
        initial=lambda ctx: {
            k: getattr(ctx.obj, k) for k in ("start_date", "sessions_offered", "sessions_attended", "end_date")
        },
        intro=lambda ctx: [f"{ctx.obj.service.name}: referred on {ctx.obj.referred_on:%d %B %Y}."],
        done="Service updated",
        may=HELP_MAY,
    ),
    "s47-lead": Step(
        "Name the lead child protection practitioner",
        f.LeadCPForm,
        lambda ctx, d: s.lead_cp_practitioner_set(**ctx.who(), obj=ctx.obj, **d),
        model=cm.Section47,
        intro=_s47_intro,
        done="Lead child protection practitioner recorded",
    ),
    "cp-lead": Step(
        "Name the lead child protection practitioner",
        f.LeadCPForm,
        lambda ctx, d: s.lead_cp_practitioner_set(**ctx.who(), obj=ctx.obj, **d),
        model=cm.ChildProtectionPlan,
        done="Lead child protection practitioner recorded",
    ),
}


def redirect_target(slug: str, result: Any, child: Person) -> tuple[str, int]:
    """Where to go after a step (a URL name and the person id): the new person's casework for an
    unborn child, otherwise the child's casework (the view sends front-door staff who no longer hold
    the child to their tray)."""
    if slug == "unborn" and isinstance(result, Person):
        return "casework:overview", result.pk
    return "casework:overview", child.pk


def day(value: dt.date | None) -> str:
    return f"{value:%d %B %Y}" if value else ""
