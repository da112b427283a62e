"""What each tab of the app shows, as functions of an :class:`Assistant` and plain values.

The Gradio layer (:mod:`assistant.app.ui`) only wires these to components; everything here is
usable and testable without a browser or a server. HTML, text and export files are rendered
by :mod:`assistant.render`; a question or document the assistant cannot take becomes an
error message instead of an exception.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import render
from assistant.answers import Answer, Hit, Span
from assistant.api import Assistant, check_style
from assistant.app.uploads import ProgressFn, add_upload
from assistant.coverage import (
    DEFAULT_COVERAGE_THRESHOLD,
    Coverage,
    coverage,
    load_themes,
    matrix,
)
from assistant.render import coverage as shown
from assistant.retrieval import Filters
from corpus.errors import WSISError
from corpus.model import Document, DocumentKind, paragraph_reference

if TYPE_CHECKING:
    import pandas as pd

CITATIONS_LABEL = "Citations"
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 2
DOCUMENT_COLUMNS = ("Symbol", "Title", "Kind", "Date", "Paragraphs")


# --- Asking -----------------------------------------------------------------------------------


def filters_from(kinds: Iterable[str] | None, documents: Iterable[str] | None) -> Filters:
    """Filters from the UI's choices: kind values ("resolution") and document ids."""
    return Filters(
        kinds=tuple(DocumentKind(k) for k in kinds or ()),
        documents=tuple(d for d in documents or () if d),
    )


def chip_label(hit: Hit) -> str:
    """A citation as a short chip: "A/RES/80/173 para. 99"."""
    return f"{hit.document.name} {paragraph_reference(hit.paragraph)}"


def citation_chips(answer: Answer) -> list[tuple[str, str]]:
    """(label, paragraph id) of each paragraph the answer points at, for clickable chips."""
    return [(chip_label(h), h.paragraph.id) for h in render.shown_hits(answer)]


def chips_label(answer: Answer) -> str:
    return render.closest_label(answer) if answer.abstained else CITATIONS_LABEL


@dataclass(frozen=True, slots=True)
class AskView:
    """What the Ask tab shows for one question."""

    html: str
    text: str
    chips: list[tuple[str, str]]
    chips_label: str
    data: dict[str, Any]
    markdown_file: Path | None
    csv_file: Path | None


def ask_view(
    assistant: Assistant,
    question: str,
    kinds: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    progress: ProgressFn | None = None,
    style: str = "quotes",
) -> AskView:
    """The answer as HTML, as text to copy, as chips, as JSON and as export files."""
    *_, view = ask_views(assistant, question, kinds, documents, progress, style)
    return view


def ask_views(
    assistant: Assistant,
    question: str,
    kinds: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    progress: ProgressFn | None = None,
    style: str = "quotes",
) -> Iterator[AskView]:
    """The answer as it is made: for a short answer, the quotes first, then again with each
    sentence of the short answer once it has passed its check; the export files come with
    the last view."""
    try:
        check_style(style)
        filters = filters_from(kinds, documents)
        answer = assistant.ask(question, filters=filters, progress=progress)
    except WSISError as exc:
        yield AskView(
            render.error_html(str(exc)),
            str(exc),
            [],
            CITATIONS_LABEL,
            {"error": str(exc)},
            None,
            None,
        )
        return
    if style == "summary":
        yield _answer_view(answer, question, final=False)
        for step in assistant.summary_steps(answer):
            if step.summary is not None and step.summary.partial:
                yield _answer_view(step, question, final=False)
            else:
                answer = step
    yield _answer_view(answer, question, final=True)


def _answer_view(answer: Answer, question: str, final: bool) -> AskView:
    stem = f"answer-{question}"
    markdown = render.answer_markdown(answer) if final else None
    table = render.answer_csv(answer) if final else None
    return AskView(
        html=render.answer_html(answer),
        text=render.answer_copy_text(answer),
        chips=citation_chips(answer),
        chips_label=chips_label(answer),
        data=render.answer_json(answer),
        markdown_file=write_download(markdown, stem, ".md") if markdown else None,
        csv_file=write_download(table, stem, ".csv") if table else None,
    )


def quoted_spans(answer: Mapping[str, Any] | None, paragraph_id: str) -> list[Span]:
    """The spans of a paragraph that an answer (its JSON) quotes."""
    for citation in (answer or {}).get("citations", []):
        if isinstance(citation, Mapping) and citation.get("paragraph_id") == paragraph_id:
            return [(int(start), int(end)) for start, end in citation.get("spans", [])]
    return []


