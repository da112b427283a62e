"""Markdown, HTML, Word and plain-text documents into citable paragraphs: pure functions.

Each format is first read into a flat sequence of :class:`Block` records (a heading with its
level, body text, a list item), and one shared function turns blocks into paragraphs, so the
rules delegates rely on are the same whatever the format, and the same as for PDFs in
:mod:`ingest.paragraphs`:

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

Web-page chrome is dropped: front matter, templating tags, script/style/nav/header/footer/
aside/form/button elements, images, code listings, link-only lines, cookie/share boilerplate
and sections such as "Contents" or "Citation". When a page republishes a document under a
"Full text" heading (or an element with id/class ``fulltext``), only that part is kept: the
page's own abstract and summary are not the document and must not be cited as it.

Offsets (``char_start``/``char_end``): for Markdown and plain text they index the text given,
so ``text[char_start:char_end]`` is the paragraph's source (for Markdown its source lines,
markup included; a paragraph from an embedded HTML block spans that block). For HTML and
Word, whose source is markup or bytes, they index the normalised text
``"\\n\\n".join(p.text for p in paragraphs)``, where the slice is exactly ``p.text``.
Pages are not known for these formats: ``page_start``/``page_end`` are None.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import PreformattedString
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from corpus.errors import UnreadableDocument
from corpus.labels import PART_START, Labels, part_name
from corpus.model import SECTION_SEPARATOR, Paragraph, ParagraphKind
from ingest.paragraphs import is_preambular_opening
from ingest.readers import error_detail

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
class _Run:
    """A stretch of inline text with the styling that marks proposed wording."""

    text: str
    link: bool = False
    strong: bool = False
    em: bool = False
    underline: bool = False


@dataclass(frozen=True, slots=True)
class _Inline:
    text: str
    marked: tuple[str, ...]
    emphasised: tuple[str, ...]
    strong_only: bool
    link_only: bool


_SPACE = re.compile(r"[\s\u200b\ufeff\xad]+")
_WORD = re.compile(r"\w", re.UNICODE)


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _fragments(runs: Sequence[_Run], chosen: Callable[[_Run], bool]) -> tuple[str, ...]:
    """Maximal stretches of chosen runs, as normalised text with at least two word characters."""
    out: list[str] = []
    current: list[str] = []
    for run in [*runs, _Run("")]:
        if chosen(run) and run.text:
            current.append(run.text)
            continue
        fragment = _normalise("".join(current))
        if len(_WORD.findall(fragment)) >= 2 and fragment not in out:
            out.append(fragment)
        current = []
    return tuple(out)


def _inline(runs: Sequence[_Run]) -> _Inline:
    """Plain text of styled runs plus the fragments an amendment's styling marks."""
    worded = [r for r in runs if _WORD.search(r.text)]
    wholly_em = all(r.em for r in worded)
    return _Inline(
        text=_normalise("".join(r.text for r in runs)),
        marked=_fragments(runs, lambda r: r.link or r.strong or r.underline),
        emphasised=() if wholly_em else _fragments(runs, lambda r: r.em),
        strong_only=bool(worded) and all(r.strong for r in worded),
        link_only=bool(worded) and all(r.link for r in worded),
    )


def _block(kind: BlockKind, inline: _Inline, **fields: Any) -> Block:
    return Block(kind, inline.text, marked=inline.marked, emphasised=inline.emphasised, **fields)


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
        where = _NEW_WHERE.match(_normalise(new["where"] or ""))
        number = where["num"] if where else None
        section = _normalise(where["section"] or "") or None if where else None
        text = new["text"]
        return _Amendment(f"new {number}" if number else "new", text, (text,), section)
    para = _AMEND_PARA.match(block.text)
    if para is None:
        return None
    text = para["text"]
    fragments = [f for f in block.marked if f in text] or [f for f in block.emphasised if f in text]
    return _Amendment(_normalise(para["num"]), text, tuple(fragments))


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
    paragraphs' texts joined by blank lines (see the module docstring).
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


