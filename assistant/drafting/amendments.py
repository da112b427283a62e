"""Amendments proposed in submissions, per target paragraph, and whether the adopted text
took up their wording. Pure functions over documents and paragraphs.

A submission proposes wording for paragraphs of a draft that may not be in the corpus (ITU's
input amends the Zero Draft), so each proposal is matched by its words to the most similar
paragraph of the later versions of that text that are (A/80/L.41, A/RES/80/173), as
:mod:`assistant.retrieval.proposals` matches them: the text is the draft or resolution the
proposals resemble most as a whole, with the other versions of it (the same title once the
resolution number is set aside).

Uptake asks whether the *inserted* wording is in the adopted version: in full (one run of
it, at least :data:`FULL_SHARE` of its words, word for word), in part (distinctive runs of
at least :data:`MIN_RUN_WORDS` words covering :data:`PARTIAL_SHARE` of its weight), or not
at all. A run counts only if it is distinctive in the adopted text: names that occur all
over it ("the Global Digital Compact", "the Economic and Social Council") prove nothing.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Any

from assistant.retrieval.lexical import english_stemmer, stop_words
from assistant.retrieval.proposals import (
    TEXT_KINDS,
    VERSION_KINDS,
    Counterpart,
    amended_text,
    counterparts,
    submissions_proposals,
    term_weights,
)
from corpus.model import Document, DocumentKind, Paragraph, format_citation
from corpus.wording import title_key, word_tokens

#: Inserted wording is taken up in full when one paragraph holds, in one run and in order,
#: this share of its content words: the words that carry its substance, whatever function
#: words join them ("physical risks to infrastructure" takes up "as well as physical risks to
#: the infrastructure"; a name adopted without the "such as" before it is taken up).
FULL_SHARE = 0.9
#: ... and in part when distinctive runs cover this share of its IDF-weighted content words.
PARTIAL_SHARE = 0.2
#: A run of inserted wording found in the adopted text counts from this many words, with at
#: least :data:`MIN_RUN_CONTENT` content words ...
MIN_RUN_WORDS = 3
MIN_RUN_CONTENT = 2
#: ... and only if it occurs in at most this many paragraphs of the adopted text.
MAX_RUN_PARAGRAPHS = 2
#: A proposed new paragraph is taken up in part where an adopted paragraph holds a term of
#: it, two content words in a row, that is rare in the adopted text: the pair in at most
#: :data:`MAX_RUN_PARAGRAPHS` paragraphs and each of its words in at most this many
#: ("stocktaking database"; not "digital environment" or "children youth").
RARE_WORD_PARAGRAPHS = 3
_FAR_FUTURE = date(9999, 12, 31)


def _cited(document: Document, paragraph: Paragraph) -> dict[str, Any]:
    return {
        "symbol": document.name,
        "doc_id": document.doc_id,
        "paragraph": paragraph.label,
        "part": paragraph.part,
        "citation": format_citation(document, paragraph),
    }


class Uptake(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Found:
    """Where inserted wording appears in the adopted text: the paragraph, the runs found (as
    printed there) and the share of the inserted wording they cover."""

    document: Document
    paragraph: Paragraph
    spans: tuple[tuple[int, int], ...]
    share: float

    @property
    def passages(self) -> tuple[str, ...]:
        return tuple(self.paragraph.text[start:end] for start, end in self.spans)

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        return {
            **_cited(self.document, self.paragraph),
            "found": list(self.passages),
            "share": round(self.share, 3),
            "text": self.paragraph.text,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a proposal's text, inserted wording or not."""

    text: str
    inserted: bool

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "inserted": self.inserted}