def context_html(
    assistant: Assistant,
    paragraph_id: str | None,
    answer: Mapping[str, Any] | None = None,
    before: int = CONTEXT_BEFORE,
    after: int = CONTEXT_AFTER,
) -> str:
    """A cited paragraph in its context, with what ``answer`` (the answer JSON) quotes of it
    marked."""
    if not paragraph_id:
        return ""
    paragraph = assistant.catalog.paragraphs.get(paragraph_id)
    if paragraph is None:
        return render.error_html(f"no paragraph {paragraph_id} in the index; ask again")
    spans = quoted_spans(answer, paragraph_id)
    return render.context_html(assistant.catalog, paragraph, spans, before, after)


# --- Where is a topic covered? ----------------------------------------------------------------


def coverage_frame(result: Coverage) -> pd.DataFrame:
    """Matching paragraphs per document, most first, for the bar chart."""
    import pandas as pd

    rows = [(g.document.name, len(g.matches)) for g in result.groups]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return pd.DataFrame(rows, columns=["document", "paragraphs"])


@dataclass(frozen=True, slots=True)
class CoverageView:
    """What the coverage tab shows: the listing, the bar chart's data, the CSV export and
    the JSON of ``wsis coverage --json``."""

    html: str
    frame: pd.DataFrame
    csv_file: Path | None
    data: dict[str, Any]


def coverage_view(
    assistant: Assistant,
    topic: str,
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    kinds: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    progress: ProgressFn | None = None,
) -> CoverageView:
    """Every paragraph about the topic: the listing, its bar chart data, its CSV and JSON."""
    import pandas as pd

    try:
        filters = filters_from(kinds, documents)
        result = coverage(assistant, topic, float(threshold), filters or None, progress=progress)
    except WSISError as exc:
        empty = pd.DataFrame(columns=["document", "paragraphs"])
        return CoverageView(render.error_html(str(exc)), empty, None, {"error": str(exc)})
    return CoverageView(
        shown.coverage_html(result),
        coverage_frame(result),
        write_download(shown.coverage_csv(result), f"coverage-{topic}", ".csv"),
        shown.coverage_json(result),
    )


# --- The action-line matrix -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixView:
    """What the matrix tab shows: the heatmap (a PNG file), where its cells are (to tell
    which one a click selected), the exports and the JSON of ``wsis matrix --json``."""

    image: Path | None
    cells: dict[str, Any]
    csv_file: Path | None
    png_file: Path | None
    data: dict[str, Any]
    message: str


def matrix_view(assistant: Assistant, progress: ProgressFn | None = None) -> MatrixView:
    """The matrix of the themes against the documents, as a heatmap with its exports."""
    try:
        result = matrix(assistant, load_themes(), progress=progress)
    except WSISError as exc:
        return MatrixView(None, {}, None, None, {"error": str(exc)}, render.error_html(str(exc)))
    image = shown.matrix_png(result)
    png = write_bytes(image.png, "wsis-action-lines", ".png")
    cells = {
        "cells": asdict(image.cells),
        "documents": [d.doc_id for d in result.documents],
        "themes": [t.id for t in result.themes],
    }
    counted = sum(sum(row) for row in result.counts())
    message = render.message_html(
        f"{counted} paragraphs counted over {len(result.documents)} documents and "
        f"{len(result.themes)} themes. Select a cell to read its paragraphs."
    )
    return MatrixView(
        png,
        cells,
        write_download(shown.matrix_csv(result), "wsis-action-lines", ".csv"),
        png,
        shown.matrix_json(result),
        message,
    )


def matrix_cell_at(cells: Mapping[str, Any] | None, x: float, y: float) -> tuple[str, str] | None:
    """(theme id, doc id) of the heatmap cell at pixel (x, y) of its image, or None."""
    if not cells or "cells" not in cells:
        return None
    found = shown.HeatmapCells(**cells["cells"]).cell_at(x, y)
    if found is None:
        return None
    row, column = found
    return cells["themes"][column], cells["documents"][row]


def matrix_cell_html(assistant: Assistant, theme: str | None, document: str | None) -> str:
    """The paragraphs behind one cell of the matrix: a theme in one document."""
    if not theme or not document:
        return render.message_html("Select a cell of the heatmap, or a theme and a document.")
    try:
        result = matrix(assistant, load_themes())
        _, chosen = result.theme(theme)
        doc = result.document(document)
        cell = result.cell(theme, document)
    except WSISError as exc:
        return render.error_html(str(exc))
    return shown.coverage_html(cell, heading=f"{chosen.label} in {doc.name}")


