"""Short answers: two to four sentences saying what the quoted paragraphs say, each ending with
its citations, and each checked against the paragraphs it cites before it is shown.

The reader's model writes the sentences in English from the quoted paragraphs only, numbered
and delimited as data, each with where it is from (citation, kind of document, title), and ends
each with the numbers of the paragraphs it rests on. A sentence is kept only if

* it is a whole sentence that cites at least one of those paragraphs (and only those:
  nothing else was retrieved),
* every name, acronym and number in it is in the paragraphs it cites (or in their documents'
  symbols and titles); an acronym may stand for words spelled out there ("IGF" for "Internet
  Governance Forum", "ICT" for "information and communications technologies"); a name the
  question uses may only name a document ("the 2023 STI resolution"),
* every verb by which a UN text decides or takes a position ("decides", "endorses",
  "requests", "takes note") is one those paragraphs use,
* every word it takes from the question is in those paragraphs, in some form: a sentence
  that gives the question back ("Telemedicine is mentioned") is no answer to it,
* every indexed document it names ("the Global Digital Compact") is one it cites or one
  those paragraphs name, and every document it speaks of ("the privacy resolution", "ITU's
  submission") is a cited paragraph's own, by kind, subject, author or year, or one those
  paragraphs name in those words,
* who it says acts is who speaks in a cited paragraph (the organ adopting it, a
  submission's author) or someone the paragraphs name as more than what something is of
  ("the Group" is not "the Chair of the Group"), and not someone they ask to act made to
  ask in turn ("the Secretary-General ... requests"), and
* the model, asked again with only the cited paragraphs, says they state it.

The sentences that fail are left out and counted, and so is a sentence that leans on a
sentence left out ("It also ..."). A question in another UN language gets the
kept sentences put into its language (told the official names from the glossary), after the
check; a translation that loses a number, or keeps none of the official names it was given,
is not shown: the checked English sentence is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from textwrap import shorten
from typing import Any

from assistant.answers import Quote, Summary, SummarySentence
from assistant.languages import ENGLISH, LANGUAGE_NAMES, load_glossary
from assistant.prompts import (
    SUPPORT_SYSTEM,
    TRANSLATION_OUT_SYSTEM,
    summary_chat,
    support_prompt,
    translation_out_prompt,
    voice,
)
from assistant.reader.judges import Judge, JudgeFailed
from assistant.reader.llama import chat
from assistant.retrieval.lexical import english_stemmer, stop_words
from corpus.model import Document, DocumentKind

#: Paragraphs a short answer is written from: the first quotes, most relevant first.
MAX_SOURCES = 4
MAX_SENTENCES = 4
#: Longest paragraph text the model reads, in characters.
MAX_SOURCE_CHARS = 1500
#: Longest document title the model is told a paragraph is from, in characters.
SOURCE_TITLE_CHARS = 90
MAX_SUMMARY_TOKENS = 220
MAX_SENTENCE_TOKENS = 160
#: The model's P(yes) that the cited paragraphs state a sentence, from which it is kept.
SUPPORT_AT = 0.5

_CITED = re.compile(r"((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NUMBERS_IN_MARK = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
#: A sentence end followed by marks: the marks belong before it.
_MARK_AFTER_END = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_ABBREVIATION = re.compile(r"\b(?:paras?|p|pp|No|Nos|art|Art|e\.g|i\.e|cf|vol|Vol|ch|sect)\.$")
#: A sentence that leans on the one before it ("It also calls for ...").
_REFERS_BACK = re.compile(
    r"(?:it|its|this|these|those|that|they|their|such|the same|both|also|however|moreover|"
    r"in addition|furthermore)\b",
    re.IGNORECASE,
)
#: Last words that leave a sentence unfinished.
_UNFINISHED = frozenset(
    re.findall(
        r"\w+",
        "a an the and or of to in on at by with for from as are is was were be include includes "
        "including following such than that which who",
    )
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: A name with a number joined to it: WSIS+20, Beijing+30.
_NAME_WITH_NUMBER = re.compile(r"\b([A-Za-z]+)\+\d+\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: Lower-case words a name spelled out may hold without their initial in its acronym.
_NAME_LINKS = frozenset({"of", "on", "the", "for", "and", "in", "to", "de", "&"})


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence the model wrote, and the sources it says state it (0-based)."""

    text: str
    sources: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """What checking one sentence against its cited paragraphs found."""

    #: Names, acronyms and numbers in the sentence that its paragraphs do not hold.
    missing: tuple[str, ...]
    #: The model's P(yes) that the paragraphs state the sentence; None when not asked.
    support: float | None

    @property
    def passed(self) -> bool:
        return not self.missing and self.support is not None and self.support >= SUPPORT_AT


