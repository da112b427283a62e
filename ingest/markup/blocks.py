"""The shared paragraph rules: from any format's blocks to labelled, sectioned paragraphs.

Each reader lays its format out as a flat sequence of :class:`Block` records (a heading with
its level, body text, a list item), and :func:`blocks_to_paragraphs` applies one set of
rules to them, so the rules delegates rely on are the same whatever the format, and the
same as for PDFs in :mod:`ingest.paragraphs`:

- A body block opening with a paragraph number ("12." or "12 ") that continues the numbering
  is operative, labelled "12", number removed from its text. Numbering may restart at 1 after
  an annex-like heading ("Annex I"), which becomes the paragraph's ``part``.
- Other body text is prose, labelled "p1", "p2", ... in order; before the first operative
  paragraph, prose that opens like a preambular paragraph ("Recalling", "Noting") is
  preambular, "pp1", "pp2", ...
- Headings are labelled "h1", "h2", ... in order and form the ``section`` path of what follows.
- Lettered items ("(a)", "(i)"), nested list items, bullets introduced by a colon and text
  split by a page break stay inside the paragraph they belong to.
- A stakeholder's proposal on a paragraph ("Para 44. <proposed text>", "New Para (Under
  section X new para 20) - <text>") is an amendment labelled "a1", "a2", ..., with ``target``
  "44" or "new 20" and ``inserted`` the proposed new wording: the fragments marked as links,
  bold (or underlined in Word), else italic where italic is not the whole line; for a new
  paragraph, all of it. Struck-out text is a proposed deletion and is left out of ``text``.
- Cookie and share boilerplate and sections such as "Contents" or "Citation" are dropped.
  When a page republishes a document under a "Full text" heading, only that part is kept:
  the page's own abstract and summary are not the document and must not be cited as it.

Readers also share here the styled runs of inline text that amendments are read from, and
how lists print their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from corpus.labels import PART_START, Labels, part_name
from corpus.model import SECTION_SEPARATOR, Paragraph, ParagraphKind
from ingest.paragraphs import is_preambular_opening

# --------------------------------------------------------------------------- blocks


class BlockKind(StrEnum):
    HEADING = "heading"
    BODY = "body"
    ITEM = "item"


class HeadingCue(StrEnum):
    """Why a body block may really be a heading the source did not mark as one."""

    NONE = "none"
    LINE = "line"  # a single short line standing alone
    STRONG = "strong"  # a paragraph entirely in bold


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of a document as its format lays it out, before paragraph rules apply."""

    kind: BlockKind
    text: str
    level: int = 0
    start: int = 0
    end: int = 0
    nested: bool = False
    cue: HeadingCue = HeadingCue.NONE
    marked: tuple[str, ...] = ()
    emphasised: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of inline text with the styling that marks proposed wording."""

    text: str
    link: bool = False
    strong: bool = False
    em: bool = False
    underline: bool = False


@dataclass(frozen=True, slots=True)
class Inline:
    text: str
    marked: tuple[str, ...]
    emphasised: tuple[str, ...]
    strong_only: bool
    link_only: bool


_SPACE = re.compile(r"[\s\u200b\ufeff\xad]+")
_WORD = re.compile(r"\w", re.UNICODE)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _fragments(runs: Sequence[Run], chosen: Callable[[Run], bool]) -> tuple[str, ...]:
    """Maximal stretches of chosen runs, as normalised text with at least two word characters."""
    out: list[str] = []
    current: list[str] = []
    for run in [*runs, Run("")]:
        if chosen(run) and run.text:
            current.append(run.text)
            continue
        fragment = normalise("".join(current))
        if len(_WORD.findall(fragment)) >= 2 and fragment not in out:
            out.append(fragment)
        current = []
    return tuple(out)


def inline_of(runs: Sequence[Run]) -> Inline:
    """Plain text of styled runs plus the fragments an amendment's styling marks."""
    worded = [r for r in runs if _WORD.search(r.text)]
    wholly_em = all(r.em for r in worded)
    return Inline(
        text=normalise("".join(r.text for r in runs)),
        marked=_fragments(runs, lambda r: r.link or r.strong or r.underline),
        emphasised=() if wholly_em else _fragments(runs, lambda r: r.em),
        strong_only=bool(worded) and all(r.strong for r in worded),
        link_only=bool(worded) and all(r.link for r in worded),
    )


