"""The council's processing register as first published. Information-governance officers edit it from
then on (privacy register pages); this migration only loads the starting point, and reverses cleanly.

The content is frozen here on purpose (a migration must not import code that changes later).
"""

from django.db import migrations

CATEGORIES = [
    # code, name, public description, special, criminal, sources
    ("name", "Name and identity", "Names, other names and aliases, sex, and the council's reference number for a child.", False, False, "You, your family, schools, health services and other agencies."),
    ("address", "Address", "Where a child and their family live now and have lived before.", False, False, "You, your family, housing services and other agencies."),
    ("date_of_birth", "Date of birth", "Date of birth, or the expected date of birth of an unborn baby, and date of death.", False, False, "You, your family, health services."),
    ("phone", "Telephone number", "Telephone numbers and the best times to call.", False, False, "You and your family."),
    ("contact_details", "Contact details", "Email addresses, correspondence addresses and how people prefer to be contacted.", False, False, "You and your family."),
    ("social_media", "Information seen on social media", "Information about a child's safety seen on social media, with where and when it was seen.", False, False, "Social workers, police, schools and members of the public."),
    ("ethnicity", "Ethnicity", "Ethnic background, recorded using the Department for Education's categories.", True, False, "You and your family."),
    ("nhs_number", "NHS number", "A child's NHS number, so that health services and we are talking about the same child.", False, False, "Health services and the NHS Spine."),
    ("relationships", "Relationships", "Parents, step-parents, brothers and sisters, carers, grandparents, partners and other people important to a child, and who has parental responsibility.", False, False, "You, your family and other agencies."),
    ("health", "Health information", "Physical and mental health, disabilities, health assessments, dental checks and immunisations.", True, False, "Health services, you and your family."),
    ("referral", "Referral, assessment and MASH information", "Referrals to the service, what the Multi-Agency Safeguarding Hub found, assessments, plans, visits, meetings and case notes.", False, False, "Social workers, and the agencies and people who contact us about a child."),
    ("other_agencies", "Information from other agencies", "Information other agencies give us about a child or family, with who gave it and when.", False, False, "Police, health services, schools, housing, probation and other agencies."),
    ("financial", "Financial information", "Income, debts, rent arrears and other money matters that affect the family.", False, False, "You, your family, housing and benefits services."),
    ("benefits", "State benefits", "Benefits the family receives, such as Universal Credit or Child Benefit.", False, False, "You, your family and the Department for Work and Pensions."),
    ("criminal", "Criminal and police records", "Convictions, cautions, arrests, bail conditions, domestic abuse incidents and police intelligence.", False, True, "Police, probation and youth justice services."),
    ("upn", "Unique pupil number", "The number schools use to identify a pupil.", False, False, "Schools and the Department for Education."),
    ("school", "School", "Which schools, nurseries or colleges a child attends and has attended.", False, False, "Schools, you and your family."),
]

