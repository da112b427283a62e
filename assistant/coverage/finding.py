"""Finding every paragraph about a topic.

A topic is a theme, not a question: the paragraphs wanted are those *about* it, whatever
words they use ("building confidence and security in the use of ICTs" for cybersecurity,
"capacity development" for capacity-building), and a topic that lists several things is
about each of them. So coverage

1. expands the topic (:func:`expand`): its parts (:func:`~assistant.coverage.topics.split_topic`),
   their other names (acronyms and UN wording from :mod:`assistant.references`, the action
   line a part is, from the themes), and related terms the corpus itself uses
   (:mod:`assistant.coverage.related`);
2. gathers candidates generously (:meth:`TopicReader.candidates`): the paragraphs that hybrid
   retrieval ranks highest for the topic and each of its names and terms, their dense
   neighbours, and every paragraph where one of those wordings occurs; a small scope (one
   document) is read whole;
3. judges each candidate about the topic: a calibrated combination (:class:`TopicCalibration`)
   of retrieval, the wordings that occur, the embedder's similarity of the paragraph and of
   its section heading, and the relevance model's reading of the topic put as a question
   (:attr:`Method.template`); where that relevance is unsure, the language model is asked
   whether the paragraph is about the topic (:data:`~assistant.prompts.TOPIC_JUDGE_SYSTEM`),
   most unsure first, within a time budget;
4. keeps those whose relevance reaches the threshold, each with its reason: the spans where
   the topic's wordings occur, or else the sentence nearest the topic.

What the reader made of a topic is cached per index version (:mod:`.cache`), for every
candidate, so another threshold is answered at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from assistant.api import Assistant, clean_question
from assistant.coverage.cache import ResultCache, cache_key, fingerprint
from assistant.coverage.calibration import (
    DEFAULT_COVERAGE_THRESHOLD,
    METHOD_VERSION,
    TOPIC_CALIBRATION,
    Method,
    Progress,
    TopicCalibration,
)
from assistant.coverage.reading import judge_topic
from assistant.coverage.related import related_terms
from assistant.coverage.results import Coverage, CoverageMatch, group_matches
from assistant.coverage.themes import load_themes
from assistant.coverage.topics import Topic, occurrences, reference_terms, split_topic
from assistant.retrieval import Filters
from corpus.errors import WSISError
from corpus.model import Paragraph
from corpus.wording import text_key

# --- Expanding the topic ----------------------------------------------------------------------


def printed_in(assistant: Assistant, phrase: str, at_least: int = 2) -> bool:
    """Whether the documents print ``phrase`` word for word in at least ``at_least``
    paragraphs: then it names one thing ("science, technology and innovation")."""
    key = text_key(phrase).lower()
    lexical = assistant.retriever.lexical
    wanted = set(lexical.tokens(phrase))
    found = 0
    for row, paragraph in enumerate(lexical.paragraphs):
        if wanted <= lexical.token_sets[row] and key in text_key(paragraph.text).lower():
            found += 1
            if found >= at_least:
                return True
    return False


def theme_names(parts: Sequence[str]) -> list[str]:
    """The topics of the themes (action lines) that one of ``parts`` names: the part is the
    theme's topic or one of its parts, word for word."""
    try:
        themes = load_themes().themes
    except WSISError:
        return []
    found = []
    for part in parts:
        for theme in themes:
            if any(_same_wording(part, name) for name in (theme.topic, *theme.parts)):
                found.append(theme.topic)
    return found


def _same_wording(a: str, b: str) -> bool:
    return bool(occurrences(a, [b])) and bool(occurrences(b, [a]))


def expand(
    assistant: Assistant,
    topic: str,
    parts: Sequence[str] = (),
    terms: Sequence[str] = (),
    method: Method | None = None,
) -> Topic:
    """The topic with its parts (those given, or split from it), its other names (what
    :mod:`assistant.references` knows, the action line a part is), and related words (those
    given, and related terms of the corpus)."""
    method = method or Method()
    split = split_topic(topic, lambda text: printed_in(assistant, text))
    judged = tuple(dict.fromkeys((*split, *parts)))
    every = tuple(dict.fromkeys((topic, *judged)))
    synonyms: list[str] = []
    for text in every:
        synonyms += reference_terms(text)
    if method.themes:
        synonyms += theme_names(every)
    own = {t.lower() for t in every}
    names = [s for s in dict.fromkeys(synonyms) if s.lower() not in own]
    found = list(terms)
    if method.related:
        for text in every:
            found += related_terms(assistant, text, method.related, [*every, *names])
    known = own | {n.lower() for n in names}
    return Topic(
        topic,
        judged,
        tuple(names),
        tuple(dict.fromkeys(t for t in found if t.lower() not in known)),
    )


