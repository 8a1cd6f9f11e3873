"""Synthetic SSDA903 returns: valid by construction, deterministic from a seed, and deliberately broken.

`synthetic_903(n, seed=..., year=...)` simulates the care history of `n` children (periods of care split
into episodes on legal-status and placement changes, reviews on the statutory cycle, missing periods,
social worker episodes, adoptions, care leavers, unaccompanied asylum-seeking children) and cuts the
return for a collection year from it, so `previous_year=True` gives last year's return cut from the
same histories and the two agree. Child IDs look like "DEMO000123"; postcodes come from the small
fixed set in `postcodes.SYNTHETIC_POSTCODES`; there are no names, addresses or NHS numbers.

`BREAKERS` each break one rule for one child; `broken_corpus()` applies many of them to distinct
children and returns the (rule, child) pairs expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from opencsc.core.codelists import codes, year_end
from opencsc.core.working_days import add_months, add_working_days

from .csv_io import format_date
from .providers import ProviderRow
from .tables import CORE_TABLES, table_from_rows

HOME_POSTCODES = ("SE6 1AA", "SE6 1AB", "SE13 5AA", "SE13 5AB", "SE4 1AA", "SE4 1AB")
OWN_LA_PLACEMENT_POSTCODES = HOME_POSTCODES
OTHER_PLACEMENT_POSTCODES = ("SE10 0AA", "SE15 1AA", "BR1 1AA", "CR0 0AA", "ME14 1AA", "DA1 1AA", "TN1 1AA")
LA_PERM = ("209", "210", "203", "305", "306", "886")
CHANGE_REASONS = ("CARPL", "CLOSE", "STAND", "CREQB", "CREQO", "CHILD", "LAREQ", "OTHER")
SW_REASONS = ("MANAGE", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "OTHERS")
DAY = dt.timedelta(days=1)


@dataclass
class Episode:
    decom: dt.date
    rne: str
    ls: str
    place: str
    provider: str | None
    pl_post: str | None
    urn: str | None
    dec: dt.date | None = None
    rec: str | None = None
    reason: str | None = None


@dataclass
class Child:
    """One child's whole history; a return for any year is cut from it."""

    child_id: str
    sex: str
    dob: dt.date
    ethnic: str
    upn: str
    cin: str
    home_post: str | None
    uasc: bool = False
    mc_dob: dt.date | None = None
    episodes: list[Episode] = field(default_factory=list)
    reviews: list[tuple[dt.date, str]] = field(default_factory=list)
    missing: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    social_workers: list[tuple[str, dt.date, dt.date | None, str]] = field(default_factory=list)
    placed_adoption: dt.date | None = None
    adoption: dict[str, str | None] | None = None
    prev_perm: tuple[str, str | None, str | None] = ("Z1", None, None)
    care_leaver_from: int | None = None  # first collection end-year with OC3 information
    oc3: dict[str, str] | None = None


# ---- dates --------------------------------------------------------------------------------------


def _between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    if hi <= lo:
        return lo
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def _plus_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def _clear_of_year_end(day: dt.date) -> dt.date:
    """Move a date out of the last six days of March (the DfE reads endings there as gaps in cover)."""
    if day.month == 3 and day.day >= 25:
        return day - dt.timedelta(days=10)
    return day


# ---- building a history -------------------------------------------------------------------------


class _Builder:
    def __init__(self, rng: random.Random, child: Child, la_code: str) -> None:
        self.rng, self.child, self.la_code = rng, child, la_code
        self._urn_seq = rng.randint(100000, 899999)
        self.ls = "C2"  # the legal status the next placement starts under

    def _urn(self) -> str:
        self._urn_seq += self.rng.randint(1, 97)
        return f"SC{self._urn_seq % 1000000:06d}"

    def placement(self, on: dt.date, *, place: str | None = None) -> tuple[str, str | None, str | None, str | None]:
        """(PLACE, PLACE_PROVIDER, PL_POST, URN) for a new placement starting `on`."""
        rng, child = self.rng, self.child
        age = (on - child.dob).days / 365.25
        if place is None:
            if age >= 16:
                place = rng.choice(("K3", "U6", "U6", "K2"))
            elif age >= 10:
                place = rng.choice(("U4", "U6", "U6", "U3", "K2"))
            else:
                with_parents = not child.uasc and self.ls != "V2"  # s20 (V2) cannot be with parents
                place = rng.choice(("U4", "U6", "U6", "U1", "U3", "P1" if with_parents else "U6"))
        if place == "P1":
            return place, "PR0", child.home_post, None
        if place in ("A5", "A6"):
            return place, "PR1", self._other_postcode(), "XXXXXXX"
        if place == "K3":
            return place, "PR4", self._own_la_postcode(), self._urn()
        provider = rng.choice(("PR1", "PR4")) if place.startswith("U") else rng.choice(("PR1", "PR4", "PR5"))
        post = self._own_la_postcode() if (place == "K2" and provider == "PR1") else self._other_postcode()
        return place, provider, post, self._urn()

    def _different_placement(self, on: dt.date, old: str) -> tuple[str, str | None, str | None, str | None]:
        """A new placement: with parents again is not a change of placement, so pick another type."""
        new = self.placement(on)
        while new[0] == "P1" and old == "P1":
            new = self.placement(on)
        return new

    def _own_la_postcode(self) -> str:
        return self.rng.choice([p for p in OWN_LA_PLACEMENT_POSTCODES if p != self.child.home_post])

    def _other_postcode(self) -> str:
        options = [p for p in OTHER_PLACEMENT_POSTCODES + OWN_LA_PLACEMENT_POSTCODES[:2] if p != self.child.home_post]
        return self.rng.choice(options)

    def period(
        self,
        start: dt.date,
        end: dt.date | None,
        rec: str | None,
        first_ls: str,
        *,
        emergency: bool = False,
        last_place: str | None = None,
        min_last_days: int = 20,
    ) -> None:
        """Episodes from `start` to `end` (None: beyond the returns built), changing every few months."""
        rng = self.rng
        self.ls = "C1" if emergency else first_ls
        place = self.placement(start)
        if emergency:
            self._add(Episode(start, "S", "L2", *place))
            day, ls, rne = start + dt.timedelta(days=rng.randint(5, 14)), "C1", "L"
        else:
            day, ls, rne = start, first_ls, "S"
        horizon = end or _plus_years(start, 12)
        while True:
            nxt = _clear_of_year_end(day + dt.timedelta(days=rng.randint(90, 540)))
            self._add(Episode(day, rne, ls, *place))
            if nxt >= horizon - dt.timedelta(days=min_last_days):
                break
            kind = rng.random()
            new_ls = "C2" if ls in ("C1", "V2") and kind < 0.35 else ls
            if new_ls != ls and kind < 0.25:
                rne = "L"
            else:
                self.ls = new_ls
                rne, place = ("B" if new_ls != ls else "P"), self._different_placement(nxt, place[0])
                self.child.episodes[-1].reason = rng.choice(CHANGE_REASONS)
            ls, day = new_ls, nxt
        if last_place is not None and self.child.episodes[-1].place != last_place and end is not None:
            swap = _clear_of_year_end(max(day + dt.timedelta(days=20), end - dt.timedelta(days=rng.randint(40, 120))))
            if swap < end - dt.timedelta(days=10):
                self.child.episodes[-1].reason = "CARPL"
                self._add(Episode(swap, "P", ls, *self.placement(swap, place=last_place)))
        last = self.child.episodes[-1]
        last.dec, last.rec = end, rec
        if end is None:
            last.reason = None

    def _add(self, episode: Episode) -> None:
        episodes = self.child.episodes
        if episodes:
            episodes[-1].dec, episodes[-1].rec = episode.decom, "X1"
        episodes.append(episode)

    def reviews(self, start: dt.date, end: dt.date | None, until: dt.date) -> None:
        day = add_working_days(start, self.rng.randint(10, 19))
        gaps = [self.rng.randint(60, 88)] + [self.rng.randint(120, 178) for _ in range(40)]
        stop = min(end or until, until)
        for gap in gaps:
            if day > stop:
                break
            under_4 = day < _plus_years(self.child.dob, 4)
            self.child.reviews.append(
                (day, "PN0" if under_4 else self.rng.choice(("PN1", "PN1", "PN2", "PN4", "PN5", "PN7")))
            )
            day = day + dt.timedelta(days=gap)

    def social_workers(self, start: dt.date, end: dt.date | None, until: dt.date) -> None:
        day, reason = start, "FCONTA"
        while True:
            nxt = _clear_of_year_end(day + dt.timedelta(days=self.rng.randint(150, 420)))
            worker = f"SW{self.rng.randint(10000, 10299)}"
            if (end is not None and nxt >= end - dt.timedelta(days=10)) or nxt > until:
                self.child.social_workers.append((worker, day, end, reason))
                return
            self.child.social_workers.append((worker, day, nxt, reason))
            day, reason = nxt, self.rng.choice(SW_REASONS)

    def missing(self, window_start: dt.date, window_end: dt.date) -> None:
        if self.rng.random() > 0.18:
            return
        for episode in self.child.episodes:
            lo = max(episode.decom + 2 * DAY, window_start)
            hi = min(episode.dec or window_end, window_end) - dt.timedelta(days=8)
            if hi <= lo or self.rng.random() > 0.5:
                continue
            start = _between(self.rng, lo, hi)
            self.child.missing.append(
                (self.rng.choice(("M", "A")), start, start + dt.timedelta(days=self.rng.randint(0, 4)))
            )


