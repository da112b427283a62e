"""Which of the six UN languages a question is in: Arabic, Chinese, English, French, Russian
or Spanish.

Arabic, Chinese and Russian are told by their script, which no other of the six shares.
English, French and Spanish are told apart by lingua's models of the three (shipped in its
wheel, read offline). A question counts as English unless it is clearly in French or Spanish:
the documents are English, and a short English query ("Tunis Agenda", "ITU role") looks
French or Spanish about as often as English.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from functools import cached_property
from typing import Any

ENGLISH = "en"
#: The six official languages of the United Nations, by ISO 639-1 code.
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
#: Their English names, for prompts and messages.
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "zh": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}

#: A question in Latin script needs this many words (acronyms, symbols and numbers aside)
#: to be taken for French or Spanish.
MIN_WORDS = 3
#: lingua's confidence in French or Spanish a question must reach to count as such...
MIN_CONFIDENCE = 0.6
#: ... and it must be this much surer of it than of English.
MIN_MARGIN = 0.3
#: A Chinese character carries about as much as a short word in the other scripts.
HAN_WEIGHT = 2

_SCRIPT_LANGUAGE = {"arabic": "ar", "han": "zh", "cyrillic": "ru"}
_WORD = re.compile(r"[^\W\d_]+")


def script_of(char: str) -> str | None:
    """The script of a letter among those of the six languages (None for anything else)."""
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x08FF or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


def main_script(text: str) -> str | None:
    """The script most of the text's letters are in (Chinese characters weighted as words),
    None when it has no letters."""
    counts: Counter[str] = Counter()
    for char in text:
        script = script_of(char)
        if script is not None:
            counts[script] += HAN_WEIGHT if script == "han" else 1
    return counts.most_common(1)[0][0] if counts else None


def content_words(text: str) -> list[str]:
    """The words that tell the language: document symbols (A/RES/80/173), numbers and
    acronyms (WSIS+20, SMSI, 4G) left out, as they say nothing of the language around them."""
    words = []
    for token in text.split():
        if "/" in token or any(c.isdigit() for c in token):
            continue
        found = _WORD.findall(token)
        if len(found) == 1 and len(found[0]) > 1 and found[0].isupper():
            continue
        words += found
    return words


class LanguageDetector:
    """Tells the language of a question; lingua's models load on first use (about a second,
    120 MB), or at :meth:`warm_up`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _lingua(self) -> Any:
        from lingua import Language, LanguageDetectorBuilder

        with self._lock:
            return (
                LanguageDetectorBuilder.from_languages(
                    Language.ENGLISH, Language.FRENCH, Language.SPANISH
                )
                .with_preloaded_language_models()
                .build()
            )

    def warm_up(self) -> None:
        self._lingua  # noqa: B018 - load now

    def confidences(self, text: str) -> dict[str, float]:
        """lingua's confidence in English, French and Spanish for a text in Latin script."""
        values = self._lingua.compute_language_confidence_values(text)
        return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}

    def detect(self, text: str) -> str:
        """The question's language, one of :data:`LANGUAGES`; English when in doubt."""
        script = main_script(text)
        if script in _SCRIPT_LANGUAGE:
            return _SCRIPT_LANGUAGE[script]
        words = content_words(text)
        if script != "latin" or len(words) < MIN_WORDS:
            return ENGLISH
        confidence = self.confidences(" ".join(words))
        best = max(confidence, key=lambda code: confidence[code])
        if best == ENGLISH or confidence[best] < MIN_CONFIDENCE:
            return ENGLISH
        if confidence[best] - confidence.get(ENGLISH, 0.0) < MIN_MARGIN:
            return ENGLISH
        return best
