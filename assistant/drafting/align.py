"""Which paragraphs of two versions of a text are versions of each other.

Texts in UN negotiations move through versions (zero draft, revisions, final draft, adopted
resolution) and are renumbered on the way, so paragraphs are aligned by their words, never by
their labels (:func:`align`): word for word first, then the most similar pairs one to one,
then what is left between two pairs that kept their order, with a lower bar since the
position agrees; a paragraph split in two (or two merged into one) is recognised as such.
Annex numbering is kept apart. A section title printed at the head of a page that extraction
read into the paragraph before it is split off again when the other version prints the title
on its own (:func:`split_run_in_titles`). Pure functions over paragraphs.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.model import Paragraph, ParagraphKind
from corpus.wording import text_key, tokens, words

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
#: How much the distance between relative positions weighs against similarity when two
#: candidate pairs are otherwise close.
POSITION_WEIGHT = 0.05
#: A title is a line without closing punctuation, shorter than this.
MAX_TITLE_CHARS = 250


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
        tail = "".join(t.text for t in items[-n:])
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


def one_part(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
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


def word_similarity(a: str, b: str) -> float:
    """How alike two texts are word for word: 2 x common words in order / all words."""
    return _overlap(words(a), words(b))[0]


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
    keep = longest_increasing([j for _, j in matched])
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
class Group:
    """Old and new paragraphs that are versions of each other: one to one, one old split
    into several new, or several old merged into one new."""

    old: tuple[int, ...]
    new: tuple[int, ...]


def align(old: Sequence[Paragraph], new: Sequence[Paragraph]) -> list[Group]:
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
    groups: list[Group] = []
    merged_new = {j for j, olds in merges.items() if len(olds) > 1}
    grouped_old: set[int] = set()
    grouped_new: set[int] = set()
    for i, news in sorted(splits.items()):
        if len(news) == 1 and news[0] in merged_new:
            continue
        groups.append(Group((i,), tuple(news)))
        grouped_old.add(i)
        grouped_new.update(news)
    for j in sorted(merged_new):
        olds = [i for i in merges[j] if i not in grouped_old]
        if j in grouped_new or not olds:
            continue
        groups.append(Group(tuple(olds), (j,)))
        grouped_old.update(olds)
        grouped_new.add(j)
    groups += [Group((i,), ()) for i in range(len(old)) if i not in grouped_old]
    groups += [Group((), (j,)) for j in range(len(new)) if j not in grouped_new]
    return groups


def longest_increasing(values: Sequence[int]) -> set[int]:
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
