"""Evaluation runs: the product and its baselines answer a test set; the answers are scored.

Every system answers through one function ``TestItem -> answer dict`` in the JSON contract of
``Answer.to_dict(question_id)``, so the product is measured on the same code path as
``wsis ask`` and the baselines are scored by exactly the same metrics.

Systems:

- ``product``: ``Assistant.ask(question)`` (hybrid retrieval, extractive answer, abstention).
- ``bm25`` and ``dense``: the same assistant with ``mode="bm25"`` / ``mode="dense"``, to show
  what each half of the hybrid retriever contributes.
- ``llama-index defaults``: what a newcomer builds in an afternoon (see
  :class:`LlamaIndexDefaults`): one llama-index Document per PDF page, ``SentenceSplitter``
  chunks, an in-memory ``VectorStoreIndex`` and its retriever, no abstention. Its chunks are
  mapped onto the product's paragraphs so that both are judged against the same gold.

Splits: the product is tuned on ``dev`` and reported on ``heldout``; ``all`` is every
question. Each split is evaluated on its own questions only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.answers import Answer, Hit
from corpus.errors import InvalidQuestion, WSISError
from corpus.model import Paragraph, ParsedDocument
from eval.metrics import (
    Interval,
    QuestionTable,
    abstention_scores,
    confidence_intervals,
    difference_intervals,
    pair_answers,
    per_question_scores,
    summarize_results,
)
from eval.testset import GoldItem, TestItem, matches

if TYPE_CHECKING:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore

    from assistant.core import Assistant
    from corpus.settings import Settings
    from ingest.embedding import ModelEmbedder
    from ingest.readers import SourceFile

AnswerDict = dict[str, Any]
AnswerFn = Callable[[TestItem], AnswerDict]
Progress = Callable[[int, int], None]

PRODUCT = "product"
LLAMA_INDEX_DEFAULTS = "llama-index defaults"
BASELINE_NAMES = ("bm25", "dense", LLAMA_INDEX_DEFAULTS)
ALL = "all"
SPLIT_CHOICES = (ALL, "dev", "heldout")
SUMMARY_FORMAT = "wsis-eval-summary/1"
#: Hits looked at for the hit@k curve and the per-question first-match rank.
MAX_RANK = 10


# --- Running ---------------------------------------------------------------------------------


def run_testset(
    items: Sequence[TestItem], answer_fn: AnswerFn, progress: Progress | None = None
) -> list[AnswerDict]:
    """Each item's answer dict with ``id`` set to the item's id, in test-set order.

    The id is forced here rather than trusted from ``answer_fn``: scoring joins on it, and a
    system that forgot it would otherwise be scored against the wrong questions.
    """
    answers = []
    for done, item in enumerate(items):
        if progress:
            progress(done, len(items))
        answers.append({**answer_fn(item), "id": item.id})
    if progress:
        progress(len(items), len(items))
    return answers


def refusal(item: TestItem, reason: str) -> AnswerDict:
    """What a system that rejects a question (empty after cleaning, too long) is scored as:
    an abstention, which is what the user sees, instead of a crash that loses the run."""
    return Answer(item.question, reason, True, (), ()).to_dict(item.id)


def assistant_answer_fn(assistant: Assistant, mode: str = "hybrid") -> AnswerFn:
    """The product path of ``wsis ask``: ``assistant.ask(question, mode=...)``."""

    def answer(item: TestItem) -> AnswerDict:
        try:
            return assistant.ask(item.question, mode=mode).to_dict(item.id)
        except InvalidQuestion as exc:
            return refusal(item, str(exc))

    return answer


class System(Protocol):
    """Anything that answers test items in the JSON contract: the product or a baseline."""

    name: str

    def answer(self, item: TestItem) -> AnswerDict: ...


@dataclass
class AssistantSystem:
    """The assistant in one retrieval mode: the product (hybrid) or a one-sided baseline."""

    name: str
    assistant: Assistant
    mode: str = "hybrid"

    def answer(self, item: TestItem) -> AnswerDict:
        return assistant_answer_fn(self.assistant, self.mode)(item)


def systems_for(
    assistant: Assistant, with_baselines: bool, settings: Settings | None = None
) -> list[System]:
    """The product, then the baselines when asked for; they share one assistant (one model
    load, one index) so they differ only in what they are meant to differ in."""
    systems: list[System] = [AssistantSystem(PRODUCT, assistant)]
    if with_baselines:
        systems += [
            AssistantSystem("bm25", assistant, "bm25"),
            AssistantSystem("dense", assistant, "dense"),
            LlamaIndexDefaults(settings or assistant.settings, assistant.embedder),
        ]
    return systems


# --- The llama-index defaults baseline -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SourceText:
    """One file as both pipelines see it: the product's paragraphs and the raw page texts
    that the paragraphs' character offsets refer to (pages joined by newlines)."""

    parsed: ParsedDocument
    pages: tuple[str, ...]

    def page_offset(self, page_index: int) -> int:
        return sum(len(page) + 1 for page in self.pages[:page_index])


