"""The synthetic population and queries of `bench/matching.py` (its own generator, not the demo's).

People come in households (one or two adults and up to four children) sharing a surname and a
postcode; children sometimes carry a double-barrelled surname, mothers sometimes their own, and
about 1% of births are twins (same surname, date of birth and address, different first names).
Names are drawn from six origins (British, South Asian, West African, Eastern European, Irish,
Arabic and Somali) with Zipf-like frequencies over a list of common names, plus a long tail of
rarer names made from syllables, so that name frequencies look like a real borough's: a few very
common names and many rare ones. About 1.5% of people get a second record (a duplicate) with one or
two errors and, usually, no identifiers.

Queries: "single" ones change one thing about a known person (a typo, a nickname, a sound-alike
spelling, an initial, the names swapped, half of a double surname, the day and month swapped, one
digit of the date, a move, a part left out, or an NHS number with a first name only); "hard" ones
change the name, the date of birth and the postcode at once; "unknown" ones describe people who are
not in the database. Everything is seeded: the same arguments give the same population.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from opencsc.demo.identifiers import test_nhs_number
from opencsc.people.matching.normalise import _nickname_table

ORIGINS: dict[str, dict[str, object]] = {
    "british": {
        "weight": 0.58,
        "surnames": "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
        "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper "
        "Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker "
        "Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller "
        "Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb",
        "boys": "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Freddie "
        "Alfie Theo Archie Joshua James Alexander Isaac Edward Samuel Joseph Daniel Max Lucas Ethan Benjamin Adam "
        "Harrison Mason Logan Dylan Sebastian Reggie Finley Toby Louie Jake Tommy Ryan Lewis Connor Callum Kyle "
        "Matthew Luke Michael David Christopher Andrew Stephen Paul Mark Richard Robert Anthony Peter John Steven",
        "girls": "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence Emily Ella "
        "Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper Matilda Ruby Emilia Maya "
        "Millie Isabelle Lucy Jessica Chloe Ellie Megan Holly Hannah Lauren Amy Rebecca Sarah Laura Emma Kirsty "
        "Samantha Nicola Claire Michelle Lisa Kelly Joanne Donna Tracey Karen Julie Victoria Katherine Elizabeth",
        "syllables": (
            "ash bar cal dun fen gar hal kin lar mor nor pen ros sal thw wal wes ald brid cot",
            "ford ley ton by ham well wood field worth stone bridge croft dale man son ey er ridge",
        ),
    },
    "south_asian": {
        "weight": 0.16,
        "surnames": "Khan Ahmed Hussain Ali Begum Patel Akhtar Rahman Iqbal Shah Mahmood Islam Uddin Miah Bibi "
        "Singh Kaur Sharma Chowdhury Hossain Malik Butt Riaz Aslam Javed Hassan Siddiqui Choudhury Parveen Sultana",
        "boys": "Muhammad Mohammed Ayaan Ibrahim Yusuf Zayn Adam Hamza Ali Omar Musa Rayyan Zakariya Abdullah "
        "Imran Arjun Aarav Rohan Dev Harjeet Amir Bilal Faisal Hassan Tariq Zain Rehan Aryan Kabir Shahid Sohail",
        "girls": "Maryam Aisha Fatima Hafsa Zainab Inaya Amira Khadija Hana Sara Safa Noor Anaya Aaliyah Jannat "
        "Ayesha Priya Simran Nadia Samina Shabana Rukhsana Farzana Nasreen Sadia Tasnim Sumaya Ruqayyah Mehreen",
        "syllables": ("ra sha na fa za ha ka ja mu sa ta ba", "hman ddin bal lik ssain sheed had jid mal war qar"),
    },
    "west_african": {
        "weight": 0.08,
        "surnames": "Okafor Adeyemi Okonkwo Mensah Boateng Owusu Adebayo Oluwaseun Eze Nwosu Asante Osei Afolabi "
        "Balogun Ogunleye Akinola Oyelaran Danso Appiah Okoro Chukwu Ibe Ogbu Adekunle Babatunde Fashola Oyewole",
        "boys": "David Daniel Emmanuel Samuel Joshua Michael Victor Tobi Femi Kwame Kofi Chidi Emeka Tunde Seun "
        "Ayo Kelechi Obinna Olumide Yaw Kwabena Ifeanyi Nnamdi Oluwadamilare Gabriel Isaac Jeremiah Elijah",
        "girls": "Blessing Grace Esther Favour Precious Deborah Chioma Adaeze Amara Temitope Folake Abena Ama "
        "Akosua Ngozi Ifeoma Funmilayo Yetunde Comfort Joy Mercy Abigail Naomi Ruth Praise Oluwatobi Adunni",
        "syllables": ("ad ol ok ob ay ak ogu eze nwa", "eyemi unde ola afor onkwo bayo ewale oro usi ekun"),
    },
    "eastern_european": {
        "weight": 0.09,
        "surnames": "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak "
        "Popescu Ionescu Popa Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Petrov Ivanov Horvath Kovacs Novak",
        "boys": "Jakub Kacper Szymon Filip Jan Antoni Wojciech Krzysztof Piotr Tomasz Andrei Alexandru Ionut "
        "Mihai Gabriel Stefan David Luca Matei Aleksander Mateusz Dawid Bartosz Lukasz Marcin Michal Adrian",
        "girls": "Zuzanna Julia Maja Zofia Hanna Lena Alicja Oliwia Amelia Wiktoria Katarzyna Malgorzata Agnieszka "
        "Magdalena Ioana Maria Elena Andreea Alexandra Bianca Daria Ana Natalia Gabriela Karolina Aleksandra",
        "syllables": ("kow zal wis mar nov pet stan ciob dum", "ski czyk escu ak owicz iak anu ov ar"),
    },
    "irish": {
        "weight": 0.03,
        "surnames": "Murphy Kelly O'Sullivan Walsh Smith O'Brien Byrne Ryan O'Connor O'Neill Reilly Doyle McCarthy "
        "Gallagher O'Doherty Kennedy Lynch Murray Quinn Moore McLaughlin Carroll Connolly Daly Connell Brennan",
        "boys": "Jack Conor Sean Cian Oisin Darragh Padraig Seamus Liam Niall Ciaran Eoin Rory Aidan Finn Cillian",
        "girls": "Aoife Siobhan Niamh Saoirse Ciara Roisin Caoimhe Orla Grainne Sinead Bridget Mairead Clodagh Aisling",
        "syllables": ("mc mac o'", "garry hale donnell kenna guire dermott ghee cabe namara"),
    },
    "arabic_somali": {
        "weight": 0.06,
        "surnames": "Mohamed Ahmed Hassan Ali Abdi Omar Osman Farah Warsame Jama Yusuf Abdullahi Nur Aden Ibrahim "
        "Abdirahman Hussein Said Salah Mahmoud Haddad Khalil Mansour Nasser Saleh Hamdan",
        "boys": "Mohamed Abdirahman Abdullahi Ahmed Hassan Omar Yusuf Ibrahim Ismail Khalid Mustafa Bilal Idris "
        "Abdi Hamza Zakaria Sulaiman Yahya Anas Faisal",
        "girls": "Fatima Hodan Amina Sagal Hibo Khadra Ayan Nimco Ifrah Hawa Asha Sumaya Ikram Layla Yasmin Maryam "
        "Salma Huda Rania Nour",
        "syllables": ("ab war far sam mah jam", "di same ah ale ud oud iye"),
    },
}

KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
SOUNDS = [
    ("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("ee", "ea"), ("y", "i"), ("i", "y"),
    ("z", "s"), ("s", "z"), ("th", "t"), ("mm", "m"), ("m", "mm"), ("nn", "n"), ("ll", "l"), ("l", "ll"),
    ("ie", "y"), ("ey", "y"), ("ai", "ay"), ("ou", "ow"), ("oo", "u"), ("w", "v"), ("v", "w"),
]  # fmt: skip
TAIL_SHARE = {"british": 0.55, "south_asian": 0.3, "west_african": 0.5, "eastern_european": 0.5}


@dataclass
class Person:
    key: int  # generator's own id
    first: str
    surname: str
    sex: str
    born: dt.date
    postcode: str
    is_child: bool
    previous_postcode: str = ""
    previous_surname: str = ""
    nhs: str = ""
    la_child_id: str = ""
    duplicate_of: int | None = None  # the generator id of the original, for a duplicate record


@dataclass
class Query:
    kind: str  # single / hard / unknown
    change: str  # what was changed
    target: int | None  # generator id of the person (None: unknown)
    first: str = ""
    surname: str = ""
    sex: str = ""
    born: dt.date | None = None
    postcode: str = ""
    nhs: str = ""


def _zipf(names: list[str]) -> list[float]:
    return [1.0 / (rank + 1) ** 0.9 for rank in range(len(names))]


@dataclass
class Generator:
    seed: int
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lists = {}
        for origin, spec in ORIGINS.items():
            lists = {}
            for kind in ("surnames", "boys", "girls"):
                names = str(spec[kind]).split()
                lists[kind] = (names, _zipf(names))
            self.lists[origin] = lists
        self.origins = list(ORIGINS)
        self.origin_weights = [float(ORIGINS[o]["weight"]) for o in self.origins]  # type: ignore[arg-type]
        self.used_nhs: set[str] = set()
        self.la_serial = 0
        nick_of: dict[str, list[str]] = {}
        for nick, formals in _nickname_table().items():
            for formal in formals:
                if formal != nick:
                    nick_of.setdefault(formal, []).append(nick)
        self.nicknames = {k: sorted(v) for k, v in nick_of.items()}

    # -- names, dates, places
    def _pick(self, origin: str, kind: str) -> str:
        names, weights = self.lists[origin][kind]
        return self.rng.choices(names, weights=weights)[0]

    def _tail(self, origin: str) -> str:
        first, second = (str(s).split() for s in ORIGINS[origin]["syllables"])  # type: ignore[union-attr]
        return (self.rng.choice(first) + self.rng.choice(second) + self.rng.choice(["", "", "e", "a", "i"])).title()

    def surname(self, origin: str) -> str:
        if self.rng.random() < TAIL_SHARE.get(origin, 0.2):
            return self._tail(origin)
        return self._pick(origin, "surnames")

    def first_name(self, origin: str, sex: str) -> str:
        if self.rng.random() < 0.08:  # names from another origin, and invented ones
            origin = self.rng.choices(self.origins, weights=self.origin_weights)[0]
        if self.rng.random() < 0.05:
            return self._tail(origin)
        return self._pick(origin, "boys" if sex == "M" else "girls")

    def postcode(self) -> str:
        district, sector = self.rng.randint(1, 20), self.rng.randint(0, 9)
        unit = "".join(self.rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        return f"EX{district} {sector}{unit}"

    def date(self, start: int, end: int) -> dt.date:
        first = dt.date(start, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(first, dt.date(end, 12, 31).toordinal()))

    def nhs(self) -> str:
        for _ in range(50):
            number = test_nhs_number(self.rng)
            if number not in self.used_nhs:
                self.used_nhs.add(number)
                return number
        return ""

    # -- households
    def households(self, people: int) -> Iterator[Person]:
        key = 0
        while key < people:
            origin = self.rng.choices(self.origins, weights=self.origin_weights)[0]
            family, postcode = self.surname(origin), self.postcode()
            previous = self.postcode() if self.rng.random() < 0.25 else ""
            adults = 1 if self.rng.random() < 0.35 else 2
            mother_surname = self.surname(origin) if self.rng.random() < 0.2 else family
            members: list[Person] = []
            for i in range(adults):
                sex = "F" if i == 0 else "M"
                surname = mother_surname if sex == "F" else family
                person = Person(0, self.first_name(origin, sex), surname, sex, self.date(1965, 2003), postcode, False)
                if sex == "F" and surname != family and self.rng.random() < 0.5:
                    person.previous_surname = family
                members.append(person)
            double = adults == 2 and mother_surname != family and self.rng.random() < 0.4
            child_surname = f"{family}-{mother_surname}" if double else family
            births: list[tuple[dt.date, str]] = []
            for _ in range(self.rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])):
                born = self.date(2005, 2025)
                births.append((born, self.rng.choice("MF")))
                if self.rng.random() < 0.012:  # twins
                    births.append((born, self.rng.choice("MF")))
            names_used: set[str] = set()
            for born, sex in births:
                first = self.first_name(origin, sex)
                while first in names_used:
                    first = self.first_name(origin, sex)
                names_used.add(first)
                self.la_serial += 1
                members.append(
                    Person(0, first, child_surname, sex, born, postcode, True, la_child_id=f"EX{self.la_serial:07d}")
                )
            for person in members:
                if key >= people:
                    return
                person.key = key
                key += 1
                person.previous_postcode = previous
                if self.rng.random() < (0.85 if person.is_child else 0.5):
                    person.nhs = self.nhs()
                yield person

    def population(self, people: int, duplicate_share: float = 0.015) -> list[Person]:
        originals = list(self.households(round(people / (1 + duplicate_share))))
        out = list(originals)
        for original in self.rng.sample(originals, round(len(originals) * duplicate_share)):
            out.append(self.duplicate(original, len(out)))
        return out

    def duplicate(self, original: Person, key: int) -> Person:
        """A second record of the same person from another system: one or two errors, and usually
        no identifiers."""
        copy = replace(original, key=key, duplicate_of=original.key, la_child_id="")
        copy.nhs = original.nhs if self.rng.random() < 0.3 else ""
        for change in self.rng.sample(["typo", "nickname", "sounds", "date", "move", "none"], self.rng.choice([1, 2])):
            if change == "typo":
                copy.first = self.typo(copy.first)
            elif change == "nickname":
                copy.first = self.nickname(copy.first) or self.typo(copy.first)
            elif change == "sounds":
                copy.surname = self.sounds(copy.surname)
            elif change == "date":
                copy.born = self.swap(copy.born) or self.digit(copy.born)
            elif change == "move":
                copy.postcode = self.postcode()
        return copy

    # -- errors
    def typo(self, name: str) -> str:
        if len(name) < 3:
            return name + self.rng.choice("aeiouy")
        letters = list(name.lower())
        i = self.rng.randrange(1 if self.rng.random() < 0.8 else 0, len(letters))
        op = self.rng.choice(["sub", "del", "ins", "swap"])
        if op == "sub":
            letters[i] = self.rng.choice(KEYBOARD.replace(letters[i], "")) if letters[i] in KEYBOARD else "a"
        elif op == "del" and len(letters) > 3:
            del letters[i]
        elif op == "ins":
            letters.insert(i, self.rng.choice(string.ascii_lowercase))
        elif i + 1 < len(letters) and letters[i] != letters[i + 1]:
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        else:
            letters[i] = "e" if letters[i] != "e" else "a"
        result = "".join(letters).title()
        return result if result.lower() != name.lower() else result + "e"

    def sounds(self, name: str) -> str:
        lower = name.lower()
        options = [(a, b) for a, b in SOUNDS if a in lower[1:]]
        if not options:
            return self.typo(name)
        a, b = self.rng.choice(options)
        at = lower.index(a, 1)
        return (lower[:at] + b + lower[at + len(a) :]).title()

    def nickname(self, name: str) -> str:
        options = self.nicknames.get(name.lower())
        return self.rng.choice(options).title() if options else ""

    def swap(self, born: dt.date) -> dt.date | None:
        if born.day <= 12 and born.day != born.month:
            return born.replace(month=born.day, day=born.month)
        return None

    def digit(self, born: dt.date) -> dt.date:
        text = born.strftime("%Y%m%d")
        for _ in range(100):
            i = self.rng.choice([2, 3, 3, 4, 5, 6, 7, 7])
            changed = text[:i] + self.rng.choice("0123456789".replace(text[i], "")) + text[i + 1 :]
            try:
                new = dt.datetime.strptime(changed, "%Y%m%d").date()
            except ValueError:
                continue
            if dt.date(1960, 1, 1) < new < dt.date(2026, 1, 1):
                return new
        return born + dt.timedelta(days=1)

    # -- queries
    def as_query(self, person: Person, kind: str, change: str) -> Query:
        return Query(kind, change, person.key, person.first, person.surname, person.sex, person.born, person.postcode)

    SINGLE = (
        "typo_first", "typo_surname", "nickname", "sounds", "initial", "swap_names", "half_double",
        "dob_swap", "dob_digit", "moved", "no_date", "no_first_name", "nhs_only",
    )  # fmt: skip

    def single(self, person: Person, change: str) -> Query | None:
        q = self.as_query(person, "single", change)
        if change == "typo_first":
            q.first = self.typo(q.first)
        elif change == "typo_surname":
            q.surname = self.typo(q.surname)
        elif change == "nickname":
            q.first = self.nickname(q.first)
        elif change == "sounds":
            q.surname = self.sounds(q.surname)
        elif change == "initial":
            q.first = q.first[0]
        elif change == "swap_names":
            q.first, q.surname = q.surname, q.first
        elif change == "half_double":
            if "-" not in q.surname:
                return None
            q.surname = self.rng.choice(q.surname.split("-"))
        elif change == "dob_swap":
            q.born = self.swap(person.born)
        elif change == "dob_digit":
            q.born = self.digit(person.born)
        elif change == "moved":
            q.postcode = self.postcode()
        elif change == "no_date":
            q.born = None
        elif change == "no_first_name":
            q.first = ""
        elif change == "nhs_only":
            if not person.nhs:
                return None
            q = Query("single", change, person.key, first=person.first, nhs=person.nhs)
        if change in ("nickname", "dob_swap") and not (q.first and q.born):
            return None
        return q

    def hard(self, person: Person) -> Query:
        change = self.rng.choice(["typo_first", "typo_surname", "nickname", "sounds", "swap_names"])
        q = self.single(person, change) or self.single(person, "typo_surname")
        assert q is not None
        q.kind, q.change = "hard", f"{q.change}+date+moved"
        q.born = self.swap(person.born) if self.rng.random() < 0.4 else None
        q.born = q.born or self.digit(person.born)
        q.postcode = self.postcode()
        return q

    def queries(self, people: list[Person], singles: int, hards: int, unknowns: int) -> list[Query]:
        originals = [p for p in people if p.duplicate_of is None]
        out: list[Query] = []
        while len([q for q in out if q.kind == "single"]) < singles:
            change = self.SINGLE[len(out) % len(self.SINGLE)]
            for _ in range(200):
                q = self.single(self.rng.choice(originals), change)
                if q is not None:
                    out.append(q)
                    break
            else:
                out.append(self.single(self.rng.choice(originals), "typo_first"))  # type: ignore[arg-type]
        out += [self.hard(self.rng.choice(originals)) for _ in range(hards)]
        strangers = list(Generator(self.seed + 1_000_003).households(unknowns))
        out += [
            Query("unknown", "not recorded", None, p.first, p.surname, p.sex, p.born, p.postcode) for p in strangers
        ]
        return out
