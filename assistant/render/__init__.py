"""Every way an answer, and what the other tools find, is shown: terminal text, the JSON
contract, the app's HTML (Jinja templates with autoescaping), Markdown and CSV exports, and
the highlights of the context view.

Each rendering is made from the structured objects (:class:`~assistant.answers.Answer`,
:class:`~assistant.drafting.versions.Comparison`, ...) and never from another rendering:
the quoted spans of a paragraph are marked where the answer says they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assistant.answers import Answer, Hit, Quote, Span, merge_spans
from assistant.catalog import Catalog
from assistant.drafting.amendments import AmendmentsReport, Segment
from assistant.drafting.diff import DiffOp
from assistant.drafting.precedent import Precedent
from assistant.drafting.versions import ChangeStatus, Comparison, ParagraphChange
from assistant.prompts import voice
from corpus.model import (
    Document,
    Paragraph,
    last_section,
    pages,
    paragraph_reference,
)

#: Columns of an answer's CSV export, one row per citation (per closest match for an
#: abstention).
ANSWER_CSV_COLUMNS = ("symbol", "paragraph", "part", "section", "pages", "text")
#: Longest paragraph text shown for a closest match.
CLIP_CHARS = 200

Pieces = list[tuple[str, bool]]


# --- Pieces of text, marked or not ------------------------------------------------------------


def pieces(text: str, spans: Iterable[Span]) -> Pieces:
    """``text`` cut at the spans: (piece, whether it is inside a span), overlapping and
    touching spans merged."""
    out: Pieces = []
    position = 0
    for start, end in merge_spans(spans):
        if start > position:
            out.append((text[position:start], False))
        out.append((text[start:end], True))
        position = end
    if position < len(text):
        out.append((text[position:], False))
    return out


def quoted_text(quote: Quote) -> str:
    """The quoted passages as the answer prints them: consecutive sentences joined by a
    space, a gap where sentences were left out shown as " … "."""
    text = quote.paragraph.text
    spans = quote.spans
    out = text[spans[0][0] : spans[0][1]]
    for (_, end), (start, stop) in pairwise(spans):
        out += (" " if not text[end:start].strip() else " … ") + text[start:stop]
    return out


def inserted_text(proposal: Hit) -> str:
    """A proposed amendment by the words it inserts (its whole text if it marks none)."""
    return " … ".join(proposal.paragraph.inserted) or proposal.paragraph.text


def clip(text: str, limit: int = CLIP_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


# --- Plain text and JSON ----------------------------------------------------------------------


def quote_block(quote: Quote) -> str:
    """One quote with its citation, the documents holding the same text, and the proposals
    offered beside it."""
    hit = quote.hit
    block = f"“{quoted_text(quote)}” ({hit.citation})"
    if hit.identical_in:
        block += f" [identical text in {', '.join(hit.identical_in)}]"
    for proposal in hit.amendments:
        block += f"\n  Proposed amendment ({proposal.citation}): “{inserted_text(proposal)}”"
    return block


def refusal(answer: Answer) -> str:
    """The refusal sentence, in the language of the question, and what the closest
    paragraphs lack when the question asks for a number, a time, a person or a place none of
    them gives."""
    said = voice(answer.language)
    missing = {
        "number": said.no_number,
        "time": said.no_time,
        "person": said.no_person,
        "place": said.no_place,
    }.get(answer.missing_fact or "")
    return f"{said.refusal} {missing}" if missing else said.refusal


def closest_label(answer: Answer) -> str:
    """The heading over the closest matches of an abstention, in the question's language."""
    return voice(answer.language).closest_matches


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A sentence of a short answer with the citations of the paragraphs it was checked
    against."""

    text: str
    english: str
    citations: tuple[str, ...]
    paragraph_ids: tuple[str, ...]
    #: The model's P(yes) that those paragraphs state it.
    support: float


@dataclass(frozen=True, slots=True)
class SummaryView:
    """A short answer as every rendering shows it: its heading, its sentences each with the
    citations of the paragraphs it was checked against, and its notes (sentences left out,
    why there is none), all in the question's language."""

    heading: str
    sentences: tuple[CitedSentence, ...]
    notes: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(f"{s.text} ({'; '.join(s.citations)})" for s in self.sentences)


