"""The llama-index defaults baseline: what a newcomer builds in an afternoon.

One llama-index Document per PDF page, ``SentenceSplitter`` chunks, an in-memory
``VectorStoreIndex`` and its retriever, no abstention (see :class:`LlamaIndexDefaults`). Its
chunks are mapped onto the product's paragraphs so that both are judged against the same
gold, and it answers in the JSON contract of :func:`assistant.render.answer_json`, so that
it is scored by exactly the metrics the product is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import render
from assistant.answers import Answer, Hit, Quote
from corpus.errors import WSISError
from corpus.model import Paragraph, ParsedDocument
from eval.metrics import MAX_RANK
from eval.testset import TestItem
from ingest.embedding import (
    Embedder,
    ModelEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from ingest.pipeline import assign_doc_ids, corpus_files, parse_source
from ingest.readers import (
    DOCX_SUFFIXES,
    PDF_SUFFIXES,
    SourceFile,
    decode_text,
    pdf_pages,
    read_source,
)

if TYPE_CHECKING:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore

    from corpus.settings import Settings

LLAMA_INDEX_DEFAULTS = "llama-index defaults"


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
    paragraph of the product's parse of that file (``parse_source``) whose ``char_start`` ..
    ``char_end`` overlaps that span most, ties going to the earlier paragraph. When the
    splitter could not locate the chunk in its page, or nothing overlaps, the paragraph with
    the best ``rapidfuzz.fuzz.partial_ratio`` against the chunk text is taken instead. Each
    chunk gives one hit in retrieval order (two chunks may map to the same paragraph); the
    answer quotes the whole paragraph of the first hit.

    ``embedder`` is the product's model, shared to load it once; an embedder that cannot act
    as a llama-index embedding (a test fake) is replaced by the model the settings name.
    """

    name = LLAMA_INDEX_DEFAULTS

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
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
        if not isinstance(self._embedder, SentenceTransformerEmbedder | OnnxEmbedder):
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

    def answer(self, item: TestItem) -> dict[str, Any]:
        built = self.index()
        started = time.perf_counter()
        retrieved = built.retriever.retrieve(item.question)
        hits = tuple(h for n in retrieved if (h := self._hit(n, built.sources)) is not None)
        total_ms = (time.perf_counter() - started) * 1000
        answer = Answer(
            question=item.question,
            quotes=tuple(Quote(hit, ((0, len(hit.paragraph.text)),)) for hit in hits[:1]),
            hits=hits,
            abstained=False,
            timings_ms={"retrieve": total_ms, "answer": 0.0, "total": total_ms},
        )
        return render.answer_json(answer, item.id)

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
    source = read_source(path)
    parsed = parse_source(source, doc_id)
    return _SourceText(parsed, tuple(source_pages(source, parsed)))


def source_pages(source: SourceFile, parsed: ParsedDocument) -> list[str]:
    """Page texts as ``parse_source`` saw them: pypdf pages, the joined paragraphs of a DOCX,
    else the whole decoded text."""
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
