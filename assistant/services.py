"""What the app does, as functions of an :class:`Assistant` and plain values.

The Gradio layer (``assistant/ui.py``) only wires these to components. Everything here is
usable and testable without a browser or a server: answers and their exports, the paragraph
in context with what the answer quotes highlighted, where a topic is covered, the document
list and reading view, uploads into the running index, and evaluation of a test set.

Every piece of text that comes from a document, a file name or a question is escaped before
it goes into HTML (:func:`html.escape`); highlights are added as ``<mark>`` around text
that was escaped first, so a document containing ``<script>`` shows those characters.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import html
import io
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assistant.answers import Answer, Hit
from assistant.retrieval import Filters
from corpus.errors import UnreadableDocument, WSISError
from corpus.model import (
    Document,
    DocumentKind,
    Paragraph,
    ParagraphKind,
    ParsedDocument,
    paragraph_reference,
)
from corpus.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from assistant.amendments import AmendmentsReport
    from assistant.core import Assistant
    from assistant.precedent import Precedent
    from assistant.versions import Comparison, DiffOp, ParagraphChange
    from eval.run import EvalRun

#: Progress callback: (fraction done 0..1, what is happening).
ProgressFn = Callable[[float, str], None]

CLOSEST_MATCHES_LABEL = "Closest matches — not answers"
CITATIONS_LABEL = "Citations"
ANSWER_CSV_COLUMNS = ("symbol", "paragraph", "part", "section", "pages", "text")
COVERAGE_CSV_COLUMNS = (
    "symbol",
    "title",
    "paragraph",
    "part",
    "section",
    "pages",
    "score",
    "text",
)

#: Coverage keeps a paragraph when its hybrid retrieval score (``Hit.score`` from
#: :meth:`HybridRetriever.rank`) reaches this. That score is ``RetrievalWeights.dense`` x the
#: cosine similarity rescaled over the nearest dense candidates (weakest 0, perfect 1)
#: + ``RetrievalWeights.lexical`` x BM25 divided by the larger of the best BM25 score and
#: ``lexical_floor`` x the best score the topic could reach, + ``named_document_boost`` when
#: the topic names the paragraph's document, - ``preambular_penalty`` for preambular
#: paragraphs: about 0 to 1. Chosen with the calibrated weights on "gender digital divide",
#: "submarine cables" and "financing": on "gender digital divide" over A/RES/80/173 and its
#: draft, the paragraphs about gender score 0.34 and more, the next ones (paras. 19 and 21,
#: which only share "digital divide") 0.30; below that, paragraphs that only share a word
#: come in. Retuning the weights moves this scale; tests/test_services.py checks
#: that the default still keeps on-topic paragraphs and leaves off-topic ones out.
DEFAULT_COVERAGE_THRESHOLD = 0.32
#: How many ranked paragraphs coverage looks at before the threshold: all of them in
#: practice. Paragraphs outside the nearest dense candidates score on BM25 alone.
COVERAGE_DEPTH = 100_000
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 2

#: Upload file names are cut to this many characters (suffix kept).
MAX_UPLOAD_NAME = 120
#: Longest file name most file systems store (NAME_MAX), in bytes of UTF-8.
MAX_UPLOAD_NAME_BYTES = 255
TESTSET_SUFFIXES = frozenset({".jsonl", ".csv"})


class UploadRejected(WSISError):
    """A file the app will not take: wrong type, too large, a bad name or a clash."""


# --- Asking ----------------------------------------------------------------------------------


def filters_from(kinds: Iterable[str] | None, documents: Iterable[str] | None) -> Filters:
    """Filters from the UI's choices: kind values ("resolution") and document ids."""
    return Filters(
        kinds=tuple(DocumentKind(k) for k in kinds or ()),
        documents=tuple(d for d in documents or () if d),
    )


def ask(
    assistant: Assistant,
    question: str,
    kinds: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
) -> Answer:
    """The assistant's answer; raises :class:`WSISError` for a question it cannot take."""
    return assistant.ask(question, filters=filters_from(kinds, documents))


def shown_hits(answer: Answer) -> tuple[Hit, ...]:
    """What the answer points at: its citations, or, for an abstention, the closest matches
    (which are not answers)."""
    return answer.hits[:3] if answer.abstained else answer.citations


def chip_label(hit: Hit) -> str:
    """A citation as a short chip: "A/RES/80/173 para. 99"."""
    return f"{hit.document.name} {paragraph_reference(hit.paragraph)}"