@dataclass(frozen=True, slots=True)
class _BaselineIndex:
    retriever: BaseRetriever
    sources: dict[str, _SourceText]


#: Built llama-index baselines per corpus (files, sizes, mtimes) and model, for this process
#: only: a second run in the same process (tests, notebooks) does not embed again.
_BASELINE_CACHE: dict[tuple[Any, ...], _BaselineIndex] = {}


class LlamaIndexDefaults:
    """The retrieval-augmented pipeline a newcomer builds from llama-index's defaults.

    Like ``SimpleDirectoryReader``, each PDF page is one llama-index Document (page text from
    pypdf via ``ingest.readers.pdf_pages``, ``page_label`` and ``file_path`` in the embedded
    metadata), other files one Document each. ``SentenceSplitter`` cuts them into chunks of
    1024 tokens with 200 overlap, the same sentence-transformers model embeds them into an
    in-memory ``VectorStoreIndex``, and ``as_retriever(similarity_top_k=10)`` fetches the ten
    nearest chunks. It never abstains.

    Mapping chunks onto paragraphs, so its answers can be judged against paragraph gold:
    the chunk's character span in its page (``start_char_idx``, set by the splitter) is moved
    into document coordinates (earlier pages + newlines), and the hit is the retrievable
    paragraph of the product's parse of that file (``parse_file``) whose ``char_start`` ..
    ``char_end`` overlaps that span most, ties going to the earlier paragraph. When the
    splitter could not locate the chunk in its page, or nothing overlaps, the paragraph with
    the best ``rapidfuzz.fuzz.partial_ratio`` against the chunk text is taken instead. Each
    chunk gives one hit in retrieval order (two chunks may map to the same paragraph); the
    answer's one citation is the first hit.
    """

    name = LLAMA_INDEX_DEFAULTS

    def __init__(
        self,
        settings: Settings,
        embedder: ModelEmbedder | None = None,
        top_k: int = MAX_RANK,
        chunk_size: int = 1024,
        chunk_overlap: int = 200,
    ) -> None:
        if chunk_overlap >= chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        self.settings = settings
        self._embedder = embedder
        self.top_k = top_k
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.progress: Callable[[str, int, int], None] | None = None

    @property
    def embedder(self) -> ModelEmbedder:
        if self._embedder is None:
            from ingest.embedding import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    def _cache_key(self, files: dict[str, Path]) -> tuple[Any, ...]:
        stats = tuple(
            (doc_id, str(path), path.stat().st_size, path.stat().st_mtime_ns)
            for doc_id, path in sorted(files.items())
        )
        return (self.embedder.name, self.chunk_size, self.chunk_overlap, stats)

    def index(self) -> _BaselineIndex:
        """The built baseline for the settings' corpus, built on first use."""
        from ingest.pipeline import assign_doc_ids, corpus_files

        files = assign_doc_ids(corpus_files(self.settings.corpus_dirs)[0])
        if not files:
            raise WSISError("the corpus folders hold no documents; check --corpus")
        key = self._cache_key(files)
        if key not in _BASELINE_CACHE:
            _BASELINE_CACHE[key] = self._build(files)
        return _BASELINE_CACHE[key]

    def _build(self, files: dict[str, Path]) -> _BaselineIndex:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        sources: dict[str, _SourceText] = {}
        for done, (doc_id, path) in enumerate(sorted(files.items())):
            self._report("reading", done, len(files))
            try:
                sources[doc_id] = load_source_text(path, doc_id)
            except WSISError:
                continue  # the product skips unreadable files too; so does its baseline
        self._report("reading", len(files), len(files))
        documents = [doc for source in sources.values() for doc in llama_documents(source)]
        splitter = SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap)
        nodes = splitter.get_nodes_from_documents(documents)
        self._report("embedding", 0, 1)
        index = VectorStoreIndex(nodes, embed_model=self.embedder.llama_embedding())
        self._report("embedding", 1, 1)
        return _BaselineIndex(index.as_retriever(similarity_top_k=self.top_k), sources)

    def _report(self, stage: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(stage, done, total)

    def answer(self, item: TestItem) -> AnswerDict:
        built = self.index()
        started = time.perf_counter()
        retrieved = built.retriever.retrieve(item.question)
        hits = tuple(h for n in retrieved if (h := self._hit(n, built.sources)) is not None)
        total_ms = (time.perf_counter() - started) * 1000
        top = hits[:1]
        return Answer(
            question=item.question,
            text=top[0].paragraph.text if top else "",
            abstained=False,
            citations=top,
            hits=hits,
            timings_ms={"retrieve": total_ms, "answer": 0.0, "total": total_ms},
        ).to_dict(item.id)

    @staticmethod
    def _hit(scored: NodeWithScore, sources: dict[str, _SourceText]) -> Hit | None:
        node = scored.node
        source = sources.get(str(node.metadata.get("doc_id")))
        if source is None:
            return None
        span = None
        start, end = getattr(node, "start_char_idx", None), getattr(node, "end_char_idx", None)
        if start is not None and end is not None:
            offset = source.page_offset(int(node.metadata.get("page_index", 0)))
            span = (offset + start, offset + end)
        paragraph = map_chunk(node.get_content(), span, source.parsed.paragraphs)
        if paragraph is None:
            return None
        return Hit(paragraph, source.parsed.document, float(scored.score or 0.0))


def load_source_text(path: Path, doc_id: str) -> _SourceText:
    """The product's parse of a file and the page texts its offsets refer to."""
    from ingest.pipeline import parse_source
    from ingest.readers import read_source

    source = read_source(path)
    parsed = parse_source(source, doc_id)
    return _SourceText(parsed, tuple(source_pages(source, parsed)))


def source_pages(source: SourceFile, parsed: ParsedDocument) -> list[str]:
    """Page texts as ``parse_source`` saw them: pypdf pages, the joined paragraphs of a DOCX,
    else the whole decoded text."""
    from ingest.readers import DOCX_SUFFIXES, PDF_SUFFIXES, decode_text, pdf_pages

    suffix = source.path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return pdf_pages(source)
    if suffix in DOCX_SUFFIXES:
        return ["\n\n".join(p.text for p in parsed.paragraphs)]
    return [decode_text(source)]


def llama_documents(source: _SourceText) -> list[Any]:
    """llama-index Documents as ``SimpleDirectoryReader`` makes them: one per PDF page with
    ``page_label``, ``file_name`` and ``file_path``, with the same embed exclusions. The
    bookkeeping keys (``doc_id``, ``page_index``) are hidden from the model and the LLM."""
    from llama_index.core import Document as LlamaDocument

    path = Path(source.parsed.document.path)
    hidden = ["doc_id", "page_index", "file_name", "file_type", "file_size"]
    documents = []
    for index, text in enumerate(source.pages):
        if not text.strip():
            continue
        metadata: dict[str, Any] = {
            "doc_id": source.parsed.document.doc_id,
            "page_index": index,
            "file_path": str(path),
            "file_name": path.name,
        }
        if path.suffix.lower() == ".pdf":
            metadata["page_label"] = str(index + 1)
        documents.append(
            LlamaDocument(
                text=text,
                metadata=metadata,
                excluded_embed_metadata_keys=hidden,
                excluded_llm_metadata_keys=hidden,
            )
        )
    return documents


def map_chunk(
    chunk: str, span: tuple[int, int] | None, paragraphs: Sequence[Paragraph]
) -> Paragraph | None:
    """The paragraph a retrieved chunk stands for: the largest character overlap with the
    chunk's span in the document, else the closest text (see :class:`LlamaIndexDefaults`)."""

    candidates = [p for p in paragraphs if p.searchable] or list(paragraphs)
    if not candidates:
        return None
    if span is not None:
        best = max(candidates, key=lambda p: _overlap(span, (p.char_start, p.char_end)))
        if _overlap(span, (best.char_start, best.char_end)) > 0:
            return best
    from rapidfuzz import fuzz

    return max(candidates, key=lambda p: fuzz.partial_ratio(p.text, chunk))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# --- Scoring ---------------------------------------------------------------------------------


def citation_label(passage: Mapping[str, Any]) -> str:
    """A cited or retrieved paragraph as a reader checks it: "A/RES/80/173, para. 99"."""
    name = passage.get("symbol") or passage.get("doc_id") or "?"
    part = f"{passage['part']}, " if passage.get("part") else ""
    return f"{name}, {part}para. {passage.get('paragraph')}"


def gold_label(gold: GoldItem) -> str:
    """A gold item as the test set names it: its label, else the start of its quote."""
    part = f"{gold.part}, " if gold.part else ""
    if gold.paragraph:
        return f"{gold.doc}, {part}para. {gold.paragraph}"
    quote = gold.quote or ""
    return f"{gold.doc}, {part}“{quote[:60]}{'…' if len(quote) > 60 else ''}”"


def first_match_rank(item: TestItem, answer: Mapping[str, Any]) -> int | None:
    """Rank (1-based) of the first hit matching any gold item, within ``MAX_RANK``; None if
    none does or the question has no gold. Enough to draw hit@k for every k."""
    for rank, hit in enumerate(list(answer.get("hits") or [])[:MAX_RANK], start=1):
        if any(matches(hit, gold) for gold in item.gold):
            return rank
    return None


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's outcome, with what was expected and what came back, for reports."""

    id: str
    question: str
    kind: str
    style: str | None
    split: str | None
    expected: tuple[str, ...]
    gold_docs: tuple[str, ...]
    got: tuple[str, ...]
    top_hits: tuple[str, ...]
    first_match_rank: int | None
    hit_at_5: float | None
    abstained: bool
    abstention_correct: bool
    citation_correct: bool | None
    latency_ms: float | None
    #: The question's value of each metric that is a mean over questions (None: undefined),
    #: which lets :func:`compare` put an interval on a difference between runs.
    scores: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Wrong about abstaining, or (answerable) the first citation is not a gold one."""
        return not self.abstention_correct or self.citation_correct is False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "kind": self.kind,
            "style": self.style,
            "split": self.split,
            "expected": list(self.expected),
            "gold_docs": list(self.gold_docs),
            "got": list(self.got),
            "top_hits": list(self.top_hits),
            "first_match_rank": self.first_match_rank,
            "hit@5": self.hit_at_5,
            "abstained": self.abstained,
            "abstention_correct": self.abstention_correct,
            "citation_correct": self.citation_correct,
            "failed": self.failed,
            "latency_ms": self.latency_ms,
            "scores": dict(self.scores),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionResult:
        return cls(
            id=data["id"],
            question=data["question"],
            kind=data["kind"],
            style=data.get("style"),
            split=data.get("split"),
            expected=tuple(data.get("expected") or ()),
            gold_docs=tuple(data.get("gold_docs") or ()),
            got=tuple(data.get("got") or ()),
            top_hits=tuple(data.get("top_hits") or ()),
            first_match_rank=data.get("first_match_rank"),
            hit_at_5=data.get("hit@5"),
            abstained=bool(data.get("abstained")),
            abstention_correct=bool(data.get("abstention_correct")),
            citation_correct=data.get("citation_correct"),
            latency_ms=data.get("latency_ms"),
            scores=dict(data.get("scores") or {}),
        )


@dataclass(frozen=True, slots=True)
class EvalResult:
    """One system on one split: the metric summary, its 95% confidence intervals
    (:func:`~eval.metrics.confidence_intervals`) and every question's outcome."""

    split: str
    summary: dict[str, float | None]
    questions: tuple[QuestionResult, ...]
    intervals: dict[str, Interval | None] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.questions)

    @property
    def failures(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "metrics": self.summary,
            "intervals": {m: list(i) if i else None for m, i in self.intervals.items()},
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, split: str, data: Mapping[str, Any]) -> EvalResult:
        questions = tuple(QuestionResult.from_dict(q) for q in data.get("questions", []))
        intervals = {m: (i[0], i[1]) if i else None for m, i in data.get("intervals", {}).items()}
        return cls(split, dict(data.get("metrics", {})), questions, intervals)


