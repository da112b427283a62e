"""Files to paragraphs (``parse_file``) and a corpus to an up-to-date index (``ingest``).

Ingest is incremental and idempotent: a file whose content is unchanged is not parsed or
embedded again, a changed file replaces its paragraphs, a removed file's paragraphs go. A
bad file is reported by name with its reason and the rest of the batch goes on; nothing
already indexed is lost because of it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UnreadableDocument
from assistant.settings import Settings
from assistant.types import Document, Paragraph, ParsedDocument
from ingest.metadata import extract_metadata
from ingest.paragraphs import pdf_paragraphs
from ingest.readers import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    MARKDOWN_SUFFIXES,
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    SourceFile,
    decode_text,
    pdf_pages,
    read_source,
)

if TYPE_CHECKING:
    from ingest.index import ParagraphIndex

#: Documents embedded together: large enough to batch pieces of similar length across
#: documents, small enough that an interrupted ingest keeps most of its work.
EMBED_GROUP = 12
IGNORED_NAMES = frozenset({"manifest.json", "README.md", "readme.md", ".DS_Store"})


def doc_id_for(path: Path) -> str:
    """A stable id from the file name: "A_RES_80_173.pdf" -> "A_RES_80_173"."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("_.-") or "document"


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in DOCX_SUFFIXES:
        return "docx"
    return "text"


def parse_source(source: SourceFile, doc_id: str) -> ParsedDocument:
    """Paragraphs and metadata of one file already read into memory."""
    fmt = _format(source.path)
    name = str(source.path)
    pages: list[str]
    paragraphs: list[Paragraph]
    if fmt == "pdf":
        pages = pdf_pages(source)
        paragraphs = pdf_paragraphs(pages, doc_id)
    else:
        pages, paragraphs = _markup_paragraphs(source, fmt, doc_id)
    if not any(p.text.strip() for p in paragraphs):
        raise UnreadableDocument(name, "no paragraphs of text were found in it")
    meta = extract_metadata(pages, source.path.name, fmt)
    document = Document(
        doc_id=doc_id,
        path=str(source.path),
        sha256=source.sha256,
        symbol=meta.symbol,
        title=meta.title,
        date=meta.date,
        kind=meta.kind,
        pages=len(pages) if fmt == "pdf" else None,
    )
    return ParsedDocument(document=document, paragraphs=tuple(paragraphs))


def _markup_paragraphs(
    source: SourceFile, fmt: str, doc_id: str
) -> tuple[list[str], list[Paragraph]]:
    from ingest import markup

    if fmt == "docx":
        paragraphs = markup.docx_paragraphs(source.data, doc_id, str(source.path))
        return ["\n\n".join(p.text for p in paragraphs)], paragraphs
    text = decode_text(source)
    if fmt == "markdown":
        return [text], markup.markdown_paragraphs(text, doc_id)
    if fmt == "html":
        return [text], markup.html_paragraphs(text, doc_id)
    return [text], markup.text_paragraphs(text, doc_id)


def parse_file(path: Path, doc_id: str | None = None) -> ParsedDocument:
    """Read and parse one file; raises :class:`UnreadableDocument` naming the file."""
    path = Path(path)
    return parse_source(read_source(path), doc_id or doc_id_for(path))


def _parse_job(job: tuple[Path, str]) -> ParsedDocument | UnreadableDocument:
    path, doc_id = job
    try:
        return parse_file(path, doc_id)
    except UnreadableDocument as exc:
        return exc
    except Exception as exc:  # a parser bug must not stop the batch
        return UnreadableDocument(str(path), f"could not be parsed ({type(exc).__name__}: {exc})")


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    documents: int = 0
    paragraphs: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.skipped


def corpus_files(folders: Sequence[Path]) -> tuple[list[Path], list[Skipped]]:
    """Every document file under the corpus folders, and what was passed over and why."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            skipped.append(Skipped(str(folder), "corpus folder does not exist; check --corpus"))
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name in IGNORED_NAMES or path.name.startswith("."):
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(
                    Skipped(str(path), f"unsupported file type '{path.suffix or '(none)'}'")
                )
                continue
            files.append(path)
    return files, skipped


def assign_doc_ids(files: Iterable[Path]) -> dict[str, Path]:
    """doc ids by file; a name used twice gets the folder name added."""
    out: dict[str, Path] = {}
    for path in files:
        doc_id = doc_id_for(path)
        if doc_id in out:
            doc_id = f"{doc_id_for(path.parent)}__{doc_id}"
        out[doc_id] = path
    return out


Progress = Callable[[str, int, int], None]


def ingest(
    settings: Settings,
    index: ParagraphIndex,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    workers: int = 2,
) -> IngestReport:
    """Bring the index in line with the corpus folders."""
    import hashlib

    started = time.perf_counter()
    report = IngestReport()
    files, skipped = corpus_files(settings.ingest_dirs)
    report.skipped.extend(skipped)
    wanted = assign_doc_ids(files)
    with index.writing():
        if rebuild:
            index.reset()
        index.collection(create=True)
        known = index.indexed_documents()
        todo: list[tuple[Path, str]] = []
        for doc_id, path in wanted.items():
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                report.skipped.append(Skipped(str(path), f"cannot be read ({exc.strerror})"))
                continue
            if known.get(doc_id) == {digest}:
                report.unchanged += 1
            else:
                todo.append((path, doc_id))
        parsed = _parse_all(todo, workers, progress)
        good = [r for r in parsed if isinstance(r, ParsedDocument)]
        report.skipped.extend(
            Skipped(r.path, r.reason) for r in parsed if isinstance(r, UnreadableDocument)
        )
        for start in range(0, len(good), EMBED_GROUP):
            group = good[start : start + EMBED_GROUP]
            if progress:
                progress("embedding", start, len(good))
            for result, vectors in zip(group, index.embed(group), strict=True):
                doc_id = result.document.doc_id
                report.embedded += index.add_document(result, vectors)
                (report.updated if doc_id in known else report.added).append(doc_id)
        if progress:
            progress("embedding", len(good), len(good))
        # A file that became unreadable is skipped but stays in ``wanted``, so its earlier
        # paragraphs are kept: nothing already indexed is lost because of a bad file.
        for doc_id in sorted(set(known) - set(wanted)):
            index.remove_document(doc_id)
            report.removed.append(doc_id)
        report.documents, report.paragraphs = index.totals()
    report.seconds = time.perf_counter() - started
    return report


def _parse_all(
    todo: list[tuple[Path, str]], workers: int, progress: Progress | None
) -> list[ParsedDocument | UnreadableDocument]:
    if not todo:
        return []
    results: list[ParsedDocument | UnreadableDocument] = []
    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, result in enumerate(pool.map(_parse_job, todo)):
                if progress:
                    progress("parsing", i, len(todo))
                results.append(result)
    else:
        for i, job in enumerate(todo):
            if progress:
                progress("parsing", i, len(todo))
            results.append(_parse_job(job))
    if progress:
        progress("parsing", len(todo), len(todo))
    return results
