"""Files to paragraphs (``parse_file``) and a corpus to an up-to-date index (``ingest``).

Ingest is incremental and idempotent: a file whose content is unchanged is not parsed or
embedded again, a changed file replaces its paragraphs, a removed file's paragraphs go. A
bad file is reported by name with its reason and the rest of the batch goes on; nothing
already indexed is lost because of it.

Files are parsed in worker processes (:func:`parse_many`), each parse bounded in time and
memory (:class:`~ingest.readers.ParseLimits`): a file that hangs the parser, exhausts its
memory or crashes its process becomes that file's error, and the other files go on.
Workers are forked from a small server process that holds the parsers and nothing else
(:func:`_workers`), never from the caller, which may be serving questions on native threads.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
import re
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.dates import printed_date
from corpus.errors import UnreadableDocument
from corpus.model import Document, Paragraph, ParsedDocument
from corpus.settings import Settings
from ingest.metadata import extract_metadata
from ingest.paragraphs import pdf_paragraphs
from ingest.readers import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    MARKDOWN_SUFFIXES,
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    ParseLimits,
    SourceFile,
    check_size,
    decode_text,
    error_detail,
    pdf_pages,
    read_source,
)

if TYPE_CHECKING:
    from ingest.store import ParagraphIndex

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


def parse_source(
    source: SourceFile, doc_id: str, limits: ParseLimits | None = None
) -> ParsedDocument:
    """Paragraphs and metadata of one file already read into memory."""
    fmt = _format(source.path)
    name = str(source.path)
    pages: list[str]
    paragraphs: list[Paragraph]
    if fmt == "pdf":
        pages = pdf_pages(source, limits=limits)
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
        dated=printed_date(meta.date),
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


def parse_file(
    path: Path, doc_id: str | None = None, limits: ParseLimits | None = None
) -> ParsedDocument:
    """Read and parse one file in this process; raises :class:`UnreadableDocument` naming
    the file. Only the size and page limits apply here; :func:`parse_many` adds the time
    and memory bounds."""
    path = Path(path)
    return parse_source(read_source(path, limits), doc_id or doc_id_for(path), limits)


#: What a worker runs on one file: ``parse_file`` or anything with its signature.
FileParser = Callable[[Path, str, ParseLimits], ParsedDocument]
ParseResult = ParsedDocument | UnreadableDocument


def parse_many(
    jobs: Sequence[tuple[Path, str]],
    limits: ParseLimits | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    parse: FileParser = parse_file,
) -> list[ParseResult]:
    """Parse files, given as (path, doc id), in worker processes; results in job order.

    Each file gets at most ``limits.timeout_s`` seconds and ``limits.memory_mb`` of memory
    in its worker. A file that raises, runs out of time or memory, or kills its worker
    comes back as an :class:`UnreadableDocument` naming it, and a new worker takes over
    the rest of the batch.
    """
    limits = limits or ParseLimits()
    results: list[ParseResult | None] = [None] * len(jobs)
    pending = deque(range(len(jobs)))
    pool: list[_Worker] = []
    done = 0
    try:
        while done < len(jobs):
            for worker in pool:
                if worker.job is None and pending:
                    worker.give(pending.popleft(), jobs, limits)
            while pending and len(pool) < max(1, workers):
                worker = _Worker(parse, limits)
                pool.append(worker)
                worker.give(pending.popleft(), jobs, limits)
            busy = [w for w in pool if w.job is not None]
            soonest = min(w.deadline for w in busy)
            wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, soonest - time.monotonic()),
            )
            for worker in busy:
                index = worker.job
                outcome = worker.outcome(jobs, limits)
                if index is None or outcome is None:
                    continue
                result, retire = outcome
                results[index] = result
                done += 1
                if progress:
                    progress("parsing", done, len(jobs))
                if retire:
                    worker.stop()
                    pool.remove(worker)
    finally:
        for worker in pool:
            worker.stop()
    return [r for r in results if r is not None]


def parse_isolated(path: Path, doc_id: str, limits: ParseLimits | None = None) -> ParsedDocument:
    """:func:`parse_file` in a worker process, bounded in time and memory; raises
    :class:`UnreadableDocument` naming the file."""
    (result,) = parse_many([(Path(path), doc_id)], limits, workers=1)
    if isinstance(result, UnreadableDocument):
        raise result
    return result


class _Worker:
    """One worker process and the job it is on, with the time that job must end by."""

    def __init__(self, parse: FileParser, limits: ParseLimits) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = _workers().Process(
            target=_work, args=(child, parse, limits, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.job: int | None = None
        self.deadline = 0.0

    def give(self, index: int, jobs: Sequence[tuple[Path, str]], limits: ParseLimits) -> None:
        self.job = index
        self.deadline = time.monotonic() + limits.timeout_s
        with contextlib.suppress(OSError):  # a worker that is gone is reported by outcome()
            self.conn.send(jobs[index])

    def outcome(
        self, jobs: Sequence[tuple[Path, str]], limits: ParseLimits
    ) -> tuple[ParseResult, bool] | None:
        """(result, whether to retire the worker) once the job has ended, else None."""
        if self.job is None:
            return None
        path = str(jobs[self.job][0])
        try:
            if self.conn.poll():
                result, retire = self.conn.recv()
                self.job = None
                return result, retire
        except (EOFError, OSError):
            pass
        except Exception as exc:  # a result that cannot be read back
            self.process.kill()
            self.job = None
            return UnreadableDocument(path, f"could not be parsed ({error_detail(exc)})"), True
        else:
            if self.process.is_alive() and time.monotonic() < self.deadline:
                return None
            if self.process.is_alive():
                self.process.kill()
                self.job = None
                return UnreadableDocument(
                    path,
                    f"took longer than {limits.timeout_s:g} s to parse and was stopped; "
                    "split it, or raise WSIS_PARSE_TIMEOUT_S",
                ), True
        self.process.join(timeout=5)
        self.job = None
        return UnreadableDocument(
            path,
            f"the parser crashed on it ({_exit_reason(self.process.exitcode)}); the file may "
            "be damaged: get a fresh copy, or leave it out",
        ), True

    def stop(self) -> None:
        if self.process.is_alive() and self.job is None:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _work(conn: Connection, parse: FileParser, limits: ParseLimits, caller: int) -> None:
    """A worker's loop: parse each (path, doc id) received until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C for the batch
    _die_with_caller(caller)
    _limit_memory(limits.memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, doc_id = job
        result, retire = _parse_job(parse, Path(path), doc_id, limits)
        try:
            conn.send((result, retire))
        except MemoryError:
            conn.send((_out_of_memory(str(path), limits), True))
            return
        except OSError:  # the parent is gone
            return
        except Exception as exc:  # a result that cannot be sent
            conn.send(
                (UnreadableDocument(str(path), f"could not be parsed ({error_detail(exc)})"), True)
            )
            return
        if retire:
            return


def _parse_job(
    parse: FileParser, path: Path, doc_id: str, limits: ParseLimits
) -> tuple[ParseResult, bool]:
    """The result of one file, and whether its worker should be replaced after it."""
    try:
        return parse(path, doc_id, limits), False
    except UnreadableDocument as exc:
        return exc, False
    except MemoryError:
        return _out_of_memory(str(path), limits), True
    except RecursionError:
        return UnreadableDocument(
            str(path), "is nested too deeply to be parsed; simplify the file or re-save it"
        ), False
    except Exception as exc:  # a parser bug must not stop the batch
        return UnreadableDocument(str(path), f"could not be parsed ({error_detail(exc)})"), False


def _out_of_memory(path: str, limits: ParseLimits) -> UnreadableDocument:
    return UnreadableDocument(
        path,
        f"needs more than {limits.memory_mb} MB of memory to parse; split it, "
        "or raise WSIS_PARSE_MEMORY_MB",
    )


#: What the fork server imports once, so that workers start with the parsers loaded and
#: their memory limit (:func:`_limit_memory`) is not spent on imports.
_PARSER_MODULES = ("ingest.pipeline", "ingest.markup", "pypdf", "docx")


@functools.cache
def _workers() -> multiprocessing.context.ForkServerContext:
    """Where parse workers come from: a fork server started on first use, from a fresh
    interpreter. Forking the caller instead would copy a process that may run native
    threads (ONNX Runtime, PyTorch, Chroma), and a child can then wait forever on a lock
    one of those threads held at the fork."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(_PARSER_MODULES))
    return context


def _die_with_caller(caller: int) -> None:
    """End this worker as soon as the process that gave it work is gone, so that a worker
    stuck on a file never outlives an ingest that was killed. Its parent is the fork server,
    which stays up while any worker does, so the kernel's parent-death signal would not."""

    def watch() -> None:
        try:
            handle = os.pidfd_open(caller)
        except ProcessLookupError:  # gone already
            os._exit(1)
        except (AttributeError, OSError):  # no pidfd (not Linux, or before 5.3): look each second
            while _exists(caller):
                time.sleep(1.0)
            os._exit(1)
        select.select([handle], [], [])  # readable once the caller has exited
        os._exit(1)

    threading.Thread(target=watch, name="caller-watch", daemon=True).start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or its number taken by another user
        return False
    return True


def _limit_memory(megabytes: int) -> None:
    """Let this process grow by at most ``megabytes`` beyond what it maps now (Linux)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
            if path.name in IGNORED_NAMES or path.name.startswith("."):
                continue
            if path.is_symlink() and not path.exists():
                skipped.append(Skipped(str(path), "is a broken link; fix or remove it"))
                continue
            if path.is_dir():
                if path.is_symlink():
                    skipped.append(
                        Skipped(
                            str(path),
                            "is a link to a folder, which is not followed; "
                            "add that folder with --corpus instead",
                        )
                    )
                continue
            if not path.is_file():
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    skipped.append(
                        Skipped(str(path), "is not a regular file (a device or pipe); remove it")
                    )
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
    started = time.perf_counter()
    report = IngestReport()
    limits = ParseLimits.from_settings(settings)
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
                digest = _file_digest(path, limits)
            except UnreadableDocument as exc:
                report.skipped.append(Skipped(exc.path, exc.reason))
                continue
            except OSError as exc:
                report.skipped.append(Skipped(str(path), f"cannot be read ({exc.strerror})"))
                continue
            if known.get(doc_id) == digest:
                report.unchanged += 1
            else:
                todo.append((path, doc_id))
        if progress and todo:
            progress("parsing", 0, len(todo))
        parsed = parse_many(todo, limits, workers, progress) if todo else []
        good = [r for r in parsed if isinstance(r, ParsedDocument)]
        report.skipped.extend(
            Skipped(r.path, r.reason) for r in parsed if isinstance(r, UnreadableDocument)
        )
        for start in range(0, len(good), EMBED_GROUP):
            group = good[start : start + EMBED_GROUP]
            if progress:
                progress("embedding", start, len(good))
            report.embedded += index.add_documents(
                list(zip(group, index.embed(group), strict=True))
            )
            for result in group:
                doc_id = result.document.doc_id
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


def _file_digest(path: Path, limits: ParseLimits) -> str:
    """SHA-256 of a file, read in chunks; a file over the size limit is refused unread."""
    check_size(path, path.stat().st_size, limits)
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
