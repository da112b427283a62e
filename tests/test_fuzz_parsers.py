"""Hostile and broken text: property-based tests of the pure parsing functions.

Random text, and random arrangements of the pieces UN documents are made of (paragraph
numbers, running headers, symbols, footnote rules, annex headings), go through page
clean-up (``ingest.layout``), paragraph detection (``ingest.paragraphs``) and the
Markdown, HTML, Word and plain-text readers (``ingest.markup``). None may raise, and what
they return keeps the promises the rest of the product relies on:

- every paragraph has text, with no surrounding white space, and labels are unique within
  a document and part;
- offsets and pages point inside the input, and the paragraph's text is made of what is
  there (PDF and plain text: the characters in order, white space aside; Markdown: the
  characters of the source, entities decoded; HTML and Word: the slice of the joined
  paragraph texts, exactly);
- ``order`` numbers the paragraphs in reading order.

The deadline of the hypothesis profile (tests/conftest.py) fails an input that makes a
function blow up in time, such as a line that sent a regular expression into exponential
backtracking.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from pathlib import Path

import docx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus.errors import UnreadableDocument
from corpus.model import DocumentKind, Paragraph, ParagraphKind
from ingest.layout import (
    document_text,
    join_lines,
    mend_spaced_hyphens,
    page_body,
    repair_split_words,
    running_lines,
)
from ingest.markup import docx_paragraphs, html_paragraphs, markdown_paragraphs, text_paragraphs
from ingest.metadata import extract_metadata
from ingest.paragraphs import is_preambular_opening, pdf_paragraphs
from ingest.pipeline import parse_source
from ingest.readers import SourceFile

# --------------------------------------------------------------------------- strategies

#: Pieces of UN documents as pypdf extracts them: what the layout and paragraph rules react to.
UN_PIECES = [
    "United Nations A/RES/80/173",
    "A/RES/80/173",
    "A/80/L.41*",
    "General Assembly",
    "Distr.: General",
    "25-20874 2/20",
    "2/20 25-20874",
    "*2520874*",
    "Eightieth session",
    "Agenda item 17",
    "Resolution adopted by the General Assembly on 16 December 2025",
    "80/173. Outcome document of the high-level meeting",
    "The General Assembly,",
    "Recalling its resolution 70/125 of 16 December 2015,",
    "Reaffirming the commitment, 1 which",
    "Gravely concerned that",
    "1. Decides that the Forum shall continue;",
    "2. Requests the Secretary-General to report;",
    "12. Welcomes the work of the Commission.2",
    "3. Invites",
    "(a) to strengthen cooperation;",
    "(ii) other measures,",
    "Annex I",
    "Annex",
    "Appendix B",
    "Draft resolution",
    "Chapter II",
    "II. Context",
    "B. Digital divides",
    "4.1. Financing",
    "Action 6. Close all digital divides",
    "Objective 2.",
    "Global Digital Compact",
    "__________________",
    "  1 A/RES/70/1.",
    "  2 See E/2025/31, chap. I.",
    "80th plenary meeting",
    "16 December 2025",
    "develop-",
    "ment of the Internet",
    "multi-",
    "stakeholder",
    "progres s",
    "people -centred",
    "zero- and low-emission",
    "2021–",
    "2025",
    "Page 3",
    "- 4 -",
]

#: Characters the regular expressions of the parsers care about, to build lines from.
SYNTAX = "AILVZa/-.*()1290 \t:;,“”’_#[]|"


def _repeated(unit: str, times: int, tail: str) -> str:
    return unit * times + tail


def _unit_runs() -> st.SearchStrategy[str]:
    """A short unit repeated many times: the shape of input that sends a regular
    expression with nested quantifiers into exponential backtracking."""
    return st.builds(
        _repeated,
        st.text(alphabet=SYNTAX, min_size=1, max_size=4),
        st.integers(min_value=1, max_value=40),
        st.text(alphabet=SYNTAX, max_size=3),
    )


def _lines() -> st.SearchStrategy[str]:
    line = st.one_of(
        st.sampled_from(UN_PIECES),
        st.text(max_size=80),
        st.text(alphabet=SYNTAX, max_size=60),
        _unit_runs(),
        st.builds("{}. {}".format, st.integers(0, 130), st.sampled_from(UN_PIECES)),
    )
    indent = st.sampled_from(["", "", " ", "    ", "\t"])
    return st.builds("{}{}".format, indent, line)


def _pages() -> st.SearchStrategy[list[str]]:
    page = st.lists(st.one_of(_lines(), st.just("")), max_size=30).map("\n".join)
    return st.lists(page, max_size=6)


def _non_space(text: str) -> str:
    return "".join(text.split())


def _is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(ch in chars for ch in needle)


def _assert_well_formed(paragraphs: Sequence[Paragraph]) -> None:
    keys = [(p.part, p.label) for p in paragraphs]
    assert len(keys) == len(set(keys)), "labels repeat within a part"
    for order, p in enumerate(paragraphs):
        assert p.order == order
        assert p.text and p.text == p.text.strip(), repr(p.text)
        assert p.label and p.label == p.label.strip()
        assert 0 <= p.char_start <= p.char_end


# --------------------------------------------------------------------------- PDF text


@given(_pages())
@example(["AL/" * 28 + "AL!\nThe General Assembly,\n1. Decides to act."])
@example(["I/-" * 28 + "I!\nText of the page."])
@settings(max_examples=300)
def test_page_body_lines_point_at_their_text(pages: list[str]) -> None:
    text = document_text(pages)
    body = page_body(pages)
    starts = [line.start for line in body.lines]
    assert starts == sorted(starts)
    for line in body.lines:
        assert line.text and line.text == " ".join(line.text.split())
        assert 1 <= line.page <= len(pages)
        assert text[line.start] == line.text[0]
    for note in body.footnotes:
        assert 1 <= note.page <= len(pages)
        assert _is_subsequence(_non_space(note.text), _non_space(text[note.start : note.end]))


@given(_pages())
@example(["1. First.\nAnnex\n1. Again.\nAnnex\n1. And again.\nAnnex\n1. Once more."])
@settings(max_examples=300)
def test_pdf_paragraphs_keep_their_promises(pages: list[str]) -> None:
    text = document_text(pages)
    paragraphs = pdf_paragraphs(pages, "doc")
    _assert_well_formed(paragraphs)
    for p in paragraphs:
        assert p.doc_id == "doc"
        assert p.page_start is not None and p.page_end is not None
        assert 1 <= p.page_start <= p.page_end <= len(pages)
        assert p.char_end <= len(text)
        source = _non_space(text[p.char_start : p.char_end])
        assert _is_subsequence(_non_space(p.text), source), (p.text, source)
        if p.kind is ParagraphKind.OPERATIVE:
            assert re.fullmatch(r"\d{1,3}(?:bis|-\d+)?", p.label), p.label


def test_a_number_printed_again_in_one_part_gets_bis_then_a_count() -> None:
    pages = ["Annex\n1. First.\nAnnex\n1. Again.\nAnnex\n1. Once more.\nAnnex\n1. Last."]
    labels = [p.label for p in pdf_paragraphs(pages, "doc") if p.kind is not ParagraphKind.HEADING]
    assert labels == ["1", "1bis", "1-3", "1-4"]


@given(st.lists(st.one_of(_lines(), st.sampled_from(UN_PIECES)), max_size=40), st.sets(st.text()))
@settings(max_examples=300)
def test_joined_lines_lose_only_white_space_and_line_end_hyphens(
    parts: list[str], words: set[str]
) -> None:
    parts = [p.strip() for p in parts if p.strip()]
    joined = join_lines(parts, frozenset(w.lower() for w in words))
    assert _is_subsequence(_non_space(joined), _non_space("".join(parts)))
    dropped = len(_non_space("".join(parts))) - len(_non_space(joined))
    assert 0 <= dropped <= len(parts)


@given(st.text(), st.sets(st.text(alphabet="abcdefgprsonm", max_size=12)))
@settings(max_examples=300)
def test_word_repairs_only_close_up_spaces(text: str, words: set[str]) -> None:
    assert _non_space(repair_split_words(text, frozenset(words))) == _non_space(text)
    assert _non_space(mend_spaced_hyphens(text)) == _non_space(text)


@given(_pages())
@settings(max_examples=100)
def test_running_lines_are_shapes_of_lines_that_recur(pages: list[str]) -> None:
    shapes = running_lines(pages)
    if len(pages) < 3:
        assert shapes == frozenset()
    every_shape = {
        re.sub(r"\d+", "#", " ".join(ln.split())) for p in pages for ln in p.splitlines()
    }
    assert shapes <= every_shape


@given(st.one_of(st.text(), st.sampled_from(UN_PIECES)))
def test_only_a_capitalised_first_word_opens_a_preambular_paragraph(text: str) -> None:
    if is_preambular_opening(text):
        assert re.findall(r"[A-Za-z]+", text[:40])[0][:1].isupper()


# --------------------------------------------------------------------------- plain text


MARKUP_PIECES = [
    *["# ", "## ", "- ", "* ", "1. ", "12) ", "> ", "**", "_", "`", "---", "|", " | ", "\\"],
    *["[link](http://x)", "![img](x.png)", "&amp;", "&#65;", "&copy;", "    ", "\n", "\n\n"],
    *["Para 44. ", "New para (Under section A new para 20) - ", "~~struck~~", "{{ x }}"],
]


def _documents() -> st.SearchStrategy[str]:
    markup = st.sampled_from(MARKUP_PIECES)
    piece = st.one_of(markup, st.sampled_from(UN_PIECES), st.text(max_size=40))
    return st.lists(piece, max_size=40).map("".join)


@given(st.one_of(st.text(), _documents()))
@settings(max_examples=300)
def test_text_paragraphs_are_made_of_the_words_at_their_offsets(text: str) -> None:
    paragraphs = text_paragraphs(text, "doc")
    _assert_well_formed(paragraphs)
    for p in paragraphs:
        assert p.char_end <= len(text)
        source = text[p.char_start : p.char_end]
        for word in p.text.split():
            assert word in source, (word, source)


# --------------------------------------------------------------------------- Markdown


@given(st.one_of(st.text(), _documents()))
@settings(max_examples=300)
def test_markdown_paragraphs_are_made_of_the_characters_at_their_offsets(text: str) -> None:
    paragraphs = markdown_paragraphs(text, "doc")
    _assert_well_formed(paragraphs)
    for p in paragraphs:
        assert p.char_end <= len(text)
        raw = text[p.char_start : p.char_end]
        source = set(raw) | set(html.unescape(raw)) | {"\ufffd"}
        missing = set(_non_space(p.text)) - source
        assert not missing, (missing, p.text, text[p.char_start : p.char_end])


@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["> ", "- ", "  - ", "1. "]))
@settings(max_examples=20)
def test_deeply_nested_markdown_is_read(depth: int, marker: str) -> None:
    lines = [marker * depth + "Deeply nested text of the submission."] * 3
    paragraphs = markdown_paragraphs("\n".join(lines), "doc")
    _assert_well_formed(paragraphs)


# --------------------------------------------------------------------------- HTML

_TAGS = ["p", "div", "li", "ol", "ul", "h1", "h3", "b", "em", "a", "s", "table", "td", "br"]


def _html() -> st.SearchStrategy[str]:
    tag = st.sampled_from(_TAGS)
    attributes = st.sampled_from(
        [
            *["", ' class="nav"', ' id="fulltext"', ' start="5"', ' start="²"', ' type="i"'],
            *[' type="a"', ' value="9999999"', ' start="99999999999999"', " hidden"],
            ' value="-3"',
        ]
    )
    piece = st.one_of(
        st.builds("<{}{}>".format, tag, attributes),
        st.builds("</{}>".format, tag),
        st.sampled_from(UN_PIECES),
        st.text(max_size=30),
        st.sampled_from(["<!-- c -->", "<script>x()</script>", "&nbsp;", "<![CDATA[x]]>"]),
    )
    return st.lists(piece, max_size=50).map("".join)


def _assert_offsets_index_joined_texts(paragraphs: Sequence[Paragraph]) -> None:
    joined = "\n\n".join(p.text for p in paragraphs)
    for p in paragraphs:
        assert joined[p.char_start : p.char_end] == p.text


@given(st.one_of(_html(), st.text()))
@example('<ol type="i" start="99999999999999"><li>one</li><li>two</li></ol>')
@example('<ol start="²"><li>one</li></ol>')
@settings(max_examples=300)
def test_html_paragraphs_offsets_index_the_joined_texts(page: str) -> None:
    paragraphs = html_paragraphs(page, "doc")
    _assert_well_formed(paragraphs)
    _assert_offsets_index_joined_texts(paragraphs)


@pytest.mark.parametrize(
    ("attributes", "items"),
    [
        ('type="i" start="3998"', ["(mmmcmxcviii) One.", "(mmmcmxcix) Two.", "(4000) Three."]),
        ('type="a" start="26"', ["(z) One.", "(aa) Two.", "(ab) Three."]),
    ],
)
def test_html_list_letters_and_numerals_out_of_range_are_written_in_digits(
    attributes: str, items: list[str]
) -> None:
    page = f"<p>Intro text:</p><ol {attributes}><li>One.</li><li>Two.</li><li>Three.</li></ol>"
    (paragraph,) = html_paragraphs(page, "doc")
    assert paragraph.text == " ".join(["Intro text:", *items])


@pytest.mark.parametrize("start", ["99999999999999", "²", "-4", "x"])
def test_html_list_with_an_unusable_start_is_numbered_from_1(start: str) -> None:
    page = f'<ol start="{start}"><li>Decides one.</li><li>Decides two.</li></ol>'
    paragraphs = html_paragraphs(page, "doc")
    assert [(p.label, p.text) for p in paragraphs] == [
        ("1", "Decides one."),
        ("2", "Decides two."),
    ]


@pytest.mark.parametrize("depth", [1000, 20000])
@pytest.mark.parametrize("tag", ["div", "b", "li", "blockquote"])
def test_deeply_nested_html_is_read_whole(tag: str, depth: int) -> None:
    page = f"<p>Before the nest.</p>{f'<{tag}>' * depth}Deep inside the nest.{f'</{tag}>' * depth}"
    paragraphs = html_paragraphs(page, "doc")
    _assert_well_formed(paragraphs)
    texts = " ".join(p.text for p in paragraphs)
    assert "Before the nest." in texts and "Deep inside the nest." in texts, texts


def test_html_block_nested_deep_inside_markdown_is_read() -> None:
    text = "# Title\n\n<div>\n" + "<div>" * 5000 + "Deep text here." + "</div>" * 5001 + "\n"
    paragraphs = markdown_paragraphs(text, "doc")
    assert "Deep text here." in [p.text for p in paragraphs]


# --------------------------------------------------------------------------- Word

_STYLES = ["Normal", "Heading 1", "Heading 2", "Title", "List Bullet", "List Number"]
_RUN = st.tuples(
    st.text(max_size=30) | st.sampled_from(UN_PIECES),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


def _word_file(paragraphs: list[tuple[str, list[tuple[str, bool, bool, bool, bool]]]]) -> bytes:
    document = docx.Document()
    for style, runs in paragraphs:
        paragraph = document.add_paragraph(style=style)
        for text, bold, italic, underline, strike in runs:
            clean = "".join(ch for ch in text if ch.isprintable() or ch in "\t\n")
            run = paragraph.add_run(clean)
            run.bold, run.italic, run.underline, run.font.strike = bold, italic, underline, strike
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@given(st.lists(st.tuples(st.sampled_from(_STYLES), st.lists(_RUN, max_size=4)), max_size=12))
@settings(max_examples=40)
def test_word_paragraphs_offsets_index_the_joined_texts(
    paragraphs: list[tuple[str, list[tuple[str, bool, bool, bool, bool]]]],
) -> None:
    try:
        data = _word_file(paragraphs)
    except ValueError:  # text python-docx itself refuses to write (XML-incompatible)
        return
    parsed = docx_paragraphs(data, "doc", "random.docx")
    _assert_well_formed(parsed)
    _assert_offsets_index_joined_texts(parsed)


@given(st.binary(max_size=2000))
@settings(max_examples=100)
def test_random_bytes_as_word_file_are_refused_by_name(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        docx_paragraphs(b"PK\x03\x04" + data, "doc", "broken.docx")
    assert caught.value.path == "broken.docx"


# --------------------------------------------------------------------------- whole files


@given(_pages(), st.sampled_from(["pdf", "markdown", "html", "text", "docx"]))
@settings(max_examples=200)
def test_metadata_of_any_text_is_plain_values(pages: list[str], fmt: str) -> None:
    meta = extract_metadata(pages, "document.pdf", fmt)
    assert isinstance(meta.kind, DocumentKind)
    for value in (meta.symbol, meta.title, meta.date):
        assert value is None or (value and value == value.strip() and "\n" not in value)


@given(
    st.sampled_from([".md", ".txt", ".html", ".htm", ".markdown"]),
    st.one_of(
        st.binary(max_size=2000),
        _documents().map(str.encode),
        _html().map(str.encode),
        st.text().map(lambda t: t.encode("utf-16")),
    ),
)
@settings(max_examples=300)
def test_any_text_file_is_parsed_with_its_metadata_or_refused_by_name(
    suffix: str, data: bytes
) -> None:
    name = f"upload{suffix}"
    try:
        parsed = parse_source(SourceFile(Path(name), "0" * 64, data), "upload")
    except UnreadableDocument as exc:
        assert exc.path == name and exc.reason
        return
    assert parsed.document.doc_id == "upload"
    assert parsed.paragraphs
    _assert_well_formed(parsed.paragraphs)
