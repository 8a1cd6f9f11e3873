"""The two national recipients every English council sends to, with their statutory agreements:
the Department for Education (CIN census, SSDA903) and NHS England's CP-IS. Local agencies and their
agreements are the council's own (the demo seeds a synthetic set). Reversible."""

import datetime as dt

from django.db import migrations

AGENCIES = [
    # code, name, recipient type, channel, channel address
    ("dfe", "Department for Education", "dfe", "portal", "DfE Submit a return (COLLECT)"),
    ("nhs-cpis", "NHS England: Child Protection Information Sharing (CP-IS)", "nhs-cpis", "mesh", "CP-IS MESH mailbox"),
]
AGREEMENTS = [
    # reference, name, agency, categories, purposes, basis, special condition, criminal condition
    ("STAT-DFE-RETURNS", "Statutory returns to the Department for Education", "dfe",
     ["name", "address", "date_of_birth", "ethnicity", "health", "referral", "upn"], ["statutory-returns"],
     "art6-1c-legal-obligation", "art9-2g-sch1-p6-statutory-purposes", None),
    ("STAT-NHS-CPIS", "Child Protection Information Sharing (CP-IS)", "nhs-cpis",
     ["nhs_number", "referral"], ["health-protection"],
     "art6-1e-public-task", None, None),
]


def load(apps, schema_editor):
    Agency = apps.get_model("sharing", "Agency")
    Agreement = apps.get_model("sharing", "SharingAgreement")
    RecipientType = apps.get_model("privacy", "RecipientType")
    Category = apps.get_model("privacy", "Category")
    Purpose = apps.get_model("privacy", "Purpose")
    LawfulBasis = apps.get_model("privacy", "LawfulBasis")
    for code, name, rtype, channel, address in AGENCIES:
        Agency.objects.create(code=code, name=name, recipient_type=RecipientType.objects.get(code=rtype),
                              channel=channel, channel_address=address)
    for ref, name, agency, cats, purposes, basis, special, criminal in AGREEMENTS:
        agreement = Agreement.objects.create(
            reference=ref, name=name, agency=Agency.objects.get(code=agency),
            lawful_basis=LawfulBasis.objects.get(code=basis),
            special_condition=LawfulBasis.objects.get(code=special) if special else None,
            criminal_condition=LawfulBasis.objects.get(code=criminal) if criminal else None,
            valid_from=dt.date(2024, 4, 1), dpia_reference=f"DPIA-{ref}",
        )
        agreement.categories.set(Category.objects.filter(code__in=cats))
        agreement.purposes.set(Purpose.objects.filter(code__in=purposes))


def unload(apps, schema_editor):
    apps.get_model("sharing", "SharingAgreement").objects.filter(reference__in=[a[0] for a in AGREEMENTS]).delete()
    apps.get_model("sharing", "Agency").objects.filter(code__in=[a[0] for a in AGENCIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_agencies_and_disclosures"), ("privacy", "0002_council_register")]

    operations = [migrations.RunPython(load, unload)]
