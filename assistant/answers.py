"""What answering produces: hits (retrieved paragraphs) and the answer that quotes them.

An :class:`Answer` is one structured object; every way it is shown (terminal text, the JSON
contract, the app's HTML, Markdown and CSV, the highlights of the context view) is rendered
from it by :mod:`assistant.render`, and nothing reads rendered text back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.model import Document, Paragraph, format_citation

#: Character offsets into a paragraph's text: ``text[start:end]``.
Span = tuple[int, int]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """The spans in order, overlapping and touching ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved paragraph with its score and the document it belongs to; the names of the
    documents holding the same text word for word, and the proposals of submissions that
    amend it."""

    paragraph: Paragraph
    document: Document
    score: float
    identical_in: tuple[str, ...] = ()
    amendments: tuple[Hit, ...] = ()
    #: How surely the paragraph answers the question (0-1), when the reader judged it.
    relevance: float | None = None

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.paragraph)


@dataclass(frozen=True, slots=True)
class Quote:
    """A paragraph the answer cites, and the parts of it that it quotes, in order."""

    hit: Hit
    spans: tuple[Span, ...]

    @property
    def paragraph(self) -> Paragraph:
        return self.hit.paragraph

    @property
    def passages(self) -> list[str]:
        """The quoted parts as printed."""
        return [self.paragraph.text[start:end] for start, end in self.spans]

    @property
    def whole(self) -> bool:
        return self.spans == ((0, len(self.paragraph.text)),)


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One sentence of a short answer, in the question's language, and the quoted paragraphs
    it was checked against (ids); its citations are theirs."""

    text: str
    paragraph_ids: tuple[str, ...]
    #: The sentence in English, as it was checked.
    english: str
    #: The model's P(yes) that the cited paragraphs state it.
    support: float


@dataclass(frozen=True, slots=True)
class Summary:
    """A short answer before the quotes: sentences that each passed the check against the
    paragraphs they cite. ``removed`` counts the sentences that failed it (left out);
    ``notice`` says why there is no summary, or what it could not do, in the question's
    language."""

    sentences: tuple[SummarySentence, ...] = ()
    removed: int = 0
    notice: str | None = None
    #: Still being written (the app shows each sentence as it passes).
    partial: bool = False


#: How many of the best hits a refusal shows, as the closest matches.
CLOSEST = 3


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question: the quotes, or an abstention with the closest hits.

    ``lead`` is a statement made before the quotes (what became of a paragraph between two
    versions); ``notice`` tells the user something about how the answer was made (a question
    in another language, a reader that could not be used), in the question's language.
    ``question`` is the question as asked, in ``language`` (one of the six UN languages);
    ``question_en`` is the English question the documents were searched with (the question
    itself when asked in English; None when it could not be translated)."""

    question: str
    quotes: tuple[Quote, ...]
    hits: tuple[Hit, ...]
    abstained: bool
    lead: str | None = None
    notice: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    language: str = "en"
    question_en: str | None = None
    #: The short answer, when one was asked for (``style="summary"``).
    summary: Summary | None = None
    #: For a refusal of a question asking for a number, a time or a person ("number", "time",
    #: "person"): that kind of fact, when none of the closest paragraphs states one.
    missing_fact: str | None = None

    @property
    def citations(self) -> tuple[Hit, ...]:
        return tuple(q.hit for q in self.quotes)

    @property
    def closest(self) -> tuple[Hit, ...]:
        """What an abstention shows instead of quotes: the closest hits, not answers."""
        return self.hits[:CLOSEST] if self.abstained else ()

    def quote_of(self, paragraph_id: str) -> Quote | None:
        return next((q for q in self.quotes if q.paragraph.id == paragraph_id), None)