def theme_choices() -> list[tuple[str, str]]:
    """(label, id) of each theme of the matrix, for pickers."""
    try:
        return [(t.label, t.id) for t in load_themes().themes]
    except WSISError:
        return []


# --- Documents --------------------------------------------------------------------------------


def document_rows(assistant: Assistant) -> list[list[Any]]:
    """Symbol (or name), title, kind, date and searchable paragraph count per document."""
    return [
        [
            s.document.name,
            s.document.title or "",
            s.document.kind.value,
            s.document.date or "",
            s.paragraphs,
        ]
        for s in assistant.documents()
    ]


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """(name, doc id) of each document, for pickers."""
    return [(s.document.name, s.document.doc_id) for s in assistant.documents()]


def find_document(assistant: Assistant, name: str) -> Document | None:
    """A document by its id or its symbol."""
    catalog = assistant.catalog
    return catalog.documents.get(name) or catalog.document_by_symbol(name)


def document_html(assistant: Assistant, doc_id: str | None) -> str:
    """A document paragraph by paragraph; ``doc_id`` may be a symbol."""
    if not doc_id:
        return ""
    document = find_document(assistant, doc_id)
    if document is None:
        return render.error_html(f"no document {doc_id} in the index")
    return render.document_html(document, assistant.catalog.by_doc.get(document.doc_id, []))


def upload_view(
    assistant: Assistant, path: str | Path | None, progress: ProgressFn | None = None
) -> tuple[str, bool]:
    """(message, whether the index changed) for an uploaded file."""
    if not path:
        return render.error_html("choose a file to upload first"), False
    try:
        result = add_upload(assistant, path, progress=progress)
    except WSISError as exc:
        return render.error_html(f"{exc} Nothing was changed."), False
    return render.message_html(result.message), True


# --- Versions, amendments and agreed language -------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftingView:
    """What the Compare, Amendments and Agreed language tabs show: HTML and the JSON of
    the matching ``wsis`` command."""

    html: str
    data: dict[str, Any]


def compare_view(
    assistant: Assistant, old: str | None, new: str | None, changes_only: bool = False
) -> DraftingView:
    """Two versions of a text side by side (by symbol or id), and the ``wsis compare
    --json`` data."""
    if not old or not new:
        return DraftingView(render.error_html("choose the two versions to compare"), {})
    try:
        comparison = assistant.compare(old, new)
    except WSISError as exc:
        return DraftingView(render.error_html(str(exc)), {"error": str(exc)})
    return DraftingView(render.comparison_html(comparison, changes_only), comparison.to_dict())


def amendments_view(assistant: Assistant) -> DraftingView:
    """The Amendments tab and the ``wsis amendments --json`` data."""
    try:
        report = assistant.amendments()
    except WSISError as exc:
        return DraftingView(render.error_html(str(exc)), {"error": str(exc)})
    return DraftingView(render.amendments_html(report), report.to_dict())


def precedent_view(
    assistant: Assistant, phrase: str | None, source: str | None = None
) -> DraftingView:
    """The Agreed language tab and the ``wsis precedent --json`` data."""
    try:
        result = assistant.precedent(phrase or "", source or None)
    except WSISError as exc:
        return DraftingView(render.error_html(str(exc)), {"error": str(exc)})
    return DraftingView(render.precedent_html(result), result.to_dict())


# --- Files to download ------------------------------------------------------------------------


def write_bytes(content: bytes, stem: str, suffix: str, folder: Path | None = None) -> Path:
    """Bytes saved as a file to offer (a PNG); named, like :func:`write_download`, by a hash
    of the content."""
    folder = folder or Path(tempfile.gettempdir()) / "wsis-exports"
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:40] or "export"
    path = folder / f"{slug}-{hashlib.sha1(content).hexdigest()[:10]}{suffix}"
    if not path.exists():
        path.write_bytes(content)
    return path


def write_download(content: str, stem: str, suffix: str, folder: Path | None = None) -> Path:
    """``content`` saved as a file to offer for download; the name carries a hash of the
    content, so the same export is written once."""
    folder = folder or Path(tempfile.gettempdir()) / "wsis-exports"
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:40] or "export"
    digest = hashlib.sha1(content.encode("utf-8")).hexdigest()[:10]
    path = folder / f"{slug}-{digest}{suffix}"
    if not path.exists():
        path.write_text(content, encoding="utf-8")
    return path