@dataclass(frozen=True, slots=True)
class AmendmentUptake:
    """One proposal: its target, its text with the inserted wording marked, its
    counterparts in the later versions and what the adopted version did with it."""

    proposal: Paragraph
    submission: Document
    counterparts: tuple[Counterpart, ...]
    uptake: Uptake
    found: Found | None
    adopted: Document | None

    @property
    def target(self) -> str:
        return self.proposal.target or ""

    @property
    def new_paragraph(self) -> bool:
        return self.target.lower().startswith("new")

    @property
    def segments(self) -> list[Segment]:
        return marked_segments(self.proposal.text, self.proposal.inserted)

    @property
    def citation(self) -> str:
        return format_citation(self.submission, self.proposal)

    def summary(self) -> str:
        """The verdict in one sentence, citing where."""
        what = (
            f"Proposed new paragraph ({self.target})"
            if self.new_paragraph
            else f"Proposal on para. {self.target}"
        )
        adopted = self.adopted.name if self.adopted else "the adopted text"
        if self.uptake is Uptake.FULL and self.found:
            verdict = f"its inserted wording is in {self.found.citation} in full"
        elif self.uptake is Uptake.PARTIAL and self.found:
            runs = "; ".join(f"“{p}”" for p in self.found.passages)
            if self.new_paragraph:
                verdict = f"its terms are in {self.found.citation} in part ({runs})"
            else:
                verdict = f"its inserted wording is in {self.found.citation} in part ({runs})"
        else:
            verdict = f"its inserted wording is not in {adopted}"
        closest = [c for c in self.counterparts if c.document == self.adopted] or list(
            self.counterparts
        )
        matched = f"; closest paragraph: {closest[-1].citation}" if closest else ""
        return f"{what} ({self.citation}): {verdict}{matched}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": {
                "doc_id": self.submission.doc_id,
                "symbol": self.submission.symbol,
                "title": self.submission.title,
            },
            "paragraph": self.proposal.label,
            "target": self.target,
            "new_paragraph": self.new_paragraph,
            "citation": self.citation,
            "text": self.proposal.text,
            "inserted": list(self.proposal.inserted),
            "segments": [s.to_dict() for s in self.segments],
            "counterparts": [
                {
                    **_cited(c.document, c.paragraph),
                    "similarity": round(c.similarity, 3),
                    "text": c.paragraph.text,
                }
                for c in self.counterparts
            ],
            "uptake": self.uptake.value,
            "adopted": self.found.to_dict() if self.found else None,
            "summary": self.summary(),
        }


@dataclass(frozen=True, slots=True)
class AmendmentsReport:
    """Every proposal of the submissions, by target paragraph, against the versions of the
    text they amend."""

    versions: tuple[Document, ...]
    adopted: Document | None
    items: tuple[AmendmentUptake, ...]

    def counts(self) -> dict[str, int]:
        counts = {u.value: 0 for u in Uptake}
        for item in self.items:
            counts[item.uptake.value] += 1
        return counts

    def for_target(self, target: str) -> list[AmendmentUptake]:
        return [i for i in self.items if i.target == target]

    def to_dict(self) -> dict[str, Any]:
        return {
            "versions": [
                {"doc_id": d.doc_id, "symbol": d.name, "date": d.date, "kind": d.kind.value}
                for d in self.versions
            ],
            "adopted": self.adopted.name if self.adopted else None,
            "counts": self.counts(),
            "amendments": [i.to_dict() for i in self.items],
        }


