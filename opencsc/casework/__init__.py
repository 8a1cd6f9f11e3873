"""Casework: the child's statutory journey from the front door to closure.

Contacts and MASH triage, referral episodes (the CIN census `CINdetails`), assessments, strategy
discussions, section 47 enquiries, conferences, child protection and child in need plans, looked-after
periods and episodes (the SSDA903 tables), care leavers, closure; case notes, chronology, tasks and
the timescales that drive them. The census and 903 returns are built from these models.
"""
