"""The categories of personal data named in the service's privacy notice.

Every personal-data field in openCSC is tagged with exactly one of these (see `personal_data.py`).
Special-category (UK GDPR Art 9) and criminal-offence (Art 10) categories are encrypted at rest and
read only through access checks. The processing register (privacy app) describes each category for
the public notice; these codes are its keys.
"""

from __future__ import annotations

from django.db import models


class DataCategory(models.TextChoices):
    NAME = "name", "Name and identity"
    ADDRESS = "address", "Address"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    PHONE = "phone", "Telephone number"
    CONTACT_DETAILS = "contact_details", "Contact details"
    SOCIAL_MEDIA = "social_media", "Information seen on social media"
    ETHNICITY = "ethnicity", "Ethnicity"
    NHS_NUMBER = "nhs_number", "NHS number"
    RELATIONSHIPS = "relationships", "Relationships"
    HEALTH = "health", "Health information"
    REFERRAL = "referral", "Referral, assessment and MASH information"
    OTHER_AGENCIES = "other_agencies", "Information from other agencies"
    FINANCIAL = "financial", "Financial information"
    BENEFITS = "benefits", "State benefits"
    CRIMINAL = "criminal", "Criminal and police records"
    UPN = "upn", "Unique pupil number"
    SCHOOL = "school", "School"


SPECIAL_CATEGORY: frozenset[DataCategory] = frozenset({DataCategory.ETHNICITY, DataCategory.HEALTH})
CRIMINAL_OFFENCE: frozenset[DataCategory] = frozenset({DataCategory.CRIMINAL})
# Categories encrypted at rest: Art 9 and Art 10 data, and the NHS number (a national identifier
# whose leak links a child across services).
ENCRYPTED: frozenset[DataCategory] = SPECIAL_CATEGORY | CRIMINAL_OFFENCE | {DataCategory.NHS_NUMBER}


def is_special_category(category: DataCategory) -> bool:
    return category in SPECIAL_CATEGORY


def is_criminal_offence(category: DataCategory) -> bool:
    return category in CRIMINAL_OFFENCE
