"""Reading files into text: the only place in ingestion that touches the file system.

PDFs are read page by page (pypdf), so paragraphs can carry their pages. Other formats are
read by :mod:`ingest.markup` into blocks. Every failure becomes :class:`UnreadableDocument`
naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UnreadableDocument

PDF_SUFFIXES = frozenset({".pdf"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
DOCX_SUFFIXES = frozenset({".docx"})
SUPPORTED_SUFFIXES = (
    PDF_SUFFIXES | MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES
)

#: Bounds that keep one hostile file from taking the machine.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 2000


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    sha256: str
    data: bytes


def read_source(path: Path) -> SourceFile:
    """Read a file's bytes, refusing what ingestion cannot handle before any parsing."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableDocument(
            str(path), f"unsupported file type '{path.suffix or '(none)'}'; use one of {supported}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableDocument(
                str(path),
                f"file is {size // 2**20} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableDocument(str(path), "file is empty")
    return SourceFile(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data)


def pdf_pages(source: SourceFile, max_pages: int | None = None) -> list[str]:
    """The text of each page of a PDF, in order; only the first ``max_pages`` if given.

    Metadata lives on the first pages, so callers that need only it can skip the rest.
    """
    import io

    import pypdf
    from pypdf.errors import PdfReadError

    name = str(source.path)
    if not source.data.lstrip()[:5].startswith(b"%PDF"):
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
        count = len(reader.pages)
        if count == 0:
            raise UnreadableDocument(name, "PDF has no pages")
        if count > MAX_PDF_PAGES:
            raise UnreadableDocument(name, f"PDF has {count} pages, over the {MAX_PDF_PAGES} limit")
        wanted = reader.pages if max_pages is None else reader.pages[:max_pages]
        pages = [page.extract_text() or "" for page in wanted]
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise UnreadableDocument(
            name, f"PDF is damaged and cannot be read ({type(exc).__name__}: {exc})"
        ) from exc
    except Exception as exc:
        raise UnreadableDocument(name, f"PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    if sum(len(p.strip()) for p in pages) < 20:
        raise UnreadableDocument(
            name, "PDF has no text layer (scanned images?); run OCR on it first, then ingest it"
        )
    return pages


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
