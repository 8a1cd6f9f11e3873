"""Codes are shown with their meaning, from the shared code lists, in one helper."""

from __future__ import annotations

from django.template import Context, Template

from opencsc.core import codelists


def test_codes_read_in_plain_words_with_the_code_after():
    assert codelists.meaning("cin_referral_source", "6") == "Police (6)"
    assert codelists.meaning("cin_referral_source", "3B") == "Health services: health visitor (3B)"
    assert codelists.meaning("cin_primary_need", "N4") == "Family in acute stress (N4)"
    assert codelists.meaning("cin_reason_for_closure", "RC8").endswith("(RC8)")
    assert codelists.meaning("cin_reason_for_closure", "XX") == "Unknown code (XX)"
    assert codelists.meaning("cin_reason_for_closure", "") == ""


def test_choice_labels_are_plain_words_so_get_display_is_too():
    labels = dict(codelists.choices("cin_referral_source"))
    assert labels["6"] == "Police (6)"
    assert not any(label.startswith(f"{code}:") for code, label in labels.items())


def test_template_filter_reads_one_code_or_a_list():
    template = Template(
        '{% load plain_words %}{{ need|meaning:"cin_primary_need" }} / {{ cats|meaning:"cin_category_of_abuse" }}'
    )
    html = template.render(Context({"need": "N1", "cats": ["NEG", "PHY"]}))
    assert html == "Abuse or neglect (N1) / Neglect (NEG), Physical abuse (PHY)"