def block_of(kind: BlockKind, inline: Inline, **fields: Any) -> Block:
    return Block(kind, inline.text, marked=inline.marked, emphasised=inline.emphasised, **fields)


def list_number(text: str, default: int) -> int:
    """A list number or level as a source writes it, else ``default`` (also for absurd ones)."""
    return int(text) if text.isdecimal() and len(text) <= 6 else default


def format_number(n: int, fmt: str) -> str:
    """``n`` as a list numbers it; in digits where letters or Roman numerals cannot say it."""
    if n <= 0 or (fmt in {"lowerRoman", "upperRoman"} and n >= 4000):
        return str(n)
    if fmt in {"lowerLetter", "upperLetter"}:
        letters = ""
        while n > 0:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in {"lowerRoman", "upperRoman"}:
        roman = ""
        for value, digits in (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ):
            count, n = divmod(n, value)
            roman += digits * count
        return roman if fmt == "lowerRoman" else roman.upper()
    return str(n)


# --------------------------------------------------------------------------- paragraph rules

_NUMBERED = re.compile(r"^(\d{1,3})(\.\s+|\s+(?=[A-Z“\"‘']))(\S.*)$", re.DOTALL)
_LETTERED = re.compile(r"^\((?:[a-z]{1,2}|[ivxl]{1,6})\)\s")
_AMEND_PARA = re.compile(
    r"^Para(?:graph)?\.?\s*(?P<num>\d{1,3}(?:\s?[a-z]|\s?bis)?)\s*[.:)\-–—]\s*(?P<text>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_AMEND_NEW = re.compile(
    r"^New\s+para(?:graph)?\b\s*(?:\((?P<where>[^)]*)\))?\s*[-–—:.]?\s*(?P<text>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NEW_WHERE = re.compile(
    r"^(?:under\s+(?:the\s+)?section\s+(?P<section>.*?))?\s*,?\s*"
    r"(?:new\s+)?para(?:graph)?\s*(?P<num>\d{1,3}\w*)\s*$",
    re.IGNORECASE,
)
_SECTION_NUMBERING = re.compile(r"^(?:[IVXL]{1,6}|[A-Z])\.\s+\S")
_TERMINAL = (".", ";", ":", ",", "?", "!")
_OPEN_ENDINGS = frozenset(
    {"the", "a", "an", "and", "or", "of", "to", "in", "for", "with", "on", "by", "as", "from"}
    | {"that", "which", "its", "their", "our", "this", "these"}
)
_BOILERPLATE = re.compile(
    r"(?:(?:this|our) (?:web)?site uses cookies|accept (?:all )?cookies|cookie (?:policy|settings"
    r"|preferences)|\bshare (?:this|on)\b|\bfollow us\b|subscribe to (?:our|the) newsletter"
    r"|\bback to top\b|skip to (?:main )?content|print this page|all rights reserved"
    r"|^copy(?: full)? text$|^copied!?$)",
    re.IGNORECASE,
)
_CHROME_HEADINGS = frozenset(
    {"contents", "table of contents", "on this page", "in this article", "navigation", "menu"}
    | {"citation", "cite this", "how to cite", "cite as", "publication details", "tags"}
    | {"share", "share this", "share this page", "comments", "leave a comment"}
    | {"related", "related posts", "related articles", "related publications"}
)
_FULL_TEXT = re.compile(r"^(?:full[\s-]*text|text of the (?:submission|document|input))$", re.I)


@dataclass(frozen=True, slots=True)
class _Amendment:
    target: str
    text: str
    inserted: tuple[str, ...]
    section: str | None = None


def _amendment(block: Block) -> _Amendment | None:
    """A proposal on a paragraph of a draft, read from its "Para 44." / "New Para" opening."""
    new = _AMEND_NEW.match(block.text)
    if new:
        where = _NEW_WHERE.match(normalise(new["where"] or ""))
        number = where["num"] if where else None
        section = normalise(where["section"] or "") or None if where else None
        text = new["text"]
        return _Amendment(f"new {number}" if number else "new", text, (text,), section)
    para = _AMEND_PARA.match(block.text)
    if para is None:
        return None
    text = para["text"]
    fragments = [f for f in block.marked if f in text] or [f for f in block.emphasised if f in text]
    return _Amendment(normalise(para["num"]), text, tuple(fragments))


