"""Two versions of a text, paragraph by paragraph: what stayed, changed, came, went or moved.

Paragraphs are aligned by their words (:mod:`.align`); a matched pair out of order against
the longest run of pairs that kept it is *moved*; a pair whose words differ is *modified*,
with a word-level diff (:mod:`.diff`). The masthead above the enacting formula changes with
every issuance and is left out. Pure functions over paragraphs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.drafting.align import (
    Group,
    align,
    cut_like,
    longest_increasing,
    one_part,
    split_run_in_titles,
    word_similarity,
)
from assistant.drafting.diff import DiffOp, describe_ops, footnote_numbers, word_diff
from corpus.model import Document, Paragraph, ParagraphKind, paragraph_reference

#: Kinds compared between versions. Footnotes follow the paragraphs that call them and
#: amendments belong to submissions, so neither is compared.
COMPARED_KINDS = frozenset(
    [
        ParagraphKind.PREAMBULAR,
        ParagraphKind.OPERATIVE,
        ParagraphKind.HEADING,
        ParagraphKind.PROSE,
    ]
)
#: How the paragraphs of a change were regrouped (:attr:`ParagraphChange.regrouped`).
SPLIT = "split"
MERGED = "merged"
#: The enacting formula that opens the text of a resolution or decision; what precedes it
#: (symbol, agenda item, who submitted the draft, the title) is the masthead.
_ENACTING_FORMULA = re.compile(
    r"^The (?:General Assembly|Economic and Social Council|Security Council|Human Rights "
    r"Council|Commission on [A-Z][\w ]+|Conference of [\w ]+)\W*$"
)
#: How far into a document the enacting formula is looked for.
MASTHEAD_PARAGRAPHS = 12
#: Kinds whose labels count paragraphs of the text, so a new label means renumbering.
_NUMBERED_KINDS = frozenset([ParagraphKind.PREAMBULAR, ParagraphKind.OPERATIVE])


class ChangeStatus(StrEnum):
    UNCHANGED = "unchanged"
    MODIFIED = "modified"
    ADDED = "added"
    DELETED = "deleted"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    """What became of one paragraph: its old and new versions (either may be missing), how
    alike their words are (0 to 1), and the word-level diff of a modified pair.

    ``regrouped`` is ``"split"`` when the old paragraph became several new ones (each
    change holds the piece of the old text that became one of them) and ``"merged"`` when
    several old paragraphs became one (each holds the piece of the new text that came from
    one of them)."""

    status: ChangeStatus
    old: Paragraph | None
    new: Paragraph | None
    similarity: float = 0.0
    ops: tuple[DiffOp, ...] = ()
    regrouped: str | None = None

    @property
    def text_changed(self) -> bool:
        return any(op.op != "equal" for op in self.ops)

    @property
    def renumbered(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and self.old.label != self.new.label
            and self.old.kind in _NUMBERED_KINDS
            and self.new.kind in _NUMBERED_KINDS
        )

    @property
    def deleted_text(self) -> list[str]:
        return [op.text for op in self.ops if op.op == "delete"]

    @property
    def inserted_text(self) -> list[str]:
        return [op.text for op in self.ops if op.op == "insert"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "old": _paragraph_dict(self.old),
            "new": _paragraph_dict(self.new),
            "renumbered": self.renumbered,
            "text_changed": self.text_changed,
            "similarity": round(self.similarity, 3),
            "regrouped": self.regrouped,
            "diff": [op.to_dict() for op in self.ops] if self.text_changed else [],
        }


def _paragraph_dict(paragraph: Paragraph | None) -> dict[str, Any] | None:
    if paragraph is None:
        return None
    return {
        "paragraph": paragraph.label,
        "part": paragraph.part,
        "kind": paragraph.kind.value,
        "reference": paragraph_reference(paragraph),
        "page_start": paragraph.page_start,
        "text": paragraph.text,
    }


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two versions of a text aligned paragraph by paragraph, in the reading order of the
    new version (a deleted paragraph comes after what preceded it in the old one)."""

    old: Document
    new: Document
    changes: tuple[ParagraphChange, ...]
    title_ops: tuple[DiffOp, ...] = ()

    @property
    def title_changed(self) -> bool:
        return any(op.op != "equal" for op in self.title_ops)

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in ChangeStatus}
        for change in self.changes:
            counts[change.status.value] += 1
        counts["renumbered"] = sum(1 for c in self.changes if c.renumbered)
        return counts

    def by_status(self, status: ChangeStatus) -> list[ParagraphChange]:
        return [c for c in self.changes if c.status is status]

    def for_old(self, label: str, part: str | None = None) -> ParagraphChange | None:
        """The change of the old version's paragraph with this label."""
        return next(
            (
                c
                for c in self.changes
                if c.old is not None and c.old.label == label and c.old.part == part
            ),
            None,
        )

    def for_new(self, label: str, part: str | None = None) -> ParagraphChange | None:
        """The change that produced the new version's paragraph with this label."""
        return next(
            (
                c
                for c in self.changes
                if c.new is not None and c.new.label == label and c.new.part == part
            ),
            None,
        )

    def summary(self) -> str:
        counts = self.counts()
        parts = [
            f"{counts[s.value]} {s.value}"
            for s in (
                ChangeStatus.UNCHANGED,
                ChangeStatus.MODIFIED,
                ChangeStatus.MOVED,
                ChangeStatus.ADDED,
                ChangeStatus.DELETED,
            )
        ]
        title = "; ".join(describe_ops(self.title_ops)) if self.title_changed else "unchanged"
        return (
            f"{self.old.name} → {self.new.name}: {', '.join(parts)} paragraphs "
            f"({counts['renumbered']} renumbered); title {title}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": _document_dict(self.old),
            "new": _document_dict(self.new),
            "counts": self.counts(),
            "title_diff": [op.to_dict() for op in self.title_ops] if self.title_changed else [],
            "changes": [c.to_dict() for c in self.changes],
        }