def summary_view(answer: Answer) -> SummaryView | None:
    """The short answer of ``answer``, or None when none was asked for."""
    summary = answer.summary
    if summary is None:
        return None
    says = voice(answer.language)
    cited = {q.paragraph.id: q.hit.citation for q in answer.quotes}
    sentences = tuple(
        CitedSentence(
            s.text,
            s.english,
            tuple(cited[i] for i in s.paragraph_ids if i in cited),
            s.paragraph_ids,
            s.support,
        )
        for s in summary.sentences
    )
    notes = []
    if summary.removed and not summary.partial:
        notes.append(says.summary_removed.format(removed=summary.removed))
    if summary.notice:
        notes.append(summary.notice)
    return SummaryView(says.summary, sentences, tuple(notes))


def answer_plain(answer: Answer) -> str:
    """The answer as text: the quotes with their citations, or the refusal followed by the
    closest paragraphs, labelled as not answers (both in the question's language)."""
    if answer.abstained:
        parts = [refusal(answer)]
        if answer.closest:
            closest = "\n".join(f"- {h.citation}: {clip(h.paragraph.text)}" for h in answer.closest)
            parts.append(f"{closest_label(answer)}:\n{closest}")
        return "\n\n".join(parts)
    blocks = [answer.lead] if answer.lead else []
    summary = summary_view(answer)
    if summary is not None:
        blocks += [x for x in (summary.text, *summary.notes) if x]
    blocks += [quote_block(q) for q in reading_order(answer)]
    return "\n\n".join(blocks)


def reading_order(answer: Answer) -> list[Quote]:
    """The quotes as the answer text gives them: as judged, most relevant first; without a
    judgement, by document, then paragraph."""
    if any(q.hit.relevance is not None for q in answer.quotes):
        return list(answer.quotes)
    return sorted(answer.quotes, key=lambda q: (q.hit.document.name, q.paragraph.order))


def answer_copy_text(answer: Answer) -> str:
    """The answer to copy: its notice, if any, then :func:`answer_plain`."""
    return "\n\n".join(x for x in (answer.notice, answer_plain(answer)) if x)


def answer_terminal(answer: Answer) -> str:
    """``wsis ask``: the answer, then each cited paragraph's section and document title."""
    lines = [f"Note: {answer.notice}\n"] if answer.notice else []
    lines.append(answer_plain(answer))
    if answer.quotes:
        lines.append("\nCited:")
        for quote in answer.quotes:
            hit = quote.hit
            title = f" — {hit.document.title}" if hit.document.title else ""
            section = f" [{last_section(hit.paragraph)}]" if hit.paragraph.section else ""
            lines.append(f"  {hit.citation}{section}{title}")
    return "\n".join(lines)


def hits_terminal(hits: Sequence[Hit]) -> str:
    """``wsis search``: the ranked paragraphs with their scores."""

    def judged(hit: Hit) -> str:
        return f", relevance {hit.relevance:.2f}" if hit.relevance is not None else ""

    return "\n".join(
        f"{rank:>2}. {hit.citation} ({hit.score:.3f}{judged(hit)})\n    {hit.paragraph.text[:200]}"
        for rank, hit in enumerate(hits, start=1)
    )


def hit_json(hit: Hit, spans: Sequence[Span] = ()) -> dict:
    """The JSON shape of a citation or hit, a contract read by other tools: the paragraph
    (``paragraph`` is its label as printed, ``text`` its whole text), its id, and the spans of
    ``text`` an answer quotes, and, when the reader judged it, its ``relevance``."""
    p = hit.paragraph
    data: dict[str, Any] = {
        "doc_id": hit.document.doc_id,
        "symbol": hit.document.symbol,
        "title": hit.document.title,
        "paragraph": p.label,
        "part": p.part,
        "section": p.section,
        "page_start": p.page_start,
        "page_end": p.page_end,
        "text": p.text,
        "score": round(hit.score, 4),
        "paragraph_id": p.id,
        "spans": [list(span) for span in spans],
    }
    if hit.relevance is not None:
        data["relevance"] = round(hit.relevance, 4)
    return data


