"""The coverage matrix: how many paragraphs of each document are about each theme (the WSIS
action lines C1-C11 and the themes staff add), counted with the coverage of each theme over
the whole index and cached with it per index version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.api import Assistant
from assistant.coverage.finding import DEFAULT_COVERAGE_THRESHOLD, Method, coverage
from assistant.coverage.results import Coverage
from assistant.coverage.themes import Theme, Themes, load_themes
from corpus.errors import WSISError
from corpus.model import Document

Progress = Callable[[float, str], None]


class UnknownTheme(WSISError):
    """A theme or document the matrix does not have; the message lists what it has."""


@dataclass(frozen=True, slots=True)
class Matrix:
    """The documents of the index (rows, by name) against the themes (columns)."""

    themes: tuple[Theme, ...]
    documents: tuple[Document, ...]
    #: Each theme's coverage over the whole index, in the order of ``themes``.
    coverages: tuple[Coverage, ...]
    threshold: float

    def counts(self) -> list[list[int]]:
        """Paragraphs of each document (rows) about each theme (columns)."""
        per_theme = [
            {g.document.doc_id: len(g.matches) for g in result.groups} for result in self.coverages
        ]
        return [[found.get(d.doc_id, 0) for found in per_theme] for d in self.documents]

    def theme(self, name: str) -> tuple[int, Theme]:
        for row, theme in enumerate(self.themes):
            if name.strip().lower() in {theme.id.lower(), theme.label.lower()}:
                return row, theme
        known = ", ".join(t.id for t in self.themes)
        raise UnknownTheme(f"no theme {name!r} in the matrix; choose one of {known}")

    def document(self, name: str) -> Document:
        wanted = name.strip()
        for document in self.documents:
            if wanted in {document.doc_id, document.name, document.symbol}:
                return document
        raise UnknownTheme(f"no document {name!r} in the matrix; give a symbol it lists")

    def cell(self, theme: str, document: str) -> Coverage:
        """The paragraphs behind one count: a theme's coverage in one document."""
        row, _ = self.theme(theme)
        return self.coverages[row].in_documents([self.document(document).doc_id])


def matrix(
    assistant: Assistant,
    themes: Themes | None = None,
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    progress: Progress | None = None,
    method: Method | None = None,
) -> Matrix:
    """Count the paragraphs of each document about each theme. Each theme is a coverage over
    the whole index read by the relevance model only (the language model would take minutes
    a theme), cached per index version: the first count after an ingest takes a while, the
    next ones are read from the cache."""
    report = progress or (lambda _done, _what: None)
    chosen = themes or load_themes()
    fast = replace(method or Method(), judge_seconds=0.0)
    results: list[Coverage] = []
    total = len(chosen.themes)
    for row, theme in enumerate(chosen.themes):

        def step(done: float, what: str, row: int = row, theme: Theme = theme) -> None:
            report((row + done) / total, f"{theme.id}: {what}")

        results.append(
            coverage(
                assistant,
                theme.topic,
                threshold,
                parts=theme.parts,
                terms=theme.terms,
                progress=step,
                method=fast,
            )
        )
    report(1.0, "Done")
    documents = tuple(sorted(assistant.catalog.documents.values(), key=lambda d: d.name))
    return Matrix(chosen.themes, documents, tuple(results), threshold)