def parse_claims(reply: str, sources: int, labels: Sequence[str] = ()) -> tuple[list[Claim], int]:
    """The cited sentences of a reply, in order, and how many cite nothing or are not whole
    sentences. A sentence cites the sources of the marks (``[1][2]``) it holds, wherever they
    stand in it; one without marks takes those of the next sentence that has some (a model
    often marks a run of sentences once), and one after the last mark cites nothing, unless
    there is one source. A number that is no source's but is the label of exactly one
    (``[45]`` for "paragraph 45", asked about by number) cites that one; other numbers are
    ignored. A sentence of fewer than three words, or ending on a word that leaves it
    unfinished ("The paragraphs that deal with it are [1], [2]."), is not kept."""
    claims: list[Claim] = []
    waiting: list[str] = []
    dropped = 0
    for sentence in _sentences(_MARK_AFTER_END.sub(r"\2\1", reply.strip())):
        numbers = [
            _source_number(n, sources, labels)
            for mark in _CITED.findall(sentence)
            for n in _NUMBERS_IN_MARK.findall(mark)
        ]
        text = _clean(_CITED.sub(" ", sentence))
        if not text:
            continue
        cited = tuple(dict.fromkeys(n - 1 for n in numbers if 1 <= n <= sources))
        if numbers and not cited:  # it cites only what is no source
            dropped += 1
            continue
        waiting.append(text)
        if cited:
            for said in waiting:
                if _whole(said):
                    claims.append(Claim(said, cited))
                else:
                    dropped += 1
            waiting = []
    if waiting and sources == 1:
        kept = [said for said in waiting if _whole(said)]
        claims += [Claim(said, (0,)) for said in kept]
        dropped += len(waiting) - len(kept)
    elif waiting:
        dropped += len(waiting)
    return claims, dropped


