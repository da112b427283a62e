"""Reading files into text: the only place in ingestion that touches the file system.

PDFs are read page by page (pypdf), so paragraphs can carry their pages. Other formats are
read by :mod:`ingest.markup` into blocks. Every failure becomes :class:`UnreadableDocument`
naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import logging
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import UnreadableDocument
from corpus.settings import Settings

PDF_SUFFIXES = frozenset({".pdf"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
DOCX_SUFFIXES = frozenset({".docx"})
SUPPORTED_SUFFIXES = (
    PDF_SUFFIXES | MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES
)


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Bounds that keep one hostile or broken file from taking the machine.

    Set from :class:`Settings` (``WSIS_MAX_FILE_MB``, ``WSIS_MAX_PDF_PAGES``,
    ``WSIS_PARSE_TIMEOUT_S``, ``WSIS_PARSE_MEMORY_MB``); the defaults are the settings'.
    The file size and page count are checked before parsing; the time and memory bounds
    hold for a parse run in a worker process (:func:`ingest.pipeline.parse_many`).
    """

    max_file_mb: int = _default("max_file_mb")
    max_pdf_pages: int = _default("max_pdf_pages")
    timeout_s: float = _default("parse_timeout_s")
    memory_mb: int = _default("parse_memory_mb")

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseLimits:
        return cls(
            max_file_mb=settings.max_file_mb,
            max_pdf_pages=settings.max_pdf_pages,
            timeout_s=settings.parse_timeout_s,
            memory_mb=settings.parse_memory_mb,
        )


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    sha256: str
    data: bytes


def check_size(path: Path, size: int, limits: ParseLimits) -> None:
    """Refuse a file over the size limit, from its size on disk or from what was read."""
    if size > limits.max_file_mb * 2**20:
        raise UnreadableDocument(
            str(path),
            f"file is {size / 2**20:.1f} MB, over the {limits.max_file_mb} MB limit; "
            "split it, or raise WSIS_MAX_FILE_MB",
        )


def read_source(path: Path, limits: ParseLimits | None = None) -> SourceFile:
    """Read a file's bytes, refusing what ingestion cannot handle before any parsing."""
    limits = limits or ParseLimits()
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableDocument(
            str(path), f"unsupported file type '{path.suffix or '(none)'}'; use one of {supported}"
        )
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableDocument(
                str(path), "is not a regular file (a folder, device or pipe); remove it"
            )
        check_size(path, status.st_size, limits)
        data = _read_bounded(path, limits)
    except OSError as exc:
        raise UnreadableDocument(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableDocument(str(path), "file is empty")
    return SourceFile(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data)


def _read_bounded(path: Path, limits: ParseLimits) -> bytes:
    """The file's bytes, read in chunks so that a file growing past the limit is refused."""
    chunks: list[bytes] = []
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(2**20):
            size += len(chunk)
            check_size(path, size, limits)
            chunks.append(chunk)
    return b"".join(chunks)


def pdf_pages(
    source: SourceFile, max_pages: int | None = None, limits: ParseLimits | None = None
) -> list[str]:
    """The text of each page of a PDF, in order; only the first ``max_pages`` if given.

    Metadata lives on the first pages, so callers that need only it can skip the rest. A PDF
    over the page limit is refused from the count its page tree declares, before the tree
    is walked, and again from the pages actually found.
    """
    import io

    import pypdf
    from pypdf.errors import LimitReachedError, PdfReadError

    limits = limits or ParseLimits()
    name = str(source.path)
    if not source.data[:1024].lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableDocument(name, "not a PDF file (no %PDF header); check the file type")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except Exception as exc:
                raise UnreadableDocument(
                    name, "PDF is encrypted; save an unprotected copy and ingest that"
                ) from exc
            if not decrypted:
                raise UnreadableDocument(
                    name, "PDF is password-protected; save an unprotected copy and ingest that"
                )
        _check_page_count(name, _declared_pages(reader), limits, "declares")
        count = len(reader.pages)
        if count == 0:
            raise UnreadableDocument(name, "PDF has no pages")
        _check_page_count(name, count, limits, "has")
        wanted = reader.pages if max_pages is None else reader.pages[:max_pages]
        pages = [page.extract_text() or "" for page in wanted]
    except (UnreadableDocument, MemoryError):
        raise
    except RecursionError as exc:
        raise UnreadableDocument(
            name, "PDF is nested too deeply to be read; re-save it with a PDF editor or printer"
        ) from exc
    except LimitReachedError as exc:
        raise UnreadableDocument(
            name, f"PDF goes past a safety limit of the PDF reader ({error_detail(exc)})"
        ) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableDocument(
            name, f"PDF is damaged and cannot be read ({error_detail(exc)}); get a fresh copy"
        ) from exc
    except Exception as exc:
        raise UnreadableDocument(name, f"PDF cannot be read ({error_detail(exc)})") from exc
    if sum(len(p.strip()) for p in pages) < 20:
        raise UnreadableDocument(
            name, "PDF has no text layer (scanned images?); run OCR on it first, then ingest it"
        )
    return pages


def _declared_pages(reader: Any) -> int:
    """The page count the root of the page tree declares; 0 when it declares none."""
    try:
        count = reader.trailer["/Root"]["/Pages"]["/Count"]
        return int(count) if isinstance(count, int) else 0
    except Exception:
        return 0


def _check_page_count(name: str, count: int, limits: ParseLimits, verb: str) -> None:
    if count > limits.max_pdf_pages:
        raise UnreadableDocument(
            name,
            f"PDF {verb} {count} pages, over the {limits.max_pdf_pages}-page limit; "
            "split it, or raise WSIS_MAX_PDF_PAGES",
        )


def error_detail(exc: BaseException) -> str:
    """An exception as a short phrase for a message: its type and the start of its text."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def decode_text(source: SourceFile) -> str:
    """Text of a text-like file: UTF-8 (with or without BOM), else UTF-16 with a BOM."""
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(
            str(source.path),
            f"text is not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8",
        ) from exc