def _plain_heading(text: str) -> str:
    """A heading reduced to words, so "📘 Contents:" matches the chrome list."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _opens_new_unit(text: str) -> bool:
    return bool(_NUMBERED.match(text) or _AMEND_NEW.match(text) or _AMEND_PARA.match(text))


def _ends_open(text: str) -> bool:
    """Text cut off mid-sentence, as at a page break ("... facilitating the")."""
    words = text.split()
    return bool(words) and words[-1].lower() in _OPEN_ENDINGS


def _is_boilerplate(block: Block) -> bool:
    return len(block.text) <= 200 and _BOILERPLATE.search(block.text) is not None


def _joins(prev: Block | None, block: Block, in_list: bool) -> bool:
    """Whether a block belongs inside the previous one rather than starting a paragraph."""
    if prev is None or prev.kind is BlockKind.HEADING or block.kind is BlockKind.HEADING:
        return False
    if _opens_new_unit(block.text):
        return False
    if block.nested or _LETTERED.match(block.text):
        return True
    if block.kind is BlockKind.ITEM:
        return in_list or prev.text.endswith(":")
    if block.text[:1].islower() and not prev.text.endswith((".", "!", "?")):
        return True
    return not prev.text.endswith(_TERMINAL) and _ends_open(prev.text)


def _join(prev: Block, block: Block) -> Block:
    return replace(
        prev,
        text=f"{prev.text} {block.text}",
        end=block.end,
        cue=HeadingCue.NONE,
        marked=prev.marked + block.marked,
        emphasised=prev.emphasised + block.emphasised,
    )


def _merge_continuations(blocks: Sequence[Block]) -> list[Block]:
    """Keep lettered items, nested and introduced list items, and page-split text together."""
    out: list[Block] = []
    in_list = False
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and _joins(prev, block, in_list):
            in_list = block.kind is BlockKind.ITEM or in_list
            out[-1] = _join(prev, block)
        else:
            in_list = False
            out.append(block)
    return out


def _looks_like_heading(block: Block, following: Block | None) -> bool:
    """Conservative: a short stand-alone line or a bold paragraph, not text cut mid-sentence."""
    text = block.text
    if block.cue is HeadingCue.NONE or block.kind is not BlockKind.BODY:
        return False
    if following is not None and following.text[:1].islower():
        return False
    if not text[:1].isupper() or _opens_new_unit(text) or _LETTERED.match(text):
        return False
    if block.cue is HeadingCue.STRONG:
        return len(text) <= 200 and not text.endswith((".", ",", ";"))
    return (
        len(text) <= 90
        and len(text.split()) <= 12
        and not text.endswith(_TERMINAL)
        and not _ends_open(text)
    )


def _implicit_level(text: str) -> int:
    """All-capital titles over numbered sections ("II. Context") over other headings."""
    if any(c.isalpha() for c in text) and text.upper() == text:
        return 1
    return 2 if _SECTION_NUMBERING.match(text) else 3


def _promote_headings(blocks: Sequence[Block]) -> list[Block]:
    """Headings the source left unmarked, one level below the last marked heading."""
    out: list[Block] = []
    marked_level = 0
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind is BlockKind.HEADING:
            marked_level = block.level
        elif _looks_like_heading(block, following):
            level = max(_implicit_level(block.text), marked_level + 1)
            block = replace(block, kind=BlockKind.HEADING, level=level, cue=HeadingCue.NONE)
        out.append(block)
    return out


def _section_after(blocks: Sequence[Block], index: int) -> list[Block]:
    level = blocks[index].level
    out: list[Block] = []
    for block in blocks[index + 1 :]:
        if block.kind is BlockKind.HEADING and block.level <= level:
            break
        out.append(block)
    return out


def _drop_chrome_sections(blocks: Sequence[Block]) -> list[Block]:
    """Only a page's "Full text" if it has one; never its contents, citation or share sections."""
    for i, block in enumerate(blocks):
        if block.kind is BlockKind.HEADING and _FULL_TEXT.match(_plain_heading(block.text)):
            section = _section_after(blocks, i)
            if any(b.kind is not BlockKind.HEADING for b in section):
                blocks = section
            break
    out: list[Block] = []
    skip_below: int | None = None
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            if skip_below is not None and block.level <= skip_below:
                skip_below = None
            if skip_below is None and _plain_heading(block.text) in _CHROME_HEADINGS:
                skip_below = block.level
        if skip_below is None:
            out.append(block)
    return out