def _sentences(text: str) -> list[str]:
    """The sentences of a text, not cut after an abbreviation ("para. 6", "e.g. the")."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def _whole(sentence: str) -> bool:
    words = re.findall(r"[\w'’-]+", sentence)
    return len(words) >= 3 and words[-1].lower() not in _UNFINISHED


def _source_number(mark: str, sources: int, labels: Sequence[str]) -> int:
    number = int(mark)
    if 1 <= number <= sources or labels.count(mark) != 1:
        return number
    return labels.index(mark) + 1


def _clean(sentence: str) -> str:
    text = " ".join(sentence.split()).strip(" -*•")
    text = re.sub(r"\s+([.,;:!?])", r"\1", text).lstrip(".;,: ")
    text = re.sub(r"[,;:]+(?=[.!?]$)", "", text)
    if not re.search(r"[A-Za-z]", text):
        return ""
    return text if text.endswith((".", "!", "?")) else text + "."


def acronyms(text: str) -> set[str]:
    """The acronyms that names spelled out in ``text`` stand for: the initials of each run of
    capitalised words, over "of", "the" and the like ("World Summit on the Information
    Society": WSIS, and its tails, "Information Society": IS)."""
    found: set[str] = set()
    run: list[str] = []
    for word in [*re.findall(r"[\w&'’-]+", text), ""]:
        if word[:1].isupper() and not (len(word) > 1 and word.isupper()):
            run.append(word[0])
            for start in range(len(run) - 1):
                found.add("".join(run[start:]))
        elif word.lower() not in _NAME_LINKS or not run:
            run = []
    return found


def spelled_out(text: str) -> set[str]:
    """The acronyms that runs of two to five words of ``text`` stand for, whatever their case
    ("information and communications technologies": ICT; "artificial intelligence": AI)."""
    words = [w for w in re.findall(r"[\w'’-]+", text) if w.lower() not in _NAME_LINKS]
    initials = "".join(w[0].upper() for w in words)
    return {initials[i : i + n] for n in range(2, 6) for i in range(len(initials) - n + 1)}


def missing_names(sentence: str, sources: Sequence[str], question: str = "") -> tuple[str, ...]:
    """The numbers, acronyms and capitalised names of ``sentence`` (its first word aside,
    unless an acronym) that do not appear in ``sources``. A name the question uses may appear
    where the sentence names a document with it ("the WSIS+20 outcome", "the 2023 STI
    resolution", "GDC paragraph 48"), nowhere else (an agency the question asks about is not
    one the paragraphs name); the question's numbers may not, save those of such a name
    ("WSIS+20")."""
    haystack = "\n".join(sources)
    named = {m.group(0) for m in _NAME_WITH_NUMBER.finditer(question)}
    checked = _NAME_WITH_NUMBER.sub(
        lambda m: m.group(1) if m.group(0) in named else m.group(0), sentence
    )
    missing = _missing(checked, haystack, numbers=True)
    unasked = set(_missing(checked, f"{question}\n{haystack}"))
    naming = _naming_documents(checked)
    return tuple(n for n in missing if n[:1].isdigit() or n in unasked or n not in naming)


#: A name before a paragraph's number: "GDC paragraph 48", "OP 68".
_NAMED_PARAGRAPH = re.compile(r"([\w+-]+(?:\s+[\w+-]+){0,2})\s+(?:paragraphs?|paras?\.?|\d)")


def _naming_documents(sentence: str) -> set[str]:
    """The words of ``sentence`` that name a document or a paragraph of one."""
    spans = [m.group(0) for m in _DOCUMENT_PHRASE.finditer(sentence)]
    spans += [m.group(1) for m in _NAMED_PARAGRAPH.finditer(sentence)]
    return {_bare(word) for span in spans for word in _WORD.findall(span)}


def _bare(word: str) -> str:
    """A word without its possessive ending or the quotes and hyphens around it: "ITU's": ITU."""
    return re.sub(r"['’]s$", "", word).strip("'’-")


def _missing(sentence: str, haystack: str, numbers: bool = False) -> list[str]:
    lowered = haystack.lower()
    spelled = acronyms(haystack) | spelled_out(haystack)
    missing: list[str] = []
    for number in _NUMBER.findall(sentence) if numbers else ():
        if not re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", haystack):
            missing.append(number)
    for position, match in enumerate(_WORD.finditer(sentence)):
        word = _bare(match.group(0))
        acronym = len(word) > 1 and word.rstrip("s").isupper()  # "ICTs"
        if not word[:1].isupper() or (position == 0 and not acronym):
            continue
        if acronym:
            found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack)
            if not found and word not in spelled and word.rstrip("s") not in spelled:
                missing.append(word)
        elif not re.search(rf"(?<!\w){re.escape(word.lower())}", lowered):
            missing.append(word)
    return list(dict.fromkeys(missing))


def _keeps_name(text: str, name: str) -> bool:
    """Whether a translation holds an official name, inflected or not: each of its words,
    cut to four letters, is in it."""
    lowered = text.lower()
    return all(word[:4].lower() in lowered for word in name.split())