# --------------------------------------------------------------------------- HTML

_DROP_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "form", "button", "noscript"}
    | {"template", "svg", "iframe", "head", "select", "textarea", "object", "embed", "canvas"}
    | {"dialog", "menu", "img", "picture", "video", "audio", "map"}
)
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_TAGS = frozenset(
    {"p", "li", "blockquote", "td", "th", "dd", "dt", "div", "section", "article", "main"}
    | {"body", "html", "pre", "figcaption", "caption", "address", "table", "tr", "tbody"}
    | {"thead", "tfoot", "ul", "ol", "dl", "center", "details", "summary", "figure", "hr"}
)
_CHROME_CLASSES = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|breadcrumbs?|navbar|nav|navigation|menu|sidebar"
    r"|skip-?link|share-?(?:buttons?|links?|bar)|sharing|social-?(?:share|links|media|icons)"
    r"|toolbar|pagination|back-?to-?top)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FULL_TEXT_ATTR = re.compile(r"^full[-_]?text$", re.IGNORECASE)
_STRUCK_TAGS = frozenset({"s", "del", "strike"})


def _is_chrome(tag: Tag) -> bool:
    """Elements a browser hides or a site marks as cookie, share or navigation furniture."""
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if "display:none" in str(tag.get("style", "")).replace(" ", ""):
        return True
    if tag.get("role") in {"navigation", "banner", "contentinfo", "search"}:
        return True
    classes = tag.get("class")
    names = " ".join([*(classes if isinstance(classes, list) else []), str(tag.get("id", ""))])
    return _CHROME_CLASSES.search(names) is not None


def _list_marker(number: int, style: str) -> str:
    """How a browser numbers an <ol> item, written so the paragraph rules can read it."""
    if style in {"a", "A", "i", "I"}:
        formatted = _format_number(
            number,
            {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}[style],
        )
        return f"({formatted}) "
    return f"{number}. "


class _HtmlReader:
    """Blocks from an HTML tree: text between block-level elements, styling kept for amendments.

    The tree is walked with a stack of its own, not by recursion, so however deeply a page
    nests its elements it is read whole.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.runs: list[_Run] = []
        self.items = 0
        self.ordered: list[tuple[int, str]] = []

    def read(self, root: Tag) -> list[Block]:
        stack: list[tuple[object, _Run] | Callable[[], None]] = [self._flush]
        _push_children(stack, root, _Run(""))
        while stack:
            step = stack.pop()
            if isinstance(step, tuple):
                self._node(*step, stack)
            else:
                step()
        return self.blocks

    def _node(
        self, node: object, style: _Run, stack: list[tuple[object, _Run] | Callable[[], None]]
    ) -> None:
        if isinstance(node, PreformattedString):  # comments, doctype, CDATA
            return
        if isinstance(node, NavigableString):
            self.runs.append(replace(style, text=str(node)))
            return
        if not isinstance(node, Tag) or node.name in _DROP_TAGS or _is_chrome(node):
            return
        name = node.name
        if name == "br":
            self.runs.append(_Run(" "))
        elif name in _HEADING_TAGS:
            self._flush()
            level = _HEADING_TAGS[name]
            stack.append(lambda: self._flush(BlockKind.HEADING, level))
            _push_children(stack, node, style)
        elif name in _BLOCK_TAGS:
            self._open_block(node)
            stack.append(lambda: self._close_block(node))
            _push_children(stack, node, style)
        elif name not in _STRUCK_TAGS:
            _push_children(stack, node, _styled(style, name))

    def _open_block(self, tag: Tag) -> None:
        self._flush()
        if tag.name in {"ol", "ul"}:
            start = str(tag.get("start", "1"))
            self.ordered.append((_number(start, 1) - 1, str(tag.get("type", "1"))))
        if tag.name == "li":
            self.items += 1
            self._number_item(tag)

    def _close_block(self, tag: Tag) -> None:
        self._flush()
        if tag.name == "li":
            self.items -= 1
        if tag.name in {"ol", "ul"}:
            self.ordered.pop()

    def _number_item(self, li: Tag) -> None:
        parent = li.parent
        if not self.ordered or parent is None or parent.name != "ol":
            return
        count, style = self.ordered[-1]
        value = str(li.get("value", ""))
        count = _number(value, count + 1)
        self.ordered[-1] = (count, style)
        self.runs.append(_Run(_list_marker(count, style)))

    def _flush(self, kind: BlockKind | None = None, level: int = 0) -> None:
        runs, self.runs = self.runs, []
        inline = _inline(runs)
        if not inline.text or (inline.link_only and kind is not BlockKind.HEADING):
            return
        if kind is None:
            kind = BlockKind.ITEM if self.items else BlockKind.BODY
        cue = HeadingCue.STRONG if inline.strong_only else HeadingCue.NONE
        self.blocks.append(_block(kind, inline, level=level, nested=self.items > 1, cue=cue))


def _push_children(
    stack: list[tuple[object, _Run] | Callable[[], None]], tag: Tag, style: _Run
) -> None:
    """Queue a tag's children so that they are read first to last."""
    stack.extend((child, style) for child in reversed(tag.contents))


