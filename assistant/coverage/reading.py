"""Gathering a topic's candidate paragraphs and judging each one about the topic: retrieval,
the wordings that occur, the embedder's similarities, and the language model where unsure."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

import numpy as np

from assistant.answers import merge_spans
from assistant.api import Assistant
from assistant.coverage.cache import fingerprint
from assistant.coverage.calibration import (
    FALLBACK_CALIBRATION,
    FEATURES,
    MAX_JUDGED_CHARS,
    READ_BATCH,
    Features,
    Judged,
    Method,
    Progress,
    TopicCalibration,
    logit,
)
from assistant.coverage.results import Span
from assistant.coverage.topics import Topic, occurrences
from assistant.prompts import TOPIC_JUDGE_SYSTEM, topic_judge_prompt
from assistant.reader.judges import JudgeFailed
from assistant.retrieval import Filters
from corpus.model import last_section
from corpus.wording import sentence_spans, text_key

# --- Vectors ----------------------------------------------------------------------------------


class Vectors:
    """The embedder's view of the index: every searchable paragraph's piece vectors (read from
    the store once per index version) and the vectors of section headings (embedded once)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.version = ""
        self.pieces: dict[str, np.ndarray] = {}
        self.headings: dict[str, np.ndarray] = {}

    def paragraph_pieces(self) -> dict[str, np.ndarray]:
        version = fingerprint(self.assistant.catalog.documents)
        if version != self.version:
            stored = self.assistant.store.piece_vectors(sorted(self.assistant.catalog.documents))
            pieces: dict[str, list[list[float]]] = {}
            for items in stored.values():
                for pid, vector in items:
                    pieces.setdefault(pid, []).append(vector)
            self.pieces = {pid: _unit(np.asarray(v, dtype=np.float32)) for pid, v in pieces.items()}
            self.version = version
        return self.pieces

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of short texts (names, headings), headings kept for next time."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.headings]
        if missing:
            vectors = np.asarray(self.assistant.embedder.embed_documents(missing), np.float32)
            for text, vector in zip(missing, _unit(vectors), strict=True):
                self.headings[text] = vector
        return np.stack([self.headings[t] for t in texts]) if texts else np.zeros((0, 1))


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12)


def _vectors(assistant: Assistant) -> Vectors:
    vectors = getattr(assistant, "_coverage_vectors", None)
    if vectors is None:
        vectors = Vectors(assistant)
        assistant._coverage_vectors = vectors  # type: ignore[attr-defined]
    return vectors


# --- Judging ----------------------------------------------------------------------------------


def topic_messages(topic: str, paragraph_text: str) -> list[dict[str, str]]:
    """The language model's chat: is this paragraph about the topic?"""
    return [
        {"role": "system", "content": TOPIC_JUDGE_SYSTEM},
        {"role": "user", "content": topic_judge_prompt(topic, paragraph_text, MAX_JUDGED_CHARS)},
    ]