@dataclass(slots=True)
class _Numbering:
    """Where operative numbering stands: the next number, and whether it may restart."""

    expected: int | None = None
    restart: bool = False

    def continues(self, number: int, dotted: bool) -> bool:
        if self.restart and number == 1:
            ok = True
        elif self.expected is None:
            ok = number == 1 or dotted
        else:
            ok = number == self.expected
        if ok:
            self.expected, self.restart = number + 1, False
        return ok


@dataclass(slots=True)
class _Classified:
    block: Block
    kind: ParagraphKind
    part: str | None
    text: str
    number: str | None = None
    amendment: _Amendment | None = None


def _classify(blocks: Sequence[Block]) -> list[_Classified]:
    """Each block's paragraph kind, in two passes: numbering first, then preambular openers."""
    numbering = _Numbering()
    part: str | None = None
    out: list[_Classified] = []
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            heading = PART_START.match(block.text)
            if heading:
                part, numbering.restart = part_name(heading), True
            out.append(_Classified(block, ParagraphKind.HEADING, part, block.text))
            continue
        amendment = _amendment(block)
        if amendment:
            out.append(
                _Classified(block, ParagraphKind.AMENDMENT, part, amendment.text, None, amendment)
            )
            continue
        numbered = _NUMBERED.match(block.text)
        if numbered and numbering.continues(int(numbered[1]), "." in numbered[2]):
            out.append(_Classified(block, ParagraphKind.OPERATIVE, part, numbered[3], numbered[1]))
            continue
        out.append(_Classified(block, ParagraphKind.PROSE, part, block.text))
    first_operative = next((i for i, c in enumerate(out) if c.kind is ParagraphKind.OPERATIVE), 0)
    for c in out[:first_operative]:
        if c.kind is ParagraphKind.PROSE and is_preambular_opening(c.text):
            c.kind = ParagraphKind.PREAMBULAR
    return out


def blocks_to_paragraphs(
    blocks: Sequence[Block], doc_id: str, *, source_offsets: bool
) -> list[Paragraph]:
    """The shared rules: from any format's blocks to labelled, sectioned paragraphs.

    With ``source_offsets`` the blocks' own offsets are kept; otherwise offsets index the
    paragraphs' texts joined by blank lines (see :mod:`ingest.markup`).
    """
    kept = [b for b in blocks if b.text and not _is_boilerplate(b)]
    kept = _drop_chrome_sections(_promote_headings(_merge_continuations(kept)))
    labels = Labels()
    headings: list[tuple[int, str]] = []
    out: list[Paragraph] = []
    cursor = 0
    for c in _classify(kept):
        if c.kind is ParagraphKind.HEADING:
            while headings and headings[-1][0] >= c.block.level:
                headings.pop()
        section = SECTION_SEPARATOR.join(text for _, text in headings)
        if c.kind is ParagraphKind.HEADING:
            headings.append((c.block.level, c.text))
        if c.amendment and c.amendment.section:
            section = SECTION_SEPARATOR.join(s for s in (section, c.amendment.section) if s)
        label = c.number or labels.next(c.kind)
        start, end = (
            (c.block.start, c.block.end) if source_offsets else (cursor, cursor + len(c.text))
        )
        cursor += len(c.text) + 2
        out.append(
            Paragraph(
                doc_id=doc_id,
                label=labels.claim(c.part, label),
                kind=c.kind,
                text=c.text,
                part=c.part,
                section=section,
                char_start=start,
                char_end=end,
                order=len(out),
                target=c.amendment.target if c.amendment else None,
                inserted=c.amendment.inserted if c.amendment else (),
            )
        )
    return out
