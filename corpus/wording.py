"""Wording as delegates compare it: the same words whatever the typography. Pure functions.

Drafts and official records print the same text with different hyphens (non-breaking or
not), quotes and spaces around dashes; submissions spell "recognise" where UN texts spell
"recognize"; extraction breaks words ("progres s"). None of that is a difference in
wording, so texts are compared as sequences of normalized tokens that remember where they
are in the original text, to quote and mark it as printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TRANSLATE = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00ad": None,
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
    }
)
_TOKEN = re.compile(r"\w+|[^\w\s]")
#: British -ise spellings, read as the -ize that UN documents use ("recognise",
#: "digitalisation", "minimising").
_BRITISH_ISE = re.compile(r"(?<=\w{2})is(e|ed|es|ing|ation|ations)$")


def normalize(text: str) -> str:
    """Text as compared: Unicode compatibility forms, one kind of hyphen and of quote."""
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATE)


@dataclass(frozen=True, slots=True)
class Token:
    """A word or a punctuation mark, normalized, with where it is in the original text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "_"


def tokens(text: str) -> list[Token]:
    """Words and punctuation marks of ``text`` with their spans (spacing is not a token, so
    "2021 –2025" and "2021–2025" read the same)."""
    return [
        Token(word if word.isascii() else normalize(word), m.start(), m.end())
        for m in _TOKEN.finditer(text)
        for word in (m.group(0),)
    ]


def spelled(word: str) -> str:
    """A lower-case word in UN spelling ("Recognise" -> "recognize")."""
    word = word.lower()
    return _BRITISH_ISE.sub(r"iz\1", word) if "is" in word[-9:] else word


def word_tokens(text: str) -> list[Token]:
    """The words of ``text`` (no punctuation), lower case in UN spelling, with their spans:
    "multi-stakeholder" is two words, as in "multi stakeholder"."""
    return [Token(spelled(t.text), t.start, t.end) for t in tokens(text) if t.is_word]


def words(text: str) -> list[str]:
    """The words of ``text``, lower case in UN spelling, for similarity."""
    return [t.text for t in word_tokens(text)]


def text_key(text: str) -> str:
    """Text compared word for word, typography and spacing aside: also the spaces that
    extraction puts inside words ("progres s", "Deve lopment")."""
    return "".join(t.text for t in tokens(text))


_RESOLUTION_NUMBER = re.compile(r"^\s*\d{2,3}/\d{1,4}\.\s*")


def title_key(title: str | None) -> str:
    """A title compared across versions and years: without the resolution number that
    adoption puts before it ("80/173. Outcome ..."), typography and case aside."""
    return text_key(_RESOLUTION_NUMBER.sub("", title or "")).lower()


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(“\"])|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a paragraph is (a full stop, semicolon or colon before a capital,
    or a line break, ends one), leading and trailing spaces left out."""
    spans, start = [], 0
    for end in [*(m.span() for m in _SENTENCE_END.finditer(text)), (len(text), len(text))]:
        piece = text[start : end[0]]
        stripped = piece.strip()
        if stripped:
            first = start + len(piece) - len(piece.lstrip())
            spans.append((first, first + len(stripped)))
        start = end[1]
    return spans