def document_names(quote: Quote) -> str:
    """What a sentence may name of a quote's document: its symbol, title, year, the organ
    its symbol stands for ("General Assembly" for A/...) and the citation."""
    return f"{_known_as(quote.hit.document)}\n{quote.hit.citation}"


def _known_as(document: Document) -> str:
    """A document's symbol, title, year and the organ its symbol stands for, a line each."""
    year = str(document.dated.year) if document.dated else ""
    return "\n".join(x for x in (document.symbol, document.title, year, _organ(document)) if x)


def _organ(document: Document) -> str | None:
    """Who adopts what the first part of a document's symbol stands for ("A/RES/80/173": the
    General Assembly)."""
    return _ORGANS.get((document.symbol or "").split("/")[0])


def source_line(quote: Quote) -> str:
    """Where a quoted paragraph is from, as the model is told: its citation, the kind of
    document and, for a document known by its symbol, its title, shortened, and who speaks
    in it ("A/RES/80/173, para. 99 (resolution: 80/173. Outcome document of the high-level
    meeting …; speaker: the General Assembly)")."""
    document = quote.hit.document
    known = document.kind.value
    if document.symbol and document.title:
        known += f": {shorten(document.title, SOURCE_TITLE_CHARS, placeholder=' …')}"
    return f"{quote.hit.citation} ({known}; speaker: {speaker(quote)})"


def speaker(quote: Quote) -> str:
    """Who speaks in a quoted paragraph (the "we" of its text): the organ that adopts a
    resolution or a draft, including a draft a report carries ("Draft resolution I" of a
    Commission's report to the Economic and Social Council is the Council's text, not the
    Commission's); a submission's author; otherwise the kind of document."""
    document = quote.hit.document
    organ = _organ(document)
    if organ and _in_draft(quote):
        return f"the {organ}, in a draft for it to adopt"
    if organ and document.kind is DocumentKind.RESOLUTION:
        return f"the {organ}"
    if organ and document.kind is DocumentKind.DRAFT:
        return f"the {organ}, in a draft"
    return document.author or f"the {document.kind.value}"


def _in_draft(quote: Quote) -> bool:
    """Whether a paragraph is in a draft a report carries ("Draft resolution I")."""
    return (quote.paragraph.part or "").lower().startswith("draft")


#: The verbs by which a UN text decides, asks or takes a position: one a sentence uses must
#: be one its paragraphs use ("takes note of" is not "endorses").
_DECISION_VERBS = tuple(
    re.compile(rf"\b{stem}", re.IGNORECASE)
    for stem in (
        r"decid\w*",
        r"decision\w*",
        r"endors\w*",
        r"adopt\w*",
        r"approv\w*",
        r"reject\w*",
        r"request\w*",
        r"urg(?:e|es|ed|ing)\b",
        r"commit\w*",
        r"establish\w*",
        r"welcom\w*",
        r"condemn\w*",
        r"mandat\w*",
        r"agree(?:s|d|ment)?\b",
        r"invit\w*",
        r"encourag\w*",
        r"reaffirm\w*",
        r"recommend\w*",
        r"propos\w*",
        r"call(?:s|ed|ing)?\s+(?:up)?on\b",
        r"requir\w*",
        r"oblig\w*",
        r"take(?:s|n)? note\b|took note\b|noted\b|notes\b",
    )
)


def changed_decisions(sentence: str, sources: Sequence[str]) -> tuple[str, ...]:
    """The decision verbs of ``sentence`` ("endorsed", "decides", "requests") that its
    sources do not use in any form."""
    haystack = "\n".join(sources)
    return tuple(
        found.group(0)
        for verb in _DECISION_VERBS
        if (found := verb.search(sentence)) and not verb.search(haystack)
    )


