"""What a topic is made of, as staff type it: its parts, the words the documents use for it,
and where those words are in a paragraph. Pure functions over strings.

"children, youth and older persons" is three topics at once: a paragraph about any of them
is on the topic, so each part is judged on its own. "science, technology and innovation" is
one thing the documents name with those very words: a topic the documents print word for
word is not split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.references import ACRONYMS, PLAIN_WORDS
from corpus.wording import word_tokens

Span = tuple[int, int]

#: Where a topic that lists several things is cut: commas, semicolons, slashes, "and", "or",
#: "as well as".
_SEPARATORS = re.compile(r"\s*[;,/]\s*|\s+(?:and|or|&|as well as)\s+", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
#: "WSIS action lines and their facilitators": the second part is "facilitators of WSIS action
#: lines".
_POSSESSIVE = re.compile(r"^(?:their|its)\s+(.+)$", re.IGNORECASE)
#: Words that do not make a part a topic of its own.
_FILLER = frozenset({"other", "others", "etc", "related", "issues", "matters", "all"})


def _content_words(text: str) -> list[str]:
    return [t.text for t in word_tokens(text) if len(t.text) > 1 and t.text not in _FILLER]


def split_topic(topic: str, printed: Callable[[str], bool] = lambda _: False) -> tuple[str, ...]:
    """The parts of a topic that lists several things ("children, youth and older persons"
    -> "children", "youth", "older persons"); the topic itself when it names one thing, or
    when ``printed`` says the documents use it word for word ("women and girls")."""
    text = " ".join(topic.split())
    if printed(text):
        return (text,)
    parts: list[str] = []
    for chunk in _SEPARATORS.split(text):
        part = _LEADING_ARTICLE.sub("", chunk.strip(" .:"))
        possessive = _POSSESSIVE.match(part)
        if possessive and parts:
            part = f"{possessive.group(1)} of {parts[0]}"
        if _content_words(part):
            parts.append(part)
    return tuple(dict.fromkeys(parts)) if len(parts) > 1 else (text,)


def reference_terms(text: str) -> list[str]:
    """Other names of the topic that :mod:`assistant.references` knows: the topic with its
    acronyms spelled out ("CSTD" -> "Commission on Science and Technology for Development";
    "WSIS Forum" -> "World Summit on the Information Society Forum") or with what it spells
    out put as the acronym ("Internet Governance Forum" -> "IGF"), and the UN wording of a
    topic that is one plain phrase ("funding" -> "financing"; not "online" inside "human
    rights online": a word of a topic is not the topic)."""
    lowered = " ".join(text.lower().split())
    found = []
    spelled_out = text
    for acronym, expansion in ACRONYMS.items():
        pattern = re.compile(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])")
        if pattern.search(spelled_out) and expansion.lower() not in lowered:
            spelled_out = pattern.sub(expansion, spelled_out)
        if len(expansion.split()) > 1 and _word_in(expansion.lower(), lowered):
            found.append(re.sub(re.escape(expansion), acronym, text, flags=re.IGNORECASE))
    found.insert(0, spelled_out)
    found += [wording for plain, wording in PLAIN_WORDS.items() if plain == lowered]
    found += [plain for plain, wording in PLAIN_WORDS.items() if wording.lower() == lowered]
    return list(dict.fromkeys(t for t in found if t.lower() != lowered))


def _word_in(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic as it is searched and judged.

    ``text`` is the topic as typed; ``parts`` the narrower topics a paragraph may be about
    instead (the text itself when it names one thing); ``synonyms`` other names of the topic
    or a part (acronyms, UN wording, the action line a part belongs to), as good as the
    topic's own words; ``terms`` related words the documents use for it, weaker evidence."""

    text: str
    parts: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def judged(self) -> tuple[str, ...]:
        """What a paragraph is judged to be about: the topic, then each of its parts."""
        return tuple(dict.fromkeys((self.text, *self.parts)))

    @property
    def names(self) -> tuple[str, ...]:
        """The topic, its parts and their other names: what a paragraph about it names."""
        return tuple(dict.fromkeys((*self.judged, *self.synonyms)))

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every wording whose occurrence in a paragraph is evidence."""
        return tuple(dict.fromkeys((*self.names, *self.terms)))


# --- Where a wording occurs in a paragraph ----------------------------------------------------


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(words: Sequence[str]) -> list[str]:
    """Snowball stems of lower-case words, as BM25 indexes them."""
    return list(_stemmer().stemWords(list(words)))  # type: ignore[attr-defined]


#: Words a wording may leave out or a paragraph may add without changing what is named.
_SKIPPED = frozenset({"the", "a", "an", "of", "for", "in", "on", "to", "and"})
#: Two words are one when their stems agree or they share six first letters, and those
#: cover three quarters of the shorter word: "financing" and "financial", "environment" and
#: "environmental", "persons" and "person", but not "governance" and "government" (one stem).
_SHARED_LETTERS = 6
_SHARED_SHARE = 0.75


def same_word(a: str, b: str, stem_a: str, stem_b: str) -> bool:
    """Whether two lower-case words name the same thing, inflection and derivation aside."""
    if a == b:
        return True
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    if stem_a != stem_b and shared < _SHARED_LETTERS:
        return False
    return shared >= _SHARED_SHARE * min(len(a), len(b))


@lru_cache(maxsize=4096)
def wording_words(phrase: str) -> tuple[tuple[str, str], ...]:
    """(word, stem) of each word a wording is matched by, small words left out."""
    kept = [w for w in (t.text for t in word_tokens(phrase)) if w not in _SKIPPED]
    return tuple(zip(kept, stems(kept), strict=True))


def occurrences(text: str, phrases: Iterable[str]) -> dict[str, list[Span]]:
    """Where each wording occurs in ``text``: its words in order with small words ("of",
    "the") between them allowed, inflection and derivation aside ("persons with disabilities"
    finds "person with a disability", "financing" finds "financial"): wording -> spans of the
    text."""
    kept = [t for t in word_tokens(text) if t.text not in _SKIPPED]
    text_words = [t.text for t in kept]
    text_stems = stems(text_words)
    found: dict[str, list[Span]] = {}
    for phrase in phrases:
        wanted = wording_words(phrase)
        n = len(wanted)
        if not n:
            continue
        for i in range(len(kept) - n + 1):
            if all(
                same_word(word, text_words[i + j], stem, text_stems[i + j])
                for j, (word, stem) in enumerate(wanted)
            ):
                found.setdefault(phrase, []).append((kept[i].start, kept[i + n - 1].end))
    return found