def _document_dict(document: Document) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "symbol": document.symbol,
        "title": document.title,
        "date": document.date,
        "kind": document.kind.value,
    }


def compare_paragraphs(
    old: Sequence[Paragraph], new: Sequence[Paragraph]
) -> tuple[ParagraphChange, ...]:
    """The changes from ``old`` to ``new`` (paragraphs of two versions, in reading order;
    their footnotes tell footnote calls from words)."""
    old_notes, new_notes = footnote_numbers(old), footnote_numbers(new)
    old = [p for p in old if p.kind in COMPARED_KINDS and p.text.strip()]
    new = [p for p in new if p.kind in COMPARED_KINDS and p.text.strip()]
    old, new = split_run_in_titles(old, new), split_run_in_titles(new, old)
    if {p.part for p in old} & {p.part for p in new}:
        groups = align(old, new)
    else:
        groups = align(one_part(old), one_part(new))
    matched = sorted((g for g in groups if g.old and g.new), key=lambda g: g.old[0])
    in_order = longest_increasing([g.new[0] for g in matched])
    moved = {matched[k] for k in range(len(matched)) if k not in in_order}
    by_new: dict[int, list[ParagraphChange]] = {}
    anchor_of_old: dict[int, int] = {}
    for group in matched:
        status_moved = group in moved
        for a, b, regrouped in _pieces(group, old, new):
            ops = word_diff(a.text, b.text, old_notes, new_notes)
            changed = any(op.op != "equal" for op in ops)
            if status_moved:
                status = ChangeStatus.MOVED
            else:
                status = ChangeStatus.MODIFIED if changed else ChangeStatus.UNCHANGED
            similarity = word_similarity(a.text, b.text) if changed else 1.0
            change = ParagraphChange(status, a, b, similarity, ops, regrouped)
            by_new.setdefault(group.new[0], []).append(change)
        if not status_moved:
            for i in group.old:
                anchor_of_old[i] = group.new[-1]
    deleted_after: dict[int, list[ParagraphChange]] = {}
    anchor = -1
    deleted = {g.old[0] for g in groups if g.old and not g.new}
    for i, p in enumerate(old):
        if i in anchor_of_old:
            anchor = anchor_of_old[i]
        elif i in deleted:
            change = ParagraphChange(ChangeStatus.DELETED, p, None)
            deleted_after.setdefault(anchor, []).append(change)
    changes = list(deleted_after.get(-1, []))
    for j, p in enumerate(new):
        if j in by_new:
            changes.extend(by_new[j])
        elif not any(j in g.new for g in matched):
            changes.append(ParagraphChange(ChangeStatus.ADDED, None, p))
        changes.extend(deleted_after.get(j, []))
    return tuple(changes)