#: Nouns by which a sentence refers to a document, and the kinds of document each may be.
_DOCUMENT_NOUNS: dict[str, frozenset[DocumentKind]] = {
    "resolution": frozenset({DocumentKind.RESOLUTION, DocumentKind.DRAFT}),
    "draft": frozenset({DocumentKind.DRAFT}),
    "submission": frozenset({DocumentKind.SUBMISSION}),
    "input": frozenset({DocumentKind.SUBMISSION}),
    "contribution": frozenset({DocumentKind.SUBMISSION}),
    "report": frozenset({DocumentKind.REPORT}),
    "summary": frozenset({DocumentKind.REPORT}),
    "declaration": frozenset(),
    "compact": frozenset(),
    "pact": frozenset(),
    "document": frozenset(DocumentKind),
    "text": frozenset(DocumentKind),
}
#: The nouns whose plural is no verb ("reports" may be one).
_COUNTED = frozenset({"resolution", "submission", "contribution", "declaration", "document"})
_UNCOUNTED = _DOCUMENT_NOUNS.keys() - _COUNTED
#: "the privacy resolution", "ITU's submission", "this report": a determiner or a possessive,
#: up to three words that say which, and a document noun.
_DOCUMENT_PHRASE = re.compile(
    r"\b(?:(?:the|this|that|these|those|its|their)\s+|(?=[\w+-]+['’]s\s))"
    r"((?:[\w+/.-]+(?:['’]s)?\s+){0,3}?)"
    rf"(?:({'|'.join(sorted(_COUNTED))})s?|({'|'.join(sorted(_UNCOUNTED))}))\b",
    re.IGNORECASE,
)
#: Words that say which document without naming it.
_UNNAMING = frozenset(
    re.findall(
        r"\w+",
        "same present current final full whole above latest new adopted revised entire "
        "original other two three both first second last said",
    )
)
#: Who adopts what a document symbol's first part stands for.
_ORGANS = {"A": "General Assembly", "E": "Economic and Social Council"}


#: What may open a sentence before who acts: "Yes, ", "According to ITU, ", "In 2025, ".
_OPENING = re.compile(
    r"^(?:(?:yes|no)\b[,.]?\s+|(?:according to|in|under)\b[^,]{0,80},\s+)", re.IGNORECASE
)
#: The verbs by which a text asks someone to act: "requests the Secretary-General to".
_ASKING = r"(?:request|call|invit|urg|encourag|ask)\w*"
#: What stands before a name that is only what something is of: "the Chair of the Group".
_OF = re.compile(r"\bof\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$", re.IGNORECASE)
#: The words after a name's head: "Commission on Science ...", "President of the ...".
_AFTER_HEAD = frozenset({"of", "on", "for", "in"})
#: What a name of a document may end in besides a document noun ("the WSIS+20 outcome").
_DOCUMENT_HEADS = frozenset({*_DOCUMENT_NOUNS, "outcome", "agenda", "programme"})


def actor(sentence: str) -> tuple[str, str] | None:
    """The name a sentence opens with as who acts, and the rest of the sentence ("The
    Commission on Science and Technology for Development notes ...": the Commission on
    Science and Technology for Development), after "Yes," or "According to ...,"; None when
    it opens otherwise: "It", "Leaders" (a first word only capitalised as the first), "The
    IGF's mandate" (what acts is the mandate)."""
    text = _OPENING.sub("", sentence.strip())
    words = text.split()
    start = 1 if words[:1] and words[0].lower() == "the" else 0
    name: list[str] = []
    for word in words[start:]:
        bare = word.rstrip(",;:.")
        if re.search(r"['’]s$", bare):
            return None
        if not (bare[:1].isupper() or (name and bare.lower() in _NAME_LINKS)):
            break
        name.append(bare)
        if bare != word:
            break
    while name and name[-1].lower() in _NAME_LINKS:
        name.pop()
    if not name or (start == 0 and len(name) == 1 and not name[0].isupper()):
        return None
    return " ".join(name), " ".join(words[start + len(name) :])


