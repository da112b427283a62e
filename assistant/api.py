"""The Python API: ``Assistant(settings).ask(question)`` and ``.search(query)``."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from assistant.answering import Answerer, ExtractiveAnswerer
from assistant.answers import CLOSEST, Answer, Hit, Quote, Summary
from assistant.catalog import Catalog
from assistant.drafting.amendments import AmendmentsReport, amendment_uptake
from assistant.drafting.changes import ChangeQuestion, describe_changes, parse_change_question
from assistant.drafting.precedent import Precedent, precedent
from assistant.drafting.versions import Comparison, compare
from assistant.languages import ENGLISH, LanguageDetector, ModelTranslator, Translation, Translator
from assistant.prompts import voice
from assistant.reader.reading import Reader, Reading, make_reader
from assistant.retrieval import Filters, HybridRetriever, RetrievalTrace, RetrievalWeights
from assistant.store import ParagraphStore
from assistant.summary import Summarizer
from corpus.errors import InvalidQuestion, UnknownDocument
from corpus.model import Document, DocumentKind
from corpus.settings import Settings
from ingest.embedding import Embedder, make_embedder
from ingest.store import ParagraphIndex

MAX_QUESTION_CHARS = 2000
#: How an answer can be given: quotes only, or a short answer before them.
STYLES = ("quotes", "summary")
#: Comparisons of versions kept for "What changed in paragraph N between X and Y?".
MAX_CACHED_COMPARISONS = 16


def clean_question(question: str) -> str:
    """The question with control characters removed and spaces folded; rejects what cannot
    be a question."""
    if question is None:
        raise InvalidQuestion("the question is empty; type a question about the documents")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = " ".join(text.split())
    if not text:
        raise InvalidQuestion("the question is empty; type a question about the documents")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"the question is {len(text):,} characters long; keep it under "
            f"{MAX_QUESTION_CHARS:,} (ask about one topic at a time)"
        )
    if not re.search(r"\w", text):
        raise InvalidQuestion("the question has no words; type a question about the documents")
    return text


def check_style(style: str) -> None:
    """Rejects an answer style that is not one of :data:`STYLES`."""
    if style not in STYLES:
        raise InvalidQuestion(f"no answer style {style!r}; use one of: {', '.join(STYLES)}")


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    document: Document
    paragraphs: int


class Assistant:
    """Answers questions from an index of paragraphs, with paragraph citations.

    Heavy parts (model, Chroma, BM25) load on first use; ``warm_up()`` loads them now. The
    store is the Chroma index the settings name unless another is given (tests give an
    in-memory one). A question in another UN language is put into English by
    ``translator``; unless another is given, the reader's model does it, told the English
    names of the UN bodies and documents it names.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: ParagraphStore | None = None,
        embedder: Embedder | None = None,
        answerer: Answerer | None = None,
        reader: Reader | None = None,
        weights: RetrievalWeights | None = None,
        translator: Translator | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._store = store
        self._embedder = embedder
        self._reader = reader
        self._translator = translator
        self._fingerprint: tuple[tuple[str, str], ...] = ()
        self._checked = time.monotonic()
        self._comparisons: dict[tuple[str, str, str, str], Comparison] = {}
        self.answerer: Answerer = answerer or ExtractiveAnswerer()
        self.weights = weights

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        return make_embedder(self.settings, serving=True)

    @cached_property
    def store(self) -> ParagraphStore:
        if self._store is not None:
            return self._store
        return ParagraphIndex(self.settings, self.embedder)

    @cached_property
    def reader(self) -> Reader | None:
        """Judges whether retrieved paragraphs answer (None for ``reader: none``)."""
        return self._reader if self._reader is not None else make_reader(self.settings)

    @cached_property
    def detector(self) -> LanguageDetector:
        """Which of the six UN languages a question is in."""
        return LanguageDetector()

    @cached_property
    def translator(self) -> Translator:
        """Puts a question in another language into English: the reader's model, when there
        is one, with the glossaries of UN names."""
        if self._translator is not None:
            return self._translator
        return ModelTranslator(
            lambda: self.reader.judge if self.reader is not None else None,
            self.detector,
            self.settings.translation_timeout_s,
            self._no_model,
        )

    @property
    def _no_model(self) -> str:
        """Why no model writes for this assistant (said when it is asked to)."""
        if self.settings.reader == "none":
            return "no model reads for this assistant (reader: none)"
        return "the reader's model is not available"

    @cached_property
    def catalog(self) -> Catalog:
        catalog = Catalog.from_store(self.store)
        self._fingerprint = _fingerprint(catalog.documents)
        return catalog

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Loads the model in a second thread while the catalogue comes out of the store and
        the BM25 index is built: on two cores that takes about a second off a cold start."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(lambda: getattr(self.embedder, "model", None))
            retriever = HybridRetriever(self.store, self.catalog, self.embedder, self.weights)
            loading.result()
        return retriever

    def warm_up(self) -> Assistant:
        """Loads the index, the models and the reader now rather than on the first question."""
        self.detector.warm_up()
        hits = self.retriever.search("information society", k=1)
        if self.reader is not None:
            self.reader.warm_up(hits)
        return self

    def follow_changes(self) -> bool:
        """Reload when documents were added, replaced or removed by another process (an
        ingest, or another app sharing a Chroma server); looks at most every
        ``refresh_seconds``. Whether it reloaded."""
        if "catalog" not in self.__dict__:
            return False
        now = time.monotonic()
        if now - self._checked < self.settings.refresh_seconds:
            return False
        self._checked = now
        if _fingerprint(self.store.live_documents()) == self._fingerprint:
            return False
        self.refresh()
        return True

    def refresh(self) -> None:
        """Reload the catalogue and lexical index after the store changed."""
        for name in ("catalog", "retriever", "amendments_report"):
            self.__dict__.pop(name, None)
        self._comparisons.clear()
        self.store.reopen()

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
        read: bool = True,
    ) -> list[Hit]:
        """The paragraphs that best match a query; with the reader, those it judges most
        relevant first, each with its relevance."""
        self.follow_changes()
        text = clean_question(query)
        trace = RetrievalTrace()
        hits = self.retriever.search(text, k or self.settings.top_k, filters, mode, trace)
        if not read or self.reader is None:
            return hits
        judged = self.reader.read(text, hits, trace, with_judge=False).judge(hits)
        return sorted(judged, key=lambda h: -(h.relevance if h.relevance is not None else -1.0))

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
        read: bool = True,
        progress: Callable[[float, str], None] | None = None,
        style: str = "quotes",
    ) -> Answer:
        """The answer to a question; ``read=False`` answers from retrieval scores without
        the reader, as ``reader: none`` does. ``progress`` hears (share done, what is being
        done). A question in another UN language is searched for and read in English; the
        answer keeps it as asked, and speaks its language. ``style="summary"`` puts a short
        answer, checked against the paragraphs it cites, before the quotes."""
        check_style(style)
        answer = self._quotes(question, filters, k, mode, read, progress)
        if style == "summary":
            if progress is not None:
                progress(0.6, "Writing a short answer")
            *_, answer = self.summary_steps(answer)
        return answer

    def summary_steps(self, answer: Answer) -> Iterator[Answer]:
        """The answer with its short answer as it grows (the app shows each sentence once it
        has passed its check), the last one whole. An abstention, or the answer to a change
        question (its statement is already short), gets none."""
        if answer.abstained or answer.lead is not None or not answer.quotes:
            yield answer
            return
        started = time.perf_counter()
        judge = self.reader.judge if self.reader is not None else None
        if judge is None:
            notice = voice(answer.language).summary_failed.format(reason=self._no_model)
            yield replace(answer, summary=Summary(notice=notice))
            return
        linker = self.retriever.linker
        summarizer = Summarizer(
            judge,
            self.settings.summary_timeout_s,
            lambda sentence: [document.name for document, _part in linker.named(sentence)],
        )
        question_en = answer.question_en or answer.question
        summary = Summary(partial=True)
        for summary in summarizer.steps(question_en, answer.quotes, answer.language):
            if summary.partial:
                yield replace(answer, summary=summary)
        timings = dict(answer.timings_ms)
        timings["summarize"] = (time.perf_counter() - started) * 1000
        timings["total"] = timings.get("total", 0.0) + timings["summarize"]
        yield replace(answer, summary=summary, timings_ms=timings)

    def _quotes(
        self,
        question: str,
        filters: Filters | None,
        k: int | None,
        mode: str,
        read: bool,
        progress: Callable[[float, str], None] | None,
    ) -> Answer:
        report = progress or (lambda _done, _what: None)
        started = time.perf_counter()
        self.follow_changes()
        text = clean_question(question)
        language = self.detector.detect(text)
        translation: Translation | None = None
        searched = text
        if language != ENGLISH:
            report(0.02, "Translating the question into English")
            translation = self.translator.translate(text, language)
            searched = translation.searched
        translated = time.perf_counter()
        report(0.05, "Searching the documents")
        trace = RetrievalTrace()
        hits = self.retriever.search(searched, k or self.settings.top_k, filters, mode, trace)
        retrieved = time.perf_counter()
        changed = self._change_answer(searched, hits, filters)
        reading = Reading()
        if changed is not None:
            lead, quotes = changed
            cited = {q.paragraph.id for q in quotes}
            ranked = [q.hit for q in quotes] + [h for h in hits if h.paragraph.id not in cited]
            hits = ranked[: max(k or self.settings.top_k, len(quotes))]
            abstained = False
        else:
            lead = None
            if read and self.reader is not None and not trace.direct:
                report(0.3, "Reading the paragraphs found")
                judge_best = self.answerer.needs_verdict(trace)
                reading = self.reader.read(searched, hits, trace, judge_best=judge_best)
                hits = reading.judge(hits)
            drafted = self.answerer.answer(searched, hits, trace, reading)
            quotes, abstained = drafted.quotes, drafted.abstained
        done = time.perf_counter()
        timings = {}
        if translation is not None:
            timings["language"] = (translated - started) * 1000
        timings["retrieve"] = (retrieved - (translated if translation else started)) * 1000
        if reading.read or reading.notice:
            timings["read"] = reading.seconds * 1000
        timings["answer"] = (done - retrieved) * 1000 - timings.get("read", 0.0)
        timings["total"] = (done - started) * 1000
        return Answer(
            question=text,
            quotes=quotes,
            hits=tuple(hits),
            abstained=abstained,
            lead=lead,
            notice=_notice(language, translation, reading.notice),
            timings_ms=timings,
            language=language,
            question_en=text if translation is None else translation.english,
            missing_fact=trace.missing_fact(hits[:CLOSEST]) if abstained else None,
        )

    def find_document(self, name: str) -> Document:
        """A document by its symbol (or half of a joint one) or its id."""
        catalog = self.catalog
        document = catalog.documents.get(name) or catalog.document_by_symbol(name)
        if document is None:
            raise UnknownDocument(
                f"no document {name} in the index; give a symbol or id that `wsis search` "
                "or the Documents tab lists"
            )
        return document

    def compare(self, old: str, new: str) -> Comparison:
        """Two versions of a text, paragraph by paragraph (``old`` and ``new`` by symbol or
        id)."""
        first, second = self.find_document(old), self.find_document(new)
        key = (first.doc_id, first.sha256, second.doc_id, second.sha256)
        if key not in self._comparisons:
            if len(self._comparisons) >= MAX_CACHED_COMPARISONS:
                self._comparisons.pop(next(iter(self._comparisons)))
            by_doc = self.catalog.by_doc
            self._comparisons[key] = compare(
                first, by_doc.get(first.doc_id, []), second, by_doc.get(second.doc_id, [])
            )
        return self._comparisons[key]

    @cached_property
    def amendments_report(self) -> AmendmentsReport:
        return amendment_uptake(self.catalog.documents, self.catalog.by_doc)

    def amendments(self) -> AmendmentsReport:
        """The proposals of the submissions, by target, and their uptake in the adopted
        text."""
        self.follow_changes()
        return self.amendments_report

    def precedent(self, phrase: str, source: str | None = None) -> Precedent:
        """Earlier occurrences of a phrase (agreed language), oldest first; ``source`` names
        the document the phrase is from, if any."""
        self.follow_changes()
        text = clean_question(phrase)
        document = self.find_document(source) if source else None
        catalog = self.catalog
        return precedent(text, catalog.documents, catalog.paragraphs.values(), document)

    def documents(self) -> list[DocumentSummary]:
        self.follow_changes()
        out = []
        for doc_id, doc in self.catalog.documents.items():
            count = sum(1 for p in self.catalog.by_doc.get(doc_id, []) if p.searchable)
            out.append(DocumentSummary(doc, count))
        return sorted(out, key=lambda s: s.document.name)

    def _change_answer(
        self, question: str, hits: list[Hit], filters: Filters | None
    ) -> tuple[str, tuple[Quote, ...]] | None:
        """For "What changed in paragraph N between X and Y?": what became of the
        paragraph, quoting both versions whole; None for other questions, or when the
        documents are not two indexed drafts or resolutions, or the paragraph is in
        neither."""
        asked = parse_change_question(question)
        if asked is None:
            return None
        catalog = self.catalog
        first = catalog.document_by_symbol(asked.first)
        second = catalog.document_by_symbol(asked.second)
        allowed = self.retriever.linker.allowed(filters)
        if first is None or second is None or first.doc_id == second.doc_id:
            return None
        versions = (DocumentKind.DRAFT, DocumentKind.RESOLUTION)
        if first.kind not in versions or second.kind not in versions:
            return None
        if allowed is not None and not {first.doc_id, second.doc_id} <= allowed:
            return None
        return self._describe_change(asked, first, second, hits)

    def _describe_change(
        self, asked: ChangeQuestion, first: Document, second: Document, hits: list[Hit]
    ) -> tuple[str, tuple[Quote, ...]] | None:
        """The statement of what changed and the quotes of both versions; the older
        document is the old version."""
        old, new = first, second
        old_part, new_part = asked.first_part, asked.second_part
        if (first.dated or date.min) > (second.dated or date.min):
            old, new, old_part, new_part = second, first, new_part, old_part
        comparison = self.compare(old.doc_id, new.doc_id)
        label = asked.label
        changes = [
            c
            for c in comparison.changes
            if c.old is not None and c.old.label == label and c.old.part == old_part
        ]
        if not changes:
            changes = [
                c
                for c in comparison.changes
                if c.new is not None and c.new.label == label and c.new.part == new_part
            ]
        if not changes:
            return None
        top = hits[0].score if hits else 1.0
        quotes: list[Quote] = []
        for document, paragraph in [(old, c.old) for c in changes] + [
            (new, c.new) for c in changes
        ]:
            if paragraph is None:
                continue
            found = self.catalog.find(document.doc_id, paragraph.label, paragraph.part)
            if found is None or any(q.paragraph.id == found.id for q in quotes):
                continue
            quotes.append(Quote(Hit(found, document, top + 1.0), ((0, len(found.text)),)))
        if not quotes:
            return None
        return describe_changes(comparison, changes), tuple(quotes)


def _notice(language: str, translation: Translation | None, reader: str | None) -> str | None:
    """What the answer tells about how it was made, in the question's language: what the
    documents were searched with for a question in another language, and what the reader
    could not do."""
    says = voice(language)
    notices = []
    if translation is not None and translation.english is not None:
        notices.append(says.translated.format(english=translation.english))
    elif translation is not None:
        notices.append(says.untranslated.format(reason=translation.failure))
    if reader:
        notices.append(says.reader.format(detail=reader))
    return " ".join(notices) or None


def _fingerprint(documents: dict[str, Document]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((doc_id, doc.sha256) for doc_id, doc in documents.items()))
