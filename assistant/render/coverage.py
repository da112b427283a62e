"""How coverage and the action-line matrix are shown: the JSON of ``wsis coverage`` and
``wsis matrix``, their CSV exports, terminal text, the app's HTML and the heatmap."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from assistant.answers import Hit
from assistant.coverage import Coverage, CoverageMatch, Matrix
from assistant.render import by_section, citation_row, clip, hit_json, rendered, to_csv
from corpus.model import Document, pages, paragraph_reference

#: Columns of a coverage CSV export, one row per paragraph.
COVERAGE_CSV_COLUMNS = (
    "symbol",
    "title",
    "paragraph",
    "part",
    "section",
    "pages",
    "relevance",
    "reason",
    "text",
)


def coverage_summary(result: Coverage) -> str:
    """One line: how many paragraphs in how many documents are about the topic (plain
    text)."""
    if not result.groups:
        return (
            f"No paragraph is about “{result.topic}” with a relevance of at least "
            f"{result.threshold:.2f}. Lower the threshold to see weaker matches."
        )
    many = result.total != 1
    return (
        f"{result.total} paragraph{'s' if many else ''} in "
        f"{len(result.groups)} document{'s' if len(result.groups) != 1 else ''} "
        f"{'are' if many else 'is'} about “{result.topic}” (relevance of at least "
        f"{result.threshold:.2f})."
    )


def coverage_expansion(result: Coverage) -> str:
    """What the topic was searched as: its parts and the other words looked for."""
    lines = []
    if len(result.parts) > 1 or (result.parts and result.parts[0] != result.topic):
        lines.append(f"Judged as: {'; '.join(result.parts)}.")
    if result.terms:
        lines.append(f"Also searched for: {'; '.join(result.terms)}.")
    return " ".join(lines)


def coverage_match_json(document: Document, match: CoverageMatch) -> dict[str, Any]:
    """A paragraph about the topic: the citation fields of the answer JSON (``spans`` are
    where its reason is in ``text``), its ``relevance`` and its ``reason`` as text."""
    hit = Hit(match.paragraph, document, match.score, relevance=match.relevance)
    return {**hit_json(hit, match.reason), "reason": match.reason_text}


def coverage_json(result: Coverage) -> dict[str, Any]:
    """The coverage JSON of ``wsis coverage --json`` (README, "Where a topic is covered")."""
    return {
        "topic": result.topic,
        "threshold": result.threshold,
        "parts": list(result.parts),
        "terms": list(result.terms),
        "notice": result.notice,
        "paragraphs": [
            coverage_match_json(g.document, m) for g in result.groups for m in g.matches
        ],
    }


def coverage_csv(result: Coverage) -> str:
    rows = [
        {
            **citation_row(g.document, m.paragraph),
            "title": g.document.title or "",
            "relevance": f"{m.relevance:.2f}",
            "reason": m.reason_text,
        }
        for g in result.groups
        for m in g.matches
    ]
    return to_csv(COVERAGE_CSV_COLUMNS, rows)


def coverage_terminal(result: Coverage) -> str:
    """``wsis coverage``: the summary, then each document's paragraphs under their
    sections, each with its relevance, its reason and the start of its text."""
    lines = [f"Note: {result.notice}", ""] if result.notice else []
    lines.append(coverage_summary(result))
    if expansion := coverage_expansion(result):
        lines.append(expansion)
    for group in result.groups:
        title = group.document.title
        named = group.document.name
        lines += ["", f"{named}{f' — {title}' if title and title != named else ''}"]
        for section, matches in by_section(group.matches):
            lines.append(f"  [{section or 'no section'}]")
            for match in matches:
                page = pages(match.paragraph)
                where = f"{paragraph_reference(match.paragraph)}{f', p. {page}' if page else ''}"
                lines.append(f"    {where} (relevance {match.relevance:.2f}): {match.reason_text}")
                lines.append(f"      {clip(match.paragraph.text)}")
    return "\n".join(lines)


def coverage_html(result: Coverage, heading: str | None = None) -> str:
    """The matches, document by document, under their section headings, each with its
    relevance and its reason marked."""
    return rendered(
        "coverage.html",
        coverage=result,
        heading=heading,
        summary=coverage_summary(result),
        expansion=coverage_expansion(result),
    )


def matrix_json(result: Matrix) -> dict[str, Any]:
    """The matrix JSON of ``wsis matrix --json``: ``counts[i][j]`` paragraphs of document i
    about theme j."""
    return {
        "threshold": result.threshold,
        "themes": [
            {"id": t.id, "name": t.name, "topic": t.topic, "parts": list(t.parts)}
            for t in result.themes
        ],
        "documents": [
            {
                "doc_id": d.doc_id,
                "name": d.name,
                "symbol": d.symbol,
                "title": d.title,
                "kind": d.kind.value,
            }
            for d in result.documents
        ],
        "counts": result.counts(),
    }


def matrix_csv(result: Matrix) -> str:
    """One row per document, one column per theme, then the document's title."""
    columns = ["document", *(t.label for t in result.themes), "title"]
    rows = [
        {
            "document": document.name,
            "title": document.title or "",
            **{t.label: str(n) for t, n in zip(result.themes, counts, strict=True)},
        }
        for document, counts in zip(result.documents, result.counts(), strict=True)
    ]
    return to_csv(columns, rows)


