"""Agreed language: where a phrase, or a near-verbatim variant of it, was used before.

Delegations look for wording already adopted in earlier resolutions. A phrase is found word
for word (typography, case and -ise/-ize spelling aside), or as a near-verbatim variant: a
passage whose characters differ by little (a word changed, added or dropped), measured by
fuzzy partial matching (:data:`MIN_VARIANT_SCORE`). Occurrences are listed oldest first by
the date printed on their document.

The verdict: *agreed* when an adopted resolution earlier than the phrase's own document
holds it; *used* when it occurs before only in drafts, reports or submissions; *new* when it
occurs nowhere else. Drafts of the phrase's own text (the same title) are its history, not
precedent. Pure functions over documents and paragraphs.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from corpus.errors import InvalidQuestion
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, format_citation
from corpus.wording import Token, title_key, word_tokens

#: Fuzzy partial match score (0-100, rapidfuzz ``partial_ratio`` on the words) from which a
#: passage is a near-verbatim variant of the phrase: about one word in ten may differ.
MIN_VARIANT_SCORE = 90.0
#: A phrase needs this many words: shorter ones occur everywhere and prove nothing.
MIN_PHRASE_WORDS = 3
#: Only phrases of this many words or more are searched for variants; shorter ones only
#: word for word, since a changed word in a short phrase is another phrase.
MIN_VARIANT_WORDS = 5
#: Paragraphs are first screened for the first letters of the phrase's words, which survive
#: -ise/-ize spellings and hyphenation.
STEM_CHARS = 5
#: Kinds of paragraph that carry wording (not headings, footnotes or amendments' targets).
WORDING_KINDS = frozenset(
    [
        ParagraphKind.OPERATIVE,
        ParagraphKind.PREAMBULAR,
        ParagraphKind.PROSE,
        ParagraphKind.AMENDMENT,
    ]
)
_UNDATED = date(9999, 12, 31)


class Verdict(StrEnum):
    AGREED = "agreed"
    USED = "used"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A paragraph holding the phrase (``exact``) or a variant of it, where the passage is
    in its text, and the match score (100 for word for word)."""

    document: Document
    paragraph: Paragraph
    span: tuple[int, int]
    exact: bool
    score: float
    when: date | None

    @property
    def passage(self) -> str:
        """The passage as printed."""
        return self.paragraph.text[self.span[0] : self.span[1]]

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.document.name,
            "doc_id": self.document.doc_id,
            "title": self.document.title,
            "kind": self.document.kind.value,
            "date": self.document.date,
            "paragraph": self.paragraph.label,
            "part": self.paragraph.part,
            "citation": self.citation,
            "match": "exact" if self.exact else "variant",
            "score": round(self.score, 1),
            "passage": self.passage,
            "text": self.paragraph.text,
        }


@dataclass(frozen=True, slots=True)
class Precedent:
    """Every occurrence of a phrase, oldest first, and whether it is agreed language."""

    phrase: str
    source: Document | None
    occurrences: tuple[Occurrence, ...]
    verdict: Verdict
    earlier: tuple[Occurrence, ...]

    @property
    def first_adopted(self) -> Occurrence | None:
        return next((o for o in self.earlier if o.document.kind is DocumentKind.RESOLUTION), None)

    def summary(self) -> str:
        """The verdict in a sentence, naming where the wording first appeared."""
        documents = {o.document.doc_id for o in self.occurrences}
        count = (
            f"{len(self.occurrences)} occurrence{'s' if len(self.occurrences) != 1 else ''} in "
            f"{len(documents)} document{'s' if len(documents) != 1 else ''}"
        )
        before = f" before {self.source.name}" if self.source else ""
        if self.verdict is Verdict.AGREED:
            first = self.first_adopted
            assert first is not None
            earliest = self.earlier[0]
            also = (
                f"; first seen in {earliest.citation} ({earliest.document.date})"
                if earliest is not first
                else ""
            )
            return (
                f"Agreed language: adopted{before} in {first.citation} "
                f"({first.document.date}){also}. {count}."
            )
        if self.verdict is Verdict.USED:
            earliest = self.earlier[0]
            return (
                f"Used{before} but never adopted in a resolution: first in {earliest.citation} "
                f"({earliest.document.date or 'undated'}). {count}."
            )
        where = ", ".join(dict.fromkeys(o.document.name for o in self.occurrences))
        if self.source is not None:
            only = f" (it occurs only in {where})" if where else ""
            return (
                f"New wording in {self.source.name}: no earlier resolution, draft, report or "
                f"submission uses it{only}."
            )
        if where:
            return f"New wording: it occurs only in {where}."
        return "New wording: found nowhere in the indexed documents."

    def to_dict(self) -> dict[str, Any]:
        first = self.first_adopted
        return {
            "phrase": self.phrase,
            "source": self.source.name if self.source else None,
            "verdict": self.verdict.value,
            "summary": self.summary(),
            "first_adopted": first.to_dict() if first else None,
            "occurrences": [o.to_dict() for o in self.occurrences],
        }