BASES = [
    # code, kind, name, reference, dpa reference, policy document, public description
    ("art6-1e-public-task", "art6", "Public task", "UK GDPR Article 6(1)(e)", "", False, "We use information to carry out our duties under the Children Act 1989 and the Children Act 2004 to support children and keep them safe."),
    ("art6-1c-legal-obligation", "art6", "Legal obligation", "UK GDPR Article 6(1)(c)", "", False, "The law requires us to, for example to send statistical returns to the Department for Education (Children Act 1989 section 83) or to obey a court order."),
    ("art6-1d-vital-interests", "art6", "Vital interests", "UK GDPR Article 6(1)(d)", "", False, "In an emergency, to protect someone's life."),
    ("art6-1ea-recognised-legitimate-interest", "art6", "Recognised legitimate interest", "UK GDPR Article 6(1)(ea)", "Data (Use and Access) Act 2025, Annex 1 conditions", False, "When another organisation needs information for its public task, to prevent crime, in an emergency or to safeguard a vulnerable person."),
    ("art6-1a-consent", "art6", "Consent", "UK GDPR Article 6(1)(a)", "", False, "Only where you have a real choice, for example when you ask your MP to take up your case."),
    ("art9-2h-sch1-p2-health-social-care", "art9", "Health or social care purposes", "UK GDPR Article 9(2)(h)", "DPA 2018 Schedule 1 Part 1 paragraph 2", False, "Sensitive information is used to provide social care and to manage social care services."),
    ("art9-2g-sch1-p6-statutory-purposes", "art9", "Statutory and government purposes", "UK GDPR Article 9(2)(g)", "DPA 2018 Schedule 1 Part 2 paragraph 6", True, "Sensitive information is used where a law gives us a function that needs it, such as statutory returns."),
    ("art9-2g-sch1-p18-safeguarding", "art9", "Safeguarding of children and individuals at risk", "UK GDPR Article 9(2)(g)", "DPA 2018 Schedule 1 Part 2 paragraph 18", True, "Sensitive information is used and shared to protect a child from neglect or harm, where asking for consent would put the child at risk or is not possible."),
    ("art9-2g-sch1-p24-elected-representatives", "art9", "Disclosure to elected representatives", "UK GDPR Article 9(2)(g)", "DPA 2018 Schedule 1 Part 2 paragraph 24", True, "When an MP or councillor acts for you at your request."),
    ("art9-2f-legal-claims", "art9", "Legal claims and courts", "UK GDPR Article 9(2)(f)", "", False, "Sensitive information is used in court proceedings, such as care proceedings."),
    ("art10-sch1-p2-health-social-care", "art10", "Criminal offence data: health or social care", "UK GDPR Article 10", "DPA 2018 Schedule 1 Part 1 paragraph 2", False, "Criminal records are used to provide social care."),
    ("art10-sch1-p6-statutory-purposes", "art10", "Criminal offence data: statutory purposes", "UK GDPR Article 10", "DPA 2018 Schedule 1 Part 2 paragraph 6 (with Part 3 paragraph 36)", True, "Criminal records are used where a law gives us a function that needs them."),
    ("art10-sch1-p18-safeguarding", "art10", "Criminal offence data: safeguarding", "UK GDPR Article 10", "DPA 2018 Schedule 1 Part 2 paragraph 18 (with Part 3 paragraph 36)", True, "Criminal records are used and shared to protect children from harm."),
    ("art10-sch1-p33-legal-claims", "art10", "Criminal offence data: legal claims", "UK GDPR Article 10", "DPA 2018 Schedule 1 Part 3 paragraph 33", True, "Criminal records are used in court proceedings."),
    ("sch2-p2-crime-taxation", "sch2", "Crime and taxation", "DPA 2018 Schedule 2 Part 1 paragraph 2", "", False, "We may give the police information to prevent or detect crime, where not doing so would be likely to prejudice that. We decide each request on its merits."),
    ("sch2-p5-1-required-by-law", "sch2", "Required by law or court order", "DPA 2018 Schedule 2 Part 1 paragraph 5(1)", "", False, "We must disclose information when a law or a court order requires it."),
    ("sch2-p5-3-legal-proceedings", "sch2", "Legal proceedings and legal advice", "DPA 2018 Schedule 2 Part 1 paragraph 5(2) and (3)", "", False, "We may disclose information for legal proceedings or to get legal advice."),
]