def _styled(style: _Run, name: str) -> _Run:
    if name == "a":
        return replace(style, link=True)
    if name in {"strong", "b"}:
        return replace(style, strong=True)
    if name in {"em", "i"}:
        return replace(style, em=True)
    if name in {"u", "ins"}:
        return replace(style, underline=True)
    return style


def _soup(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "lxml")


def _content_root(soup: BeautifulSoup) -> Tag:
    """The part of a page that holds the document: its full text, main or only article."""
    for found in (
        soup.find(id=_FULL_TEXT_ATTR),
        soup.find(class_=_FULL_TEXT_ATTR),
        soup.find("main"),
    ):
        if isinstance(found, Tag):
            return found
    articles = soup.find_all("article")
    if len(articles) == 1 and isinstance(articles[0], Tag):
        return articles[0]
    return soup.body or soup


def html_paragraphs(html: str, doc_id: str) -> list[Paragraph]:
    """Paragraphs of an HTML page; offsets index the paragraphs' texts joined by blank lines."""
    blocks = _HtmlReader().read(_content_root(_soup(html)))
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=False)


# --------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(r"\A\ufeff?[ \t]*(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.DOTALL)
_TEMPLATING = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
_MD_STYLE_TAGS = {"em": "em", "strong": "strong", "link": "a"}
_STRAY_STARS = re.compile(r"\*{2,}|(?<=\w)\*(?=\s|$)|(?<=\s)\*(?=\w)")


def _blank_out(text: str, pattern: re.Pattern[str]) -> str:
    """Chrome replaced by spaces, newlines kept, so offsets and line numbers stay true."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


class _Lines:
    """Offsets of source lines, to turn markdown-it's line maps into character spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Line breaks as markdown-it counts them: "\r\n", a lone "\r" or "\n".
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]

    def span(self, first: int, last: int) -> tuple[int, int]:
        start = self.starts[first] if first < len(self.starts) else len(self.text)
        end = self.starts[last] if last < len(self.starts) else len(self.text)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end


def _md_runs(node: SyntaxTreeNode, style: _Run) -> Iterator[_Run]:
    for child in node.children:
        kind = child.type
        if kind in {"text", "code_inline"}:
            yield replace(style, text=_STRAY_STARS.sub("", child.content))
        elif kind in {"softbreak", "hardbreak"}:
            yield _Run(" ")
        elif kind == "html_inline":
            if child.content.lower().startswith("<br"):
                yield _Run(" ")
        elif kind in _MD_STYLE_TAGS:
            yield from _md_runs(child, _styled(style, _MD_STYLE_TAGS[kind]))
        elif kind not in {"s", "image"}:
            yield from _md_runs(child, style)


