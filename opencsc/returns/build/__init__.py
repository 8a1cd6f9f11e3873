"""Statutory returns built from the live record: CIN census, SSDA903 and Ofsted Annex A.

`build_cin(year)` and `build_903(year)` produce the validation engines' table structures (written
with the engines' writers); `build_annex_a(as_of, target)` writes the Ofsted lists as a workbook.
"""