def _head(name: str) -> str:
    """A name's head word: the last before "of", "on", "for" or "in" ("President of the
    General Assembly": President)."""
    words = name.split()
    cut = next((i for i, w in enumerate(words) if w.lower() in _AFTER_HEAD), len(words))
    return words[max(cut - 1, 0)]


def misattributed(sentence: str, cited: Sequence[Quote]) -> tuple[str, ...]:
    """Who the sentence says acts, when that is not whom the cited paragraphs let act: a
    name that is neither who speaks in them nor one they name (a report's or a submission's
    title names its author, but a draft a report carries speaks for the organ adopting it);
    a name they give only as what something is of ("the Group" for "the Chair of the
    Group"); or someone they ask to act, said to ask in turn ("the Secretary-General will
    submit ... and request", from "we request the Secretary-General to submit ..., and
    request"). A document as the subject ("The Pact for the Future", "the WSIS+20 outcome
    document") is checked by :func:`unsourced_documents`, not here."""
    found = actor(sentence)
    if found is None:
        return ()
    name, rest = found
    head = _head(name)
    following = rest.split()[:1]
    if {head.lower(), *(w.lower().strip(",.") for w in following)} & _DOCUMENT_HEADS:
        return ()
    speakers = [speaker(q) for q in cited]
    titles = [
        q.hit.document.title or ""
        for q in cited
        if q.hit.document.kind in (DocumentKind.REPORT, DocumentKind.SUBMISSION)
        and not _in_draft(q)
    ]
    paragraphs = "\n".join(q.paragraph.text for q in cited)
    if _missing(f"The {name}", "\n".join([paragraphs, *speakers, *titles])):
        return (name,)
    if any(head.lower() in line.lower() for line in [*speakers, *titles]):
        return ()
    places = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(head)}(?!\w)", paragraphs, re.I)]
    if places and all(_OF.search(paragraphs[:place]) for place in places):
        return (name,)
    asked = rf"\b{_ASKING}\s+(?:(?:up)?on\s+)?(?:[\w'’,-]+\s+){{0,6}}?{re.escape(head)}\b"
    if re.search(asked, paragraphs, re.IGNORECASE) and re.search(rf"\b{_ASKING}", rest, re.I):
        return (name,)
    return ()


def unsourced_documents(sentence: str, cited: Sequence[Quote]) -> tuple[str, ...]:
    """The documents a sentence speaks of ("the privacy resolution", "ITU's submission") that
    are neither a cited paragraph's own document nor named in those words by the paragraphs.
    A cited document answers to a phrase when the noun fits its kind or its title, and every
    word saying which (a subject, an author, a year) is in its symbol, title, year or the
    name of the organ its symbol stands for."""
    texts = " ".join(q.paragraph.text for q in cited).lower()
    wrong: list[str] = []
    for match in _DOCUMENT_PHRASE.finditer(sentence):
        which = [
            _NAME_WITH_NUMBER.sub(r"\1", _bare(word))
            for word in match.group(1).split()
            if word.lower() not in _UNNAMING
        ]
        noun = (match.group(2) or match.group(3)).lower()
        said = " ".join([*which, noun]).lower()
        if said in texts or (not which and noun in texts):
            continue
        if not any(_describes(q.hit.document, which, noun) for q in cited):
            wrong.append(match.group(0).strip())
    return tuple(wrong)


def _describes(document: Document, which: Sequence[str], noun: str) -> bool:
    title = (document.title or "").lower()
    if document.kind not in _DOCUMENT_NOUNS[noun] and noun not in title:
        return False
    names = _known_as(document)
    spelled = acronyms(names)
    lowered = names.lower()
    return all(
        word in spelled or re.search(rf"(?<!\w){re.escape(word.lower()[:5])}", lowered)
        for word in which
    )