def citation_chips(answer: Answer) -> list[tuple[str, str]]:
    """(label, paragraph id) of each paragraph the answer points at, for clickable chips."""
    return [(chip_label(h), h.paragraph.id) for h in shown_hits(answer)]


def chips_label(answer: Answer) -> str:
    return CLOSEST_MATCHES_LABEL if answer.abstained else CITATIONS_LABEL


def refusal_text(answer: Answer) -> str:
    """The refusal sentence of an abstention, without the closest matches core appends."""
    return answer.text.split("\n\n", 1)[0]


def answer_text(answer: Answer) -> str:
    """The answer as plain text with its citations, for copying."""
    parts = [answer.notice] if answer.notice else []
    if answer.abstained:
        parts.append(refusal_text(answer))
        if answer.hits:
            closest = "\n".join(
                f"- {h.citation}: {_clip(h.paragraph.text)}" for h in shown_hits(answer)
            )
            parts.append(f"{CLOSEST_MATCHES_LABEL}:\n{closest}")
    else:
        parts.append(answer.text)
    return "\n\n".join(parts)


_QUOTE_BLOCK = re.compile(
    r"“(?P<quote>.*)” \((?P<citation>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<rest>.*)", re.S
)


def quoted_passages(text: str) -> list[str]:
    """The verbatim passages an answer quotes: the text between “ and ” of each block,
    split where the answer left sentences out (" … ")."""
    passages: list[str] = []
    for block in text.split("\n\n"):
        match = _QUOTE_BLOCK.fullmatch(block.strip())
        if match:
            passages.extend(p.strip() for p in match["quote"].split(" … ") if p.strip())
    return passages


def answer_html(answer: Answer) -> str:
    """The answer as HTML: quotes with their citations, or the refusal with the closest
    matches labelled as not answers. All text escaped."""
    out = ['<div class="wsis-answer">']
    if answer.notice:
        out.append(f'<p class="wsis-notice">{html.escape(answer.notice)}</p>')
    if answer.abstained:
        out.append(
            f'<p class="wsis-refusal"><strong>{html.escape(refusal_text(answer))}</strong></p>'
        )
        if answer.hits:
            out.append(f"<h4>{html.escape(CLOSEST_MATCHES_LABEL)}</h4><ul>")
            out.extend(
                f"<li><strong>{html.escape(h.citation)}</strong>: "
                f"{html.escape(_clip(h.paragraph.text))}</li>"
                for h in shown_hits(answer)
            )
            out.append("</ul>")
    else:
        for block in answer.text.split("\n\n"):
            match = _QUOTE_BLOCK.fullmatch(block.strip())
            if match is None:
                out.append(f"<p>{html.escape(block)}</p>")
                continue
            rest = match["rest"].strip()
            out.append(
                f"<blockquote>“{html.escape(match['quote'])}”"
                f'<br><span class="wsis-cite">({html.escape(match["citation"])})'
                f"{' ' + html.escape(rest) if rest else ''}</span></blockquote>"
            )
    out.append("</div>")
    return "".join(out)


def error_html(message: str) -> str:
    return f'<p class="wsis-error"><strong>Error:</strong> {html.escape(message)}</p>'


def message_html(message: str) -> str:
    return f'<p class="wsis-message">{html.escape(message)}</p>'


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
) -> AskView:
    """The answer as HTML, as text to copy, as chips, as JSON and as export files; a
    question the assistant cannot take becomes an error message."""
    try:
        answer = ask(assistant, question, kinds, documents)
    except WSISError as exc:
        return AskView(
            error_html(str(exc)), str(exc), [], CITATIONS_LABEL, {"error": str(exc)}, None, None
        )
    stem = f"answer-{question}"
    return AskView(
        html=answer_html(answer),
        text=answer_text(answer),
        chips=citation_chips(answer),
        chips_label=chips_label(answer),
        data=answer.to_dict(),
        markdown_file=write_download(answer_markdown(answer), stem, ".md"),
        csv_file=write_download(answer_csv(answer), stem, ".csv"),
    )


def pages(paragraph: Paragraph) -> str:
    """Pages as printed: "8", "8–9", or "" when the format has no pages."""
    if not paragraph.page_start:
        return ""
    if paragraph.page_end and paragraph.page_end != paragraph.page_start:
        return f"{paragraph.page_start}–{paragraph.page_end}"
    return str(paragraph.page_start)