class TopicReader:
    """Finds and judges the candidates of one topic over one scope."""

    def __init__(
        self,
        assistant: Assistant,
        method: Method,
        calibration: TopicCalibration,
        report: Progress,
        started: float | None = None,
    ) -> None:
        self.assistant = assistant
        self.method = method
        self.calibration = calibration
        self.report = report
        #: When the topic began to be read (``time.perf_counter``), for the time budget.
        self.started = started if started is not None else time.perf_counter()
        self.notice: list[str] = []
        self.read = 0
        self.asked = 0
        #: For each judged part, the candidates its own search brought (all: None).
        self.brought: dict[str, set[str] | None] = {}

    def candidates(self, topic: Topic, filters: Filters | None) -> dict[str, Features]:
        """Candidate paragraphs (one per distinct text) with what retrieval, the wordings and
        the embedder say of them."""
        retriever = self.assistant.retriever
        lexical = retriever.lexical
        allowed = retriever.linker.allowed(filters)
        rows = [
            row
            for row, p in enumerate(lexical.paragraphs)
            if allowed is None or p.doc_id in allowed
        ]
        whole = len(rows) <= self.method.read_whole
        best = np.zeros(len(lexical.paragraphs), dtype=np.float32)
        taken: set[int] = set(rows) if whole else set()
        names, queries = topic.names, topic.names + topic.terms
        brought: dict[str, set[int]] = {}
        for n, query in enumerate(queries):
            self.report(0.05 + 0.1 * n / len(queries), "Searching for the topic and its names")
            hits = retriever.rank(retriever.signals(query, filters), k=max(len(rows), 1))
            fused = {lexical.position[h.paragraph.id]: h.score for h in hits}
            if query in names:
                for row, score in fused.items():
                    best[row] = max(best[row], score)
            top = sorted(fused, key=lambda r: -fused[r])[: self.method.per_query]
            brought[query] = set(top)
            if not whole:
                taken.update(top)
        if not whole and self.method.neighbours:
            for query in names:
                vector = self.assistant.embedder.embed_query(query)
                near = self.assistant.store.nearest(vector, self.method.neighbours, allowed)
                rows_near = {lexical.position[pid] for pid, _ in near if pid in lexical.position}
                brought.setdefault(query, set()).update(rows_near)
                taken.update(rows_near)
        wordings = topic.phrases
        stems_of = {w: set(lexical.tokens(w)) for w in wordings}
        name_tokens = [lexical.tokens(name) for name in names]
        for row in rows:
            held = lexical.token_sets[row]
            for wording, stems in stems_of.items():
                if stems and stems <= held:
                    taken.add(row)
                    brought.setdefault(wording, set()).add(row)
        ranked_rows = sorted(taken, key=lambda r: -best[r])[: self.method.max_read]
        features: dict[str, Features] = {}
        seen: dict[str, str] = {}
        representative: dict[int, str] = {}
        for row in ranked_rows:
            paragraph = lexical.paragraphs[row]
            key = text_key(paragraph.text)
            if key in seen:
                representative[row] = seen[key]
                continue
            seen[key] = representative[row] = paragraph.id
            occurring = occurrences(paragraph.text, wordings)
            named = [s for w in names for s in occurring.get(w, [])]
            related = [s for w in topic.terms for s in occurring.get(w, [])]
            features[paragraph.id] = Features(
                score=float(best[row]),
                phrase=1.0 if named else 0.0,
                term=1.0 if related else 0.0,
                cover=max(lexical.matched_share(t, paragraph.id) for t in name_tokens),
                spans=sorted(named + related),
            )
        self.brought = {
            part: None
            if part == topic.text or whole
            else {representative[r] for r in brought.get(part, set()) if r in representative}
            for part in topic.judged
        }
        self._embedded(topic, features)
        self.read = len(features)
        if features:
            top_score = max(f.score for f in features.values()) or 1.0
            top_dense = max(f.dense for f in features.values()) or 1.0
            for found in features.values():
                found.top_score = found.score / top_score
                found.top_dense = found.dense / top_dense
        return features

    def _embedded(self, topic: Topic, features: dict[str, Features]) -> None:
        """The embedder's similarity of each candidate, and of its section heading, to the
        nearest of the topic's names."""
        vectors = _vectors(self.assistant)
        pieces = vectors.paragraph_pieces()
        catalog = self.assistant.catalog
        headings = {pid: last_section(catalog.paragraphs[pid]) for pid in features}
        shown = sorted({h for h in headings.values() if h})
        matrix = vectors.embed([*topic.names, *shown])
        named, heads = matrix[: len(topic.names)], matrix[len(topic.names) :]
        head_score = dict(zip(shown, (heads @ named.T).max(axis=1).tolist(), strict=True))
        for pid, found in features.items():
            if pid in pieces:
                found.dense = float((pieces[pid] @ named.T).max())
            found.heading = head_score.get(headings[pid], 0.0)

    def has_model(self) -> bool:
        """Whether the reader has its relevance model (``reader_relevance``); a reader that is
        off or missing its model says so in the notice."""
        reader = self.assistant.reader
        if reader is not None and reader.relevance_model is not None:
            return True
        if reader is None:
            self.notice.append(
                "The reader is not used; coverage rests on retrieval, the topic's words and the "
                "embedder."
            )
        elif reader.missing:
            self.notice.append(reader.missing)
        return False

    def read_logits(self, topic: Topic, features: dict[str, Features]) -> bool:
        """The relevance model's best logit over the topic and its parts, for each
        candidate (a part reads only the candidates its own search brought); False when there
        is no relevance model."""
        reader = self.assistant.reader
        model = reader.relevance_model if reader is not None else None
        if model is None:
            return False
        catalog = self.assistant.catalog
        work: list[tuple[str, list[str]]] = []
        for part in topic.judged:
            chosen = self.brought.get(part)
            ids = [pid for pid in features if chosen is None or pid in chosen]
            work.append((self.method.template.format(topic=part), ids))
        total = max(sum(len(ids) for _, ids in work), 1)
        done = 0
        best: dict[str, float] = {}
        for question, ids in work:
            for start in range(0, len(ids), READ_BATCH):
                batch = ids[start : start + READ_BATCH]
                logits = model.logits(question, [catalog.paragraphs[pid].text for pid in batch])
                for pid, value in zip(batch, logits, strict=True):
                    best[pid] = max(best.get(pid, -math.inf), value)
                done += len(batch)
                self.report(0.2 + 0.5 * done / total, f"Reading {len(features)} paragraphs")
        for pid, value in best.items():
            features[pid].logit = value
        return True

    def judge(
        self, topic: Topic, relevance: dict[str, float], features: dict[str, Features]
    ) -> dict[str, float]:
        """The language model's P(yes) for the candidates whose relevance is unsure, most
        unsure first, until :attr:`Method.judge_seconds` have passed."""
        budget = self.method.judge_seconds
        reader = self.assistant.reader
        judge = reader.judge if reader is not None else None
        if budget <= 0 or judge is None:
            return {}
        low, high = self.calibration.unsure
        unsure = sorted(
            (pid for pid, r in relevance.items() if low <= r < high),
            key=lambda pid: abs(logit(relevance[pid])),
        )
        if not unsure:
            return {}
        catalog = self.assistant.catalog
        deadline = min(time.perf_counter() + budget, self.started + self.method.budget_seconds)
        verdicts: dict[str, float] = {}
        for n, pid in enumerate(unsure):
            left = deadline - time.perf_counter()
            if left <= 0:
                self.notice.append(
                    f"The language model read {len(verdicts)} of the {len(unsure)} paragraphs "
                    "the relevance model was unsure of; the others are judged without it."
                )
                break
            self.report(0.72 + 0.25 * n / len(unsure), "The language model reads unsure ones")
            try:
                verdicts[pid] = judge.verdict(
                    topic_messages(topic.text, catalog.paragraphs[pid].text), left
                )
            except JudgeFailed as exc:
                self.notice.append(f"The language model could not be used ({exc}).")
                break
        self.asked = len(verdicts)
        return verdicts

    def reasons(
        self,
        topic: Topic,
        kept: Iterable[str],
        features: dict[str, Features],
        relevance: dict[str, float],
    ) -> dict[str, tuple[Span, ...]]:
        """The words of each kept paragraph that make it about the topic: where its names or
        related terms occur; else the sentence holding most of a name's words; else, for a
        paragraph likely on the topic, the sentence the embedder puts nearest it; else its
        first sentence."""
        catalog = self.assistant.catalog
        lexical = self.assistant.retriever.lexical
        wanted = [set(lexical.tokens(name)) for name in topic.phrases]
        out: dict[str, tuple[Span, ...]] = {}
        pending: list[tuple[str, Span]] = []
        for pid in kept:
            if features[pid].spans:
                out[pid] = tuple(merge_spans(features[pid].spans))
                continue
            text = catalog.paragraphs[pid].text
            sentences = sentence_spans(text) or [(0, len(text))]
            held = [
                max(
                    (len(w & set(lexical.tokens(text[a:b]))) / len(w) for w in wanted if w),
                    default=0,
                )
                for a, b in sentences
            ]
            if len(sentences) == 1 or max(held) > 0:
                out[pid] = (sentences[held.index(max(held))],)
            elif relevance[pid] >= EMBEDDED_REASONS:
                pending += [(pid, span) for span in sentences]
            else:
                out[pid] = (sentences[0],)
        if pending:
            texts = [catalog.paragraphs[pid].text[a:b] for pid, (a, b) in pending]
            vectors = _vectors(self.assistant).embed([*topic.names, *texts])
            names, found = vectors[: len(topic.names)], vectors[len(topic.names) :]
            nearest = (found @ names.T).max(axis=1)
            best: dict[str, tuple[float, Span]] = {}
            for (pid, span), similarity in zip(pending, nearest.tolist(), strict=True):
                if pid not in best or similarity > best[pid][0]:
                    best[pid] = (similarity, span)
            out.update({pid: (span,) for pid, (_, span) in best.items()})
        return out