RECIPIENT_TYPES = [
    # code, name, public description, outside UK
    ("health", "Health agencies", "GP practices, health visitors, school nurses and community health services.", False),
    ("hospital", "Hospitals", "Hospitals, emergency departments and maternity services.", False),
    ("nhs-cpis", "NHS England (Child Protection Information Sharing)", "We tell NHS England's Child Protection Information Sharing service (CP-IS) when a child is on a child protection plan, is looked after, or when an unborn baby has a pre-birth plan (held against the mother's NHS number). Only the NHS number, the kind of plan, its start and end dates and our contact numbers are sent, so that NHS urgent and unscheduled care staff know to contact us.", False),
    ("dfe", "Department for Education", "We send the Department for Education the children in need census and the looked-after children return (SSDA903) each year, as the law requires. These returns use reference numbers and pupil numbers, not names; the Department uses them for statistics and to fund and inspect services.", False),
    ("police", "Police", "The police, to protect children, and to prevent and detect crime.", False),
    ("youth-justice", "Youth offending teams", "Youth justice services working with children who have offended.", False),
    ("probation", "Probation", "The Probation Service, where an adult poses a risk to a child.", False),
    ("housing", "Housing", "Council housing services and housing associations.", False),
    ("other-la", "Other local authorities", "Other councils, when a child moves or is placed outside the borough.", False),
    ("elected-representative", "MPs and councillors", "Your MP or councillor, when they act for you at your request.", False),
    ("advocacy", "Advocacy services", "Independent advocates who help children have their say.", False),
    ("independent-visitor", "Independent visitors", "Volunteers who befriend children in care.", False),
    ("mentor", "Mentors", "Mentoring services working with a child.", False),
    ("guardian", "Children's guardians", "Children's guardians appointed in court proceedings.", False),
    ("legal", "Legal services", "The council's lawyers, and solicitors acting for children and families.", False),
    ("lado", "Local authority designated officer (LADO)", "The officer who manages allegations against people who work with children.", False),
    ("family-centre", "Family centres", "Family hubs and children's centres.", False),
    ("contact-centre", "Contact centres", "Centres where children spend supervised time with family.", False),
    ("placement-provider", "Placement providers", "Children's homes and supported accommodation caring for a child.", False),
    ("fostering-agency", "Fostering agencies", "Independent fostering agencies and foster carers.", False),
    ("ofsted", "Ofsted", "Ofsted, which inspects children's services and may look at children's records.", False),
    ("dwp", "Department for Work and Pensions", "The DWP, to make sure families and care leavers receive the benefits they are entitled to.", False),
    ("cica", "Criminal Injuries Compensation Authority", "CICA, when we apply for compensation for a child who has been harmed.", False),
    ("registry-office", "Register office", "The register office, to register births and deaths and changes of name.", False),
    ("passport-office", "HM Passport Office", "HM Passport Office, when we apply for a passport for a child in care.", False),
    ("cafcass", "Cafcass", "Cafcass, which represents children in family court cases.", False),
    ("private-psychology", "Private psychologists and psychiatrists", "Psychologists and psychiatrists we commission to assess or help a child.", False),
    ("independent-social-worker", "Independent social workers", "Social workers we commission, for example for court assessments.", False),
    ("education", "Education establishments", "Schools, nurseries, colleges and the virtual school.", False),
    ("overseas", "Bodies in other countries", "Courts and child protection services in other countries, when a child or family has links abroad.", True),
]

RETENTION = [
    # code, name, years, trigger, statutory, authority, public description
    ("looked-after", "Looked-after child case record", 75, "date_of_birth", True, "Care Planning, Placement and Case Review (England) Regulations 2010 regulation 50", "Until the 75th anniversary of the child's birth, or 15 years after death if the child dies before 18."),
    ("care-leaver", "Care leaver and after-care record", 75, "date_of_birth", False, "Local retention schedule", "Until the 75th anniversary of the young person's birth."),
    ("adoption", "Adoption record (adoption order made)", 100, "adoption_order", True, "Disclosure of Adoption Information (Post-Commencement Adoptions) Regulations 2005 regulation 6", "At least 100 years from the date of the adoption order."),
    ("child-protection", "Child protection record", 35, "closure", False, "Local policy (held lawful in R (C) v Northumberland CC [2015] EWHC 2134 (Admin))", "35 years after the case closes, unless the child becomes looked after or is adopted."),
    ("child-in-need", "Child in need record", 3, "last_activity", False, "Local policy: until the child is 18, then 3 years of inactivity", "Until the child is 18 and then 3 more years with no activity."),
    ("foster-carer", "Foster carer record", 10, "end_of_approval", True, "Fostering Services (England) Regulations 2011 regulation 32", "At least 10 years after a foster carer's approval ends."),
    ("lado-allegation", "LADO allegation (substantiated or unsubstantiated)", 100, "date_of_birth", False, "Local policy citing the Bichard Inquiry (from the alleged person's date of birth)", "100 years from the date of birth of the person the allegation was about."),
    ("disclosure-log", "Disclosure log and third-party requests", 35, "closure", False, "Local policy: kept with the child's record", "As long as the child's record they belong to."),
]

TRANSFERS = [
    # code, name, destination, recipient type, safeguard, description
    ("overseas-child-protection", "Child protection enquiries abroad", "Courts and child protection authorities in other countries", "overseas", "Adequacy regulations where the country has them (for example the EEA); otherwise UK GDPR Article 49(1)(d) (important reasons of public interest) or 49(1)(e) (legal claims), approved case by case by information governance, sent by secure channel with the minimum information needed.", "When a child or family has links abroad, we may share information with courts or child protection services in that country to keep the child safe."),
]

