"""Two versions of a text, paragraph by paragraph: what stayed, changed, came, went or moved.

Texts in UN negotiations move through versions (zero draft, revisions, final draft, adopted
resolution) and are renumbered on the way, so paragraphs are aligned by their words, never by
their labels (:func:`align`): word for word first, then the most similar pairs one to one,
then what is left between two pairs that kept their order, with a lower bar since the
position agrees; a paragraph split in two (or two merged into one) is recognised as such.
Annex numbering is kept apart. A matched pair out of order against the longest run of pairs
that kept it is *moved*; a pair whose words differ is *modified*, with a word-level diff.
Pure functions over paragraphs.

What differs between a draft and its official record without being a change is left out:
the masthead above the enacting formula, typography (non-breaking hyphens, curly quotes,
spaces around dashes), words broken by extraction, footnote calls left in the text, and a
section title printed at the head of a page that extraction read into the paragraph before
it (split off again when the other version prints the title on its own).
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from corpus.model import Document, Paragraph, ParagraphKind, paragraph_reference
from corpus.wording import Token, text_key, tokens, words

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
#: Word-level similarity (2 x common words in order / all words) from which two paragraphs
#: are taken for versions of each other. Rewritten negotiation paragraphs keep about two
#: thirds of their words; unrelated paragraphs of the same resolution share under a third.
MIN_SIMILARITY = 0.5
#: A paragraph that grew or shrank a lot is still the same paragraph when this share of the
#: shorter one's words survives in order (and it has at least :data:`MIN_CONTAINED_WORDS`).
MIN_CONTAINMENT = 0.8
MIN_CONTAINED_WORDS = 6
#: Between two matched pairs that keep their order, the paragraphs left over are versions of
#: each other from this similarity (or containment) on: the position agrees, and a paragraph
#: rewritten in negotiation ("Welcomes the report ..." -> "Takes note of the report ...")
#: keeps fewer of its words.
MIN_GAP_SIMILARITY = 0.3
MIN_GAP_CONTAINMENT = 0.5
#: An unmatched paragraph joins its neighbour's counterpart (a split or a merge) when that
#: counterpart holds this share of its words and joining raises the similarity this much.
MIN_REGROUP_KEPT = 0.6
MIN_REGROUP_GAIN = 0.1
SPLIT = "split"
MERGED = "merged"
#: How much the distance between relative positions weighs against similarity when two
#: candidate pairs are otherwise close.
POSITION_WEIGHT = 0.05
#: A title is a line without closing punctuation, shorter than this.
MAX_TITLE_CHARS = 250
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
class DiffOp:
    """One run of a word-level diff: ``equal``, ``delete`` (old text only) or ``insert``
    (new text only), with where it is in the old and the new text."""

    op: str
    text: str
    old_span: tuple[int, int] | None = None
    new_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


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


# --- Word-level diff -------------------------------------------------------------------------


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


def _glued(items: Sequence[Token]) -> str:
    return "".join(t.text for t in items)


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


# --- Alignment -------------------------------------------------------------------------------


def _is_title(paragraph: Paragraph) -> bool:
    text = paragraph.text.strip()
    return (
        paragraph.kind in (ParagraphKind.HEADING, ParagraphKind.PROSE)
        and 0 < len(text) <= MAX_TITLE_CHARS
        and not text.endswith((".", ";", ":", ",", "?", "!"))
        and text[:1].isupper()
    )


def split_run_in_titles(
    paragraphs: Sequence[Paragraph], other: Sequence[Paragraph]
) -> list[Paragraph]:
    """``paragraphs`` with the section titles that extraction read into the end of the
    paragraph before them split off as headings of their own, where ``other`` (another
    version) prints the title on its own and ``paragraphs`` does not."""
    titles = {text_key(p.text) for p in other if _is_title(p)}
    own = {text_key(p.text) for p in paragraphs}
    titles -= own
    if not titles:
        return list(paragraphs)
    out: list[Paragraph] = []
    for p in paragraphs:
        if p.kind in (ParagraphKind.HEADING, ParagraphKind.FOOTNOTE):
            out.append(p)
            continue
        split = _split_title(p, titles)
        out.extend(split)
    return out


def _split_title(paragraph: Paragraph, titles: set[str]) -> list[Paragraph]:
    items = tokens(paragraph.text)
    for n in range(1, len(items) - 2):
        tail = _glued(items[-n:])
        if tail in titles and len(items) - n >= 3 and items[-n - 1].text in (".", ";", ":"):
            cut = items[-n].start
            body = paragraph.text[:cut].rstrip()
            title = paragraph.text[cut:].strip()
            return [
                dataclasses.replace(paragraph, text=body),
                dataclasses.replace(
                    paragraph,
                    label=f"{paragraph.label}/title",
                    kind=ParagraphKind.HEADING,
                    text=title,
                    part=paragraph.part,
                ),
            ]
    return [paragraph]


def _group(paragraph: Paragraph) -> str | None:
    """Paragraphs match only within the same part (annex numbering is kept apart)."""
    return paragraph.part


def _one_part(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The paragraphs as one part: for texts whose parts have no name in common (an annex
    compared with a resolution's body)."""
    return [dataclasses.replace(p, part=None) if p.part else p for p in paragraphs]