def answer_json(answer: Answer, question_id: str | None = None) -> dict[str, Any]:
    """The answer JSON of ``wsis ask --json`` (README, "The answer JSON")."""

    def spans_of(hit: Hit) -> Sequence[Span]:
        quote = answer.quote_of(hit.paragraph.id)
        return quote.spans if quote else ()

    return {
        "id": question_id,
        "question": answer.question,
        "language": answer.language,
        "question_en": answer.question_en,
        "answer": answer_plain(answer),
        "abstained": answer.abstained,
        "notice": answer.notice,
        "citations": [hit_json(q.hit, q.spans) for q in answer.quotes],
        "hits": [hit_json(h, spans_of(h)) for h in answer.hits],
        "timings_ms": {k: round(v, 2) for k, v in answer.timings_ms.items()},
        "summary": summary_json(answer),
    }


def summary_json(answer: Answer) -> dict[str, Any] | None:
    """The short answer: its sentences, each with the citations and ids of the paragraphs
    it was checked against, the English it was checked in and the model's P(yes) that they
    state it; how many were left out."""
    view = summary_view(answer)
    if view is None or answer.summary is None:
        return None
    return {
        "sentences": [
            {
                "text": s.text,
                "english": s.english,
                "citations": list(s.citations),
                "paragraph_ids": list(s.paragraph_ids),
                "support": round(s.support, 3),
            }
            for s in view.sentences
        ],
        "removed": answer.summary.removed,
        "notice": answer.summary.notice,
    }


# --- Markdown and CSV -------------------------------------------------------------------------


def _md_line(text: str) -> str:
    return " ".join(text.split())


def shown_hits(answer: Answer) -> tuple[Hit, ...]:
    """What the answer points at: its citations, or, for an abstention, the closest
    matches (which are not answers)."""
    return answer.closest if answer.abstained else answer.citations


def answer_markdown(answer: Answer) -> str:
    """The question, the answer and its sources, as a Markdown file to keep."""
    lines = [f"# {_md_line(answer.question)}", ""]
    if answer.notice:
        lines += [f"> {_md_line(answer.notice)}", ""]
    if answer.abstained:
        lines += [refusal(answer), ""]
        if answer.closest:
            lines += [f"## {closest_label(answer)}", ""]
    else:
        if answer.lead:
            lines += [_md_line(answer.lead), ""]
        summary = summary_view(answer)
        if summary is not None:
            lines += [f"## {summary.heading}", ""]
            for text in (summary.text, *summary.notes):
                if text:
                    lines += [_md_line(text), ""]
        for quote in reading_order(answer):
            lines += [f"> {_md_line(quote_block(quote))}", ""]
        lines += ["## Sources", ""]
    for hit in shown_hits(answer):
        p = hit.paragraph
        where = "; ".join(
            x
            for x in (
                hit.document.title or "",
                last_section(p),
                f"p. {pages(p)}" if pages(p) else "",
            )
            if x
        )
        lines.append(f"- **{_md_line(hit.citation)}** — {_md_line(where)}")
        lines.append(f"  > {_md_line(p.text)}")
    return "\n".join(lines).rstrip() + "\n"


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
    rows = [citation_row(h.document, h.paragraph) for h in shown_hits(answer)]
    return to_csv(ANSWER_CSV_COLUMNS, rows)


_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?=\S))")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    is_number = re.fullmatch(r"[-+]?\d+(?:\.\d+)?", value) is not None
    return f"'{value}" if _FORMULA_START.match(value) and not is_number else value


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: csv_cell(str(v)) for k, v in row.items()} for row in rows)
    return out.getvalue()


# --- HTML -------------------------------------------------------------------------------------


def _segment_pieces(segments: Sequence[Segment]) -> Pieces:
    return [(s.text, s.inserted) for s in segments]


