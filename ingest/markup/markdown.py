"""Markdown documents into paragraphs, through the shared rules of :mod:`ingest.markup.blocks`.

Offsets index the text given, so a paragraph's span is its source lines, markup included;
to keep them true, front matter and templating tags ("{% ... %}", "{{ ... }}") are blanked
out with spaces rather than removed. Code listings, images and link-only lines are not
document text and are dropped; struck-out text is a proposed deletion and is left out. HTML
blocks embedded in the Markdown are read as HTML (:mod:`ingest.markup.html`), and their
paragraphs span the whole block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from corpus.model import Paragraph
from ingest.markup.blocks import (
    Block,
    BlockKind,
    HeadingCue,
    Inline,
    Run,
    block_of,
    blocks_to_paragraphs,
    inline_of,
)
from ingest.markup.html import HtmlReader, content_root, soup_of, styled

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


def _md_runs(node: SyntaxTreeNode, style: Run) -> Iterator[Run]:
    for child in node.children:
        kind = child.type
        if kind in {"text", "code_inline"}:
            yield replace(style, text=_STRAY_STARS.sub("", child.content))
        elif kind in {"softbreak", "hardbreak"}:
            yield Run(" ")
        elif kind == "html_inline":
            if child.content.lower().startswith("<br"):
                yield Run(" ")
        elif kind in _MD_STYLE_TAGS:
            yield from _md_runs(child, styled(style, _MD_STYLE_TAGS[kind]))
        elif kind not in {"s", "image"}:
            yield from _md_runs(child, style)


def _md_inline(nodes: Sequence[SyntaxTreeNode]) -> Inline:
    runs: list[Run] = []
    for node in nodes:
        for inline in node.children:
            runs.extend(_md_runs(inline, Run("")))
        runs.append(Run(" "))
    return inline_of(runs)


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
                yield block_of(
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
        yield block_of(BlockKind.BODY, inline, cue=cue, **self.span([node]))

    def item(self, node: SyntaxTreeNode, ordered: bool, depth: int) -> Iterator[Block]:
        own = [c for c in node.children if c.type == "paragraph"]
        inline = _md_inline(own)
        if inline.text and not inline.link_only:
            marker = f"{node.info}{node.markup} " if ordered and node.info else ""
            inline = replace(inline, text=marker + inline.text)
            span = self.span(own) or self.span([node])
            yield block_of(BlockKind.ITEM, inline, nested=depth > 0, **span)
        for child in node.children:
            if child.type in {"bullet_list", "ordered_list"}:
                for sub in child.children:
                    yield from self.item(sub, child.type == "ordered_list", depth + 1)
            elif child.type != "paragraph":
                yield from self.blocks([child])

    def html(self, node: SyntaxTreeNode) -> Iterator[Block]:
        span = self.span([node])
        for block in HtmlReader().read(content_root(soup_of(node.content))):
            yield replace(block, **span)

    def table(self, node: SyntaxTreeNode) -> Iterator[Block]:
        for cell in node.walk():
            if cell.type in {"th", "td"}:
                inline = _md_inline([cell])
                if inline.text:
                    yield block_of(BlockKind.BODY, inline, **self.span([cell.parent or cell]))


def markdown_paragraphs(text: str, doc_id: str) -> list[Paragraph]:
    """Paragraphs of a Markdown document; offsets index ``text`` (the block's source lines)."""
    cleaned = _blank_out(_blank_out(text, _FRONT_MATTER), _TEMPLATING)
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tree = SyntaxTreeNode(parser.parse(cleaned))
    blocks = list(_MarkdownReader(cleaned).blocks(tree.children))
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=True)
