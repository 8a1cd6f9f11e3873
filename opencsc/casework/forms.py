"""The forms of the casework pages. Plain GOV.UK forms (not model forms): each page's view passes
`cleaned_data` to one service, which applies the invariants and reports violations per field."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from opencsc.accounts.models import Team, TeamKind, User
from opencsc.casework import models as cm
from opencsc.core import codelists
from opencsc.core.categories import DataCategory
from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.people.models import Person

YES_NO = [("yes", "Yes"), ("no", "No")]


def _choice(name: str, label: str, *, required: bool = True, blank: str = "Select", **kw: Any) -> forms.ChoiceField:
    options = codelists.choices(name)
    return forms.ChoiceField(label=label, required=required, choices=[("", blank), *options], **kw)


def _text(label: str, *, required: bool = False, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


def _yes_no(label: str, **kw: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, coerce=lambda v: v == "yes", **kw
    )


def _radio(label: str, choices: Any, **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, **kw)


class ContactForm(GovukForm):
    contact_date = GovukDateField(label="Date of contact")
    source = _choice("cin_referral_source", "Source of the contact")
    referrer = forms.CharField(
        label="Who made contact",
        required=False,
        max_length=200,
        help_text="Their role and organisation, for example 'class teacher, Exampleton Primary'",
    )
    reason = _text("What is the concern or request?", required=True, rows=6)
    consent_given = _yes_no("Has the family consented to the contact being shared and acted on?")
    no_consent_reason = _text("If not, why is the service acting without consent?", rows=3)
    family_told = _text(
        "What was the family told?",
        rows=3,
        help_text="What the family was told about the contact and what happens next",
    )


class TriageForm(GovukForm):
    rag = _radio("RAG rating", cm.Rag.choices)
    rationale = _text("Why this rating?", required=True)
    triaged_on = GovukDateField(label="Date of triage")
    agencies = forms.MultipleChoiceField(
        label="Ask for checks from", required=False, choices=cm.Agency.choices, widget=forms.CheckboxSelectMultiple
    )


class CheckReplyForm(GovukForm):
    check = forms.ModelChoiceField(label="Agency", queryset=cm.MashCheck.objects.none(), empty_label="Select")
    replied_on = GovukDateField(label="Date of reply")
    summary = _text(
        "What did the agency say?",
        required=True,
        rows=5,
        help_text="Police replies are stored as police information (encrypted)",
    )


class DecisionForm(GovukForm):
    decision = _radio(
        "Decision",
        cm.ContactDecision.choices,
        help_text="If the child's case is already open, pass the contact to the allocated worker: they get a "
        "task, a notification and the contact in the child's chronology",
    )
    decision_date = GovukDateField(label="Date of decision")
    decision_rationale = _text("Reasons for the decision", required=True)
    referrer_outcome = forms.CharField(
        label="What the referrer may be told (optional)",
        required=False,
        max_length=300,
        help_text='Plain words about what happens next, for example "Advice given". A partner organisation that '
        "made the referral through the portal sees this and nothing else of the decision. Leave it empty to use "
        "the usual words for the decision.",
    )
    primary_need = _choice("cin_primary_need", "Primary need (for a referral)", required=False, blank="Not yet known")
    team = forms.ModelChoiceField(
        label="Team the referral or help goes to",
        required=False,
        empty_label="Select",
        queryset=Team.objects.filter(
            kind__in=[TeamKind.ASSESSMENT, TeamKind.FAMILY_SUPPORT, TeamKind.CHILDREN_IN_CARE, TeamKind.FAMILY_HELP]
        ),
    )
    worker = forms.ModelChoiceField(
        label="Allocated worker (optional)",
        required=False,
        empty_label="Not yet",
        queryset=User.objects.filter(is_active=True, role="social_worker"),
    )


class ReferralForm(GovukForm):
    referral_date = GovukDateField(label="Referral date")
    source = _choice("cin_referral_source", "Source of referral")
    primary_need = _choice("cin_primary_need", "Primary need", required=False, blank="Not yet known")
    referral_nfa = forms.BooleanField(label="No further action at referral", required=False)


class AssessmentStartForm(GovukForm):
    start_date = GovukDateField(label="Assessment start date")
    child_seen_on = GovukDateField(label="Date the child was seen", required=False)


class AssessmentCompleteForm(GovukForm):
    completed_date = GovukDateField(label="Date completed")
    child_seen_on = GovukDateField(label="Date the child was seen", required=False)
    factors = forms.MultipleChoiceField(
        label="Factors identified",
        choices=codelists.choices("cin_assessment_factors"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    outcome = _radio("Outcome", cm.AssessmentOutcome.choices)
    summary = _text("Summary of the assessment", rows=6)
    delay_reason = _text("If it took over 45 working days, why?", rows=3)


class AuthoriseForm(GovukForm):
    authorised_date = GovukDateField(label="Date authorised")


class StrategyForm(GovukForm):
    discussion_date = GovukDateField(label="Date of the strategy discussion")
    police_present = forms.BooleanField(label="Police took part", required=False, initial=True)
    health_present = forms.BooleanField(label="Health took part", required=False)
    education_present = forms.BooleanField(label="Education took part", required=False)
    others_present = forms.CharField(label="Others who took part", required=False, max_length=300)
    start_section47 = _yes_no("Start section 47 enquiries?")
    summary = _text("Decisions and immediate protective actions", rows=5)


class Section47CompleteForm(GovukForm):
    completed_date = GovukDateField(label="Date the enquiry ended")
    outcome = _radio(
        "Outcome (no conference needed)",
        [c for c in cm.Section47Outcome.choices if c[0] != cm.Section47Outcome.CONFERENCE],
    )
    summary = _text("Summary", rows=4)


class ConferenceForm(GovukForm):
    kind = _radio("Kind of conference", [c for c in cm.ConferenceKind.choices if c[0] != cm.ConferenceKind.REVIEW])
    conference_date = GovukDateField(label="Date of the conference")
    outcome = _radio("Outcome", [c for c in cm.ConferenceOutcome.choices if c[0] != cm.ConferenceOutcome.END_PLAN])
    category = forms.ChoiceField(
        label="Category of abuse (for a plan)", required=False, choices=[("", "Select"), *cm.CategoryOfAbuse.choices]
    )
    quorate = forms.BooleanField(label="The conference was quorate", required=False, initial=True)
    summary = _text("Summary", rows=4)


class ReviewConferenceForm(GovukForm):
    conference_date = GovukDateField(label="Date of the review conference")
    outcome = _radio(
        "Outcome", [(cm.ConferenceOutcome.PLAN, "Continue the plan"), (cm.ConferenceOutcome.END_PLAN, "End the plan")]
    )
    category = forms.ChoiceField(
        label="Latest category of abuse (if it changed)",
        required=False,
        choices=[("", "No change"), *cm.CategoryOfAbuse.choices],
    )
    quorate = forms.BooleanField(label="The conference was quorate", required=False, initial=True)
    summary = _text("Summary", rows=4)


class CoreGroupForm(GovukForm):
    meeting_date = GovukDateField(label="Date of the core group")
    summary = _text("Summary", rows=4)


class VisitForm(GovukForm):
    kind = _radio("Kind of visit", cm.VisitKind.choices)
    visit_date = GovukDateField(label="Date of the visit")
    seen = _yes_no("Was the child seen?")
    seen_alone = _yes_no("Was the child seen alone?")
    summary = _text("Summary", rows=4)


class CINPlanForm(GovukForm):
    start_date = GovukDateField(label="Plan start date")
    summary = _text("Who provides what, and the outcomes sought", rows=5)


class ReviewForm(GovukForm):
    review_date = GovukDateField(label="Date of the review")
    outcome = _text("Outcome", rows=4)


class EndForm(GovukForm):
    end_date = GovukDateField(label="End date")


class _PlacementFields(GovukForm):
    legal_status = _choice("903_legal_status", "Legal status")
    placement_type = _choice("903_placement_type", "Placement type")
    placement_provider = _choice(
        "903_placement_provider",
        "Placement provider",
        required=False,
        blank="Not applicable (temporary or other placement)",
    )
    urn = forms.CharField(
        label="Ofsted URN",
        required=False,
        max_length=8,
        help_text="SC and 6 digits, or 7 digits; XXXXXXX if not registered with Ofsted",
    )
    placement_postcode = forms.CharField(label="Placement postcode", required=False, max_length=8)
    carer = forms.CharField(
        label="Carer or provider reference", required=False, max_length=100, help_text="A reference, not a name"
    )


class CarePeriodStartForm(_PlacementFields):
    start_date = GovukDateField(label="Date the child became looked after")
    primary_need = _choice("cin_primary_need", "Category of need")
    home_postcode = forms.CharField(label="Home postcode", required=False, max_length=8)
    field_order = [
        "start_date",
        "legal_status",
        "primary_need",
        "placement_type",
        "placement_provider",
        "urn",
        "home_postcode",
        "placement_postcode",
        "carer",
    ]


class CareChangeForm(_PlacementFields):
    change_date = GovukDateField(label="Date of the change")
    reason_place_change = _choice(
        "903_reason_placement_change",
        "Reason the placement changed",
        required=False,
        blank="The placement did not change",
    )
    field_order = [
        "change_date",
        "legal_status",
        "placement_type",
        "placement_provider",
        "urn",
        "placement_postcode",
        "carer",
        "reason_place_change",
    ]


class CarePeriodEndForm(GovukForm):
    end_date = GovukDateField(label="Date the child stopped being looked after")
    reason_ceased = _choice("903_reason_episode_ceased", "Reason")
    reason_place_change = _choice(
        "903_reason_placement_change", "Reason the placement ended", required=False, blank="Not applicable"
    )


class LACReviewForm(GovukForm):
    review_date = GovukDateField(label="Date of the review")
    participation = _choice("903_review_participation", "How the child took part")


class MissingForm(GovukForm):
    kind = _choice("903_missing_type", "Missing or away")
    start_date = GovukDateField(label="Date the episode began")
    end_date = GovukDateField(label="Date the child returned", required=False)
    return_interview_offered = forms.BooleanField(label="Return home interview offered", required=False)
    return_interview_accepted = forms.BooleanField(label="Return home interview accepted", required=False)


class CareLeaverForm(GovukForm):
    contact_date = GovukDateField(label="Date of contact")
    in_touch = _choice("903_care_leaver_in_touch", "In touch")
    activity = _choice("903_care_leaver_activity", "Main activity", required=False)
    accommodation = _choice("903_care_leaver_accommodation", "Accommodation", required=False)
    accommodation_suitable = forms.NullBooleanField(label="Accommodation suitable", required=False)


class HealthCheckForm(GovukForm):
    kind = _radio("What was checked", cm.HealthCheckKind.choices)
    check_date = GovukDateField(label="Date of the check")
    sdq_score = forms.CharField(
        label="SDQ score (for a strengths and difficulties questionnaire)",
        required=False,
        max_length=2,
        help_text="A whole number from 0 to 40",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
    )
    sdq_reason = _choice("903_sdq_reason", "If there is no SDQ score, why not?", required=False, blank="Not applicable")
    note = _text("Notes", rows=3, help_text="Health information: stored encrypted")


class YouthConvictionForm(GovukForm):
    convicted_on = GovukDateField(label="Date of the conviction or final warning")
    summary = _text("What was it for?", required=True, rows=3, help_text="Criminal-offence data: stored encrypted")


class AdoptionForm(GovukForm):
    decision_date = GovukDateField(label="Date of the decision that the child should be placed for adoption")
    match_date = GovukDateField(label="Date matched with adopters", required=False)
    placed_date = GovukDateField(label="Date placed for adoption", required=False)
    adoption_order_date = GovukDateField(label="Date of the adoption order", required=False)
    placed_ceased_date = GovukDateField(label="Date the child was no longer to be placed for adoption", required=False)
    reason_placed_ceased = _choice(
        "903_reason_no_longer_placed_for_adoption",
        "Reason no longer to be placed",
        required=False,
        blank="Not applicable",
    )
    foster_carer_adoption = forms.BooleanField(label="Adopted by the child's foster carer", required=False)
    number_of_adopters = forms.TypedChoiceField(
        label="Number of adopters",
        required=False,
        choices=[("", "Not yet known"), ("1", "1"), ("2", "2")],
        coerce=int,
        empty_value=None,
    )
    adopter_sex = _choice("903_adopter_sex", "Sex of the adopters", required=False, blank="Not yet known")
    adopter_legal_status = _choice(
        "903_adopter_legal_status", "Legal status of the adopters", required=False, blank="Not yet known"
    )


class SocialWorkerEpisodeForm(GovukForm):
    worker = forms.ModelChoiceField(
        label="New social worker",
        empty_label="Select",
        queryset=User.objects.filter(is_active=True, role__in=["social_worker", "team_manager"]).order_by(
            "last_name", "first_name"
        ),
    )
    start_date = GovukDateField(label="Date they became the child's social worker")
    reason = _choice("903_sw_change_reason", "Reason for the change")


class UascForm(GovukForm):
    start_date = GovukDateField(label="Date the child became an unaccompanied asylum-seeking child")
    ceased_date = GovukDateField(label="Date UASC status ceased (if it has)", required=False)


class PartialDateField(DateInputField):
    """The GOV.UK date input where any part may be left blank when it is not known (SSDA903 DATE_PERM).
    Cleans to (day, month, year), each a number or None; the service says which combinations are valid."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, required=False, require_all_fields=False, **kwargs)
        for name, sub in zip(("day", "month", "year"), self.fields, strict=True):
            sub.required = False
            sub.validators[0].message = f"Enter the {name} as a number, or leave it blank if it is not known"

    def compress(self, data_list: Any) -> tuple[int | None, int | None, int | None]:
        parts = [int(v) if v is not None and v != "" else None for v in (data_list or (None, None, None))]
        return parts[0], parts[1], parts[2]


