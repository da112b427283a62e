"""Coverage results kept on disk per index version.

A result is stored under a key made of the catalogue's fingerprint (every document's id and
file hash), the topic and its filters, and everything that shapes the judgement (the method's
version, the relevance model, the calibration): a document added, replaced or removed, or a
new model, makes a new key, so a stale result is never shown. Entries are JSON files written
whole (a temporary file renamed), so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corpus.model import Document

#: Entries kept per cache folder; the oldest are removed beyond it.
MAX_ENTRIES = 500


def fingerprint(documents: Mapping[str, Document]) -> str:
    """The index version: a hash of every document's id and file hash."""
    digest = hashlib.sha256()
    for doc_id, document in sorted(documents.items()):
        digest.update(f"{doc_id}\x1f{document.sha256}\x1e".encode())
    return digest.hexdigest()[:16]


def cache_key(parts: Iterable[Any]) -> str:
    """A file-safe key for what shapes one result."""
    text = json.dumps(list(parts), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class ResultCache:
    """JSON entries in a folder, by key; a folder that cannot be written only costs speed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        if key in self._memory:
            return self._memory[key]
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self._memory[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._memory[key] = value
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False
            ) as handle:
                json.dump(value, handle, ensure_ascii=False)
            os.replace(handle.name, self.folder / f"{key}.json")
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        assert self.folder is not None
        entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for path in entries[:-MAX_ENTRIES]:
            path.unlink(missing_ok=True)