def _md_inline(nodes: Sequence[SyntaxTreeNode]) -> _Inline:
    runs: list[_Run] = []
    for node in nodes:
        for inline in node.children:
            runs.extend(_md_runs(inline, _Run("")))
        runs.append(_Run(" "))
    return _inline(runs)


class _MarkdownReader:
    def __init__(self, text: str) -> None:
        self.lines = _Lines(text)

    def span(self, nodes: Sequence[SyntaxTreeNode]) -> dict[str, Any]:
        """Keyword arguments giving a block the span of its nodes' source lines."""
        maps = [n.map for n in nodes if n.map]
        if not maps:
            return {}
        start, end = self.lines.span(maps[0][0], maps[-1][1])
        return {"start": start, "end": end}

    def blocks(self, children: Sequence[SyntaxTreeNode]) -> Iterator[Block]:
        for child in children:
            kind = child.type
            if kind == "heading":
                inline = _md_inline([child])
                yield _block(
                    BlockKind.HEADING, inline, level=int(child.tag[1]), **self.span([child])
                )
            elif kind == "paragraph":
                yield from self.paragraph(child)
            elif kind in {"bullet_list", "ordered_list"}:
                for item in child.children:
                    yield from self.item(item, kind == "ordered_list", 0)
            elif kind == "blockquote":
                yield from self.blocks(child.children)
            elif kind == "html_block":
                yield from self.html(child)
            elif kind == "table":
                yield from self.table(child)

    def paragraph(self, node: SyntaxTreeNode) -> Iterator[Block]:
        inline = _md_inline([node])
        if not inline.text or inline.link_only:
            return
        single_line = node.map is not None and node.map[1] - node.map[0] == 1
        if inline.strong_only:
            cue = HeadingCue.STRONG
        elif single_line and not inline.marked and not inline.emphasised:
            cue = HeadingCue.LINE
        else:
            cue = HeadingCue.NONE
        yield _block(BlockKind.BODY, inline, cue=cue, **self.span([node]))

    def item(self, node: SyntaxTreeNode, ordered: bool, depth: int) -> Iterator[Block]:
        own = [c for c in node.children if c.type == "paragraph"]
        inline = _md_inline(own)
        if inline.text and not inline.link_only:
            marker = f"{node.info}{node.markup} " if ordered and node.info else ""
            inline = replace(inline, text=marker + inline.text)
            span = self.span(own) or self.span([node])
            yield _block(BlockKind.ITEM, inline, nested=depth > 0, **span)
        for child in node.children:
            if child.type in {"bullet_list", "ordered_list"}:
                for sub in child.children:
                    yield from self.item(sub, child.type == "ordered_list", depth + 1)
            elif child.type != "paragraph":
                yield from self.blocks([child])

    def html(self, node: SyntaxTreeNode) -> Iterator[Block]:
        span = self.span([node])
        for block in _HtmlReader().read(_content_root(_soup(node.content))):
            yield replace(block, **span)

    def table(self, node: SyntaxTreeNode) -> Iterator[Block]:
        for cell in node.walk():
            if cell.type in {"th", "td"}:
                inline = _md_inline([cell])
                if inline.text:
                    yield _block(BlockKind.BODY, inline, **self.span([cell.parent or cell]))


def markdown_paragraphs(text: str, doc_id: str) -> list[Paragraph]:
    """Paragraphs of a Markdown document; offsets index ``text`` (the block's source lines)."""
    cleaned = _blank_out(_blank_out(text, _FRONT_MATTER), _TEMPLATING)
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tree = SyntaxTreeNode(parser.parse(cleaned))
    blocks = list(_MarkdownReader(cleaned).blocks(tree.children))
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=True)