#: Verbs by which a question asks what a text does with its subject ("How does it describe
#: ...?", "Where does it address ...?"): an answer may repeat them.
_ASKING_VERBS = frozenset(
    re.findall(
        r"\w+",
        "describe cover address deal discuss list provide contain include refer give mention "
        "expect say state tell note speak",
    )
)
#: Words that name a document or a part of one ("the WSIS+20 outcome", "paragraph 12").
_PART_NOUNS = frozenset(
    {*_DOCUMENT_HEADS, "paragraph", "para", "preambular", "operative", "annex", "section"}
)
#: Verbs that say little by themselves ("will become permanent": "shall be made permanent").
_LIGHT_VERBS = frozenset(
    re.findall(r"\w+", "become becomes became going get gets make makes made take takes have has")
)
_NUMBER_WORDS = frozenset(
    re.findall(
        r"\w+",
        "one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
        "fifty hundred thousand million billion first second third fourth fifth",
    )
)


def echoed(sentence: str, sources: Sequence[str], question: str) -> tuple[str, ...]:
    """The words ``sentence`` takes from the question that ``sources`` do not hold, in any
    form ("Is telemedicine mentioned?": "Telemedicine is mentioned", of a paragraph on
    "remote diagnosis"): a model that cannot find the answer tends to give the question back
    as one. Names (checked by :func:`missing_names`), words naming a document or a part of
    it, numbers, stop words, verbs that say little by themselves ("become") and the verbs by
    which the question asks do not count."""
    stemmer: Any = english_stemmer()
    asked = set(stemmer.stemWords(_plain_words(question))) - _unechoed_stems()
    held = set(stemmer.stemWords(_plain_words("\n".join(sources))))
    naming = {word.lower() for word in _naming_documents(sentence)}
    found: list[str] = []
    for position, match in enumerate(_WORD.finditer(sentence)):
        word = _bare(match.group(0))
        if position and word[:1].isupper():
            continue
        for part in _plain_words(word):
            stem = stemmer.stemWord(part)
            if stem in asked and stem not in held and part not in naming:
                found.append(part)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _unechoed_stems() -> frozenset[str]:
    """The stems of the words a sentence may take from the question unheld."""
    skipped = {*stop_words(), *_PART_NOUNS, *_NUMBER_WORDS, *_ASKING_VERBS, *_LIGHT_VERBS}
    stemmer: Any = english_stemmer()
    return frozenset(stemmer.stemWords(sorted(skipped)))


def _plain_words(text: str) -> list[str]:
    """The lower-case words of a text, hyphenated ones apart ("non-military": non, military)."""
    return re.findall(r"[a-z]{3,}", text.lower())


