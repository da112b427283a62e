"""Which documents a question or a filter points to: documents named by symbol, number or
common name, recurring resolutions by title and year, resolutions by year and subject,
months of issue, and direct paragraph references ("paragraph 45 of A/RES/80/173").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from assistant.catalog import Catalog
from assistant.references import (
    NamedSeries,
    NamedSubject,
    expand_acronyms,
    month_year_mentions,
    named_documents,
    named_series,
    named_subjects,
    new_paragraph_references,
    paragraph_references,
)
from assistant.retrieval.lexical import LexicalIndex
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind
from corpus.wording import title_key


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a search: document kinds, specific documents (symbol or id), a date range."""

    kinds: tuple[DocumentKind, ...] = ()
    documents: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def __bool__(self) -> bool:
        return bool(self.kinds or self.documents or self.date_from or self.date_to)


class DocumentLinker:
    """Finds the catalogue's documents that questions and filters name."""

    def __init__(self, catalog: Catalog, lexical: LexicalIndex) -> None:
        self.catalog = catalog
        self.lexical = lexical

    def allowed(self, filters: Filters | None) -> set[str] | None:
        if not filters:
            return None
        allowed = set(self.catalog.documents)
        if filters.kinds:
            allowed &= {d for d, doc in self.catalog.documents.items() if doc.kind in filters.kinds}
        if filters.documents:
            chosen = {
                doc.doc_id
                for name in filters.documents
                if (doc := self.catalog.document_by_symbol(name)) is not None
            }
            allowed &= chosen
        if filters.date_from or filters.date_to:

            def inside(doc: Document) -> bool:
                when = doc.dated
                if when is None:
                    return False
                return (filters.date_from is None or when >= filters.date_from) and (
                    filters.date_to is None or when <= filters.date_to
                )

            allowed &= {d for d, doc in self.catalog.documents.items() if inside(doc)}
        return allowed

    def named(self, question: str) -> list[tuple[Document, str | None]]:
        out = []
        for named in named_documents(question):
            doc = self.catalog.document_by_symbol(named.symbol)
            if doc is not None:
                out.append((doc, named.part))
        for series in named_series(question):
            for doc in self.series_documents(series):
                if (doc, None) not in out:
                    out.append((doc, None))
        for subject in named_subjects(question):
            found = self.subject_documents(subject)
            if len(found) == 1 and (found[0], None) not in out:
                out.append((found[0], None))
        return out

    def subject_documents(self, subject: NamedSubject) -> list[Document]:
        """The resolutions of the year named whose titles share most words with the subject
        (with its acronyms spelled out): at least two, or all of a shorter subject."""
        wanted = set(self.lexical.tokens(expand_acronyms(subject.subject)))
        scored = []
        for doc, title in self._resolution_titles.get(subject.year, []):
            shared = len(wanted & title)
            if shared >= min(2, len(wanted)) and shared:
                scored.append((shared, doc.name, doc))
        best = max((shared for shared, _, _ in scored), default=0)
        return [doc for shared, _, doc in sorted(scored, key=lambda s: s[1]) if shared == best]

    @cached_property
    def _resolution_titles(self) -> dict[int, list[tuple[Document, frozenset[str]]]]:
        """Year -> each resolution dated then, with its title's words, read once."""
        titles: dict[int, list[tuple[Document, frozenset[str]]]] = {}
        for doc in self.catalog.documents.values():
            when = doc.dated
            if doc.kind is DocumentKind.RESOLUTION and when is not None:
                words = frozenset(self.lexical.tokens(doc.title or ""))
                titles.setdefault(when.year, []).append((doc, words))
        return titles

    def series_documents(self, series: NamedSeries) -> list[Document]:
        """The adopted resolutions of a recurring title, of the year named if any, oldest
        first."""
        wanted = title_key(series.title)
        found = []
        for doc in self.catalog.documents.values():
            if doc.kind is not DocumentKind.RESOLUTION or title_key(doc.title or "") != wanted:
                continue
            when = doc.dated
            if series.year is None or (when is not None and when.year == series.year):
                found.append((when or date.max, doc.name, doc))
        return [doc for _, _, doc in sorted(found, key=lambda f: (f[0], f[1]))]

    def dated_documents(self, question: str) -> set[str]:
        """Documents the question's dates point to without naming one: those dated in a month
        it names ("In December 2023, ..."), and the resolutions of a year and subject it
        names when several fit ("the 2024 AI resolution" may be any of three)."""
        out: set[str] = set()
        for subject in named_subjects(question):
            found = self.subject_documents(subject)
            if len(found) > 1:
                out.update(doc.doc_id for doc in found)
        months = set(month_year_mentions(question))
        for doc in self.catalog.documents.values() if months else ():
            when = doc.dated
            if when is not None and (when.year, when.month) in months:
                out.add(doc.doc_id)
        return out

    def direct(self, question: str, allowed: set[str] | None) -> list[Paragraph]:
        """The paragraphs a question points at by number ("paragraph 45 of A/RES/80/173");
        in a submission, paragraph N of the draft it amends means the proposals on N ("Zero
        Draft paragraph 44", "ITU's proposal for paragraph 44")."""
        found = []
        for ref in paragraph_references(question):
            doc = self.catalog.document_by_symbol(ref.document.symbol)
            if doc is None or (allowed is not None and doc.doc_id not in allowed):
                continue
            paragraphs = self.catalog.by_doc.get(doc.doc_id, [])
            proposals = [
                p
                for p in paragraphs
                if p.kind is ParagraphKind.AMENDMENT
                and (p.target or "").lower() in (ref.label, f"new {ref.label}")
            ]
            paragraph = self.catalog.find(doc.doc_id, ref.label, ref.document.part)
            if paragraph is None and ref.document.part is None:
                candidates = [
                    p
                    for p in paragraphs
                    if p.label == ref.label and p.kind is ParagraphKind.OPERATIVE
                ]
                paragraph = candidates[0] if len(candidates) == 1 else None
            for match in [paragraph] if paragraph is not None else proposals:
                if match not in found:
                    found.append(match)
        if not found:
            found = self._proposed_new(question, allowed)
        return found

    def _proposed_new(self, question: str, allowed: set[str] | None) -> list[Paragraph]:
        """The proposals for a new paragraph the question numbers ("Did ITU suggest a new
        paragraph 20?"): only proposals add paragraphs, so the number names them without the
        submission being named. A question naming submissions' authors keeps to theirs."""
        targets = set(new_paragraph_references(question))
        if not targets:
            return []
        proposals = [
            p
            for doc_id, paragraphs in self.catalog.by_doc.items()
            if allowed is None or doc_id in allowed
            for p in paragraphs
            if p.kind is ParagraphKind.AMENDMENT and (p.target or "").lower() in targets
        ]
        asked = expand_acronyms(question).lower()
        named_authors = {
            doc.doc_id
            for doc in self.catalog.documents.values()
            if doc.author and doc.author.lower() in asked
        }
        if named_authors:
            return [p for p in proposals if p.doc_id in named_authors]
        return proposals
