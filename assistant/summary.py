"""Short answers: two to four sentences saying what the quoted paragraphs say, each ending with
its citations, and each checked against the paragraphs it cites before it is shown.

The reader's model writes the sentences in English from the quoted paragraphs only, numbered
and delimited as data, and ends each with the numbers of the paragraphs it rests on. A
sentence is kept only if

* it cites at least one of those paragraphs (and only those: nothing else was retrieved),
* every name, acronym and number in it is in the paragraphs it cites (or in their documents'
  symbols and titles); an acronym may stand for a name spelled out there
  ("IGF" for "Internet Governance Forum"), and
* the model, asked again with only the cited paragraphs, says they state it.

The sentences that fail are left out and counted. A question in another UN language gets the
kept sentences put into its language (told the official names from the glossary), after the
check; a translation that loses a number is not shown, the checked English sentence is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

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

#: Paragraphs a short answer is written from: the first quotes, most relevant first.
MAX_SOURCES = 4
MAX_SENTENCES = 4
#: Longest paragraph text the model reads, in characters.
MAX_SOURCE_CHARS = 1500
MAX_SUMMARY_TOKENS = 220
MAX_SENTENCE_TOKENS = 160
#: The model's P(yes) that the cited paragraphs state a sentence, from which it is kept.
SUPPORT_AT = 0.5

_CITED = re.compile(r"((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NUMBERS_IN_MARK = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
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
    """The cited sentences of a reply, in order, and how many cite nothing. A mark ``[1][2]``
    cites for the sentences before it back to the last mark (a model often marks a run of
    sentences once); a sentence after the last mark cites nothing, unless there is one source.
    A number that is no source's but is the label of exactly one (``[45]`` for "paragraph
    45", asked about by number) cites that one; other numbers are ignored."""
    claims: list[Claim] = []
    uncited = 0
    pieces = _CITED.split(reply.strip())
    for i in range(0, len(pieces), 2):
        mark = pieces[i + 1] if i + 1 < len(pieces) else ""
        numbers = [_source_number(n, sources, labels) for n in _NUMBERS_IN_MARK.findall(mark)]
        if not mark and sources == 1:
            numbers = [1]
        cited = tuple(dict.fromkeys(n - 1 for n in numbers if 1 <= n <= sources))
        for sentence in (s for s in (_clean(s) for s in _SENTENCE_END.split(pieces[i])) if s):
            if cited:
                claims.append(Claim(sentence, cited))
            else:
                uncited += 1
    return claims, uncited


def _source_number(mark: str, sources: int, labels: Sequence[str]) -> int:
    number = int(mark)
    if 1 <= number <= sources or labels.count(mark) != 1:
        return number
    return labels.index(mark) + 1


def _clean(sentence: str) -> str:
    text = " ".join(sentence.split()).strip(" -*•")
    text = text.lstrip(".;,: ")
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


def missing_names(sentence: str, sources: Sequence[str], question: str = "") -> tuple[str, ...]:
    """The numbers, acronyms and capitalised names of ``sentence`` (its first word aside,
    unless an acronym) that do not appear in ``sources``. Names the question uses may appear
    (it names what is asked about, "the WSIS+20 outcome"), its numbers may not, save those of
    such a name ("WSIS+20")."""
    haystack = "\n".join(sources)
    named = {m.group(0) for m in _NAME_WITH_NUMBER.finditer(question)}
    checked = _NAME_WITH_NUMBER.sub(
        lambda m: m.group(1) if m.group(0) in named else m.group(0), sentence
    )
    missing = _missing(checked, haystack, numbers=True)
    asked = set(_missing(checked, f"{question}\n{haystack}"))
    return tuple(n for n in missing if n[:1].isdigit() or n in asked)


def _missing(sentence: str, haystack: str, numbers: bool = False) -> list[str]:
    lowered = haystack.lower()
    spelled = acronyms(haystack)
    missing: list[str] = []
    for number in _NUMBER.findall(sentence) if numbers else ():
        if not re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", haystack):
            missing.append(number)
    for position, match in enumerate(_WORD.finditer(sentence)):
        word = re.sub(r"['’]s$", "", match.group(0)).strip("'’-")
        acronym = len(word) > 1 and word.isupper()
        if not word[:1].isupper() or (position == 0 and not acronym):
            continue
        if acronym:
            if not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack) and word not in spelled:
                missing.append(word)
        elif not re.search(rf"(?<!\w){re.escape(word.lower())}", lowered):
            missing.append(word)
    return list(dict.fromkeys(missing))


def document_names(quote: Quote) -> str:
    """What a sentence may name of a quote's document: its symbol, title, year and the
    citation."""
    document = quote.hit.document
    year = str(document.dated.year) if document.dated else ""
    return "\n".join(x for x in (document.symbol, document.title, year, quote.hit.citation) if x)


class Summarizer:
    """Writes and checks short answers with the reader's model (a :class:`Judge`)."""

    def __init__(self, judge: Judge, timeout_s: float = 60.0) -> None:
        self.judge = judge
        self.timeout_s = timeout_s

    def steps(self, question_en: str, quotes: Sequence[Quote], language: str) -> Iterator[Summary]:
        """The summary as it grows: one partial summary after each sentence that passes, then
        the whole one (``partial`` False). Never raises for a model that fails: the summary
        then says why it could not be written."""
        says = voice(language)
        sources = list(quotes[:MAX_SOURCES])
        texts = [q.paragraph.text for q in sources]
        names = [document_names(q) for q in sources]
        deadline = time.monotonic() + self.timeout_s

        def left() -> float:
            return max(deadline - time.monotonic(), 0.1)

        if not sources:
            yield Summary(notice=says.summary_failed.format(reason="nothing is quoted"))
            return
        try:
            reply = self.judge.generate(
                summary_chat(texts, question_en, MAX_SOURCE_CHARS),
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
        for claim in claims[:MAX_SENTENCES]:
            cited = [texts[i] for i in claim.sources]
            try:
                documents = [names[i] for i in claim.sources]
                check = self.check(claim.text, cited, documents, question_en, left())
            except JudgeFailed as exc:
                failure = str(exc)
                removed += 1
                continue
            if not check.passed:
                removed += 1
                continue
            text = claim.text
            if language != ENGLISH:
                text = self.translate(claim.text, language, left())
            ids = tuple(sources[i].paragraph.id for i in claim.sources)
            kept.append(SummarySentence(text, ids, claim.text))
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
        self,
        sentence: str,
        cited: Sequence[str],
        documents: Sequence[str],
        question: str,
        timeout_s: float,
    ) -> Check:
        """Whether the cited paragraphs hold the sentence's names and numbers and, if they
        do, state it; raises :class:`JudgeFailed`."""
        missing = missing_names(sentence, [*cited, *documents], question)
        if missing:
            return Check(missing, None)
        prompt = support_prompt(cited, sentence, MAX_SOURCE_CHARS)
        return Check((), self.judge.verdict(chat(SUPPORT_SYSTEM, prompt), timeout_s))

    def translate(self, sentence: str, language: str, timeout_s: float) -> str:
        """The sentence in ``language``; the English one when the model fails or drops a
        number."""
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
        return text