def citation_row(document: Document, paragraph: Paragraph) -> dict[str, str]:
    return {
        "symbol": document.name,
        "paragraph": paragraph.label,
        "part": paragraph.part or "",
        "section": paragraph.section,
        "pages": pages(paragraph),
        "text": paragraph.text,
    }


def answer_csv(answer: Answer) -> str:
    """One row per citation (per closest match for an abstention): symbol, paragraph,
    part, section, pages, text."""
    rows = [citation_row(h.document, h.paragraph) for h in shown_hits(answer)]
    return _csv(ANSWER_CSV_COLUMNS, rows)


def answer_markdown(answer: Answer) -> str:
    """The question, the answer and its sources, as a Markdown file to keep."""
    lines = [f"# {_md_line(answer.question)}", ""]
    if answer.notice:
        lines += [f"> {_md_line(answer.notice)}", ""]
    if answer.abstained:
        lines += [refusal_text(answer), ""]
        if answer.hits:
            lines += [f"## {CLOSEST_MATCHES_LABEL}", ""]
    else:
        for block in answer.text.split("\n\n"):
            lines += [f"> {_md_line(block)}", ""]
        lines += ["## Sources", ""]
    for hit in shown_hits(answer):
        p = hit.paragraph
        where = "; ".join(
            x
            for x in (
                hit.document.title or "",
                p.section.split(" > ")[-1] if p.section else "",
                f"p. {pages(p)}" if pages(p) else "",
            )
            if x
        )
        lines.append(f"- **{_md_line(hit.citation)}** — {_md_line(where)}")
        lines.append(f"  > {_md_line(p.text)}")
    return "\n".join(lines).rstrip() + "\n"


# --- A paragraph in context ------------------------------------------------------------------


def _passage_pattern(passage: str) -> re.Pattern[str] | None:
    words = passage.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def highlight(text: str, passages: Sequence[str]) -> str:
    """``text`` escaped, with every occurrence of the passages wrapped in ``<mark>``.

    Passages match across any run of white space, since answers join sentences that the
    document separates by a line break.
    """
    spans: list[tuple[int, int]] = []
    for passage in passages:
        pattern = _passage_pattern(passage)
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(text))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def document_url(document: Document, page: int | None = None) -> str:
    """Where the app serves an indexed document; PDFs open at the page."""
    url = f"/document/{quote(document.doc_id, safe='')}"
    if page and Path(document.path).suffix.lower() == ".pdf":
        url += f"#page={page}"
    return url


def context_html(
    assistant: Assistant,
    paragraph_id: str | None,
    answer: str = "",
    before: int = CONTEXT_BEFORE,
    after: int = CONTEXT_AFTER,
) -> str:
    """A cited paragraph with its document, section, page, a link to the source at that
    page, and the paragraphs around it; what ``answer`` quotes is highlighted."""
    if not paragraph_id:
        return ""
    catalog = assistant.catalog
    paragraph = catalog.paragraphs.get(paragraph_id)
    if paragraph is None:
        return error_html(f"no paragraph {paragraph_id} in the index; ask again")
    document = catalog.documents[paragraph.doc_id]
    passages = quoted_passages(answer or "")
    page = paragraph.page_start
    link = document_url(document, page)
    source = "Open the source PDF" if document.path.lower().endswith(".pdf") else "Open the source"
    meta = [f"<strong>{html.escape(document.name)}</strong>"]
    if paragraph.section:
        meta.append(f"Section: {html.escape(paragraph.section.split(' > ')[-1])}")
    if pages(paragraph):
        meta.append(f"Page {html.escape(pages(paragraph))}")
    out = [
        '<div class="wsis-context">',
        f"<h3>{html.escape(document.title or document.name)}</h3>",
        f'<p class="wsis-meta">{" · ".join(meta)} · '
        f'<a href="{html.escape(link)}" target="_blank" rel="noopener">'
        f"{source}{f' at page {page}' if page and 'PDF' in source else ''}</a></p>",
    ]
    for item in catalog.context(paragraph, before, after):
        current = item.id == paragraph.id
        css = "wsis-para wsis-current" if current else "wsis-para"
        label = html.escape(paragraph_reference(item))
        out.append(
            f'<div class="{css}"><span class="wsis-label">{label}</span> '
            f"{highlight(item.text, passages)}</div>"
        )
    out.append("</div>")
    return "".join(out)