def _new_child(rng: random.Random, index: int, dob: dt.date, *, uasc: bool = False) -> Child:
    sex = rng.choice(("M", "F"))
    upn = f"{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{index:06d}{rng.randint(0, 999999):06d}"
    ethnic = rng.choice(sorted(codes("ethnicity")))
    cin = rng.choice(("N1", "N1", "N1", "N2", "N3", "N4", "N5", "N6", "N8"))
    home = None if uasc else rng.choice(HOME_POSTCODES)
    return Child(f"DEMO{index:06d}", sex, dob, ethnic, upn, cin, home, uasc=uasc)


def _scenario(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in (
        ("long_stay", 0.40),
        ("new", 0.18),
        ("left", 0.13),
        ("adopted", 0.05),
        ("adopting", 0.03),
        ("turning_18", 0.06),
        ("care_leaver", 0.09),
        ("uasc", 0.06),
    ):
        if roll < share:
            return name
        roll -= share
    return "long_stay"


def simulate_child(index: int, seed: int, year: str, la_code: str = "E09000023") -> Child:
    """The history of child `index` (independent of how many other children are simulated)."""
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 - reproducible synthetic data, not security
    end = dt.date(year_end(year), 3, 31)
    start = dt.date(end.year - 1, 4, 1)
    scenario = _scenario(rng)
    return _SCENARIOS[scenario](rng, index, start, end, la_code)


def _finish(b: _Builder, start: dt.date, end: dt.date) -> Child:
    child, period_start = b.child, b.child.episodes[0].decom
    period_end = child.episodes[-1].dec if child.episodes[-1].rec else None
    horizon = end + dt.timedelta(days=400)
    b.reviews(period_start, period_end, horizon)
    b.social_workers(period_start, period_end, horizon)
    b.missing(dt.date(start.year - 1, 4, 1), end)
    return child


def _long_stay(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    dob = _between(rng, end - dt.timedelta(days=int(17.5 * 365)), end - dt.timedelta(days=400))
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    begin = _between(
        rng, max(dob + dt.timedelta(days=10), end - dt.timedelta(days=8 * 365)), start - dt.timedelta(days=30)
    )
    b.period(_clear_of_year_end(begin), None, None, rng.choice(("C1", "C2", "V2")), emergency=rng.random() < 0.1)
    age_now = (end - dob).days / 365.25
    if child.sex == "F" and age_now > 15.5 and rng.random() < 0.3:
        # Born on or before the last placement change that last year's return already shows.
        closed = [e.dec for e in child.episodes if e.dec is not None and e.dec <= start - DAY]
        earliest = dob + dt.timedelta(days=int(14.5 * 365))
        if closed and closed[-1] > earliest:
            child.mc_dob = _between(rng, earliest, closed[-1])
    return _finish(b, start, end)


def _new(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    begin = _clear_of_year_end(_between(rng, start + DAY, end - dt.timedelta(days=45)))
    dob = _between(rng, begin - dt.timedelta(days=int(16.5 * 365)), begin - dt.timedelta(days=30))
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    child.prev_perm = rng.choice(
        (
            ("Z1", None, None),
            ("Z1", None, None),
            ("P2", rng.choice(LA_PERM), None),
            ("P3", rng.choice(LA_PERM), None),
        )
    )
    if child.prev_perm[0] != "Z1":
        when = _between(rng, dob + DAY, begin - 10 * DAY)
        # A partial date ("ZZ/MM/YYYY") reads as the month's end, so only use one for an earlier month.
        same_month = (when.year, when.month) == (begin.year, begin.month)
        written = format_date(when) if same_month or rng.random() < 0.5 else f"ZZ/{when:%m/%Y}"
        child.prev_perm = (child.prev_perm[0], child.prev_perm[1], written)
    b.period(begin, None, None, rng.choice(("C1", "V2", "V2")), emergency=rng.random() < 0.15)
    return _finish(b, start, end)


def _left(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    leave = _clear_of_year_end(_between(rng, start + dt.timedelta(days=15), end - dt.timedelta(days=15)))
    dob = _between(rng, leave - dt.timedelta(days=int(16.8 * 365)), leave - dt.timedelta(days=500))
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    begin = _clear_of_year_end(
        _between(rng, max(dob + 10 * DAY, leave - dt.timedelta(days=5 * 365)), leave - dt.timedelta(days=60))
    )
    rec = rng.choice(("E4A", "E4A", "E13", "E41", "E8", "E45", "E3"))
    last_place = "U4" if rec == "E45" else None
    if begin >= start:
        child.prev_perm = ("Z1", None, None)
    b.period(begin, leave, rec, rng.choice(("C1", "C2", "V2")), last_place=last_place)
    if rec == "E45" and not child.episodes[-1].place.startswith("U"):
        child.episodes[-1].rec = "E13"  # an SGO to former foster carers needs a foster placement (516)
    return _finish(b, start, end)


def _adoption(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str, *, adopted: bool) -> Child:
    adopt = _clear_of_year_end(_between(rng, start + dt.timedelta(days=20), end - dt.timedelta(days=20)))
    if not adopted:
        adopt = end + dt.timedelta(days=rng.randint(60, 300))
    a_start = _clear_of_year_end(adopt - dt.timedelta(days=rng.randint(100, 250)))
    match = a_start - dt.timedelta(days=rng.randint(10, 50))
    order = match - dt.timedelta(days=rng.randint(30, 100))
    decision = order - dt.timedelta(days=rng.randint(20, 80))
    begin = _clear_of_year_end(decision - dt.timedelta(days=rng.randint(150, 300)))
    dob = _between(rng, begin - dt.timedelta(days=4 * 365), begin - dt.timedelta(days=20))
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    with_carers = rng.random() < 0.3
    foster = b.placement(begin, place="U6")
    child.episodes.append(Episode(begin, "S", "C1", *foster))
    mid = begin + dt.timedelta(days=rng.randint(60, 120))
    b._add(Episode(mid, "L", "C2", *foster))
    b._add(Episode(order, "L", "E1", *foster))
    place = ("A5", "PR1", foster[2], "XXXXXXX") if with_carers else b.placement(a_start, place="A6")
    b._add(Episode(a_start, "T" if with_carers else "P", "E1", *place))
    child.episodes[-2].reason = "CARPL"
    child.placed_adoption = decision
    if adopted:
        child.episodes[-1].dec, child.episodes[-1].rec = adopt, rng.choice(("E11", "E12"))
        pair = rng.choice(
            (
                ("1", "F1", "L0"),
                ("1", "M1", "L0"),
                ("2", "MF", "L11"),
                ("2", "FF", "L12"),
                ("2", "MM", "L4"),
                ("2", "MF", "L3"),
            )
        )
        child.adoption = {
            "DATE_INT": format_date(decision),
            "DATE_MATCH": format_date(match),
            "FOSTER_CARE": "1" if with_carers else "0",
            "NB_ADOPTR": pair[0],
            "SEX_ADOPTR": pair[1],
            "LS_ADOPTR": pair[2],
        }
    return _finish(b, start, end)


def _turning_18(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    birthday = _clear_of_year_end(_between(rng, start + dt.timedelta(days=20), end - dt.timedelta(days=20)))
    dob = _plus_years(birthday, -18)
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    begin = _clear_of_year_end(_between(rng, _plus_years(dob, 13), _plus_years(dob, 16)))
    b.period(begin, _plus_years(dob, 18), rng.choice(("E17", "E5")), rng.choice(("C2", "V2")))
    return _finish(b, start, end)


def _care_leaver(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    birthday19 = _clear_of_year_end(_between(rng, start + dt.timedelta(days=20), end - dt.timedelta(days=20)))
    dob = _plus_years(birthday19, -19)
    child = _new_child(rng, index, dob)
    b = _Builder(rng, child, la)
    begin = _clear_of_year_end(_between(rng, _plus_years(dob, 14), _plus_years(dob, 16)))
    # A long last placement, so last year's return alone shows 13 weeks in care after 14 (rule 1001).
    b.period(begin, _plus_years(dob, 18), rng.choice(("E17", "E5")), "C2", min_last_days=200)
    child.care_leaver_from = end.year
    touch = rng.choice(("YES", "YES", "YES", "YES", "NO", "REFU", "NREQ"))
    if touch == "YES":
        child.oc3 = {
            "IN_TOUCH": touch,
            "ACTIV": rng.choice(("F1", "F2", "P2", "F4", "F5", "G4", "G5", "G6")),
            "ACCOM": rng.choice(("B1", "D1", "E1", "K1", "U1", "U1", "Z1", "V2")),
        }
    else:
        child.oc3 = {"IN_TOUCH": touch, "ACTIV": "0", "ACCOM": "0"}
    return _finish(b, start, end)


def _uasc(rng: random.Random, index: int, start: dt.date, end: dt.date, la: str) -> Child:
    dob = _between(rng, start - dt.timedelta(days=int(17.6 * 365)), start - dt.timedelta(days=int(14.5 * 365)))
    if _plus_years(dob, 18).month == 3 and _plus_years(dob, 18).day >= 25:
        dob -= dt.timedelta(days=10)
    child = _new_child(rng, index, dob, uasc=True)
    b = _Builder(rng, child, la)
    begin = _clear_of_year_end(
        _between(rng, max(_plus_years(dob, 14), start - dt.timedelta(days=500)), end - dt.timedelta(days=60))
    )
    begin = min(begin, _plus_years(dob, 18) - dt.timedelta(days=60))
    leave = _plus_years(dob, 18)
    b.period(begin, leave, rng.choice(("E5", "E17")), "V2")
    return _finish(b, start, end)


_SCENARIOS: dict[str, Callable[[random.Random, int, dt.date, dt.date, str], Child]] = {
    "long_stay": _long_stay,
    "new": _new,
    "left": _left,
    "adopted": lambda rng, i, s, e, la: _adoption(rng, i, s, e, la, adopted=True),
    "adopting": lambda rng, i, s, e, la: _adoption(rng, i, s, e, la, adopted=False),
    "turning_18": _turning_18,
    "care_leaver": _care_leaver,
    "uasc": _uasc,
}


# ---- cutting a return for one collection year ----------------------------------------------------


@dataclass(frozen=True)
class _Year:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, year: str) -> _Year:
        end = dt.date(int(year[:4]) + 1, 3, 31)  # any year, including last year's of a supported one
        return cls(dt.date(end.year - 1, 4, 1), end)

    def open_at_end(self, day: dt.date | None) -> bool:
        return day is None or day > self.end


def _d(day: dt.date | None) -> str | None:
    return format_date(day)


def _episode_rows(child: Child, y: _Year) -> list[dict[str, str | None]]:
    rows = []
    for e in child.episodes:
        if e.decom > y.end or (e.dec is not None and e.dec < y.start):
            continue
        still_open = y.open_at_end(e.dec)
        rows.append(
            {
                "CHILD": child.child_id,
                "DECOM": _d(e.decom),
                "RNE": e.rne,
                "LS": e.ls,
                "CIN": child.cin,
                "PLACE": e.place,
                "PLACE_PROVIDER": e.provider,
                "DEC": None if still_open else _d(e.dec),
                "REC": None if still_open else e.rec,
                "REASON_PLACE_CHANGE": None if still_open else e.reason,
                "HOME_POST": child.home_post,
                "PL_POST": e.pl_post,
                "URN": e.urn,
            }
        )
    return rows


def _continuously_looked_after(child: Child, y: _Year) -> bool:
    first, last = child.episodes[0], child.episodes[-1]
    ends_in_year = last.rec is not None and last.dec is not None and y.start <= last.dec < y.end
    return first.decom <= y.start and not ends_in_year and (last.dec is None or last.dec >= y.start)


def _oc2_row(child: Child, y: _Year, rng: random.Random) -> dict[str, str | None]:
    age_end = (y.end - child.dob).days / 365.25
    four, seventeen = _plus_years(child.dob, 4), _plus_years(child.dob, 17)
    row: dict[str, str | None] = {"CHILD": child.child_id, "DOB": _d(child.dob)}
    if four <= y.start and seventeen > y.end:
        if rng.random() < 0.8:
            row["SDQ_SCORE"] = str(rng.randint(0, 40))
        else:
            row["SDQ_REASON"] = rng.choice(("SDQ2", "SDQ3", "SDQ4", "SDQ5"))
    elif y.start <= four <= y.end or y.start <= seventeen <= y.end:
        row["SDQ_REASON"] = "SDQ1"
    row["CONVICTED"] = rng.choice("0000001") if _plus_years(child.dob, 10) < y.end else None
    row["HEALTH_CHECK"] = rng.choice("011") if age_end < 5 else None
    for item in ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT"):
        row[item] = rng.choice("0111111")
    misuse = rng.choice("00000001") if age_end >= 11 else "0"
    row["SUBSTANCE_MISUSE"] = misuse
    if misuse == "1":
        received = rng.choice("01")
        row["INTERVENTION_RECEIVED"] = received
        row["INTERVENTION_OFFERED"] = rng.choice("01") if received == "0" else None
    return row


def _header_row(child: Child, y: _Year, in_care: bool) -> dict[str, str | None]:
    school_age = _plus_years(child.dob, 4) <= dt.date(y.start.year - 1, 8, 31)
    mother = mc_dob = None
    if in_care and child.sex == "F":
        is_mother = child.mc_dob is not None and child.mc_dob <= y.end
        mother, mc_dob = ("1", _d(child.mc_dob)) if is_mother else ("0", None)
    return {
        "CHILD": child.child_id,
        "SEX": child.sex,
        "DOB": _d(child.dob),
        "ETHNIC": child.ethnic,
        "UPN": child.upn if school_age else "UN1",
        "MOTHER": mother,
        "MC_DOB": mc_dob,
    }


def _rows_for_year(child: Child, y: _Year, seed: int) -> dict[str, list[dict[str, str | None]]]:
    out: dict[str, list[dict[str, str | None]]] = {name: [] for name in (*CORE_TABLES, "DoLo")}
    episodes = _episode_rows(child, y)
    leaver = child.care_leaver_from == y.end.year and child.oc3 is not None
    if not episodes and not leaver:
        return out
    out["Header"].append(_header_row(child, y, bool(episodes)))
    ident = {"CHILD": child.child_id, "DOB": _d(child.dob)}
    if leaver:
        out["OC3"].append({**ident, **(child.oc3 or {})})
    if not episodes:
        return out
    out["Episodes"] = episodes
    rng = random.Random(seed * 7919 + y.end.year * 31 + int(child.child_id[4:]))  # noqa: S311 - synthetic
    out["Reviews"] = [
        {**ident, "REVIEW": _d(day), "REVIEW_CODE": code} for day, code in child.reviews if y.start <= day <= y.end
    ]
    out["Missing"] = [
        {**ident, "MISSING": kind, "MIS_START": _d(a), "MIS_END": None if b > y.end else _d(b)}
        for kind, a, b in child.missing
        if a <= y.end and b >= y.start
    ]
    year_before = dt.date(y.start.year - 1, 4, 1)
    out["SWEpisodes"] = [
        {
            **ident,
            "SW_ID": worker,
            "SW_DECOM": _d(a),
            "SW_DEC": None if y.open_at_end(b) else _d(b),
            "SW_REASON": why,
        }
        for worker, a, b, why in child.social_workers
        if a <= y.end and (b is None or b >= year_before)
    ]
    if _continuously_looked_after(child, y):
        out["OC2"].append(_oc2_row(child, y, rng))
    starts = [e for e in child.episodes if e.rne == "S" and y.start <= e.decom <= y.end]
    if starts:
        code, la, when = child.prev_perm
        out["PrevPerm"].append({**ident, "PREV_PERM": code, "LA_PERM": la, "DATE_PERM": when})
    if child.uasc:
        out["UASC"].append(
            {
                "CHILD": child.child_id,
                "SEX": child.sex,
                "DOB": _d(child.dob),
                "DUC": _d(_plus_years(child.dob, 18)),
            }
        )
    if child.placed_adoption is not None and child.placed_adoption <= y.end:
        out["PlacedAdoption"].append({**ident, "DATE_PLACED": _d(child.placed_adoption)})
    last = child.episodes[-1]
    if child.adoption and last.dec is not None and y.start <= last.dec <= y.end:
        out["AD1"].append({**ident, **child.adoption})
    if y.end.year >= DOLO_FROM:
        out["DoLo"] = _dolo_rows(child, y, rng)
    return out


DOLO_FROM = 2027  # deprivation of liberty orders are collected from 2026-27


def _dolo_rows(child: Child, y: _Year, rng: random.Random) -> list[dict[str, str | None]]:
    """A DoLO inside a children's home placement (K2) for some children placed there this year."""
    for e in child.episodes:
        first = max(e.decom, y.start) + dt.timedelta(days=rng.randint(3, 20))
        last = min(e.dec or y.end, y.end) - dt.timedelta(days=5)
        if e.place == "K2" and (last - first).days > 40 and rng.random() < 0.4:
            end = first + dt.timedelta(days=rng.randint(20, (last - first).days))
            return [{"CHILD": child.child_id, "DOB": _d(child.dob), "DOLO_START": _d(first), "DOLO_END": _d(end)}]
    return []


def build_return(children: list[Child], year: str, seed: int = 0) -> dict[str, pl.DataFrame]:
    """The tables of collection `year` cut from the children's histories (all core tables present)."""
    y = _Year.of(year)
    names = (*CORE_TABLES, "DoLo") if y.end.year >= DOLO_FROM else CORE_TABLES
    collected: dict[str, list[dict[str, str | None]]] = {name: [] for name in names}
    for child in children:
        for name, rows in _rows_for_year(child, y, seed).items():
            if name in collected:
                collected[name].extend(rows)
    return {name: table_from_rows(name, rows) for name, rows in collected.items()}


def previous_year(year: str) -> str:
    """ "2025-26" -> "2024-25"."""
    first = int(year[:4]) - 1
    return f"{first}-{str(first + 1)[2:]}"


def synthetic_903(
    n: int, *, seed: int = 903, year: str = "2025-26", la_code: str = "E09000023", with_previous: bool = False
) -> dict[str, pl.DataFrame] | tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """A valid return for `n` simulated children (with `with_previous`, also last year's, cut from the same
    histories)."""
    children = [simulate_child(i, seed, year, la_code) for i in range(1, n + 1)]
    this = build_return(children, year, seed)
    if not with_previous:
        return this
    return this, build_return(children, previous_year(year), seed)


# ---- breakers: one rule broken for one child ------------------------------------------------------

Value = str | None | Callable[[dict[str, str | None]], str | None]


@dataclass(frozen=True)
class Breaker:
    """Break `rule` for one child: change one row of `table` that matches `where`."""

    rule: str
    table: str
    where: pl.Expr
    values: dict[str, Value]
    from_year: int = 2025  # first collection end-year the rule exists in

    def apply(self, tables: dict[str, pl.DataFrame], used: set[str]) -> str | None:
        """Change the first matching row of a child not in `used`; returns that child (or None)."""
        frame = tables[self.table].with_row_index("_i")
        candidates = frame.filter(self.where.fill_null(False) & ~pl.col("CHILD").is_in(list(used)))
        if candidates.height == 0:
            return None
        row = candidates.row(0, named=True)
        changed = {k: (v(row) if callable(v) else v) for k, v in self.values.items()}
        index = row["_i"]
        updates = [
            pl.when(pl.col("_i") == index).then(pl.lit(v, dtype=pl.String)).otherwise(pl.col(k)).alias(k)
            for k, v in changed.items()
        ]
        tables[self.table] = frame.with_columns(updates).drop("_i")
        used.add(row["CHILD"])
        return row["CHILD"]


def _col(name: str) -> pl.Expr:
    return pl.col(name)


def _shifted(column: str, days: int) -> Callable[[dict[str, str | None]], str | None]:
    def value(row: dict[str, str | None]) -> str | None:
        day = dt.datetime.strptime(row[column] or "", "%d/%m/%Y").date()  # noqa: DTZ007 (a date)
        return format_date(day + dt.timedelta(days=days))

    return value


def _day_before(column: str) -> Callable[[dict[str, str | None]], str | None]:
    return _shifted(column, -1)


U_PLACES = ["U1", "U3", "U4", "U6"]
_NOT_FIRST = ~pl.col("CHILD").is_first_distinct()  # a later episode of the child, so one precedes it


BREAKERS: tuple[Breaker, ...] = (
    Breaker("101", "Header", _col("SEX") == "M", {"SEX": "X"}),
    Breaker("103", "Header", _col("ETHNIC").is_not_null(), {"ETHNIC": "XXXX"}),
    Breaker("168", "Header", _col("UPN") != "UN1", {"UPN": "I1234"}),
    Breaker("174", "Header", _col("SEX") == "M", {"MC_DOB": "01/06/2020"}),
    Breaker("611", "Header", _col("MOTHER") == "0", {"MOTHER": "1"}),
    Breaker("612", "Header", _col("MOTHER") == "0", {"MC_DOB": "01/06/2020"}),
    Breaker("143", "Episodes", _col("RNE") == "P", {"RNE": "Q"}),
    Breaker("144", "Episodes", _col("LS") == "C2", {"LS": "Z9"}),
    Breaker("145", "Episodes", _col("CIN").is_not_null(), {"CIN": "N9"}),
    Breaker("146", "Episodes", _col("PLACE") == "U6", {"PLACE": "Q1"}),
    Breaker("149", "Episodes", _col("REC").is_in(["E4A", "E13", "E8"]), {"REC": "E99"}),
    Breaker("148", "Episodes", _col("REC").is_in(["E4A", "E13", "E8"]), {"REC": None}),
    Breaker("141", "Episodes", _col("RNE") == "P", {"DECOM": "32/13/2025"}),
    Breaker("147", "Episodes", _col("REC").is_in(["E4A", "E13"]), {"DEC": "2025-05-01"}),
    Breaker("355", "Episodes", _col("REC").is_in(["E4A", "E13"]), {"DEC": lambda row: row["DECOM"]}),
    Breaker("218", "Episodes", _col("PLACE").is_in(["U4", "U6"]) & _col("DEC").is_null(), {"URN": None}),
    Breaker("222", "Episodes", _col("PLACE") == "P1", {"URN": "SC123456"}),
    Breaker("526", "Episodes", _col("PLACE").is_in(["U4", "U6"]), {"PLACE_PROVIDER": None}),
    Breaker("550", "Episodes", _col("PLACE").is_in(["U4", "U6"]), {"PLACE_PROVIDER": "PR0"}),
    Breaker("392c", "Episodes", _col("HOME_POST").is_not_null(), {"HOME_POST": "ZZ99 9ZZ"}),
    Breaker("392b", "Episodes", _col("HOME_POST").is_not_null() & (_col("PLACE") != "P1"), {"PL_POST": None}),
    Breaker(
        "392d",
        "Episodes",
        _col("HOME_POST").is_not_null() & (_col("PLACE") == "U6"),
        {"PL_POST": lambda row: row["HOME_POST"]},
    ),
    Breaker("408", "Episodes", _col("PLACE").is_in(["A5", "A6"]), {"LS": "C2"}),
    Breaker("378", "Episodes", _col("PLACE") == "P1", {"LS": "V2"}),
    Breaker("1009", "Episodes", _col("REASON_PLACE_CHANGE").is_not_null(), {"REASON_PLACE_CHANGE": "BAD"}),
    Breaker(
        "233",
        "Episodes",
        _col("DEC").is_null() & _col("PLACE").is_in(["U4", "U6"]),
        {"REASON_PLACE_CHANGE": "CARPL"},
        from_year=2026,
    ),
    Breaker(
        "454",
        "Episodes",
        _col("HOME_POST").is_not_null() & _col("PLACE").is_in(["U4", "U6"]),
        {"PL_POST": "IV2 2AA", "URN": None},
        from_year=2026,
    ),
    Breaker("166", "Reviews", _col("REVIEW").is_not_null(), {"REVIEW": "2025-01-01"}),
    Breaker("167", "Reviews", _col("REVIEW_CODE").is_not_null(), {"REVIEW_CODE": "PN9"}),
    Breaker("440", "Reviews", _col("REVIEW_CODE") == "PN5", {"REVIEW_CODE": "PN0"}),
    Breaker("1006", "Missing", _col("MISSING").is_not_null(), {"MISSING": "X"}),
    Breaker("567", "Missing", _col("MIS_END").is_not_null(), {"MIS_END": _day_before("MIS_START")}),
    Breaker("131", "OC3", _col("IN_TOUCH") == "YES", {"IN_TOUCH": "MAYBE"}),
    Breaker("132", "OC3", _col("IN_TOUCH") == "YES", {"ACTIV": "Z9"}),
    Breaker("133", "OC3", _col("IN_TOUCH") == "YES", {"ACCOM": "S1"}),
    Breaker("180", "OC2", _col("SDQ_SCORE").is_not_null(), {"SDQ_SCORE": "41"}),
    Breaker("181", "OC2", _col("IMMUNISATIONS").is_not_null(), {"IMMUNISATIONS": "2"}),
    Breaker("193", "OC2", _col("SUBSTANCE_MISUSE") == "0", {"INTERVENTION_RECEIVED": "1"}),
    Breaker("175", "AD1", _col("NB_ADOPTR").is_not_null(), {"NB_ADOPTR": "3"}),
    Breaker("176", "AD1", _col("SEX_ADOPTR").is_not_null(), {"SEX_ADOPTR": "XX"}),
    Breaker("177", "AD1", _col("LS_ADOPTR").is_not_null(), {"LS_ADOPTR": "L9"}),
    Breaker("631", "PrevPerm", _col("PREV_PERM").is_not_null(), {"PREV_PERM": "P9"}),
    Breaker("104", "UASC", _col("DUC").is_not_null(), {"DUC": "32/01/2020"}),
    Breaker("SW02STG1", "SWEpisodes", _col("SW_ID").is_not_null(), {"SW_ID": "AB123"}),
    Breaker("SW13STG1", "SWEpisodes", _col("SW_REASON") != "FCONTA", {"SW_REASON": "BADRSN"}),
    Breaker(
        "SW18STG2", "SWEpisodes", _col("SW_DEC").is_not_null(), {"SW_DEC": lambda row: row["SW_DECOM"]}, from_year=2026
    ),
    Breaker("702", "DoLo", _col("DOLO_END").is_not_null(), {"DOLO_END": _day_before("DOLO_START")}, from_year=2027),
    Breaker("700", "DoLo", _col("DOLO_START").is_not_null(), {"DOLO_START": None}, from_year=2027),
    Breaker("703", "DoLo", _col("DOLO_START").is_not_null(), {"DOLO_START": "01/05/2030"}, from_year=2027),
    Breaker("102", "Header", _col("DOB").is_not_null(), {"DOB": "31/02/2010"}),
    Breaker("171", "Header", _col("MOTHER") == "1", {"MC_DOB": "2020-01-01"}),
    Breaker("209", "Header", _col("UPN") != "UN1", {"UPN": "UN1"}),
    Breaker("356", "Episodes", _col("REC").is_in(["E4A", "E13"]), {"DEC": _day_before("DECOM")}),
    Breaker("385", "Episodes", _col("REC").is_in(["E4A", "E13"]), {"DEC": "01/05/2030"}),
    Breaker("390", "Episodes", _col("REC").is_in(["E4A", "E13"]), {"REC": "E11"}),
    Breaker("431", "Episodes", (_col("RNE") == "P") & _NOT_FIRST, {"RNE": "S"}),
    Breaker("433", "Episodes", (_col("RNE") == "P") & _NOT_FIRST, {"DECOM": _shifted("DECOM", 1)}),
    Breaker("434", "Episodes", (_col("RNE") == "P") & _NOT_FIRST, {"RNE": "L"}),
    Breaker("435", "Episodes", (_col("RNE") == "L") & _NOT_FIRST, {"RNE": "P"}),
    Breaker("436", "Episodes", (_col("RNE") == "P") & _NOT_FIRST, {"RNE": "B"}),
    Breaker("437", "Episodes", (_col("REC") == "X1") & _col("RNE").is_in(["P", "L"]), {"REC": "E2"}),
    Breaker("516", "Episodes", _col("REC").is_in(["E4A", "E13"]) & ~_col("PLACE").is_in(U_PLACES), {"REC": "E45"}),
    Breaker("527", "Episodes", _col("PLACE") == "P1", {"PLACE_PROVIDER": "PR1"}),
    Breaker("529", "Episodes", _col("PLACE").is_in(U_PLACES), {"PLACE_PROVIDER": "PR3"}),
    Breaker("530", "Episodes", _col("PLACE") == "P1", {"PLACE_PROVIDER": "PR4"}),
    Breaker("531", "Episodes", _col("PLACE") == "P1", {"PLACE_PROVIDER": "PR5"}),
    Breaker("178", "Episodes", _col("PLACE_PROVIDER") == "PR4", {"PLACE_PROVIDER": "PR9"}),
    Breaker("217", "Episodes", _col("PLACE") == "A5", {"RNE": "P"}),
    Breaker("1015", "Episodes", (_col("PLACE") == "K2") & (_col("PLACE_PROVIDER") == "PR1"), {"PL_POST": "BR1 1AA"}),
    Breaker("406", "Episodes", _col("HOME_POST").is_null() & _col("PL_POST").is_not_null(), {"HOME_POST": "SE6 1AA"}),
    Breaker("242", "Episodes", _col("PLACE").is_in(["K2", "K3"]), {"URN": "XXXXXXX"}, from_year=2026),
    Breaker(
        "243",
        "Episodes",
        _col("PLACE").is_in(U_PLACES) & _col("URN").is_not_null(),
        {"PL_POST": "CF10 1AA"},
        from_year=2026,
    ),
    Breaker("241", "Episodes", _col("PLACE") == "K3", {"PL_POST": "BR1 1AA"}, from_year=2026),
    Breaker("441", "Reviews", _col("REVIEW_CODE") == "PN0", {"REVIEW_CODE": "PN5"}),
    Breaker("INT17", "Reviews", _col("DOB").is_not_null(), {"DOB": "01/01/2001"}),
    Breaker("564", "Missing", _col("MIS_START").is_not_null(), {"MIS_START": None}),
    Breaker("565", "Missing", _col("MISSING").is_not_null(), {"MISSING": None}),
    Breaker("571", "Missing", _col("MIS_END").is_not_null(), {"MIS_END": "01/05/2030"}),
    Breaker("153", "OC3", _col("IN_TOUCH") == "YES", {"ACCOM": None}),
    Breaker("344", "OC3", _col("IN_TOUCH") == "YES", {"IN_TOUCH": "DIED"}),
    Breaker("345", "OC3", _col("IN_TOUCH") == "YES", {"ACTIV": "0"}),
    Breaker("157", "OC2", _col("SDQ_SCORE").is_not_null(), {"SDQ_SCORE": None, "SDQ_REASON": "SDQ1"}),
    Breaker("197a", "OC2", _col("SDQ_SCORE").is_not_null(), {"SDQ_REASON": "SDQ2"}),
    Breaker("192", "OC2", _col("SUBSTANCE_MISUSE") == "0", {"SUBSTANCE_MISUSE": "1"}),
    Breaker("182", "OC2", _col("CONVICTED").is_not_null(), {"IMMUNISATIONS": None}),
    Breaker("543", "OC2", _col("CONVICTED").is_not_null(), {"CONVICTED": None}),
    Breaker("546", "OC2", _col("HEALTH_CHECK").is_null(), {"HEALTH_CHECK": "1"}),
    Breaker("114", "AD1", _col("FOSTER_CARE").is_not_null(), {"FOSTER_CARE": "2"}),
    Breaker("112", "AD1", _col("DATE_INT").is_not_null(), {"DATE_INT": "2020-01-01"}),
    Breaker("151", "AD1", _col("LS_ADOPTR").is_not_null(), {"LS_ADOPTR": None}),
    Breaker("511", "AD1", _col("NB_ADOPTR") == "2", {"SEX_ADOPTR": "M1"}),
    Breaker("115", "PlacedAdoption", _col("DATE_PLACED").is_not_null(), {"DATE_PLACED": "2020-01-01"}),
    Breaker("119", "PlacedAdoption", _col("DATE_PLACED").is_not_null(), {"REASON_PLACED_CEASED": "RD1"}),
    Breaker(
        "120",
        "PlacedAdoption",
        _col("DATE_PLACED").is_not_null(),
        {"REASON_PLACED_CEASED": "RD9", "DATE_PLACED_CEASED": _shifted("DATE_PLACED", 30)},
    ),
    Breaker("630", "PrevPerm", _col("PREV_PERM") == "Z1", {"PREV_PERM": "P2"}),
    Breaker("633", "PrevPerm", _col("LA_PERM").is_not_null(), {"LA_PERM": "999X"}),
    Breaker("635", "PrevPerm", _col("PREV_PERM") == "Z1", {"PREV_PERM": None, "LA_PERM": "209"}),
    Breaker("304", "UASC", _col("DUC").is_not_null(), {"DUC": "01/01/2099"}),
    Breaker("INT21", "UASC", _col("SEX") == "M", {"SEX": "F"}),
    Breaker("SW06STG2", "SWEpisodes", _col("SW_DEC").is_null(), {"SW_DECOM": "01/05/2030"}),
    Breaker("SW09STG2", "SWEpisodes", _col("SW_DEC").is_not_null(), {"SW_DEC": lambda row: row["SW_DECOM"]}),
)


def broken_corpus(n: int, *, seed: int = 904, year: str = "2025-26") -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """A synthetic return with every breaker of the year applied to a different child.

    Returns the tables and {rule: child} for each rule deliberately broken.
    """
    tables = dict(synthetic_903(n, seed=seed, year=year))  # type: ignore[arg-type]
    used: set[str] = set()
    broken: dict[str, str] = {}
    for breaker in BREAKERS:
        if breaker.from_year > int(year[:4]) + 1 or breaker.table not in tables:
            continue
        child = breaker.apply(tables, used)
        if child is not None:
            broken[breaker.rule] = child
    return tables, broken


# ---- Ofsted's provider lists, consistent with a return ---------------------------------------------

PROVIDER_POSTCODE_PLACEMENTS = ("K1", "K2", "K3", "R3", "S1")


def synthetic_providers(tables: dict[str, pl.DataFrame], year: str, la_code: str = "E09000023") -> list[ProviderRow]:
    """A provider register that every URN in `tables` (a valid return) agrees with.

    Each URN (other than XXXXXXX) gets the placement types and providers its episodes use; its
    postcode is the placement postcode where the DfE compares the two (K1, K2, K3, R3, S1), otherwise a
    postcode in the council's area for an own provider (PR1) and outside it for others, so rule 229
    holds. Every tenth provider closed after the collection year ends. Synthetic: no names.
    """
    from .postcodes import SYNTHETIC_POSTCODES

    own = next(p for p, (la, _e, _n) in SYNTHETIC_POSTCODES.items() if la == la_code)
    other = next(p for p, (la, _e, _n) in SYNTHETIC_POSTCODES.items() if la not in (la_code, "SCO", "WAL", "NIR"))
    episodes = tables["Episodes"].filter(pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX"))
    end = dt.date(year_end(year), 3, 31)
    out: list[ProviderRow] = []
    for index, (urn, group) in enumerate(sorted(episodes.group_by("URN"), key=lambda g: str(g[0][0]))):
        places = tuple(dict.fromkeys(p for p in group["PLACE"].to_list() if p))
        providers = tuple(dict.fromkeys(p for p in group["PLACE_PROVIDER"].to_list() if p))
        placed_at = group.filter(pl.col("PLACE").is_in(PROVIDER_POSTCODE_PLACEMENTS))["PL_POST"].drop_nulls()
        postcode = str(placed_at[0]) if placed_at.len() else (own if "PR1" in providers else other)
        out.append(
            ProviderRow(
                urn=str(urn[0]),
                placement_codes=places,
                provider_codes=providers,
                postcode=postcode,
                closed=end + dt.timedelta(days=30) if index % 10 == 9 else None,
                provider_type="Children's Home" if "K2" in places else "Independent Fostering Agency",
                registered=dt.date(2010, 1, 1),
                places=4,
            )
        )
    return out


PROVIDER_LIST_COLUMNS = (
    "URN",
    "Provider type",
    "Setting name",
    "Local authority",
    "Placement code",
    "Placement provider code",
    "Registration date",
    "Deregistration date",
    "Setting address postcode",
    "Places",
)


def write_provider_list(rows: list[ProviderRow], path: str | Path) -> Path:
    """Write `rows` as Ofsted's combined provider list: one sheet (XLSX, dates as dates) or CSV."""
    target = Path(path)
    table = [
        [
            r.urn,
            r.provider_type,
            r.name,
            r.local_authority,
            ",".join(r.placement_codes),
            "/".join(r.provider_codes),
            r.registered,
            r.closed,
            r.postcode,
            r.places,
        ]
        for r in rows
    ]
    if target.suffix.lower() == ".csv":
        with target.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(PROVIDER_LIST_COLUMNS)
            out.writerows([[v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in r] for r in table])
        return target
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet("Providers")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, PROVIDER_LIST_COLUMNS)
    for i, values in enumerate(table, start=1):
        for j, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), dates)
            elif isinstance(value, int):
                sheet.write_number(i, j, value)
            elif value:
                sheet.write_string(i, j, str(value))
    book.close()
    return target


def _first(frame: pl.DataFrame, used: set[str]) -> dict[str, str | None] | None:
    """The first row of `frame` whose child is not in `used` (marking the child used)."""
    free = frame.filter(~pl.col("CHILD").is_in(list(used)))
    if free.height == 0:
        return None
    row = free.row(0, named=True)
    used.add(row["CHILD"])
    return row


def provider_breaks(
    tables: dict[str, pl.DataFrame], rows: list[ProviderRow], year: str, used: set[str] | None = None
) -> tuple[dict[str, pl.DataFrame], list[ProviderRow], dict[str, str]]:
    """Break each provider rule (1008, 219, 221, 224, 227, 228, 229) for one child of a valid return.

    The register entry of a URN only one child uses is changed (or, for 1008, the child's URN), so each
    break touches one child. Returns the tables, the register and {rule: child}.
    """
    used = set(used or ())
    register = {r.urn: r for r in rows}
    eps = tables["Episodes"].filter(pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX"))
    single = eps.filter(
        pl.col("URN").is_in(eps.group_by("URN").agg(n=pl.col("CHILD").n_unique()).filter(n=1)["URN"].implode())
    )
    single = single.filter(pl.col("URN").is_first_distinct())  # one episode per URN: the first
    started = pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    ended = pl.col("DEC").str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    year_start = dt.date(year_end(year) - 1, 4, 1)
    broken: dict[str, str] = {}
    own = list(OWN_LA_PLACEMENT_POSTCODES)

    def change(rule: str, where: pl.Expr, edit: Callable[[ProviderRow, dict[str, str | None]], ProviderRow]) -> None:
        row = _first(single.filter(where.fill_null(False)), used)
        if row is not None:
            urn = str(row["URN"])
            register[urn] = edit(register[urn], row)
            broken[rule] = str(row["CHILD"])

    recent = (ended >= year_start) | pl.col("DEC").is_null()
    row = _first(eps.filter(recent.fill_null(False)), used)
    if row is not None:
        frame = tables["Episodes"].with_row_index("_i")
        index = frame.filter((pl.col("CHILD") == row["CHILD"]) & (pl.col("URN") == row["URN"]))["_i"][0]
        tables["Episodes"] = frame.with_columns(
            URN=pl.when(pl.col("_i") == index).then(pl.lit("SC999990")).otherwise(pl.col("URN"))
        ).drop("_i")
        broken["1008"] = str(row["CHILD"])
    change("219", recent, lambda r, _e: replace(r, placement_codes=("R3",)))
    change(
        "221",
        recent
        & pl.col("PLACE").is_in(["K2", "K3"])
        & (pl.col("PLACE_PROVIDER") != "PR1")
        & ~pl.col("LS").is_in(["V3", "V4"]),
        lambda r, _e: replace(r, postcode=next(p for p in own if squash(p) != squash(r.postcode))),
    )
    change("224", recent & (pl.col("PLACE_PROVIDER") != "PR5"), lambda r, _e: replace(r, provider_codes=("PR5",)))
    change(
        "227",
        (started >= year_start).fill_null(False),
        lambda r, e: replace(r, closed=dt.datetime.strptime(str(e["DECOM"]), "%d/%m/%Y").date()),  # noqa: DTZ007
    )
    change(
        "228",
        (ended >= year_start) & (ended > started + dt.timedelta(days=2)),
        lambda r, e: replace(r, closed=dt.datetime.strptime(str(e["DEC"]), "%d/%m/%Y").date() - DAY),  # noqa: DTZ007
    )
    change(
        "229",
        recent & (pl.col("PLACE_PROVIDER") == "PR1") & pl.col("PLACE").is_in(["U1", "U3", "U4", "U6"]),
        lambda r, _e: replace(r, postcode="BR1 1AA"),
    )
    return tables, list(register.values()), broken


def squash(postcode: str) -> str:
    return postcode.replace(" ", "").upper()
