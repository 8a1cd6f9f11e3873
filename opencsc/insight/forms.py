"""Forms for recording a child's goals and their ratings (GOV.UK components, messages that say how
to fix the problem)."""

from __future__ import annotations

from django import forms

from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.insight.models import Occasion, PlanType, Rater


class GoalForm(GovukForm):
    plan_type = forms.ChoiceField(
        label="Which plan the goal is in",
        # An early help / Family Help plan's goals are recorded in the family's plan and rated at its
        # reviews (casework), and read from there: never entered here a second time.
        choices=[(v, label) for v, label in PlanType.choices if v != PlanType.FAMILY_HELP],
        widget=forms.RadioSelect,
        error_messages={"required": "Select which plan the goal is in"},
    )
    goal = forms.CharField(
        label="The goal",
        max_length=300,
        help_text="In the words agreed with the child and family, for example 'Jo gets to school every day'",
        error_messages={"required": "Enter the goal"},
    )
    agreed_on = GovukDateField(label="Date the goal was agreed", past_only=True, bounds="insight.PlanGoal.agreed_on")


class RatingForm(GovukForm):
    rater = forms.ChoiceField(
        label="Whose rating is it",
        choices=Rater.choices,
        widget=forms.RadioSelect,
        help_text="Record the child's and the parent's own ratings as they gave them",
        error_messages={"required": "Select whose rating it is"},
    )
    score = forms.TypedChoiceField(
        label="Rating, from 0 (not at all) to 10 (fully achieved)",
        coerce=int,
        choices=[(str(n), str(n)) for n in range(11)],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating from 0 to 10"},
    )
    occasion = forms.ChoiceField(
        label="Where it was given",
        choices=Occasion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the rating was given"},
    )
    rated_on = GovukDateField(label="Date of the rating", past_only=True, bounds="insight.GoalRating.rated_on")
    words = forms.CharField(
        label="In their words (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What they said about it. For the child, their own words: the voice of the child",
    )