# --- Coverage ---------------------------------------------------------------------------------


def _model_name(assistant: Assistant) -> list[Any]:
    reader = assistant.reader
    if reader is None:
        return ["no reader"]
    model = reader.relevance_model
    judge = reader.judge
    return [
        getattr(getattr(model, "folder", None), "name", type(model).__name__),
        getattr(judge, "name", None),
    ]


def _themes_version() -> str | None:
    try:
        return load_themes().version
    except WSISError:
        return None


def _cache(assistant: Assistant) -> ResultCache:
    cache = getattr(assistant, "_coverage_cache", None)
    if cache is None:
        cache = ResultCache(assistant.settings.index_dir / "coverage")
        assistant._coverage_cache = cache  # type: ignore[attr-defined]
    return cache


def coverage(
    assistant: Assistant,
    topic: str,
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    filters: Filters | None = None,
    *,
    parts: Sequence[str] = (),
    terms: Sequence[str] = (),
    progress: Progress | None = None,
    method: Method | None = None,
    calibration: TopicCalibration | None = None,
) -> Coverage:
    """Every searchable paragraph about ``topic`` whose relevance reaches ``threshold``,
    grouped by document (documents by name, paragraphs in document order); ``parts`` and
    ``terms`` add narrower topics and the documents' words for it (the themes of the matrix
    give them). ``progress`` hears (share done, what is being done).

    A paragraph found word for word in several documents (a draft and its adopted text) is
    judged once and listed in each of them.
    """
    started = time.perf_counter()
    report = progress or (lambda _done, _what: None)
    method = method or Method()
    calibration = calibration or TOPIC_CALIBRATION
    assistant.follow_changes()
    text = clean_question(topic)
    catalog = assistant.catalog
    for name in filters.documents if filters else ():
        assistant.find_document(name)
    allowed = assistant.retriever.linker.allowed(filters)
    key = cache_key(
        [
            METHOD_VERSION,
            fingerprint(catalog.documents),
            text,
            list(parts),
            list(terms),
            sorted(allowed) if allowed is not None else None,
            _themes_version() if method.themes else None,
            asdict(method),
            asdict(calibration),
            _model_name(assistant),
        ]
    )
    cache = _cache(assistant)
    stored = cache.get(key)
    if stored is None:
        report(0.02, "Expanding the topic")
        expanded = expand(assistant, text, parts, terms, method)
        judged, notices, read, asked = judge_topic(
            assistant, expanded, filters, method, calibration, report, started
        )
        stored = {
            "parts": list(expanded.parts),
            "terms": [*expanded.synonyms, *expanded.terms],
            "notice": " ".join(dict.fromkeys(notices)) or None,
            "read": read,
            "judged": asked,
            "paragraphs": [
                [j.paragraph_id, j.score, j.relevance, [list(s) for s in j.reason], j.judged]
                for j in judged
            ],
        }
        cache.put(key, stored)
    report(1.0, "Done")
    return _result(assistant, text, threshold, allowed, stored, time.perf_counter() - started)


def _result(
    assistant: Assistant,
    topic: str,
    threshold: float,
    allowed: set[str] | None,
    stored: dict[str, Any],
    seconds: float,
) -> Coverage:
    """The cached judgement at this threshold, each paragraph listed in every document of
    the scope that holds its text."""
    catalog = assistant.catalog
    twins: dict[str, list[Paragraph]] = {}
    for p in catalog.searchable():
        if allowed is None or p.doc_id in allowed:
            twins.setdefault(text_key(p.text), []).append(p)
    matches: list[CoverageMatch] = []
    for pid, score, relevance, reason, judged in stored["paragraphs"]:
        if relevance < threshold or pid not in catalog.paragraphs:
            continue
        spans = tuple((int(a), int(b)) for a, b in reason)
        for paragraph in twins.get(text_key(catalog.paragraphs[pid].text), []):
            matches.append(CoverageMatch(paragraph, score, relevance, spans, judged))
    return Coverage(
        topic=topic,
        threshold=threshold,
        groups=group_matches(catalog.documents, matches),
        parts=tuple(stored["parts"]),
        terms=tuple(stored["terms"]),
        notice=stored["notice"],
        read=stored["read"],
        judged=stored["judged"],
        seconds=seconds,
    )
