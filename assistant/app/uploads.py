"""Documents added from the app: which files it takes, under which name, and adding them to
the running index. The write itself is ingestion's (:func:`ingest.adding.add_file`); this
module is the app's policy around it: a safe name, the size limit, no clash with an indexed
document of another file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.api import Assistant
from corpus.errors import UnreadableDocument, WSISError
from corpus.model import Document
from corpus.settings import Settings
from ingest.adding import add_file
from ingest.pipeline import IGNORED_NAMES, doc_id_for
from ingest.readers import SUPPORTED_SUFFIXES
from ingest.store import ParagraphIndex

#: Progress callback: (fraction done 0..1, what is happening).
ProgressFn = Callable[[float, str], None]
#: Upload file names are cut to this many characters (suffix kept).
MAX_UPLOAD_NAME = 120
#: Longest file name most file systems store (NAME_MAX), in bytes of UTF-8.
MAX_UPLOAD_NAME_BYTES = 255


class UploadRejected(WSISError):
    """A file the app will not take: wrong type, too large, a bad name or a clash."""


def with_uploads(settings: Settings) -> Settings:
    """The settings with the uploads folder among the corpus folders, so that what the app
    sees as its corpus includes what was uploaded. The folder is made by the first upload."""
    folder = settings.uploads_path
    if any(Path(d).resolve() == folder.resolve() for d in settings.corpus_dirs):
        return settings
    return settings.model_copy(update={"corpus_dirs": [*settings.corpus_dirs, folder]})


def sanitize_upload_name(name: str) -> str:
    """A safe file name for an upload: no folders, no "..", no control or odd characters,
    at most :data:`MAX_UPLOAD_NAME` characters (and :data:`MAX_UPLOAD_NAME_BYTES` bytes, so
    that a name in, say, Chinese can be saved), and a suffix the ingester reads."""

    shown = "".join(ch if ch.isprintable() else "\ufffd" for ch in (name or "")[:200])
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ()]+", "_", base)
    base = re.sub(r"\.{2,}", ".", base)
    base = re.sub(r"\s+", " ", base).strip(" ._-")
    suffix = Path(base).suffix.lower()
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    if not base or not Path(base).stem.strip(" ._-"):
        raise UploadRejected(f"“{shown}” is not a usable file name; rename the file")
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(
            f"“{shown}”: unsupported file type '{suffix or '(none)'}'; use one of {supported}"
        )
    stem = Path(base).stem[: MAX_UPLOAD_NAME - len(suffix)]
    room = MAX_UPLOAD_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" ._-")
    safe = f"{stem}{suffix}"
    if safe in IGNORED_NAMES:
        raise UploadRejected(f"“{shown}”: the ingester skips files named {safe}; rename it")
    return safe


def check_upload(path: Path, settings: Settings, name: str | None = None) -> str:
    """The sanitized name of an upload that may be added; raises :class:`UploadRejected`
    for a wrong type or a file over ``settings.max_upload_mb``."""
    safe = sanitize_upload_name(name or path.name)
    size = path.stat().st_size
    limit = settings.max_upload_mb * 1024 * 1024
    if size > limit:
        raise UploadRejected(
            f"“{safe}” is {size / 1024 / 1024:.1f} MB; the limit is {settings.max_upload_mb} MB"
        )
    if size == 0:
        raise UploadRejected(f"“{safe}” is empty")
    return safe


@dataclass(frozen=True, slots=True)
class UploadResult:
    document: Document
    paragraphs: int
    replaced: bool

    @property
    def message(self) -> str:
        verb = "Replaced" if self.replaced else "Added"
        return (
            f"{verb} {self.document.name} ({Path(self.document.path).name}): "
            f"{self.paragraphs} searchable paragraph{'' if self.paragraphs == 1 else 's'}. "
            "It can be asked about now."
        )


def add_upload(
    assistant: Assistant,
    path: str | Path,
    name: str | None = None,
    progress: ProgressFn | None = None,
) -> UploadResult:
    """Check an uploaded file, save it into the uploads folder and index it.

    A file that fails any step raises :class:`UploadRejected` naming it, and leaves the
    uploads folder and the index as they were.
    """
    report = progress or (lambda _f, _d: None)
    settings = assistant.settings
    index = assistant.store
    if not isinstance(index, ParagraphIndex):
        raise UploadRejected("this assistant reads a store that cannot be written to")
    source = Path(path)
    safe = check_upload(source, settings, name)
    folder = settings.uploads_path
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / safe).resolve()
    if target.parent != folder.resolve():
        raise UploadRejected(f"“{safe}” is not a usable file name; rename the file")
    doc_id = doc_id_for(target)
    existing = assistant.catalog.documents.get(doc_id)
    if existing is not None and Path(existing.path).resolve() != target:
        raise UploadRejected(
            f"“{safe}”: a document with the id {doc_id} is already indexed "
            f"({existing.name}); rename the file"
        )
    try:
        parsed = add_file(settings, index, source, target, doc_id, report)
    except UnreadableDocument as exc:
        raise UploadRejected(f"“{safe}”: {exc.reason}") from exc
    report(0.9, "Reloading the catalogue")
    assistant.refresh()
    assistant.retriever  # noqa: B018 - rebuild BM25 now, not on the next question
    report(1.0, "Done")
    count = next((s.paragraphs for s in assistant.documents() if s.document.doc_id == doc_id), 0)
    return UploadResult(parsed.document, count, replaced=existing is not None)
