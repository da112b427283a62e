"""Markdown, HTML, Word and plain-text documents into citable paragraphs: pure functions.

Each format has its reader, which lays the document out as blocks (a heading with its level,
body text, a list item); one set of rules (:mod:`ingest.markup.blocks`) turns blocks into
paragraphs, so a paragraph is labelled the same way whatever the format it came in.

Offsets (``char_start``/``char_end``): for Markdown and plain text they index the text given,
so ``text[char_start:char_end]`` is the paragraph's source (for Markdown its source lines,
markup included; a paragraph from an embedded HTML block spans that block). For HTML and
Word, whose source is markup or bytes, they index the normalised text
``"\\n\\n".join(p.text for p in paragraphs)``, where the slice is exactly ``p.text``.
Pages are not known for these formats: ``page_start``/``page_end`` are None.
"""

from ingest.markup.docx import docx_paragraphs
from ingest.markup.html import html_paragraphs
from ingest.markup.markdown import markdown_paragraphs
from ingest.markup.text import text_paragraphs

__all__ = ["docx_paragraphs", "html_paragraphs", "markdown_paragraphs", "text_paragraphs"]