# --------------------------------------------------------------------------- plain text

_BULLET = re.compile(r"^[-*+•▪◦–]\s+")
_DOTTED_NUMBER = re.compile(r"^\d{1,3}\.\s")


def _text_groups(text: str) -> Iterator[list[tuple[str, int]]]:
    """Runs of non-blank lines with their offsets; a bullet or number line starts a new run."""
    group: list[tuple[str, int]] = []
    for match in re.finditer(r"[^\n]*", text):
        line = match.group(0)
        stripped = line.strip()
        starts_unit = bool(_BULLET.match(stripped) or _DOTTED_NUMBER.match(stripped))
        if group and (not stripped or starts_unit):
            yield group
            group = []
        if stripped:
            group.append((line, match.start()))
    if group:
        yield group


def _text_block(group: list[tuple[str, int]]) -> Block:
    first_line, first_at = group[0]
    last_line, last_at = group[-1]
    start = first_at + len(first_line) - len(first_line.lstrip())
    end = last_at + len(last_line.rstrip())
    joined = " ".join(line.strip() for line, _ in group)
    bullet = _BULLET.match(joined)
    kind = BlockKind.ITEM if bullet else BlockKind.BODY
    cue = HeadingCue.LINE if len(group) == 1 and not bullet else HeadingCue.NONE
    text = _normalise(joined[bullet.end() :] if bullet else joined)
    return Block(kind, text, start=start, end=end, cue=cue)


def text_paragraphs(text: str, doc_id: str) -> list[Paragraph]:
    """Paragraphs of plain text, blocks separated by blank lines; offsets index ``text``."""
    blocks = [_text_block(group) for group in _text_groups(text)]
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=True)


# --------------------------------------------------------------------------- Word

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^Heading\s+(\d)$", re.IGNORECASE)


def _number(text: str, default: int) -> int:
    """A list number or level as a source writes it, else ``default`` (also for absurd ones)."""
    return int(text) if text.isdecimal() and len(text) <= 6 else default


def _format_number(n: int, fmt: str) -> str:
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


@dataclass(frozen=True, slots=True)
class _Level:
    fmt: str
    text: str
    start: int