class Summarizer:
    """Writes and checks short answers with the reader's model (a :class:`Judge`)."""

    def __init__(
        self,
        judge: Judge,
        timeout_s: float = 60.0,
        named_documents: Callable[[str], Iterable[str]] = lambda _sentence: (),
    ) -> None:
        """``named_documents`` gives the names (symbols) of the indexed documents a sentence
        names ("the Global Digital Compact": A/RES/79/1): the retriever's document linker."""
        self.judge = judge
        self.timeout_s = timeout_s
        self.named_documents = named_documents

    def steps(self, question_en: str, quotes: Sequence[Quote], language: str) -> Iterator[Summary]:
        """The summary as it grows: one partial summary after each sentence that passes, then
        the whole one (``partial`` False). Never raises for a model that fails: the summary
        then says why it could not be written."""
        says = voice(language)
        sources = list(quotes[:MAX_SOURCES])
        deadline = time.monotonic() + self.timeout_s

        def left() -> float:
            return max(deadline - time.monotonic(), 0.1)

        if not sources:
            yield Summary(notice=says.summary_failed.format(reason="nothing is quoted"))
            return
        try:
            reply = self.judge.generate(
                summary_chat(
                    [(source_line(q), q.paragraph.text) for q in sources],
                    question_en,
                    MAX_SOURCE_CHARS,
                ),
                MAX_SUMMARY_TOKENS,
                left(),
            )
        except JudgeFailed as exc:
            yield Summary(notice=says.summary_failed.format(reason=str(exc)))
            return
        claims, removed = parse_claims(reply, len(sources), [q.paragraph.label for q in sources])
        removed += max(len(claims) - MAX_SENTENCES, 0)
        kept: list[SummarySentence] = []
        failure: str | None = None
        follows = True  # whether the sentence before was kept
        for claim in claims[:MAX_SENTENCES]:
            if not follows and _REFERS_BACK.match(claim.text):
                removed += 1  # "It also ..." after a sentence left out
                continue
            cited = [sources[i] for i in claim.sources]
            try:
                check = self.check(claim.text, cited, question_en, left())
            except JudgeFailed as exc:
                failure = str(exc)
                check = Check((), None)
            follows = check.passed
            if not check.passed:
                removed += 1
                continue
            text = claim.text
            if language != ENGLISH:
                text = self.translate(claim.text, language, left())
            ids = tuple(sources[i].paragraph.id for i in claim.sources)
            kept.append(SummarySentence(text, ids, claim.text, check.support or 0.0))
            yield Summary(tuple(kept), removed, partial=True)
        notice = None
        if not kept:
            reason = failure or "no sentence the model wrote is stated by the paragraphs it cites"
            notice = says.summary_failed.format(reason=reason)
        yield Summary(tuple(kept), removed, notice)

    def summarize(self, question_en: str, quotes: Sequence[Quote], language: str) -> Summary:
        """The whole summary (the last of :meth:`steps`)."""
        *_, summary = self.steps(question_en, quotes, language)
        return summary

    def check(
        self, sentence: str, cited: Sequence[Quote], question: str, timeout_s: float
    ) -> Check:
        """Whether the cited paragraphs hold the sentence's names, numbers and decision verbs,
        the documents it names are theirs, who it says acts is whom they let act, and, if so,
        whether the model says they state it; raises :class:`JudgeFailed`."""
        texts = [q.paragraph.text for q in cited]
        with_names = [*texts, *map(document_names, cited)]
        missing = missing_names(sentence, with_names, question)
        missing += changed_decisions(sentence, texts)
        missing += echoed(sentence, with_names, question)
        theirs = {name for q in cited for name in (q.hit.document.name, *q.hit.identical_in)}
        theirs.update(name for text in texts for name in self.named_documents(text))
        missing += tuple(n for n in self.named_documents(sentence) if n not in theirs)
        missing += tuple(
            phrase
            for phrase in unsourced_documents(sentence, cited)
            if not (linked := set(self.named_documents(phrase))) or not linked <= theirs
        )
        missing += tuple(
            name for name in misattributed(sentence, cited) if not self.named_documents(name)
        )
        if missing:
            return Check(missing, None)
        prompt = support_prompt(texts, sentence, MAX_SOURCE_CHARS)
        return Check((), self.judge.verdict(chat(SUPPORT_SYSTEM, prompt), timeout_s))

    def translate(self, sentence: str, language: str, timeout_s: float) -> str:
        """The sentence in ``language``; the English one when the model fails, drops a
        number, keeps none of the official names it was given or gives their list back."""
        names = load_glossary(language).names_in_english(sentence)
        prompt = translation_out_prompt(sentence, LANGUAGE_NAMES[language], names)
        try:
            reply = self.judge.generate(
                chat(TRANSLATION_OUT_SYSTEM, prompt), MAX_SENTENCE_TOKENS, timeout_s, ("\n",)
            )
        except JudgeFailed:
            return sentence
        text = " ".join(re.sub(r"</?sentence>", " ", reply).split()).strip()
        if not text or sorted(_NUMBER.findall(text)) != sorted(_NUMBER.findall(sentence)):
            return sentence
        if names and not any(_keeps_name(text, name) for _english, name in names):
            return sentence  # not a translation ("Please give the text to translate")
        if names and "=" in text and "=" not in sentence:
            return sentence  # the list of official names given back ("name = name; ...")
        return text