def _joined(items: Sequence[Token]) -> tuple[str, list[int]]:
    """The words joined by single spaces, and where each word starts in that string."""
    starts, position, parts = [], 0, []
    for token in items:
        starts.append(position)
        parts.append(token.text)
        position += len(token.text) + 1
    return " ".join(parts), starts


def find_phrase(
    phrase: str, text: str, min_score: float = MIN_VARIANT_SCORE
) -> tuple[tuple[int, int], bool, float] | None:
    """Where in ``text`` the ``phrase`` is, word for word or as a near-verbatim variant,
    whether it is exact, and the score; None if neither."""
    from rapidfuzz import fuzz

    wanted = word_tokens(phrase)
    found = word_tokens(text)
    if not wanted or not found:
        return None
    needle, _ = _joined(wanted)
    haystack, starts = _joined(found)
    at = (" " + haystack + " ").find(" " + needle + " ")
    if at >= 0:
        first = bisect.bisect_left(starts, at)
        last = first + len(wanted) - 1
        return (found[first].start, found[last].end), True, 100.0
    if len(wanted) < MIN_VARIANT_WORDS:
        return None
    alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=min_score)
    if alignment is None:
        return None
    first = max(bisect.bisect_right(starts, alignment.dest_start) - 1, 0)
    last = max(bisect.bisect_left(starts, alignment.dest_end) - 1, first)
    return (found[first].start, found[last].end), False, float(alignment.score)


def same_text(a: Document, b: Document) -> bool:
    """Whether two documents are versions of one text: the same title once a resolution
    number is set aside."""
    return bool(title_key(a.title)) and title_key(a.title) == title_key(b.title)


def _precedes(occurrence: Occurrence, source: Document) -> bool:
    """Whether an occurrence is precedent for wording of ``source``: another document, dated
    no later, and not a draft of the same text."""

    when = source.dated
    document = occurrence.document
    return (
        document.doc_id != source.doc_id
        and occurrence.when is not None
        and when is not None
        and occurrence.when <= when
        and not (document.kind is not DocumentKind.RESOLUTION and same_text(document, source))
    )


def precedent(
    phrase: str,
    documents: Mapping[str, Document],
    paragraphs: Iterable[Paragraph],
    source: Document | None = None,
    min_score: float = MIN_VARIANT_SCORE,
) -> Precedent:
    """Every occurrence of ``phrase`` in ``paragraphs``, oldest first, and whether it is
    agreed language before ``source`` (the document the phrase is from, if given)."""

    wanted = [t.text for t in word_tokens(phrase)]
    if len(wanted) < MIN_PHRASE_WORDS:
        raise InvalidQuestion(
            f"the phrase has {len(wanted)} word{'s' if len(wanted) != 1 else ''}; give at least "
            f"{MIN_PHRASE_WORDS} words of the wording to look for"
        )
    stems = {w[:STEM_CHARS] for w in wanted if len(w) >= STEM_CHARS}
    needed = len(stems) if len(wanted) < MIN_VARIANT_WORDS else math.ceil(len(stems) * 0.6)
    occurrences = []
    for paragraph in paragraphs:
        if paragraph.kind not in WORDING_KINDS or paragraph.doc_id not in documents:
            continue
        lowered = paragraph.text.lower()
        if sum(1 for stem in stems if stem in lowered) < needed:
            continue
        found = find_phrase(phrase, paragraph.text, min_score)
        if found is None:
            continue
        span, exact, score = found
        document = documents[paragraph.doc_id]
        occurrences.append(Occurrence(document, paragraph, span, exact, score, document.dated))
    occurrences.sort(key=lambda o: (o.when or _UNDATED, o.document.name, o.paragraph.order))
    earlier = [o for o in occurrences if source is None or _precedes(o, source)]
    if any(o.document.kind is DocumentKind.RESOLUTION for o in earlier):
        verdict = Verdict.AGREED
    elif earlier:
        verdict = Verdict.USED
    else:
        verdict = Verdict.NEW
    return Precedent(phrase, source, tuple(occurrences), verdict, tuple(earlier))