PURPOSES = [
    # code, name, description, data subjects, categories, bases, recipients, retention
    ("support-and-protect", "Support children and keep them safe", "To find out whether a child needs help or protection, to assess and plan with the family, and to check that the plan is working.",
     "Children and unborn children; parents, carers, relatives and other people in a child's life",
     ["name", "address", "date_of_birth", "phone", "contact_details", "social_media", "ethnicity", "nhs_number", "relationships", "health", "referral", "other_agencies", "financial", "benefits", "criminal", "upn", "school"],
     ["art6-1e-public-task", "art6-1d-vital-interests", "art9-2h-sch1-p2-health-social-care", "art9-2g-sch1-p18-safeguarding", "art10-sch1-p2-health-social-care", "art10-sch1-p18-safeguarding"],
     ["health", "hospital", "police", "youth-justice", "probation", "housing", "other-la", "advocacy", "lado", "family-centre", "education", "private-psychology", "independent-social-worker", "overseas"],
     ["child-protection", "child-in-need"]),
    ("children-in-care", "Look after children in care and care leavers", "To care for children we look after, plan for their future and support young people leaving care.",
     "Looked-after children, care leavers, their families and carers",
     ["name", "address", "date_of_birth", "phone", "contact_details", "ethnicity", "nhs_number", "relationships", "health", "referral", "other_agencies", "financial", "benefits", "criminal", "upn", "school"],
     ["art6-1e-public-task", "art9-2h-sch1-p2-health-social-care", "art10-sch1-p2-health-social-care"],
     ["health", "placement-provider", "fostering-agency", "independent-visitor", "mentor", "advocacy", "contact-centre", "education", "dwp", "passport-office", "registry-office", "cica", "other-la"],
     ["looked-after", "care-leaver", "adoption", "foster-carer"]),
    ("health-protection", "Help NHS services protect children (CP-IS)", "To tell NHS urgent and unscheduled care staff that a child is on a child protection plan or looked after, or that an unborn baby has a pre-birth plan.",
     "Children on a child protection plan, looked-after children, and pregnant women whose unborn baby has a pre-birth plan",
     ["nhs_number", "referral"],
     ["art6-1e-public-task", "art9-2h-sch1-p2-health-social-care"],
     ["nhs-cpis"],
     ["child-protection", "looked-after"]),
    ("statutory-returns", "Statutory returns and council performance", "To send the returns the law requires and to check how well the service works for children.",
     "Children in need, looked-after children and care leavers",
     ["date_of_birth", "ethnicity", "health", "referral", "upn"],
     ["art6-1c-legal-obligation", "art9-2g-sch1-p6-statutory-purposes"],
     ["dfe", "ofsted"],
     ["child-in-need", "looked-after"]),
    ("courts", "Court proceedings", "To take part in family court proceedings such as care proceedings, and to get legal advice.",
     "Children and their families in court proceedings",
     ["name", "address", "date_of_birth", "relationships", "health", "referral", "other_agencies", "criminal", "school"],
     ["art6-1e-public-task", "art6-1c-legal-obligation", "art9-2f-legal-claims", "art10-sch1-p33-legal-claims", "sch2-p5-1-required-by-law", "sch2-p5-3-legal-proceedings"],
     ["legal", "guardian", "cafcass"],
     ["child-protection", "looked-after"]),
    ("crime", "Prevent and detect crime", "To help the police protect children and prevent or detect crime, deciding each request on its merits.",
     "Children, parents, carers and other people in a child's life",
     ["name", "address", "date_of_birth", "relationships", "referral", "criminal"],
     ["art6-1e-public-task", "art6-1ea-recognised-legitimate-interest", "art9-2g-sch1-p18-safeguarding", "art10-sch1-p18-safeguarding", "sch2-p2-crime-taxation"],
     ["police", "youth-justice", "probation"],
     ["child-protection", "disclosure-log"]),
    ("representation", "Help your MP or councillor act for you", "To answer your MP or councillor when you have asked them to take up your case.",
     "The person who asked, and their children",
     ["name", "address", "referral"],
     ["art6-1a-consent", "art9-2g-sch1-p24-elected-representatives"],
     ["elected-representative"],
     ["disclosure-log"]),
]