class PreviousPermanenceForm(GovukForm):
    option = _radio(
        "Before this period of care, what permanence did the child have?", codelists.choices("903_prev_perm")
    )
    la_code = forms.CharField(
        label="Local authority that arranged it",
        required=False,
        max_length=3,
        help_text="Not for Z1. The council's three-digit DfE number, like 931, or WAL (Wales), SCO (Scotland), "
        "NIR (Northern Ireland) or NUK (outside the UK)",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3"}),
    )
    order_date = PartialDateField(
        label="Date of the order",
        help_text="Not for Z1. Leave the day, or the day and month, blank if only part of the date is known; "
        "leave it all blank if the date is not known",
    )


class DoloForm(GovukForm):
    start_date = GovukDateField(label="Date the order started")
    end_date = GovukDateField(label="Date the order ended (if it has)", required=False)


class DoloEndForm(GovukForm):
    end_date = GovukDateField(label="Date the order ended")


class ClosureForm(GovukForm):
    closure_date = GovukDateField(label="Closure date")
    closure_reason = forms.ChoiceField(
        label="Reason for closure", widget=forms.RadioSelect, choices=cm.ReasonForClosure.choices
    )


class CaseNoteForm(GovukForm):
    kind = forms.ChoiceField(label="Kind of note", choices=cm.NoteKind.choices)
    note_date = GovukDateField(label="Date")
    subject = forms.CharField(label="Subject", max_length=200)
    body = _text("Note", required=True, rows=10)
    third_party = forms.BooleanField(
        label="This note holds information about or from someone else (third party)", required=False
    )
    categories = forms.MultipleChoiceField(
        label="Kinds of information in this note",
        required=False,
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ChronologyForm(GovukForm):
    entry_date = GovukDateField(label="Date of the event")
    title = forms.CharField(label="What happened", max_length=200)
    detail = _text("Detail", rows=4)


class UnbornForm(GovukForm):
    expected_date_of_birth = GovukDateField(label="Expected date of birth")
    last_name = forms.CharField(
        label="Last name for the baby's record",
        required=False,
        max_length=100,
        help_text="Leave blank to use the mother's last name",
    )


class BirthForm(GovukForm):
    date_of_birth = GovukDateField(label="Date of birth")
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    sex = _radio("Sex", [("F", "Female"), ("M", "Male"), ("U", "Not known")])


class AssignForm(GovukForm):
    task = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(label="Allocate to", queryset=User.objects.none(), empty_label="Select")


# --- early help / Family Help ---------------------------------------------------------------------

HELP_TEAM_KINDS = [TeamKind.FAMILY_HELP, TeamKind.FAMILY_SUPPORT, TeamKind.ASSESSMENT]
LEAD_ROLES = ["social_worker", "team_manager", "partner"]


def _lead_choice(label: str, *, required: bool = True, roles: list[str] | None = None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        required=required,
        empty_label="Select" if required else "Not yet",
        queryset=User.objects.filter(is_active=True, role__in=roles or LEAD_ROLES, team__isnull=False).order_by(
            "last_name", "first_name"
        ),
        help_text="A council practitioner, or a partner agency's (a school's pastoral lead, a health visitor)",
    )


class HelpStartForm(GovukForm):
    start_date = GovukDateField(label="Start date")
    reason = _text("What does the family need help with?", required=True)
    organisation = forms.CharField(label="Organisation leading the help", max_length=200)
    team = forms.ModelChoiceField(
        label="Team holding the family's help",
        empty_label="Select",
        queryset=Team.objects.filter(kind__in=HELP_TEAM_KINDS),
    )
    lead_practitioner = _lead_choice("Lead practitioner (optional)", required=False)
    consent_given = _yes_no("Has the family agreed to the help?")


class HelpLeadForm(GovukForm):
    lead_practitioner = _lead_choice("Lead practitioner")
    start_date = GovukDateField(label="Lead from")


class HelpAssessmentStartForm(GovukForm):
    start_date = GovukDateField(label="Assessment start date")
    organisation = forms.CharField(label="Organisation completing the assessment", max_length=200)


class HelpAssessmentCompleteForm(GovukForm):
    completed_date = GovukDateField(label="Date completed")
    strengths = _text("The family's strengths", required=True)
    needs = _text("What the family needs", required=True)
    family_words = _text("In the family's own words", help_text="What the family said about their situation")
    consent_given = _yes_no("Did the family consent to the assessment?")


class HelpGoalForm(GovukForm):
    goal = forms.CharField(label="Goal: what the family wants to change", max_length=300)
    action = _text("What will be done", required=True, rows=3)
    who = forms.CharField(label="Who will do it", max_length=200)
    by_when = GovukDateField(label="By when")


class HelpPlanForm(HelpGoalForm):
    start_date = GovukDateField(label="Date the plan was agreed")

    field_order = ["start_date", "goal", "action", "who", "by_when"]


class HelpReviewForm(GovukForm):
    review_date = GovukDateField(label="Review date")
    progress = _text("Progress against the goals", required=True)
    family_view = _text("What the family says")
    achieved = forms.TypedMultipleChoiceField(
        label="Goals achieved", required=False, coerce=int, choices=[], widget=forms.CheckboxSelectMultiple
    )


RATING_FIELD = "rate_{goal}_{rater}"


def add_goal_ratings(form: GovukForm, goals: list[cm.FamilyHelpGoal]) -> None:
    """One optional 0 to 10 rating per goal and per rater (worker, child, parent) on the review form:
    the only place a family help goal is rated (the outcome measures read these)."""
    for goal in goals:
        for rater, words in cm.GoalRater.choices:
            form.fields[RATING_FIELD.format(goal=goal.pk, rater=rater)] = forms.IntegerField(
                label=f"{words}: rating of \u201c{goal.goal}\u201d (0 to 10)",
                required=False,
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
            )


def pop_goal_ratings(values: dict[str, Any]) -> dict[int, dict[str, int | None]]:
    """Take the rating fields out of a review form's cleaned data: goal id -> rater -> score."""
    ratings: dict[int, dict[str, int | None]] = {}
    for name in [n for n in values if n.startswith("rate_")]:
        _, goal, rater = name.split("_", 2)
        ratings.setdefault(int(goal), {})[rater] = values.pop(name)
    return ratings


class HelpCloseForm(GovukForm):
    end_date = GovukDateField(label="End date")
    end_reason = _radio("Why is the help ending?", cm.HelpEndReason.choices)
    outcome = _text("What changed for the family", required=True)


class HelpStepUpForm(GovukForm):
    referral_date = GovukDateField(label="Referral date")
    team = forms.ModelChoiceField(
        label="Team the referral goes to",
        empty_label="Select",
        queryset=Team.objects.filter(kind__in=[TeamKind.ASSESSMENT, TeamKind.FAMILY_SUPPORT, TeamKind.MULTI_AGENCY_CP]),
    )
    worker = forms.ModelChoiceField(
        label="Allocated worker (optional)",
        required=False,
        empty_label="Not yet",
        queryset=User.objects.filter(is_active=True, role="social_worker"),
    )
    primary_need = _choice("cin_primary_need", "Primary need", required=False, blank="Not yet known")


def agency_register() -> Any:
    """The sharing agency register's active organisations, reached through the model field that keys
    them (casework does not import the sharing app, which sits above it)."""
    agency = cm.TeamAroundFamilyMember._meta.get_field("organisation").related_model
    return agency._default_manager.filter(is_active=True).select_related("recipient_type")  # type: ignore[union-attr]


class _AgencyField(forms.ModelChoiceField):
    """An optional choice from the agency register. The register's queryset is made for each form
    (Django deep-copies a form's fields when it makes one), not at import, when the sharing model
    it is reached through may not be loaded yet."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        field = super().__deepcopy__(memo)  # type: ignore[misc]  # Field.__deepcopy__, not in the stubs
        field.queryset = agency_register()
        return field


def _agency_field(label: str) -> forms.ModelChoiceField:
    return _AgencyField(
        label=label, help_text="From the council's agency register", required=False, empty_label="Select", queryset=None
    )


class TeamMemberForm(GovukForm):
    name = forms.CharField(label="Practitioner's name", max_length=200)
    organisation = _agency_field("Their organisation")
    agency = forms.CharField(
        label="Or, if their organisation is not in the register, its name",
        max_length=200,
        required=False,
        help_text="For example: a relative's GP surgery. Ask information governance to add regular partners.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organisation") and not (data.get("agency") or "").strip():
            self.add_error("organisation", "Select their organisation, or enter its name")
        return data

    role = forms.CharField(label="Role", max_length=200, required=False)
    joined_on = GovukDateField(label="Joined on")


class NetworkOfferForm(GovukForm):
    kind = _radio("What was offered?", cm.MeetingKind.choices)
    offered_on = GovukDateField(label="Date offered")
    before_pre_proceedings = _yes_no("Was this offered before pre-proceedings?")


class NetworkMeetingForm(GovukForm):
    outcome = _radio("What happened?", cm.MeetingOutcome.choices)
    meeting_date = GovukDateField(label="Date of the meeting", required=False)
    facilitator = forms.CharField(label="Coordinator", max_length=200, required=False)
    relatives = forms.ModelMultipleChoiceField(
        label="Who came from the family network",
        required=False,
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    other_name = forms.CharField(label="Someone else who came (name)", max_length=200, required=False)
    other_relationship = forms.CharField(label="Their relationship to the child", max_length=100, required=False)
    family_plan = _text("The plan the family made", rows=5)


class LeadCPForm(GovukForm):
    lead_practitioner = _lead_choice("Lead child protection practitioner", roles=["social_worker", "team_manager"])


class ServiceReferForm(GovukForm):
    service = forms.ModelChoiceField(
        label="Service", empty_label="Select", queryset=cm.Service.objects.filter(active=True)
    )
    referred_on = GovukDateField(label="Date referred")


class ServiceUpdateForm(GovukForm):
    start_date = GovukDateField(label="Date the service started", required=False)
    sessions_offered = forms.IntegerField(label="Sessions offered so far", min_value=0, max_value=500)
    sessions_attended = forms.IntegerField(label="Sessions attended so far", min_value=0, max_value=500)
    end_date = GovukDateField(label="Date the service ended", required=False)


class ServiceCatalogueForm(GovukForm):
    name = forms.CharField(label="Name of the service", max_length=200)
    kind = _radio("What kind of service is it?", cm.ServiceKind.choices)
    commissioned = forms.TypedChoiceField(
        label="Who provides it?",
        choices=[("no", "The council (in-house)"), ("yes", "Another organisation, under contract (commissioned)")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    provider_agency = _agency_field("If commissioned: the provider")
    provider = forms.CharField(
        label="If in-house: the council service that runs it",
        max_length=200,
        required=False,
        help_text="For example: Exampleton Council Family Help service",
    )
    description = _text("What the service offers", help_text="Shown to the public in the privacy notice", rows=3)
    active = _yes_no("Is the service taking referrals?")