class _WordNumbering:
    """Word's automatic numbering, replayed, since python-docx gives paragraph text without it."""

    def __init__(self, document: Any) -> None:
        self.lists: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        root = document.part.numbering_part.element
        abstract = {a.get(f"{_W}abstractNumId"): _levels(a) for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.lists[str(num.get(f"{_W}numId"))] = abstract.get(ref.get(f"{_W}val"), {})

    def marker(self, paragraph: Any) -> tuple[str, int] | None:
        """The printed number of a paragraph ("12.", "(a)", "" for a bullet) and its level."""
        found = _num_pr(paragraph)
        if found is None or found[0] not in self.lists:
            return None
        num_id, level = found
        levels = self.lists[num_id]
        counters = self.counters.setdefault(num_id, {})
        fmt = levels.get(level, _Level("decimal", f"%{level + 1}.", 1))
        counters[level] = counters.get(level, fmt.start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if fmt.fmt in {"bullet", "none"}:
            return "", level

        def number(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lvl = levels.get(k, _Level("decimal", "", 1))
            return _format_number(counters.get(k, lvl.start), lvl.fmt)

        return re.sub(r"%(\d)", number, fmt.text), level


def _levels(abstract: Any) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in abstract.iter(f"{_W}lvl"):

        def val(tag: str, default: str, lvl: Any = lvl) -> str:
            el = lvl.find(f"{_W}{tag}")
            return str(el.get(f"{_W}val")) if el is not None else default

        start = val("start", "1")
        levels[_number(str(lvl.get(f"{_W}ilvl", "0")), 0)] = _Level(
            val("numFmt", "decimal"), val("lvlText", ""), _number(start, 1)
        )
    return levels


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(list id, level) from the paragraph's own numbering, else its style's."""
    sources = [paragraph._p.pPr]
    if paragraph.style is not None:
        sources.append(paragraph.style.element.pPr)
    for ppr in sources:
        num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num_pr is None:
            continue
        num_id = num_pr.find(f"{_W}numId")
        ilvl = num_pr.find(f"{_W}ilvl")
        if num_id is None or num_id.get(f"{_W}val") in {None, "0"}:
            return None
        level = ilvl.get(f"{_W}val") if ilvl is not None else "0"
        return str(num_id.get(f"{_W}val")), _number(str(level), 0)
    return None


def _docx_run(run: Any, link: bool = False, inserted: bool = False) -> _Run | None:
    if run.font.strike or run.font.double_strike:
        return None  # struck-out words are a proposed deletion
    marked = inserted or bool(run.underline)
    return _Run(run.text, link, bool(run.bold), bool(run.italic), marked)


def _docx_runs(paragraph: Any) -> Iterator[_Run]:
    """Runs in order, tracked insertions marked as inserted and tracked deletions left out,
    since delegations propose amendments to a .docx with Word's track changes."""
    from docx.text.run import Run

    for child in paragraph._p.iterchildren():
        tag = child.tag
        if tag == f"{_W}r":
            runs = [_docx_run(Run(child, paragraph))]
        elif tag == f"{_W}hyperlink":
            runs = [_docx_run(Run(r, paragraph), link=True) for r in child.iter(f"{_W}r")]
        elif tag == f"{_W}ins":
            runs = [_docx_run(Run(r, paragraph), inserted=True) for r in child.iter(f"{_W}r")]
        else:
            continue
        yield from (run for run in runs if run is not None)


def _docx_block(paragraph: Any, numbering: _WordNumbering) -> Block | None:
    inline = _inline(list(_docx_runs(paragraph)))
    style = paragraph.style.name if paragraph.style is not None else ""
    marker = numbering.marker(paragraph)
    printed, level = marker if marker is not None else ("", 0)
    if not inline.text:
        return None  # an empty numbered paragraph still counts in its list, above
    if printed:
        inline = replace(inline, text=f"{printed} {inline.text}")
    heading = _HEADING_STYLE.match(style)
    if heading or style == "Title":
        return _block(BlockKind.HEADING, inline, level=int(heading.group(1)) if heading else 1)
    listed = style.startswith("List") or (marker is not None and not printed)
    cue = HeadingCue.STRONG if inline.strong_only else HeadingCue.NONE
    kind = BlockKind.ITEM if listed and not printed else BlockKind.BODY
    return _block(kind, inline, nested=level > 0, cue=cue)


def _docx_paragraph_objects(document: Any) -> Iterator[Any]:
    """Body paragraphs in reading order, table cells included (merged cells once)."""
    from docx.table import Table

    for item in document.iter_inner_content():
        if not isinstance(item, Table):
            yield item
            continue
        seen: set[int] = set()
        for row in item.rows:
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def docx_paragraphs(data: bytes, doc_id: str, name: str) -> list[Paragraph]:
    """Paragraphs of a Word .docx; offsets index the paragraphs' texts joined by blank lines.

    Raises :class:`UnreadableDocument` naming ``name`` when the bytes are not a readable .docx.
    """
    import docx

    if not data.startswith(b"PK"):
        raise UnreadableDocument(
            name, "not a Word .docx file (no ZIP signature); open it in Word and save as .docx"
        )
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _WordNumbering(document)
        found = (_docx_block(p, numbering) for p in _docx_paragraph_objects(document))
        blocks = [b for b in found if b is not None]
    except MemoryError:
        raise  # the worker reports it against its memory limit
    except Exception as exc:
        raise UnreadableDocument(
            name,
            f"Word file is damaged or not a .docx ({error_detail(exc)}); "
            "open it in Word and save it again as .docx",
        ) from exc
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=False)
