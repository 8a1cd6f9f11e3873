"""Is this person known? The matching service (issue 12).

One entry point: `find_matches(MatchQuery(...))` returns ranked `Candidate`s with a score (0-1),
a band (certain / probable / possible) and the reasons. `match_for_user` wraps it for a signed-in
practitioner (access scope, "known to the service" for the rest, one audit event). The index it
reads is kept by `matching.index` (`index_people`, `remove_person_keys`, `rebuild`).
"""