#: Candidates whose relevance is at least this keep a reason in the cache, so that a lower
#: threshold is answered from it.
REASON_FLOOR = 0.05
#: A kept paragraph whose words hold none of the topic's gets, from this relevance on, the
#: sentence the embedder puts nearest the topic as its reason (its first one below).
EMBEDDED_REASONS = 0.3


def judge_topic(
    assistant: Assistant,
    topic: Topic,
    filters: Filters | None,
    method: Method,
    calibration: TopicCalibration,
    report: Progress,
    started: float | None = None,
) -> tuple[list[Judged], list[str], int, int]:
    """Every candidate of the topic with its relevance (those above :data:`REASON_FLOOR`
    with a reason), what the reader could not do, and how many paragraphs the relevance
    model and the language model read. The relevance model reads only when the calibration
    gives its logit a weight; the language model reads whenever the reader has one."""
    reader = TopicReader(assistant, method, calibration, report, started)
    features = reader.candidates(topic, filters)
    with_model = reader.has_model()
    chosen = calibration if with_model else FALLBACK_CALIBRATION
    if with_model and chosen.weights[FEATURES.index("logit")]:
        reader.read_logits(topic, features)
    relevance = {pid: chosen.relevance(f) for pid, f in features.items()}
    verdicts = reader.judge(topic, relevance, features)
    for pid, p_yes in verdicts.items():
        relevance[pid] = chosen.with_judge(relevance[pid], p_yes)
    kept = [pid for pid, r in relevance.items() if r >= REASON_FLOOR]
    report(0.97, "Marking why each paragraph is on the topic")
    reasons = reader.reasons(topic, kept, features, relevance)
    judged = [
        Judged(pid, features[pid].score, relevance[pid], reasons.get(pid, ()), verdicts.get(pid))
        for pid in kept
    ]
    return judged, reader.notice, reader.read, reader.asked