def marked_segments(text: str, inserted: Sequence[str]) -> list[Segment]:
    """``text`` cut into inserted and other pieces (the inserted fragments found in order,
    spaces compared loosely)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for fragment in inserted:
        words = fragment.split()
        if not words:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        match = pattern.search(text, position) or pattern.search(text)
        if match and not any(s < match.end() and match.start() < e for s, e in spans):
            spans.append(match.span())
            position = match.end()
    out: list[Segment] = []
    last = 0
    for start, end in sorted(spans):
        if start > last:
            out.append(Segment(text[last:start], False))
        out.append(Segment(text[start:end], True))
        last = end
    if last < len(text):
        out.append(Segment(text[last:], False))
    return out


def target_order(target: str) -> tuple[int, int, str]:
    """Existing paragraphs first, then new ones, each by number ("19" < "99" < "new 20")."""
    number = re.search(r"\d+", target)
    return (
        1 if target.lower().startswith("new") else 0,
        int(number.group()) if number else 0,
        target,
    )


# --- Versions --------------------------------------------------------------------------------


def versions_of(document: Document, documents: Iterable[Document]) -> list[Document]:
    """The drafts and resolutions with the same title as ``document``, oldest first."""
    key = title_key(document.title)
    same = [d for d in documents if d.kind in VERSION_KINDS and key and title_key(d.title) == key]
    return sorted(same, key=lambda d: (d.dated or _FAR_FUTURE, d.name))


def adopted_version(versions: Sequence[Document]) -> Document | None:
    """The latest resolution among the versions (else none: nothing was adopted)."""
    resolutions = [d for d in versions if d.kind is DocumentKind.RESOLUTION]
    return resolutions[-1] if resolutions else None


# --- Uptake ----------------------------------------------------------------------------------


class AdoptedText:
    """The paragraphs of the adopted version, prepared for finding inserted wording."""

    def __init__(self, document: Document, paragraphs: Sequence[Paragraph]) -> None:
        self.document = document
        self.paragraphs = list(paragraphs)
        self.terms = term_weights([p.text for p in self.paragraphs])
        #: The IDF of a term in no paragraph, as scikit-learn's smoothed IDF would give it.
        self.unseen = math.log(len(self.paragraphs) + 1) + 1
        self.tokens = [word_tokens(p.text) for p in self.paragraphs]
        self.keyed = [" " + " ".join(t.text for t in items) + " " for items in self.tokens]
        stop = frozenset(stop_words())
        #: Each paragraph's content words, and how many paragraphs hold each word and each
        #: pair of content words in a row.
        self.content = [[t for t in items if t.text not in stop] for items in self.tokens]
        self.word_paragraphs = Counter(w for c in self.content for w in {t.text for t in c})
        self.pair_paragraphs = Counter(pair for c in self.content for pair in set(_pairs(c)))

    def idf(self, term: str) -> float:
        """How rare a content term (stemmed) is among the paragraphs: the rarer, the more
        its presence proves uptake."""
        if self.terms is None or term not in self.terms.vocabulary_:
            return self.unseen
        return float(self.terms.idf_[self.terms.vocabulary_[term]])

    def distinctive(self, run: Sequence[str]) -> bool:
        """Whether a run of words occurs in few enough paragraphs to show uptake."""
        phrase = " " + " ".join(run) + " "
        return sum(1 for text in self.keyed if phrase in text) <= MAX_RUN_PARAGRAPHS


def find_inserted(inserted: Sequence[str], adopted: AdoptedText) -> tuple[Uptake, Found | None]:
    """Whether the inserted wording is in the adopted text: the verdict and the paragraph
    where most of it is."""
    stop = frozenset(stop_words())
    stemmer: Any = english_stemmer()
    fragments = [[t.text for t in word_tokens(f)] for f in inserted if f.strip()]
    weights = [
        [0.0 if w in stop else adopted.idf(stemmer.stemWord(w)) for w in fragment]
        for fragment in fragments
    ]
    total_weight = sum(sum(w) for w in weights)
    if not fragments or not total_weight:
        return Uptake.NONE, None
    best: tuple[bool, float, int, list[tuple[int, int]]] | None = None
    for k, target in enumerate(adopted.tokens):
        target_words = [t.text for t in target]
        content_at = [i for i, word in enumerate(target_words) if word not in stop]
        target_content = [target_words[i] for i in content_at]
        covered = 0.0
        full = True
        spans: list[tuple[int, int]] = []
        for fragment, weight in zip(fragments, weights, strict=True):
            matcher = difflib.SequenceMatcher(None, fragment, target_words, False)
            blocks = [b for b in matcher.get_matching_blocks() if b.size]
            carried = [w for w in _without_connectives(fragment) if w not in stop]
            if len(carried) >= MIN_RUN_CONTENT:
                longest = _longest_run(carried, target_content)
                whole = longest is not None and longest[1] >= FULL_SHARE * len(carried)
                if whole and longest is not None:
                    first, size = content_at[longest[0]], longest[1]
                    last = content_at[longest[0] + size - 1]
                    spans.append((target[first].start, target[last].end))
                    covered += sum(weight)
                    continue
            else:
                whole = max((b.size for b in blocks), default=0) >= FULL_SHARE * len(fragment)
            full = full and whole
            for block in blocks:
                run = fragment[block.a : block.a + block.size]
                content = sum(1 for w in run if w not in stop)
                if block.size < MIN_RUN_WORDS or content < MIN_RUN_CONTENT:
                    continue
                if not adopted.distinctive(run):
                    continue
                covered += sum(weight[block.a : block.a + block.size])
                spans.append((target[block.b].start, target[block.b + block.size - 1].end))
        score = (full, covered / total_weight, k, spans)
        if best is None or score[:2] > best[:2]:
            best = score
    assert best is not None
    full, share, k, spans = best
    paragraph = adopted.paragraphs[k]
    found = Found(adopted.document, paragraph, tuple(sorted(spans)), 1.0 if full else share)
    if full:
        return Uptake.FULL, found
    if share >= PARTIAL_SHARE:
        return Uptake.PARTIAL, found
    return Uptake.NONE, None


def _pairs(tokens: Sequence[Any]) -> list[tuple[str, str]]:
    return [(a.text, b.text) for a, b in pairwise(tokens)]


def find_terms(text: str, adopted: AdoptedText) -> Found | None:
    """Where a proposed new paragraph's substance landed in other words: the adopted
    paragraph holding most of its rare terms (:data:`RARE_WORD_PARAGRAPHS`), with those terms
    as the evidence; None when no adopted paragraph holds one."""
    stop = frozenset(stop_words())
    wanted = {
        pair
        for pair in _pairs([t for t in word_tokens(text) if t.text not in stop])
        if adopted.pair_paragraphs[pair] <= MAX_RUN_PARAGRAPHS
        and all(adopted.word_paragraphs[w] <= RARE_WORD_PARAGRAPHS for w in pair)
    }
    best: tuple[int, int, list[tuple[int, int]]] | None = None
    for k, content in enumerate(adopted.content):
        spans = [(a.start, b.end) for a, b in pairwise(content) if (a.text, b.text) in wanted]
        if spans and (best is None or len(spans) > len(best[2])):
            best = (k, len(spans), spans)
    if best is None:
        return None
    k, found, spans = best
    return Found(adopted.document, adopted.paragraphs[k], tuple(spans), found / len(wanted))


#: Words that join wording rather than carry it, left out when inserted wording is looked
#: for by its content words.
CONNECTIVES = (("as", "well", "as"), ("such", "as"), ("inter", "alia"), ("in", "particular"))


def _without_connectives(words: Sequence[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        joined = next((c for c in CONNECTIVES if tuple(words[i : i + len(c)]) == c), None)
        if joined is not None:
            i += len(joined)
            continue
        out.append(words[i])
        i += 1
    return out


def _longest_run(words: Sequence[str], target: Sequence[str]) -> tuple[int, int] | None:
    """Where in ``target`` the longest run of ``words`` occurs in order: (start, size)."""
    matcher = difflib.SequenceMatcher(None, words, target, False)
    block = max(matcher.get_matching_blocks(), key=lambda b: b.size)
    return (block.b, block.size) if block.size else None


def amendment_uptake(
    documents: Mapping[str, Document],
    by_doc: Mapping[str, Sequence[Paragraph]],
    versions: Sequence[Document] | None = None,
) -> AmendmentsReport:
    """Every proposed amendment in the submissions among ``documents``, by target, with its
    counterparts in the versions of the text it amends and its uptake in the adopted one.

    ``versions`` are found from the proposals when not given (:func:`amended_text`)."""
    submitted = submissions_proposals(
        {doc_id: paragraphs for doc_id, paragraphs in by_doc.items() if doc_id in documents}
    )
    if versions is None:
        proposals = [p for items in submitted.values() for p in items]
        amended = amended_text(proposals, documents, by_doc)
        versions = versions_of(amended, documents.values()) if amended else []
    adopted = adopted_version(versions)
    adopted_text = None
    if adopted is not None:
        paragraphs = [p for p in by_doc.get(adopted.doc_id, []) if p.kind in TEXT_KINDS]
        adopted_text = AdoptedText(adopted, paragraphs) if paragraphs else None
    items = []
    for doc_id, proposals in submitted.items():
        matched = counterparts(proposals, versions, by_doc)
        for proposal, found_in in zip(proposals, matched, strict=True):
            inserted = proposal.inserted or (proposal.text,)
            uptake, found = Uptake.NONE, None
            if adopted_text is not None:
                uptake, found = find_inserted(inserted, adopted_text)
                if uptake is Uptake.NONE and (proposal.target or "").lower().startswith("new"):
                    found = find_terms(proposal.text, adopted_text)
                    uptake = Uptake.PARTIAL if found is not None else Uptake.NONE
            items.append(
                AmendmentUptake(proposal, documents[doc_id], found_in, uptake, found, adopted)
            )
    items.sort(key=lambda i: (target_order(i.target), i.submission.name, i.proposal.order))
    return AmendmentsReport(tuple(versions), adopted, tuple(items))
