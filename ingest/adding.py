"""One file added to the corpus and the index while the product runs (an upload in the app).

A batch ingest (:func:`ingest.pipeline.ingest`) reads the corpus folders as they are; adding
a file also puts it there, so the folder and the index must change together: a file that
cannot be parsed, or whose index write fails, leaves both as they were.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.errors import UnreadableDocument
from corpus.model import ParsedDocument
from corpus.settings import Settings
from ingest.pipeline import parse_isolated
from ingest.readers import ParseLimits

if TYPE_CHECKING:
    from ingest.store import ParagraphIndex

#: How far adding a file has got (0 to 1) and what it is doing, for a progress bar.
AddProgress = Callable[[float, str], None]


def add_file(
    settings: Settings,
    index: ParagraphIndex,
    source: Path,
    target: Path,
    doc_id: str,
    progress: AddProgress | None = None,
) -> ParsedDocument:
    """Parse ``source``, copy it to ``target`` and index it as ``doc_id``, replacing the
    document's earlier version if any; the document as indexed, its path ``target``.

    The file is parsed under ``target``'s name (its name can give a symbol or a title) in a
    worker process bounded by the settings' limits, before the index is held. Raises
    :class:`UnreadableDocument` naming ``target.name`` if it cannot be parsed, a parser bug
    included; if writing the index fails, the file that was at ``target`` is put back (or
    the new one removed) and the error raised. Either way the index is unchanged.
    """
    report = progress or (lambda _done, _doing: None)
    source, target = Path(source), Path(target)
    name = target.name
    report(0.05, f"Reading {name}")
    with tempfile.TemporaryDirectory(prefix="wsis-add-") as tmp:
        staged = Path(tmp) / "new" / name
        staged.parent.mkdir()
        shutil.copyfile(source, staged)
        try:
            parsed = parse_isolated(staged, doc_id, ParseLimits.from_settings(settings))
        except UnreadableDocument as exc:
            raise UnreadableDocument(name, exc.reason) from exc
        except Exception as exc:  # a parser bug must not take the caller down
            raise UnreadableDocument(name, f"could not be parsed ({type(exc).__name__})") from exc
        parsed = ParsedDocument(
            dataclasses.replace(parsed.document, path=str(target)), parsed.paragraphs
        )
        with index.writing():
            index.collection(create=True)
            report(0.3, f"Embedding {len(parsed.paragraphs)} paragraphs of {name}")
            vectors = index.embed([parsed])[0]
            report(0.8, f"Adding {name} to the index")
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = Path(tmp) / "previous"
            had_file = target.exists()
            if had_file:
                shutil.copyfile(target, previous)
            shutil.copyfile(staged, target)
            try:
                index.add_document(parsed, vectors)
            except Exception:
                if had_file:
                    shutil.copyfile(previous, target)
                else:
                    target.unlink(missing_ok=True)
                raise
    return parsed