def _overlap(a: Sequence[str], b: Sequence[str]) -> tuple[float, float]:
    """(similarity, containment) of two word lists: 2 x common words in order / all words,
    and common words / words of the shorter (0 when it is under
    :data:`MIN_CONTAINED_WORDS` words)."""
    from rapidfuzz.distance import Indel

    total = len(a) + len(b)
    if not total:
        return 1.0, 1.0
    common = (total - Indel.distance(list(a), list(b))) / 2
    shorter = min(len(a), len(b))
    return 2 * common / total, (common / shorter if shorter >= MIN_CONTAINED_WORDS else 0.0)


def _share_kept(part: Sequence[str], whole: Sequence[str]) -> float:
    """Share of ``part``'s words found, in order, in ``whole``."""
    from rapidfuzz.distance import Indel

    if not part:
        return 0.0
    common = (len(part) + len(whole) - Indel.distance(list(part), list(whole))) / 2
    return common / len(part)


def _match(
    old: Sequence[Paragraph],
    new: Sequence[Paragraph],
    old_words: Sequence[list[str]],
    new_words: Sequence[list[str]],
    rest_old: Sequence[int],
    rest_new: Sequence[int],
    min_similarity: float,
    min_containment: float,
    pairs: dict[int, int],
) -> None:
    """Pair the most similar of the unmatched paragraphs one to one, best pairs first."""
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    if not rest_old or not rest_new:
        return
    distances = process.cdist(
        [old_words[i] for i in rest_old], [new_words[j] for j in rest_new], scorer=Indel.distance
    )
    candidates = []
    for a, i in enumerate(rest_old):
        for b, j in enumerate(rest_new):
            if _group(old[i]) != _group(new[j]):
                continue
            la, lb = len(old_words[i]), len(new_words[j])
            if not la or not lb:
                continue
            common = (la + lb - float(distances[a][b])) / 2
            similarity = 2 * common / (la + lb)
            shorter = min(la, lb)
            containment = common / shorter if shorter >= MIN_CONTAINED_WORDS else 0.0
            if similarity < min_similarity and containment < min_containment:
                continue
            shift = abs(i / max(len(old), 1) - j / max(len(new), 1))
            candidates.append((similarity + containment / 2 - POSITION_WEIGHT * shift, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken = set(pairs.values())
    for _, i, j in candidates:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)


def _in_order(pairs: dict[int, int]) -> list[tuple[int, int]]:
    """The matched pairs that keep their relative order (a longest such run)."""
    matched = sorted(pairs.items())
    keep = _longest_increasing([j for _, j in matched])
    return [matched[k] for k in sorted(keep)]


def _regroup(
    old_words: Sequence[list[str]],
    new_words: Sequence[list[str]],
    old: Sequence[Paragraph],
    new: Sequence[Paragraph],
    pairs: dict[int, int],
) -> dict[int, list[int]]:
    """Old paragraphs split into several new ones: an unmatched new paragraph joins the
    counterpart of an old one next to it (only unmatched paragraphs in between) when the
    old paragraph holds most of its words and the joined text is clearly closer to the old
    one. Old index -> new indices."""
    groups = {i: [j] for i, j in pairs.items()}
    owner = {j: i for i, j in pairs.items()}
    changed = True
    while changed:
        changed = False
        for j in range(len(new)):
            if j in owner:
                continue
            for step in (-1, 1):
                neighbour = j + step
                while 0 <= neighbour < len(new) and neighbour not in owner:
                    neighbour += step
                i = owner.get(neighbour)
                if i is None or _group(old[i]) != _group(new[j]):
                    continue
                group = sorted([*groups[i], j])
                if any(k in owner for k in range(group[0], group[-1] + 1) if k not in group):
                    continue
                if _share_kept(new_words[j], old_words[i]) < MIN_REGROUP_KEPT:
                    continue
                before = _overlap(old_words[i], _joined(new_words, groups[i]))[0]
                after = _overlap(old_words[i], _joined(new_words, group))[0]
                if after >= before + MIN_REGROUP_GAIN:
                    groups[i] = group
                    owner[j] = i
                    changed = True
                    break
    return groups


def _joined(items: Sequence[list[str]], indices: Iterable[int]) -> list[str]:
    return [w for k in indices for w in items[k]]


@dataclass(frozen=True, slots=True)
class _Group:
    """Old and new paragraphs that are versions of each other: one to one, one old split
    into several new, or several old merged into one new."""

    old: tuple[int, ...]
    new: tuple[int, ...]


def align(old: Sequence[Paragraph], new: Sequence[Paragraph]) -> list[_Group]:
    """Which old and new paragraphs are versions of each other.

    Word for word first (in order); then the most similar pairs one to one
    (:data:`MIN_SIMILARITY`); then, between two pairs that keep their order, what is left
    there with a lower bar (:data:`MIN_GAP_SIMILARITY`), since the position agrees; last,
    paragraphs split or merged. Unmatched paragraphs come back alone (added or deleted).
    """
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    by_key: dict[tuple[str | None, str], list[int]] = {}
    for j, p in enumerate(new):
        by_key.setdefault((_group(p), text_key(p.text)), []).append(j)
    for i, p in enumerate(old):
        free = [j for j in by_key.get((_group(p), text_key(p.text)), []) if j not in taken]
        if free:
            pairs[i] = free[0]
            taken.add(free[0])
    old_words = [words(p.text) for p in old]
    new_words = [words(p.text) for p in new]

    def unmatched() -> tuple[list[int], list[int]]:
        done = set(pairs.values())
        return (
            [i for i in range(len(old)) if i not in pairs],
            [j for j in range(len(new)) if j not in done],
        )

    rest_old, rest_new = unmatched()
    _match(
        old, new, old_words, new_words, rest_old, rest_new, MIN_SIMILARITY, MIN_CONTAINMENT, pairs
    )
    anchors = [(-1, -1), *_in_order(pairs), (len(old), len(new))]
    rest_old, rest_new = unmatched()
    for (i0, j0), (i1, j1) in itertools.pairwise(anchors):
        gap_old = [i for i in rest_old if i0 < i < i1]
        gap_new = [j for j in rest_new if j0 < j < j1]
        _match(
            old,
            new,
            old_words,
            new_words,
            gap_old,
            gap_new,
            MIN_GAP_SIMILARITY,
            MIN_GAP_CONTAINMENT,
            pairs,
        )
    splits = _regroup(old_words, new_words, old, new, pairs)
    merges = _regroup(new_words, old_words, new, old, {j: i for i, j in pairs.items()})
    groups: list[_Group] = []
    merged_new = {j for j, olds in merges.items() if len(olds) > 1}
    grouped_old: set[int] = set()
    grouped_new: set[int] = set()
    for i, news in sorted(splits.items()):
        if len(news) == 1 and news[0] in merged_new:
            continue
        groups.append(_Group((i,), tuple(news)))
        grouped_old.add(i)
        grouped_new.update(news)
    for j in sorted(merged_new):
        olds = [i for i in merges[j] if i not in grouped_old]
        if j in grouped_new or not olds:
            continue
        groups.append(_Group(tuple(olds), (j,)))
        grouped_old.update(olds)
        grouped_new.add(j)
    groups += [_Group((i,), ()) for i in range(len(old)) if i not in grouped_old]
    groups += [_Group((), (j,)) for j in range(len(new)) if j not in grouped_new]
    return groups


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Positions in ``values`` of one longest strictly increasing subsequence."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(values)
    for k, value in enumerate(values):
        place = bisect.bisect_left(tails, value)
        if place == len(tails):
            tails.append(value)
            tail_at.append(k)
        else:
            tails[place] = value
            tail_at[place] = k
        previous[k] = tail_at[place - 1] if place else -1
    keep = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        keep.add(k)
        k = previous[k]
    return keep


def cut_like(text: str, parts: Sequence[str]) -> list[str]:
    """``text`` cut into ``len(parts)`` consecutive pieces where the parts, joined, would
    be cut: the word-level alignment of ``text`` with the joined parts places each cut."""
    own = tokens(text)
    pieces = [tokens(p) for p in parts]
    joined = [t.text for piece in pieces for t in piece]
    bounds = list(itertools.accumulate(len(piece) for piece in pieces))[:-1]
    matcher = difflib.SequenceMatcher(None, [t.text for t in own], joined, False)
    opcodes = matcher.get_opcodes()
    cuts = []
    for bound in bounds:
        position = len(own)
        for tag, i1, i2, j1, j2 in opcodes:
            if j1 <= bound < j2 or (j1 == j2 == bound):
                if tag == "equal":
                    position = i1 + (bound - j1)
                else:
                    position = i1 + round((bound - j1) * (i2 - i1) / max(j2 - j1, 1))
                break
        cuts.append(own[position].start if position < len(own) else len(text))
    out, last = [], 0
    for cut in [*cuts, len(text)]:
        cut = max(cut, last)
        out.append(text[last:cut].strip())
        last = cut
    return out


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
        groups = align(_one_part(old), _one_part(new))
    matched = sorted((g for g in groups if g.old and g.new), key=lambda g: g.old[0])
    in_order = _longest_increasing([g.new[0] for g in matched])
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
            similarity = _similarity(a.text, b.text) if changed else 1.0
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
    group: _Group, old: Sequence[Paragraph], new: Sequence[Paragraph]
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


def _similarity(a: str, b: str) -> float:
    return _overlap(words(a), words(b))[0]


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


# --- "What changed in paragraph N between X and Y?" ------------------------------------------

_CHANGE_WORDS = re.compile(
    r"\b(?:chang(?:e|ed|es|ing)|differ(?:s|ed|ence|ences)?|amended|"
    r"revis(?:ed|ion|ions)|modif(?:y|ied|ication|ications)|evolv(?:e|ed)|edit(?:s|ed)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ChangeQuestion:
    """A question about one paragraph across two versions: its label as the question gives
    it, and the two documents (symbols or ids, with the annex if named) in the order
    named."""

    label: str
    first: str
    second: str
    first_part: str | None = None
    second_part: str | None = None


def parse_change_question(question: str) -> ChangeQuestion | None:
    """ "What changed in paragraph 12 between A/C.2/80/L.17 and A/RES/80/118?", "How was
    para. 99 of the final draft amended in the outcome document?": a word of change, a
    paragraph reference and two documents; None for any other question."""
    from assistant.references import named_documents, paragraph_references

    if not _CHANGE_WORDS.search(question):
        return None
    parts: dict[str, str | None] = {}
    for named in named_documents(question):
        parts[named.symbol] = parts.get(named.symbol) or named.part
    references = paragraph_references(question)
    if len(parts) < 2 or not references:
        return None
    (first, first_part), (second, second_part) = list(parts.items())[:2]
    return ChangeQuestion(references[0].label, first, second, first_part, second_part)


def describe_changes(comparison: Comparison, changes: Sequence[ParagraphChange]) -> str:
    """What became of one paragraph, in a sentence or two, labels as cited."""
    old_name, new_name = comparison.old.name, comparison.new.name
    first = changes[0]
    if first.status is ChangeStatus.ADDED and first.new is not None:
        return (
            f"{_ref(first.new).capitalize()} of {new_name} is new: {old_name} has no paragraph "
            "with its wording."
        )
    if first.status is ChangeStatus.DELETED and first.old is not None:
        return (
            f"{_ref(first.old).capitalize()} of {old_name} was deleted: {new_name} has no "
            "paragraph with its wording."
        )
    assert first.old is not None and first.new is not None
    olds = list(dict.fromkeys(_ref(c.old) for c in changes if c.old is not None))
    news = list(dict.fromkeys(_ref(c.new) for c in changes if c.new is not None))
    edits = [e for c in changes for e in describe_ops(c.ops)]
    moved = any(c.status is ChangeStatus.MOVED for c in changes)
    subject = f"{' and '.join(olds)} of {old_name}"
    subject = subject[:1].upper() + subject[1:]
    if olds == news and not moved:
        if not edits:
            return f"{subject} is unchanged in {new_name}."
        return f"{subject} was modified in {new_name}: {'; '.join(edits)}."
    if len(news) > 1:
        verb = "was split into"
    elif len(olds) > 1:
        verb = "were merged into"
    else:
        verb = "became"
    became = f"{subject} {verb} {' and '.join(news)} of {new_name}"
    if moved:
        became += ", moved out of its former order"
    if not edits:
        return f"{became}, unchanged in wording."
    return f"{became}, modified: {'; '.join(edits)}."


def _ref(paragraph: Paragraph) -> str:
    return paragraph_reference(paragraph)


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