def evaluate(
    items: Sequence[TestItem], answers: Sequence[Mapping[str, Any]], split: str = ALL
) -> EvalResult:
    """Score answers to exactly these items: summary metrics and one row per question.

    ``split`` only labels the result; use :func:`evaluate_split` to pick a split's items.
    """
    results = pair_answers(items, answers)
    scores = per_question_scores(results)
    top = scores["top_citation_accuracy"].per_question
    hit5 = scores["hit@5"].per_question
    abstention = abstention_scores(results).correct
    rows = tuple(
        QuestionResult(
            id=item.id,
            question=item.question,
            kind=item.kind,
            style=item.style,
            split=item.split,
            expected=tuple(gold_label(g) for g in item.gold),
            gold_docs=tuple(dict.fromkeys(g.doc for g in item.gold)),
            got=tuple(citation_label(c) for c in list(answer.get("citations") or [])[:3]),
            top_hits=tuple(citation_label(h) for h in list(answer.get("hits") or [])[:5]),
            first_match_rank=first_match_rank(item, answer),
            hit_at_5=hit5[item.id],
            abstained=bool(answer.get("abstained")),
            abstention_correct=abstention[item.id],
            citation_correct=None if top[item.id] is None else bool(top[item.id]),
            latency_ms=(answer.get("timings_ms") or {}).get("total"),
            scores={name: score.per_question[item.id] for name, score in scores.items()},
        )
        for item, answer in results
    )
    return EvalResult(split, summarize_results(results), rows, confidence_intervals(results))