# --- Where is a topic covered? ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoverageMatch:
    paragraph: Paragraph
    score: float


@dataclass(frozen=True, slots=True)
class CoverageGroup:
    """The matching paragraphs of one document, in document order."""

    document: Document
    matches: tuple[CoverageMatch, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    topic: str
    threshold: float
    groups: tuple[CoverageGroup, ...]

    @property
    def total(self) -> int:
        return sum(len(g.matches) for g in self.groups)


def _text_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def coverage(
    assistant: Assistant,
    topic: str,
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    filters: Filters | None = None,
) -> Coverage:
    """Every searchable paragraph whose retrieval score for ``topic`` reaches ``threshold``,
    grouped by document (documents by name, paragraphs in document order).

    Retrieval shows a paragraph found word for word in several documents (a draft and its
    adopted text) once; coverage lists it in each of them, with the same score.
    """
    from assistant.core import clean_question

    retriever = assistant.retriever
    catalog = assistant.catalog
    hits = retriever.rank(retriever.signals(clean_question(topic), filters), k=COVERAGE_DEPTH)
    found: dict[str, CoverageMatch] = {}
    copies: dict[str, list[Paragraph]] | None = None
    for hit in hits:
        if hit.score < threshold:
            continue
        found.setdefault(hit.paragraph.id, CoverageMatch(hit.paragraph, hit.score))
        if hit.identical_in:
            if copies is None:
                copies = {}
                for p in catalog.searchable():
                    copies.setdefault(_text_key(p.text), []).append(p)
            for twin in copies.get(_text_key(hit.paragraph.text), []):
                found.setdefault(twin.id, CoverageMatch(twin, hit.score))
    allowed = retriever.allowed_documents(filters)
    by_doc: dict[str, list[CoverageMatch]] = {}
    for match in found.values():
        if allowed is None or match.paragraph.doc_id in allowed:
            by_doc.setdefault(match.paragraph.doc_id, []).append(match)
    groups = [
        CoverageGroup(
            catalog.documents[doc_id],
            tuple(sorted(matches, key=lambda m: m.paragraph.order)),
        )
        for doc_id, matches in by_doc.items()
    ]
    groups.sort(key=lambda g: g.document.name)
    return Coverage(topic, threshold, tuple(groups))


def coverage_summary(result: Coverage) -> str:
    """One line: how many paragraphs in how many documents (plain text)."""
    if not result.groups:
        return (
            f"No paragraph reaches a relevance of {result.threshold:.2f} for “{result.topic}”. "
            "Lower the threshold to see weaker matches."
        )
    many = result.total != 1
    return (
        f"{result.total} paragraph{'s' if many else ''} in "
        f"{len(result.groups)} document{'s' if len(result.groups) != 1 else ''} "
        f"reach{'' if many else 'es'} a relevance of {result.threshold:.2f} for “{result.topic}”."
    )


def coverage_html(result: Coverage) -> str:
    """The matches, document by document, under their section headings; escaped."""
    out = ['<div class="wsis-coverage">', f"<p>{html.escape(coverage_summary(result))}</p>"]
    for group in result.groups:
        doc = group.document
        title = f" — {doc.title}" if doc.title and doc.title != doc.name else ""
        count = len(group.matches)
        out.append(
            f"<h3>{html.escape(doc.name + title)} "
            f"<small>({count} paragraph{'s' if count != 1 else ''})</small></h3>"
        )
        section = None
        for match in group.matches:
            p = match.paragraph
            if p.section != section:
                section = p.section
                heading = p.section.split(" > ")[-1] if p.section else "(no section)"
                out.append(f"<h4>{html.escape(heading)}</h4>")
            where = f", p. {pages(p)}" if pages(p) else ""
            out.append(
                f'<p class="wsis-para"><span class="wsis-label">'
                f"{html.escape(paragraph_reference(p) + where)}</span> {html.escape(p.text)} "
                f'<small class="wsis-score">(score {match.score:.2f})</small></p>'
            )
    out.append("</div>")
    return "".join(out)


def coverage_frame(result: Coverage) -> pd.DataFrame:
    """Matching paragraphs per document, most first, for the bar chart."""
    import pandas as pd

    rows = [(g.document.name, len(g.matches)) for g in result.groups]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return pd.DataFrame(rows, columns=["document", "paragraphs"])


@dataclass(frozen=True, slots=True)
class CoverageView:
    html: str
    frame: pd.DataFrame
    csv_file: Path | None


def coverage_view(
    assistant: Assistant, topic: str, threshold: float = DEFAULT_COVERAGE_THRESHOLD
) -> CoverageView:
    """The coverage listing, its bar chart data and its CSV; a topic that cannot be
    searched becomes an error message."""
    import pandas as pd

    try:
        result = coverage(assistant, topic, float(threshold))
    except WSISError as exc:
        return CoverageView(
            error_html(str(exc)), pd.DataFrame(columns=["document", "paragraphs"]), None
        )
    return CoverageView(
        coverage_html(result),
        coverage_frame(result),
        write_download(coverage_csv(result), f"coverage-{topic}", ".csv"),
    )


def coverage_csv(result: Coverage) -> str:
    rows = [
        {
            **citation_row(g.document, m.paragraph),
            "title": g.document.title or "",
            "score": f"{m.score:.4f}",
        }
        for g in result.groups
        for m in g.matches
    ]
    return _csv(COVERAGE_CSV_COLUMNS, rows)


# --- Documents -------------------------------------------------------------------------------

DOCUMENT_COLUMNS = ("Symbol", "Title", "Kind", "Date", "Paragraphs")


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
    """A document paragraph by paragraph: parts and headings as headings, each paragraph
    with its label as it would be cited. All text escaped. ``doc_id`` may be a symbol."""
    if not doc_id:
        return ""
    catalog = assistant.catalog
    document = find_document(assistant, doc_id)
    if document is None:
        return error_html(f"no document {doc_id} in the index")
    doc_id = document.doc_id
    details = [document.kind.value]
    if document.date:
        details.append(document.date)
    if document.pages:
        details.append(f"{document.pages} pages")
    out = [
        '<div class="wsis-document">',
        f"<h2>{html.escape(document.title or document.name)}</h2>",
        f'<p class="wsis-meta"><strong>{html.escape(document.name)}</strong> · '
        f"{html.escape(' · '.join(details))} · "
        f'<a href="{html.escape(document_url(document))}" target="_blank" rel="noopener">'
        "Open the source</a></p>",
    ]
    part: str | None = None
    for p in catalog.by_doc.get(doc_id, []):
        if p.part != part:
            part = p.part
            if part:
                out.append(f"<h3>{html.escape(part)}</h3>")
        if p.kind is ParagraphKind.HEADING:
            out.append(f"<h4>{html.escape(p.text)}</h4>")
            continue
        css = "wsis-para wsis-footnote" if p.kind is ParagraphKind.FOOTNOTE else "wsis-para"
        where = f" (p. {pages(p)})" if pages(p) else ""
        out.append(
            f'<p class="{css}"><span class="wsis-label">'
            f"{html.escape(paragraph_reference(p) + where)}</span> {html.escape(p.text)}</p>"
        )
    out.append("</div>")
    return "".join(out)


# --- Uploads ---------------------------------------------------------------------------------


def uploads_dir(settings: Settings) -> Path:
    """Where the app keeps uploaded files (``Settings.uploads_path``)."""
    return settings.uploads_path


def with_uploads(settings: Settings) -> Settings:
    """The settings with the uploads folder among the corpus folders, so that what the app
    sees as its corpus includes what was uploaded. The folder is made by the first upload."""
    folder = uploads_dir(settings)
    if any(Path(d).resolve() == folder.resolve() for d in settings.corpus_dirs):
        return settings
    return settings.model_copy(update={"corpus_dirs": [*settings.corpus_dirs, folder]})


def sanitize_upload_name(name: str) -> str:
    """A safe file name for an upload: no folders, no "..", no control or odd characters,
    at most :data:`MAX_UPLOAD_NAME` characters (and :data:`MAX_UPLOAD_NAME_BYTES` bytes, so
    that a name in, say, Chinese can be saved), and a suffix the ingester reads."""
    from ingest.pipeline import IGNORED_NAMES
    from ingest.readers import SUPPORTED_SUFFIXES

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
    """Check, parse, embed and index an uploaded file, saved into the uploads folder.

    A file that fails any step raises :class:`UploadRejected` naming it, and leaves the
    uploads folder and the index as they were.
    """
    from ingest.pipeline import doc_id_for, parse_isolated
    from ingest.readers import ParseLimits

    report = progress or (lambda _f, _d: None)
    source = Path(path)
    safe = check_upload(source, assistant.settings, name)
    folder = uploads_dir(assistant.settings)
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
    report(0.05, f"Reading {safe}")
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        staged = staging / safe
        shutil.copyfile(source, staged)
        try:
            parsed = parse_isolated(staged, doc_id, ParseLimits.from_settings(assistant.settings))
        except UnreadableDocument as exc:
            raise UploadRejected(f"“{safe}”: {exc.reason}") from exc
        except Exception as exc:  # a parser bug must not take the app down
            raise UploadRejected(f"“{safe}” could not be parsed ({type(exc).__name__})") from exc
        parsed = ParsedDocument(
            dataclasses.replace(parsed.document, path=str(target)), parsed.paragraphs
        )
        index = assistant.index
        with index.writing():
            index.collection(create=True)
            report(0.3, f"Embedding {len(parsed.paragraphs)} paragraphs of {safe}")
            vectors = index.embed([parsed])[0]
            report(0.8, f"Adding {safe} to the index")
            had_file = target.exists()
            backup = staging / "previous"
            if had_file:
                shutil.copyfile(target, backup)
            shutil.copyfile(staged, target)
            try:
                index.add_document(parsed, vectors)
            except Exception:
                if had_file:
                    shutil.copyfile(backup, target)
                else:
                    target.unlink(missing_ok=True)
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(0.9, "Reloading the catalogue")
    assistant.refresh()
    assistant.retriever  # noqa: B018 - rebuild BM25 now, not on the next question
    report(1.0, "Done")
    count = next((s.paragraphs for s in assistant.documents() if s.document.doc_id == doc_id), 0)
    return UploadResult(parsed.document, count, replaced=existing is not None)


def upload_view(
    assistant: Assistant, path: str | Path | None, progress: ProgressFn | None = None
) -> tuple[str, bool]:
    """(message, whether the index changed) for an uploaded file."""
    if not path:
        return error_html("choose a file to upload first"), False
    try:
        result = add_upload(assistant, path, progress=progress)
    except WSISError as exc:
        return error_html(f"{exc} Nothing was changed."), False
    return message_html(result.message), True


# --- Evaluation ------------------------------------------------------------------------------

FAILURE_COLUMNS = ("id", "split", "question", "expected", "got", "abstained")


def evaluate_testset(
    assistant: Assistant, path: str | Path, progress: ProgressFn | None = None
) -> EvalRun:
    """The product (``Assistant.ask``, as ``wsis eval`` runs it) on an uploaded test set."""
    from eval.run import PRODUCT, AssistantSystem, evaluate_systems
    from eval.testset import load_testset

    path = Path(path)
    if path.suffix.lower() not in TESTSET_SUFFIXES:
        raise UploadRejected(
            f"“{path.name}”: a test set is a .jsonl or .csv file in the eval format"
        )
    items = load_testset(path)

    def step(_system: str, done: int, total: int) -> None:
        if progress:
            progress(done / max(total, 1), f"Question {done} of {total}")

    return evaluate_systems(items, [AssistantSystem(PRODUCT, assistant)], path.name, None, step)


def metric_rows(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per metric, one column per split, of the product."""
    from eval.report import format_metric

    results = next(iter(run.results.values()))
    header = ["metric", *results]
    metrics = list(dict.fromkeys(m for r in results.values() for m in r.summary))
    rows = [["questions", *(str(r.n) for r in results.values())]]
    rows += [[m, *(format_metric(m, r.summary.get(m)) for r in results.values())] for m in metrics]
    return header, rows


def failure_rows(run: EvalRun) -> list[list[str]]:
    """The questions the product got wrong, over all questions."""
    from eval.report import returned

    results = next(iter(run.results.values()))
    result = results.get("all") or next(iter(results.values()))
    return [
        [
            q.id,
            q.split or "",
            q.question,
            "; ".join(q.expected) or "(abstain)",
            returned(q),
            "yes" if q.abstained else "no",
        ]
        for q in result.failures
    ]


@dataclass(frozen=True, slots=True)
class EvaluationView:
    html: str
    metrics: pd.DataFrame
    failures: pd.DataFrame


def evaluation_view(
    assistant: Assistant, path: str | Path | None, progress: ProgressFn | None = None
) -> EvaluationView:
    """Metrics and failed questions of the product on an uploaded test set."""
    import pandas as pd

    empty = pd.DataFrame(columns=list(FAILURE_COLUMNS))
    if not path:
        return EvaluationView(
            error_html("choose a test set to upload first"), pd.DataFrame(), empty
        )
    try:
        run = evaluate_testset(assistant, path, progress)
    except WSISError as exc:
        return EvaluationView(error_html(str(exc)), pd.DataFrame(), empty)
    header, rows = metric_rows(run)
    return EvaluationView(
        message_html(evaluation_summary(run)),
        pd.DataFrame(rows, columns=header),
        pd.DataFrame(failure_rows(run), columns=list(FAILURE_COLUMNS)),
    )


def evaluation_summary(run: EvalRun) -> str:
    results = next(iter(run.results.values()))
    result = results.get("all") or next(iter(results.values()))
    return (
        f"{run.testset}: {result.n} questions, {len(result.failures)} failed "
        "(wrong about abstaining, or the first citation is not a gold one)."
    )


# --- Versions, amendments and agreed language ------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftingView:
    """What the Compare, Amendments and Agreed language tabs show: HTML and the JSON of
    the matching ``wsis`` command."""

    html: str
    data: dict[str, Any]


def _marked_side(text: str, ops: Sequence[DiffOp], side: str) -> str:
    """One side of a word diff as HTML: the old text with deletions in ``<del>`` or the new
    text with insertions in ``<ins>``; everything escaped."""
    mark = {"old": ("delete", "del"), "new": ("insert", "ins")}[side]
    out, position = [], 0
    for op in ops:
        span = op.old_span if side == "old" else op.new_span
        if span is None:
            continue
        start, end = span
        out.append(html.escape(text[position:start]))
        piece = html.escape(text[start:end])
        out.append(f"<{mark[1]}>{piece}</{mark[1]}>" if op.op == mark[0] else piece)
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def _cell(paragraph: Paragraph | None, body: str) -> str:
    if paragraph is None:
        return '<td class="wsis-empty"></td>'
    label = html.escape(paragraph_reference(paragraph))
    return f'<td><span class="wsis-label">{label}</span> {body}</td>'


def change_row(change: ParagraphChange) -> str:
    """One row of the side-by-side view: the old paragraph with what was deleted struck
    through, the status, the new one with what was inserted underlined."""
    old, new = change.old, change.new
    if change.ops:
        assert old is not None and new is not None
        left = _marked_side(old.text, change.ops, "old")
        right = _marked_side(new.text, change.ops, "new")
    else:
        left = f"<del>{html.escape(old.text)}</del>" if old is not None and new is None else ""
        right = f"<ins>{html.escape(new.text)}</ins>" if new is not None and old is None else ""
        if old is not None and new is not None:
            left, right = html.escape(old.text), html.escape(new.text)
    status = change.status.value
    notes = [status]
    if change.renumbered:
        notes.append("renumbered")
    if change.regrouped:
        notes.append(change.regrouped)
    badge = html.escape(", ".join(notes))
    return (
        f'<tr class="wsis-change wsis-{status}">{_cell(old, left)}'
        f'<td class="wsis-status">{badge}</td>{_cell(new, right)}</tr>'
    )


def comparison_html(comparison: Comparison, changes_only: bool = False) -> str:
    """Two versions side by side, paragraph by paragraph, changes marked; escaped."""
    from assistant.versions import ChangeStatus

    def heading(document: Document) -> str:
        date = f" ({document.date})" if document.date else ""
        return f"<th>{html.escape(document.name + date)}</th>"

    rows = [
        change_row(c)
        for c in comparison.changes
        if not (changes_only and c.status is ChangeStatus.UNCHANGED)
    ]
    title = ""
    if comparison.title_changed:
        title = (
            '<p class="wsis-meta">Title: '
            f"{_marked_side(comparison.old.title or '', comparison.title_ops, 'old')} → "
            f"{_marked_side(comparison.new.title or '', comparison.title_ops, 'new')}</p>"
        )
    return (
        f'<div class="wsis-compare"><p>{html.escape(comparison.summary())}</p>{title}'
        f'<table class="wsis-compare-table"><thead><tr>{heading(comparison.old)}'
        f"<th>change</th>{heading(comparison.new)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def compare_view(
    assistant: Assistant, old: str | None, new: str | None, changes_only: bool = False
) -> DraftingView:
    """Two versions of a text side by side (by symbol or id), and the ``wsis compare
    --json`` data; a missing or unknown document becomes an error message."""
    if not old or not new:
        return DraftingView(error_html("choose the two versions to compare"), {})
    try:
        comparison = assistant.compare(old, new)
    except WSISError as exc:
        return DraftingView(error_html(str(exc)), {"error": str(exc)})
    return DraftingView(comparison_html(comparison, changes_only), comparison.to_dict())


def amendments_html(report: AmendmentsReport) -> str:
    """The proposals by target paragraph: the proposed text with its inserted wording in
    ``<ins>``, the closest paragraph of each later version, and the uptake in the adopted
    text with the wording found there in ``<mark>``; escaped."""
    counts = report.counts()
    versions = ", ".join(d.name for d in report.versions) or "none found"
    out = [
        '<div class="wsis-amendments">',
        f"<p>{len(report.items)} proposals, matched against {html.escape(versions)}. Uptake in "
        f"{html.escape(report.adopted.name if report.adopted else 'the adopted text')}: "
        f"{counts['full']} in full, {counts['partial']} in part, {counts['none']} not at all.</p>",
    ]
    for item in report.items:
        target = (
            f"New paragraph ({item.target})" if item.new_paragraph else f"Paragraph {item.target}"
        )
        proposed = "".join(
            f"<ins>{html.escape(s.text)}</ins>" if s.inserted else html.escape(s.text)
            for s in item.segments
        )
        out.append(
            f'<div class="wsis-amendment wsis-uptake-{item.uptake.value}">'
            f"<h4>{html.escape(target)} <small>({html.escape(item.citation)})</small></h4>"
            f'<p class="wsis-para">{proposed}</p>'
        )
        if item.counterparts:
            closest = "; ".join(
                f"{html.escape(c.citation)} (similarity {c.similarity:.2f})"
                for c in item.counterparts
            )
            out.append(f'<p class="wsis-meta">Closest in the later versions: {closest}</p>')
        out.append(
            f'<p class="wsis-verdict"><strong>Uptake: {html.escape(item.uptake.value)}</strong>'
            f" — {html.escape(item.summary())}</p>"
        )
        if item.found is not None:
            found = highlight(item.found.paragraph.text, item.found.passages)
            out.append(
                f'<blockquote class="wsis-para">{found}<br>'
                f'<span class="wsis-cite">({html.escape(item.found.citation)})</span></blockquote>'
            )
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def amendments_view(assistant: Assistant) -> DraftingView:
    """The Amendments tab and the ``wsis amendments --json`` data."""
    try:
        report = assistant.amendments()
    except WSISError as exc:
        return DraftingView(error_html(str(exc)), {"error": str(exc)})
    return DraftingView(amendments_html(report), report.to_dict())


def precedent_html(result: Precedent) -> str:
    """The verdict and every occurrence, oldest first, the matching passage in ``<mark>``;
    escaped."""
    out = [
        '<div class="wsis-precedent">',
        f'<p class="wsis-verdict"><strong>{html.escape(result.summary())}</strong></p>',
    ]
    if result.occurrences:
        out.append(
            '<table class="wsis-precedent-table"><thead><tr><th>date</th>'
            "<th>where</th><th>match</th><th>paragraph</th></tr></thead><tbody>"
        )
        for o in result.occurrences:
            match = "exact" if o.exact else f"variant ({o.score:.0f})"
            out.append(
                f"<tr><td>{html.escape(o.document.date or 'undated')}</td>"
                f"<td>{html.escape(o.citation)}</td><td>{html.escape(match)}</td>"
                f"<td>{highlight(o.paragraph.text, [o.passage])}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</div>")
    return "".join(out)


def precedent_view(
    assistant: Assistant, phrase: str | None, source: str | None = None
) -> DraftingView:
    """The Agreed language tab and the ``wsis precedent --json`` data; a phrase that cannot
    be searched becomes an error message."""
    try:
        result = assistant.precedent(phrase or "", source or None)
    except WSISError as exc:
        return DraftingView(error_html(str(exc)), {"error": str(exc)})
    return DraftingView(precedent_html(result), result.to_dict())


# --- Files to download -----------------------------------------------------------------------


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


# --- Helpers ---------------------------------------------------------------------------------


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _md_line(text: str) -> str:
    return " ".join(text.split())


_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?=\S))")


def _csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return f"'{value}" if _FORMULA_START.match(value) and not _is_number(value) else value


def _is_number(value: str) -> bool:
    return re.fullmatch(r"[-+]?\d+(?:\.\d+)?", value) is not None


def _csv(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: _csv_cell(str(v)) for k, v in row.items()} for row in rows)
    return out.getvalue()
