"""Word-level diff of two versions of a paragraph: what was deleted, inserted or replaced.

What differs between a draft and its official record without being a change is left out:
typography (non-breaking hyphens, curly quotes, spaces around dashes), words broken by
extraction, and footnote calls left in the text ("Goals 26", "2024–203411"). Pure functions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.model import Paragraph, ParagraphKind
from corpus.wording import Token, tokens


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word-level diff: ``equal``, ``delete`` (old text only) or ``insert``
    (new text only), with where it is in the old and the new text."""

    op: str
    text: str
    old_span: tuple[int, int] | None = None
    new_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def word_diff(
    old: str,
    new: str,
    old_notes: frozenset[str] = frozenset(),
    new_notes: frozenset[str] = frozenset(),
) -> tuple[DiffOp, ...]:
    """The word-level diff of two texts: runs of equal, deleted and inserted words, a
    replacement given as a deletion then an insertion. A lone common word between two
    changes ("the", a comma) is folded into them, so a rewritten clause reads as one.

    A run that differs only by spaces inside words, or by footnote calls (the numbers in
    ``old_notes`` and ``new_notes``, standing alone or fused to the word before them, as
    extraction leaves them: "Goals 26", "2024–203411"), is not a change."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, [t.text for t in a], [t.text for t in b], False)
    runs: list[tuple[str, int, int, int, int]] = []
    for opcode, i1, i2, j1, j2 in matcher.get_opcodes():
        runs.append(("equal" if opcode == "equal" else "change", i1, i2, j1, j2))
    merged: list[tuple[str, int, int, int, int]] = []
    for k, run in enumerate(runs):
        tag, i1, i2, j1, j2 = run
        lone = (
            tag == "equal"
            and 0 < k < len(runs) - 1
            and sum(1 for t in a[i1:i2] if t.text[:1].isalnum()) <= 1
        )
        if (tag == "change" or lone) and merged and merged[-1][0] == "change":
            _, p1, _, q1, _ = merged[-1]
            merged[-1] = ("change", p1, i2, q1, j2)
        elif lone:
            merged.append(("change", i1, i2, j1, j2))
        else:
            merged.append(run)
    ops: list[DiffOp] = []
    for run_tag, i1, i2, j1, j2 in merged:
        tag = run_tag
        if tag == "change" and _without_notes(a[i1:i2], old_notes) == _without_notes(
            b[j1:j2], new_notes
        ):
            tag = "equal"
        old_span = (a[i1].start, a[i2 - 1].end) if i2 > i1 else None
        new_span = (b[j1].start, b[j2 - 1].end) if j2 > j1 else None
        if tag == "equal":
            shown = new[slice(*new_span)] if new_span else old[slice(*old_span or (0, 0))]
            ops.append(DiffOp("equal", shown, old_span, new_span))
            continue
        if old_span is not None:
            ops.append(DiffOp("delete", old[slice(*old_span)], old_span, None))
        if new_span is not None:
            ops.append(DiffOp("insert", new[slice(*new_span)], None, new_span))
    return tuple(ops)


def _without_notes(items: Sequence[Token], notes: frozenset[str]) -> str:
    """The tokens glued, without footnote calls: a note number alone, or fused to the end
    of a word or of a year ("development11", "203411")."""
    out = []
    for token in items:
        text = token.text
        if text in notes:
            continue
        match = _FUSED_NOTE.fullmatch(text)
        if match and match.group(2) in notes:
            text = match.group(1)
        out.append(text)
    return "".join(out)


_FUSED_NOTE = re.compile(r"([^\W\d]{2,}|\d{4})(\d{1,3})")


def footnote_numbers(paragraphs: Iterable[Paragraph]) -> frozenset[str]:
    """The numbers of a document's footnotes ("fn26" -> "26")."""
    return frozenset(
        p.label[2:].split(".")[0]
        for p in paragraphs
        if p.kind is ParagraphKind.FOOTNOTE and p.label.startswith("fn")
    )


def describe_ops(ops: Sequence[DiffOp]) -> list[str]:
    """The changes of a diff in words: “replaced “a” by “b””, “inserted “c””."""
    out = []
    i = 0
    while i < len(ops):
        op = ops[i]
        if op.op == "delete" and i + 1 < len(ops) and ops[i + 1].op == "insert":
            out.append(f"replaced “{op.text}” by “{ops[i + 1].text}”")
            i += 2
            continue
        if op.op == "delete":
            out.append(f"deleted “{op.text}”")
        elif op.op == "insert":
            out.append(f"inserted “{op.text}”")
        i += 1
    return out