def matrix_terminal(result: Matrix) -> str:
    """``wsis matrix``: a table of counts, documents down, themes across, then the key."""
    width = max((len(d.name) for d in result.documents), default=8)
    widths = [max(len(t.id), 3) for t in result.themes]
    header = " " * width + "".join(
        f"  {t.id:>{w}}" for t, w in zip(result.themes, widths, strict=True)
    )
    lines = [header]
    for document, counts in zip(result.documents, result.counts(), strict=True):
        cells = "".join(
            f"  {(str(n) if n else '.'):>{w}}" for n, w in zip(counts, widths, strict=True)
        )
        lines.append(f"{document.name:<{width}}{cells}")
    lines.append("")
    lines += [f"{t.id:>4}  {t.name} — {t.topic}" for t in result.themes]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class HeatmapCells:
    """Where the cells of a heatmap are in its image's own pixels (origin at the top left),
    to tell which cell a click selected."""

    left: float
    top: float
    cell_width: float
    cell_height: float
    rows: int
    columns: int

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell at pixel (x, y), or None outside the cells."""
        if x < self.left or y < self.top:
            return None
        column = int((x - self.left) // self.cell_width)
        row = int((y - self.top) // self.cell_height)
        return (row, column) if row < self.rows and column < self.columns else None

    def centre(self, row: int, column: int) -> tuple[float, float]:
        """The pixel at the middle of a cell."""
        return (
            self.left + (column + 0.5) * self.cell_width,
            self.top + (row + 0.5) * self.cell_height,
        )


@dataclass(frozen=True, slots=True)
class MatrixImage:
    """The heatmap as a PNG, and where its cells are."""

    png: bytes
    cells: HeatmapCells


def matrix_png(result: Matrix, dpi: int = 100) -> MatrixImage:
    """The matrix as a heatmap: documents down, themes across, each cell its count."""
    import numpy as np
    from matplotlib.figure import Figure

    counts = np.asarray(result.counts(), dtype=float).reshape(
        len(result.documents), len(result.themes)
    )
    names = [clip(d.name, 40) for d in result.documents]
    label_width = max((len(n) for n in names), default=10) * 0.075 + 0.4
    columns, rows = len(result.themes), len(result.documents)
    cell = 0.42
    width = label_width + columns * cell + 1.4
    height = 1.3 + rows * cell * 0.8
    figure = Figure(figsize=(width, height), dpi=dpi)
    axes = figure.add_axes(
        (label_width / width, 0.9 / height, columns * cell / width, rows * cell * 0.8 / height)
    )
    peak = max(float(counts.max(initial=0.0)), 1.0)
    shown = axes.imshow(counts, cmap="YlOrRd", vmin=0, vmax=peak, aspect="auto")
    axes.set_xticks(range(columns), [t.id for t in result.themes], fontsize=8)
    axes.set_yticks(range(rows), names, fontsize=8)
    axes.xaxis.set_ticks_position("top")
    axes.tick_params(length=0)
    for row in range(rows):
        for column in range(columns):
            n = int(counts[row, column])
            if n:
                colour = "white" if n > peak * 0.6 else "black"
                axes.text(column, row, str(n), ha="center", va="center", fontsize=7, color=colour)
    colourbar = figure.colorbar(shown, ax=axes, fraction=0.04, pad=0.02)
    colourbar.ax.tick_params(labelsize=7)
    colourbar.set_label("paragraphs", fontsize=8)
    figure.text(
        0.01,
        0.25 / height,
        f"Paragraphs about each theme (relevance of at least {result.threshold:.2f})",
        fontsize=8,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    box = axes.get_window_extent()
    image_height = figure.get_figheight() * dpi
    cells = HeatmapCells(
        left=float(box.x0),
        top=float(image_height - box.y1),
        cell_width=float(box.width / max(columns, 1)),
        cell_height=float(box.height / max(rows, 1)),
        rows=rows,
        columns=columns,
    )
    return MatrixImage(buffer.getvalue(), cells)