def _pieces(
    group: Group, old: Sequence[Paragraph], new: Sequence[Paragraph]
) -> list[tuple[Paragraph, Paragraph, str | None]]:
    """(old, new, how regrouped) pairs to diff: a split old paragraph or a merged new one
    is cut where its counterparts meet, each piece keeping its paragraph's label."""
    if len(group.old) == 1 and len(group.new) == 1:
        return [(old[group.old[0]], new[group.new[0]], None)]
    if len(group.old) == 1:
        whole = old[group.old[0]]
        parts = [new[j] for j in group.new]
        cut = cut_like(whole.text, [p.text for p in parts])
        return [
            (dataclasses.replace(whole, text=piece), part, SPLIT)
            for piece, part in zip(cut, parts, strict=True)
        ]
    whole = new[group.new[0]]
    parts = [old[i] for i in group.old]
    cut = cut_like(whole.text, [p.text for p in parts])
    return [
        (part, dataclasses.replace(whole, text=piece), MERGED)
        for piece, part in zip(cut, parts, strict=True)
    ]


def text_body(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The paragraphs from the enacting formula ("The General Assembly,") on, leaving out
    the masthead above it (agenda item, who submitted the draft, the title), which changes
    with every issuance and is printed differently in drafts and official records. All
    paragraphs when there is no such formula (reports, submissions)."""
    for k, p in enumerate(paragraphs[:MASTHEAD_PARAGRAPHS]):
        if p.kind in (ParagraphKind.HEADING, ParagraphKind.PROSE) and _ENACTING_FORMULA.match(
            " ".join(p.text.split())
        ):
            return list(paragraphs[k:])
    return list(paragraphs)


def compare(
    old: Document,
    old_paragraphs: Iterable[Paragraph],
    new: Document,
    new_paragraphs: Iterable[Paragraph],
) -> Comparison:
    """Two documents aligned as versions of one text: their titles word by word, and the
    paragraphs of their text bodies (:func:`text_body`)."""
    changes = compare_paragraphs(text_body(list(old_paragraphs)), text_body(list(new_paragraphs)))
    return Comparison(old, new, changes, word_diff(old.title or "", new.title or ""))


def marked_text(change: ParagraphChange) -> str:
    """The new text with the diff marked as ``git diff --word-diff`` does: ``[-deleted-]``
    and ``{+inserted+}``, spacing as printed; the old or new text alone for a deleted or
    added paragraph."""
    if not change.ops or change.new is None:
        paragraph = change.new or change.old
        return paragraph.text if paragraph else ""
    text = change.new.text
    out: list[str] = []
    position = 0
    for op in change.ops:
        if op.op == "delete":
            out.append(f" [-{op.text}-]" if out else f"[-{op.text}-]")
            continue
        if op.new_span is None:
            continue
        start, end = op.new_span
        out.append(text[position:start])
        out.append(f"{{+{text[start:end]}+}}" if op.op == "insert" else text[start:end])
        position = end
    out.append(text[position:])
    return "".join(out).strip()