def select_split(items: Iterable[TestItem], split: str) -> list[TestItem]:
    """The items of one split; ``all`` is every item, with or without a split."""
    if split not in SPLIT_CHOICES:
        raise ValueError(f"split must be one of {SPLIT_CHOICES}, got {split!r}")
    return [item for item in items if split == ALL or item.split == split]


def evaluate_split(
    items: Sequence[TestItem], answers: Sequence[Mapping[str, Any]], split: str
) -> EvalResult:
    """Score one split, from answers to the whole test set (other splits' answers ignored)."""
    chosen = select_split(items, split)
    wanted = {item.id for item in chosen}
    return evaluate(chosen, [a for a in answers if a.get("id") in wanted], split)


def splits_present(items: Sequence[TestItem], requested: str | None = None) -> list[str]:
    """The requested split, or ``all`` plus each split that has questions."""
    if requested is not None:
        return [requested]
    return [s for s in SPLIT_CHOICES if s == ALL or any(i.split == s for i in items)]


@dataclass
class EvalRun:
    """Systems x splits of results from one test set: what reports show and runs compare."""

    testset: str
    results: dict[str, dict[str, EvalResult]]
    created: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))

    @property
    def systems(self) -> list[str]:
        return list(self.results)

    @property
    def splits(self) -> list[str]:
        return list(dict.fromkeys(s for by_split in self.results.values() for s in by_split))

    def to_dict(self) -> dict[str, Any]:
        """The ``summary.json`` shape (``SUMMARY_FORMAT``), read back by :func:`compare`."""
        return {
            "format": SUMMARY_FORMAT,
            "testset": self.testset,
            "created": self.created,
            "systems": self.systems,
            "splits": self.splits,
            "results": {
                system: {split: r.to_dict() for split, r in by_split.items()}
                for system, by_split in self.results.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalRun:
        results = {
            system: {split: EvalResult.from_dict(split, r) for split, r in by_split.items()}
            for system, by_split in data["results"].items()
        }
        return cls(str(data.get("testset", "")), results, str(data.get("created", "")))


def evaluate_systems(
    items: Sequence[TestItem],
    systems: Sequence[System],
    testset: str = "",
    split: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvalRun:
    """Every system answers the questions of the chosen split(s) once; each split is then
    scored from those answers."""
    splits = splits_present(items, split)
    asked = select_split(items, split or ALL)
    results: dict[str, dict[str, EvalResult]] = {}
    for system in systems:
        report = partial(progress, system.name) if progress else None
        answers = run_testset(asked, system.answer, report)
        results[system.name] = {s: evaluate_split(asked, answers, s) for s in splits}
    return EvalRun(testset, results)


# --- Comparing runs --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricDelta:
    system: str
    split: str
    metric: str
    before: float | None
    after: float | None
    #: 95% paired-bootstrap interval of the delta over the questions both runs answered;
    #: None for latencies, or when a run's summary lacks per-question scores.
    interval: Interval | None = None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Flip:
    """A question whose hit@5 or abstention correctness changed between two runs."""

    system: str
    split: str
    id: str
    question: str
    what: str
    before: Any
    after: Any

    @property
    def improved(self) -> bool:
        return bool(self.after) and not bool(self.before)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Run B against run A: metric deltas and flipped questions, for systems and splits
    present in both runs."""

    deltas: tuple[MetricDelta, ...]
    flips: tuple[Flip, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "deltas": [
                {
                    "system": d.system,
                    "split": d.split,
                    "metric": d.metric,
                    "a": d.before,
                    "b": d.after,
                    "delta": d.delta,
                    "delta_interval": list(d.interval) if d.interval else None,
                }
                for d in self.deltas
            ],
            "flips": [
                {
                    "system": f.system,
                    "split": f.split,
                    "id": f.id,
                    "question": f.question,
                    "what": f.what,
                    "a": f.before,
                    "b": f.after,
                    "improved": f.improved,
                }
                for f in self.flips
            ],
        }


def load_summary(path: str | Path) -> dict[str, Any]:
    """A ``summary.json`` (or a report folder holding one), checked to be one."""
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WSISError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise WSISError(f"{path}: not valid JSON ({exc.msg}); give a summary.json") from exc
    if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
        raise WSISError(
            f"{path}: not a summary written by `wsis eval --report` (format {SUMMARY_FORMAT})"
        )
    return data


def compare(
    a_json: Mapping[str, Any] | str | Path, b_json: Mapping[str, Any] | str | Path
) -> Comparison:
    """How run B differs from run A (summary dicts, or paths of ``summary.json`` files)."""
    a = load_summary(a_json) if isinstance(a_json, str | Path) else a_json
    b = load_summary(b_json) if isinstance(b_json, str | Path) else b_json
    deltas: list[MetricDelta] = []
    flips: list[Flip] = []
    for system, a_splits in a["results"].items():
        for split, a_result in a_splits.items():
            b_result = b["results"].get(system, {}).get(split)
            if b_result is None:
                continue
            intervals = _delta_intervals(a_result["questions"], b_result["questions"])
            deltas += _metric_deltas(
                system, split, a_result["metrics"], b_result["metrics"], intervals
            )
            flips += _flips(system, split, a_result["questions"], b_result["questions"])
    return Comparison(tuple(deltas), tuple(flips))


def _metric_deltas(
    system: str,
    split: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    intervals: Mapping[str, Interval | None],
) -> list[MetricDelta]:
    return [
        MetricDelta(system, split, m, a.get(m), b.get(m), intervals.get(m))
        for m in dict.fromkeys([*a, *b])
    ]


def _delta_intervals(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> dict[str, Interval | None]:
    """Paired intervals of B - A over the questions both runs scored, when both summaries
    carry per-question scores (summaries written before they did get none)."""
    after = {q["id"]: q for q in b}
    both = [(q, after[q["id"]]) for q in a if q["id"] in after]
    if not both or not all(q.get("scores") and p.get("scores") for q, p in both):
        return {}

    def table(rows: Sequence[Mapping[str, Any]]) -> QuestionTable:
        return QuestionTable.from_rows(
            [(q["scores"], q["kind"] == "unanswerable", bool(q.get("abstained"))) for q in rows]
        )

    return difference_intervals(table([q for q, _ in both]), table([p for _, p in both]))


def _flips(
    system: str,
    split: str,
    a: Sequence[Mapping[str, Any]],
    b: Sequence[Mapping[str, Any]],
) -> list[Flip]:
    after = {q["id"]: q for q in b}
    flips = []
    for before in a:
        now = after.get(before["id"])
        if now is None:
            continue
        for what in ("hit@5", "abstention_correct"):
            if before.get(what) != now.get(what):
                flips.append(
                    Flip(
                        system,
                        split,
                        before["id"],
                        before["question"],
                        what,
                        before.get(what),
                        now.get(what),
                    )
                )
    return flips
