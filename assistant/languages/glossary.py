"""The names of UN bodies, documents and terms in each language, and their English form.

UN bodies and documents have fixed names in each official language ("Sommet mondial sur la
société de l'information", SMSI, ВВУИО, 信息社会世界首脑会议 are all WSIS). A small model
translating a question keeps such names or renders them word by word, and then the English
documents do not match. The glossaries (``glossaries/<language>.toml``, data kept in the
repository) give each name's English form, so that a question names things as the documents
do.

A glossary file has ``[terms]``, name = English form: a name in capitals is an acronym and
matches only in capitals; any other matches whatever its case and accents, ``'`` matches
either apostrophe and ``*`` stands for any letters (an inflected ending: "итогов* документ*").
``[patterns]`` are regular expressions with their replacement ("第\\s*(\\d+)\\s*段" =
"paragraph \\1"). ``word_boundaries = false`` lets names match inside words, for scripts
written without spaces or with prefixes joined to the word (Chinese, Arabic).
``[written]`` gives, for an English name whose entries are patterns, the form to write when
putting an English sentence into the language ("outcome document" = "итоговый документ").
``joined_article = "ال"`` lets a name that starts with the article also match where a
preposition joined to it drops the article's first letter (ل + القمة is written للقمة).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from corpus.errors import WSISError

_APOSTROPHES = "'’ʼ"
#: A compiled entry: what it matches, and the English for a match.
Replacer = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


class GlossaryError(WSISError):
    """A glossary file that cannot be read; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Term:
    """A name found in a question, as written there, and its English form."""

    found: str
    english: str


@dataclass(frozen=True, slots=True)
class Glossed:
    """A question with every name the glossary knows put into English."""

    text: str
    terms: tuple[Term, ...]


def _unaccented(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return base if base != char and base.isascii() else char


def _name_pattern(name: str, article: str = "") -> str:
    """A name as a regular expression: accents optional, any apostrophe, ``*`` any letters,
    any run of spaces; an ``article`` it starts with may lose its first letter."""
    out = []
    if article and name.startswith(article) and len(article) > 1:
        out.append(f"(?:{re.escape(article[0])})?{re.escape(article[1:])}")
        name = name[len(article) :]
    for char in name:
        if char == "*":
            out.append(r"\w*")
        elif char in _APOSTROPHES:
            out.append(f"[{_APOSTROPHES}]")
        elif char.isspace():
            out.append(r"\s+")
        elif _unaccented(char) != char:
            out.append(f"[{re.escape(char)}{_unaccented(char)}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class Glossary:
    """One language's names and their English forms."""

    language: str
    terms: Mapping[str, str]
    patterns: Mapping[str, str]
    word_boundaries: bool = True
    joined_article: str = ""
    #: English name = the form to write in the language, for names whose entries in
    #: ``terms`` are patterns of inflected forms (``[written]`` in the file).
    written: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._compiled  # noqa: B018 - a bad entry fails when the glossary is made

    @property
    def _compiled(self) -> list[Replacer]:
        return _compiled_for(
            self.language,
            tuple(self.terms.items()),
            tuple(self.patterns.items()),
            self.word_boundaries,
            self.joined_article,
        )

    def apply(self, text: str) -> Glossed:
        """The text with the names it holds in English, and which it held. Longer names win
        over names inside them ("Forum du SMSI" over "SMSI")."""
        found: list[Term] = []
        for pattern, english in self._compiled:

            def replace(match: re.Match[str], english: Callable[[re.Match[str]], str] = english):
                replacement = english(match)
                found.append(Term(match.group(0), replacement))
                return _spaced(match, replacement)

            text = pattern.sub(replace, text)
        return Glossed(" ".join(text.split()), tuple(found))

    def names_in_english(self, text: str) -> list[tuple[str, str]]:
        """The English names in ``text`` that the glossary gives in its language, each with
        the first name it lists for it (whole names only, not patterns or inflected forms):
        for putting an English sentence into the language."""
        found: dict[str, str] = {}
        names = [(name, english) for english, name in self.written.items()]
        for name, english in [*names, *self.terms.items()]:
            if "*" in name or english in found:
                continue
            flags = 0 if _is_acronym(english) else re.IGNORECASE
            if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text, flags):
                found[english] = name
        return sorted(found.items(), key=lambda pair: -len(pair[0]))

    def __len__(self) -> int:
        return len(self.terms) + len(self.patterns)


def _spaced(match: re.Match[str], replacement: str) -> str:
    """The replacement, set apart by spaces from letters joined to the name (Arabic "و",
    "ب"), so the English name stands as its own words."""
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return f"{before}{replacement}{after}"


@cache
def _compiled_for(
    language: str,
    terms: tuple[tuple[str, str], ...],
    patterns: tuple[tuple[str, str], ...],
    word_boundaries: bool,
    article: str,
) -> list[Replacer]:
    """Names first (so "Forum du SMSI" goes before its "SMSI"), then acronyms, then the
    patterns; each kind as one alternation, longest names first."""
    compiled: list[Replacer] = []
    left, right = (r"(?<!\w)", r"(?!\w)") if word_boundaries else ("", "")
    english = dict(terms)
    for acronyms in (False, True):
        chosen = sorted(
            (name for name, _ in terms if _is_acronym(name) == acronyms), key=len, reverse=True
        )
        if chosen:
            flags = 0 if acronyms else re.IGNORECASE
            alternation = "|".join(f"(?:{_name_pattern(name, article)})" for name in chosen)
            regex = re.compile(f"{left}(?:{alternation}){right}", flags)
            compiled.append((regex, _lookup(chosen, english, flags, article)))
    for source, replacement in patterns:
        try:
            regex = re.compile(source)
        except re.error as exc:
            raise GlossaryError(
                f"the {language} glossary pattern {source!r} is invalid ({exc}); fix it in "
                f"{glossary_path(language)}"
            ) from exc
        compiled.append((regex, _expander(replacement)))
    return compiled


def _expander(replacement: str) -> Callable[[re.Match[str]], str]:
    def expand(match: re.Match[str]) -> str:
        return match.expand(replacement)

    return expand


def _lookup(
    names: list[str], english: Mapping[str, str], flags: int, article: str
) -> Callable[[re.Match[str]], str]:
    """The English form of the name a match is of (the first of the names that matches it
    whole)."""
    singles = [(re.compile(_name_pattern(n, article), flags), english[n]) for n in names]

    def of(match: re.Match[str]) -> str:
        text = match.group(0)
        return next((value for regex, value in singles if regex.fullmatch(text)), text)

    return of


def glossary_path(language: str) -> Traversable:
    return resources.files("assistant.languages") / "glossaries" / f"{language}.toml"


@cache
def load_glossary(language: str) -> Glossary:
    """The glossary of a language (empty for English, or a language without one)."""
    path = glossary_path(language)
    if language == "en" or not path.is_file():
        return Glossary(language, {}, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(f"the {language} glossary {path} is not valid TOML ({exc})") from exc
    return Glossary(
        language,
        {str(k): str(v) for k, v in data.get("terms", {}).items()},
        {str(k): str(v) for k, v in data.get("patterns", {}).items()},
        bool(data.get("word_boundaries", True)),
        str(data.get("joined_article", "")),
        {str(k): str(v) for k, v in data.get("written", {}).items()},
    )
