"""A question in another UN language, put into English for the English documents.

The reader's model translates the question (greedy, one line, the question as delimited data),
told the official English names of the UN bodies and documents it names (the glossary); the
names it still leaves in the question's language are put into English after. When there is no
model, or it fails, is busy or too slow, or replies in another language than English, the
documents are searched with the question as asked, its names put into English by the
glossary, and the answer says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from assistant.languages.detection import ENGLISH, LANGUAGE_NAMES, LanguageDetector
from assistant.languages.glossary import Term, load_glossary
from assistant.prompts import (
    TRANSLATION_EXAMPLE_EN,
    TRANSLATION_EXAMPLES,
    TRANSLATION_SYSTEM,
    translation_prompt,
)
from assistant.reader.judges import JudgeFailed

#: The longest translation, in tokens: a long question in English is about 50.
MAX_TRANSLATION_TOKENS = 80
_LEAD_IN = re.compile(r"^(?:english(?: translation)?|translation)\s*:\s*", re.IGNORECASE)
_TAGS = re.compile(r"</?question>", re.IGNORECASE)
_QUOTES = "\"'“”«»„‘’"


class Generator(Protocol):
    """A model that writes a short greedy reply to a chat (the reader's judge)."""

    def warm_up(self) -> None:
        """Loads the model now, if it loads on first use; raises :class:`JudgeFailed`."""
        ...

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str: ...


@dataclass(frozen=True, slots=True)
class Translation:
    """What the documents are searched with for a question in another language."""

    language: str
    #: The English question, None when it could not be made.
    english: str | None
    #: What retrieval is asked: the English question, or the question as asked with its
    #: names put into English.
    searched: str
    #: The UN names the glossary found in the question.
    terms: tuple[Term, ...] = ()
    #: Why there is no English question.
    failure: str | None = None
    seconds: float = 0.0


class Translator(Protocol):
    def translate(self, question: str, language: str) -> Translation:
        """The question in English, or what to search with instead; never raises for a
        model that fails."""
        ...


def translation_chat(question: str, language: str, terms: Sequence[Term]) -> list[dict[str, str]]:
    """The instructions, a worked example in the question's language (the same for every
    question in it, so that its tokens are cached), then the question with the English names
    of the UN names it holds."""
    chat = [{"role": "system", "content": TRANSLATION_SYSTEM}]
    example = TRANSLATION_EXAMPLES.get(language)
    if example is not None:
        chat += [
            {
                "role": "user",
                "content": _prompt(example, language, load_glossary(language).apply(example).terms),
            },
            {"role": "assistant", "content": TRANSLATION_EXAMPLE_EN},
        ]
    chat.append({"role": "user", "content": _prompt(question, language, terms)})
    return chat


def _prompt(question: str, language: str, terms: Sequence[Term]) -> str:
    names = list(dict.fromkeys((t.found, t.english) for t in terms))
    return translation_prompt(question, LANGUAGE_NAMES[language], names)


def clean_translation(reply: str) -> str:
    """The question in a model's reply: its first line, without a lead-in ("Translation:"),
    the prompt's tags or quotes around it."""
    lines = [line.strip() for line in _TAGS.sub("\n", reply).splitlines() if line.strip()]
    text = _LEAD_IN.sub("", lines[0]) if lines else ""
    return text.strip().strip(_QUOTES).strip()


class ModelTranslator:
    """Translates with the model ``model()`` gives (None: no model), loading it on first use
    and then waiting ``timeout_s`` at most for its reply: a model in this process cannot be
    stopped mid-reply, so a slow one is left to finish in the background while the question
    is answered without it."""

    def __init__(
        self,
        model: Callable[[], Generator | None],
        detector: LanguageDetector,
        timeout_s: float = 8.0,
        missing: str = "no model to translate with",
    ) -> None:
        self.model = model
        self.detector = detector
        self.timeout_s = timeout_s
        self.missing = missing
        # Threads start on first use; two, so that a reply left to finish does not hold up
        # the next question (which then finds the model busy, and says so).
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="translation")

    def translate(self, question: str, language: str) -> Translation:
        started = time.perf_counter()
        glossary = load_glossary(language)
        glossed = glossary.apply(question)

        def fallback(reason: str) -> Translation:
            seconds = time.perf_counter() - started
            return Translation(language, None, glossed.text, glossed.terms, reason, seconds)

        generator = self.model()
        if generator is None:
            return fallback(self.missing)
        try:
            generator.warm_up()  # the wait below is for the reply, not for loading the model
        except JudgeFailed as exc:
            return fallback(str(exc))
        chat = translation_chat(question, language, glossed.terms)
        reply: Future[str] = self._pool.submit(
            generator.generate, chat, MAX_TRANSLATION_TOKENS, self.timeout_s, ("\n",)
        )
        try:
            english = clean_translation(reply.result(timeout=self.timeout_s))
        except FutureTimeout:
            return fallback(f"the reader's model took over {self.timeout_s:g} s")
        except JudgeFailed as exc:
            return fallback(str(exc))
        english = glossary.apply(english).text
        if not english or self.detector.detect(english) != ENGLISH:
            return fallback("the model did not reply in English")
        seconds = time.perf_counter() - started
        return Translation(language, english, english, glossed.terms, None, seconds)