def by_section(matches: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Consecutive matches under one section, with the section's innermost heading."""
    return [
        (last_section(group[0].paragraph), group)
        for group in (
            list(g) for _, g in groupby(matches, key=lambda match: match.paragraph.section)
        )
    ]


@cache
def templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("assistant", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        clip=clip,
        quoted=quoted_text,
        inserted=inserted_text,
        reference=paragraph_reference,
        pages=pages,
        pieces=pieces,
        segment_pieces=_segment_pieces,
        groupby_section=by_section,
    )
    return environment


def rendered(template: str, **context: Any) -> str:
    return templates().get_template(template).render(**context)


def answer_html(answer: Answer) -> str:
    """The answer: quotes with their citations, or the refusal with the closest matches
    labelled as not answers; the notice, refusal and label in the question's language."""
    return rendered(
        "answer.html",
        answer=answer,
        summary=summary_view(answer),
        quotes=reading_order(answer),
        refusal=refusal(answer),
        closest_label=closest_label(answer),
    )


def error_html(message: str) -> str:
    return rendered("message.html", text=message, error=True)


def message_html(message: str) -> str:
    return rendered("message.html", text=message, error=False)


def document_url(document: Document, page: int | None = None) -> str:
    """Where the app serves an indexed document; PDFs open at the page."""
    url = f"/document/{url_quote(document.doc_id, safe='')}"
    if page and Path(document.path).suffix.lower() == ".pdf":
        url += f"#page={page}"
    return url


def context_html(
    catalog: Catalog, paragraph: Paragraph, spans: Sequence[Span], before: int, after: int
) -> str:
    """A cited paragraph with its document, section, page, a link to the source at that
    page, and the paragraphs around it; ``spans`` of the paragraph are marked."""
    document = catalog.documents[paragraph.doc_id]
    page = paragraph.page_start
    is_pdf = document.path.lower().endswith(".pdf")
    source = (
        f"Open the source PDF{f' at page {page}' if page else ''}"
        if is_pdf
        else ("Open the source")
    )
    items = [
        {
            "paragraph": item,
            "pieces": pieces(item.text, spans if item.id == paragraph.id else ()),
        }
        for item in catalog.context(paragraph, before, after)
    ]
    return rendered(
        "context.html",
        document=document,
        section=last_section(paragraph),
        pages=pages(paragraph),
        link=document_url(document, page),
        source=source,
        items=items,
        current=paragraph.id,
    )


def document_html(document: Document, paragraphs: Sequence[Paragraph]) -> str:
    """A document paragraph by paragraph: parts and headings as headings, each paragraph
    with its label as it would be cited."""
    details = [document.kind.value]
    if document.date:
        details.append(document.date)
    if document.pages:
        details.append(f"{document.pages} pages")
    parts = [(part, list(group)) for part, group in groupby(paragraphs, key=lambda p: p.part)]
    return rendered(
        "document.html",
        document=document,
        details=details,
        link=document_url(document),
        parts=parts,
    )


def _diff_pieces(text: str, ops: Sequence[DiffOp], side: str) -> Pieces:
    """One side of a word diff: the old text with its deletions marked, or the new text
    with its insertions marked."""
    wanted = "delete" if side == "old" else "insert"
    spans = [
        span
        for op in ops
        if op.op == wanted and (span := op.old_span if side == "old" else op.new_span)
    ]
    return pieces(text, spans)


def _change_row(change: ParagraphChange) -> dict[str, Any]:
    old, new = change.old, change.new
    if change.ops and old is not None and new is not None:
        left, right = (
            _diff_pieces(old.text, change.ops, "old"),
            _diff_pieces(new.text, change.ops, "new"),
        )
    else:
        left = [(old.text, new is None)] if old is not None else []
        right = [(new.text, old is None)] if new is not None else []
    notes = [change.status.value]
    if change.renumbered:
        notes.append("renumbered")
    if change.regrouped:
        notes.append(change.regrouped)
    return {"change": change, "old": left, "new": right, "notes": notes}


def comparison_html(comparison: Comparison, changes_only: bool = False) -> str:
    """Two versions side by side, paragraph by paragraph: deletions struck through,
    insertions underlined."""
    rows = [
        _change_row(c)
        for c in comparison.changes
        if not (changes_only and c.status is ChangeStatus.UNCHANGED)
    ]
    return rendered(
        "comparison.html",
        comparison=comparison,
        rows=rows,
        title_old=_diff_pieces(comparison.old.title or "", comparison.title_ops, "old"),
        title_new=_diff_pieces(comparison.new.title or "", comparison.title_ops, "new"),
    )


def amendments_html(report: AmendmentsReport) -> str:
    """The proposals by target paragraph: inserted wording underlined, the closest
    paragraph of each later version, and the uptake with the wording found marked."""
    return rendered(
        "amendments.html",
        report=report,
        counts=report.counts(),
        versions=", ".join(d.name for d in report.versions) or "none found",
    )


def precedent_html(result: Precedent) -> str:
    """The verdict and every occurrence, oldest first, the matching passage marked."""
    return rendered("precedent.html", result=result)
