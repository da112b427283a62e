"""Web pages into paragraphs, through the shared rules of :mod:`ingest.markup.blocks`.

A page carries much that is not the document: what a browser hides, and the furniture a site
puts around its text (script, style, navigation, header, footer, aside, forms and buttons,
images, elements a site marks as cookie, share or navigation bars). That is dropped, and when
the page marks where the document is (an element with id or class ``fulltext``, else
``main``, else its only ``article``) only that part is read. Bold, links and underlining are
kept as styling, since a stakeholder marks proposed wording with them; struck-out text is a
proposed deletion and is left out.

Markdown documents embed HTML blocks, read by the same :class:`HtmlReader`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import replace

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import PreformattedString

from corpus.model import Paragraph
from ingest.markup.blocks import (
    Block,
    BlockKind,
    HeadingCue,
    Run,
    block_of,
    blocks_to_paragraphs,
    format_number,
    inline_of,
    list_number,
)

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
        formatted = format_number(
            number,
            {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}[style],
        )
        return f"({formatted}) "
    return f"{number}. "


class HtmlReader:
    """Blocks from an HTML tree: text between block-level elements, styling kept for amendments.

    The tree is walked with a stack of its own, not by recursion, so however deeply a page
    nests its elements it is read whole.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.items = 0
        self.ordered: list[tuple[int, str]] = []

    def read(self, root: Tag) -> list[Block]:
        stack: list[tuple[object, Run] | Callable[[], None]] = [self._flush]
        _push_children(stack, root, Run(""))
        while stack:
            step = stack.pop()
            if isinstance(step, tuple):
                self._node(*step, stack)
            else:
                step()
        return self.blocks

    def _node(
        self, node: object, style: Run, stack: list[tuple[object, Run] | Callable[[], None]]
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
            self.runs.append(Run(" "))
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
            _push_children(stack, node, styled(style, name))

    def _open_block(self, tag: Tag) -> None:
        self._flush()
        if tag.name in {"ol", "ul"}:
            start = str(tag.get("start", "1"))
            self.ordered.append((list_number(start, 1) - 1, str(tag.get("type", "1"))))
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
        count = list_number(value, count + 1)
        self.ordered[-1] = (count, style)
        self.runs.append(Run(_list_marker(count, style)))

    def _flush(self, kind: BlockKind | None = None, level: int = 0) -> None:
        runs, self.runs = self.runs, []
        inline = inline_of(runs)
        if not inline.text or (inline.link_only and kind is not BlockKind.HEADING):
            return
        if kind is None:
            kind = BlockKind.ITEM if self.items else BlockKind.BODY
        cue = HeadingCue.STRONG if inline.strong_only else HeadingCue.NONE
        self.blocks.append(block_of(kind, inline, level=level, nested=self.items > 1, cue=cue))


def _push_children(
    stack: list[tuple[object, Run] | Callable[[], None]], tag: Tag, style: Run
) -> None:
    """Queue a tag's children so that they are read first to last."""
    stack.extend((child, style) for child in reversed(tag.contents))


def styled(style: Run, name: str) -> Run:
    if name == "a":
        return replace(style, link=True)
    if name in {"strong", "b"}:
        return replace(style, strong=True)
    if name in {"em", "i"}:
        return replace(style, em=True)
    if name in {"u", "ins"}:
        return replace(style, underline=True)
    return style


def soup_of(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "lxml")


def content_root(soup: BeautifulSoup) -> Tag:
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
    blocks = HtmlReader().read(content_root(soup_of(html)))
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=False)