CONTROLLER = {
    "name": "Borough of Exampleton Council",
    "address": "Exampleton Town Hall, 1 High Street, Exampleton, ZZ1 1AA",
    "ico_registration": "Z0000000",
    "dpo_name": "The Data Protection Officer",
    "dpo_email": "dpo@exampleton.example",
    "dpo_address": "Data Protection Officer, Exampleton Town Hall, 1 High Street, Exampleton, ZZ1 1AA",
    "rights_email": "information.rights@exampleton.example",
    "rights_phone": "0300 000 0000",
    "service_description": (
        "The Family Support and Safeguarding Service works with children and families who need help, "
        "protects children who are at risk of harm, looks after children in the council's care, and supports "
        "young people leaving care."
    ),
    "security_measures": (
        "Role- and relationship-based access (staff see only the children on their team's caseload); restricted "
        "records for named staff only; emergency access that asks for a reason, expires and is reviewed; two-factor "
        "sign-in; encryption of special category, criminal offence and NHS number data at rest with rotatable keys; "
        "a tamper-evident audit trail of every read, search, change and disclosure; disclosures only under a "
        "sharing agreement or an approved request; secure channels (secure email, portal, NHS MESH); staff training "
        "and confidentiality clauses."
    ),
}


def load(apps, schema_editor):
    Category = apps.get_model("privacy", "Category")
    LawfulBasis = apps.get_model("privacy", "LawfulBasis")
    RecipientType = apps.get_model("privacy", "RecipientType")
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    InternationalTransfer = apps.get_model("privacy", "InternationalTransfer")
    Purpose = apps.get_model("privacy", "Purpose")
    Controller = apps.get_model("privacy", "Controller")
    for order, (code, name, desc, special, criminal, sources) in enumerate(CATEGORIES):
        Category.objects.create(code=code, name=name, public_description=desc, is_special_category=special,
                                is_criminal_offence=criminal, sources=sources, display_order=order)
    for order, (code, kind, name, ref, dpa, policy, desc) in enumerate(BASES):
        LawfulBasis.objects.create(code=code, kind=kind, name=name, reference=ref, dpa_reference=dpa,
                                   needs_policy_document=policy, public_description=desc, display_order=order)
    for order, (code, name, desc, abroad) in enumerate(RECIPIENT_TYPES):
        RecipientType.objects.create(code=code, name=name, public_description=desc, is_outside_uk=abroad,
                                     display_order=order)
    for order, (code, name, years, trigger, statutory, authority, desc) in enumerate(RETENTION):
        RetentionRule.objects.create(code=code, name=name, years=years, trigger=trigger, statutory=statutory,
                                     authority=authority, public_description=desc, display_order=order)
    for order, (code, name, destination, rtype, safeguard, desc) in enumerate(TRANSFERS):
        InternationalTransfer.objects.create(code=code, name=name, destination=destination, safeguard=safeguard,
                                             recipient_type=RecipientType.objects.get(code=rtype),
                                             public_description=desc, display_order=order)
    for order, (code, name, desc, subjects, cats, bases, recipients, retention) in enumerate(PURPOSES):
        purpose = Purpose.objects.create(code=code, name=name, public_description=desc, data_subjects=subjects,
                                         display_order=order)
        purpose.categories.set(Category.objects.filter(code__in=cats))
        purpose.lawful_bases.set(LawfulBasis.objects.filter(code__in=bases))
        purpose.recipient_types.set(RecipientType.objects.filter(code__in=recipients))
        purpose.retention_rules.set(RetentionRule.objects.filter(code__in=retention))
    Controller.objects.create(pk=1, **CONTROLLER)


def unload(apps, schema_editor):
    apps.get_model("privacy", "Controller").objects.filter(pk=1).delete()
    apps.get_model("privacy", "Purpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()
    apps.get_model("privacy", "InternationalTransfer").objects.filter(code__in=[t[0] for t in TRANSFERS]).delete()
    apps.get_model("privacy", "RetentionRule").objects.filter(code__in=[r[0] for r in RETENTION]).delete()
    apps.get_model("privacy", "RecipientType").objects.filter(code__in=[r[0] for r in RECIPIENT_TYPES]).delete()
    apps.get_model("privacy", "LawfulBasis").objects.filter(code__in=[b[0] for b in BASES]).delete()
    apps.get_model("privacy", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_processing_register")]

    operations = [migrations.RunPython(load, unload)]
