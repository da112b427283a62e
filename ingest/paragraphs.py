"""Paragraph detection in UN documents: pure functions from body lines to paragraphs.

The rules follow how UN texts are printed:

- Operative paragraphs are numbered continuously ("1.", "2.", ...) across sections; a number
  only starts a paragraph when it continues the sequence, so numbered sub-items ("1. Close all
  digital divides" inside paragraph 7) and numbered headings ("1." before "12.") do not.
- Numbering restarts in parts: annexes, appendices and draft resolutions in a report. The part
  is recorded ("Annex I") so labels stay unique.
- Unnumbered paragraphs start on an indented line. Before the first operative paragraph,
  those that open with a participle ("Recalling", "Reaffirming", ...), or an adverb and a
  participle ("Unequivocally condemning", "Gravely concerned"), are preambular.
- Lettered items ("(a)", "(i)") stay inside their paragraph.
- Headings are short lines without closing punctuation, or carry heading numbering
  ("III.", "B.", "4.1.", "Action 6.", "Objective 2."); they form the section path. The
  title printed under a part heading ("Annex II" / "Declaration on Future Generations") is
  a heading, even when it wraps or no numbered paragraph follows it.

Labels: numbered paragraphs keep their printed number; the others are labelled by position:
``pp1``, ``pp2`` (preambular), ``p1``, ``p2`` (other unnumbered text), ``h1``, ``h2``
(headings) and ``fn1`` (footnote 1, as numbered in the document).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from corpus.labels import PART_LINE, Labels, part_name
from corpus.model import SECTION_SEPARATOR, Paragraph, ParagraphKind
from ingest.layout import Body, Line, join_lines, page_body, vocabulary

_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_LETTERED = re.compile(r"^\((?:[a-z]{1,2}|[ivxl]+)\)\s")
_CHAPTER = re.compile(r"^Chapter\s+[IVXL]+\b")
_ROMAN_HEADING = re.compile(r"^[IVXL]{1,6}\.\s+\S")
_LETTER_HEADING = re.compile(r"^[A-Z]\.\s+[A-Z]")
_DECIMAL_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+[A-Z]")
_RESOLUTION_TITLE = re.compile(r"^\d{2,3}/\d{1,4}\.\s+[A-Z“\"]")
_NAMED_HEADING = re.compile(r"^(Action|Objective|Principle|Commitment|Goal)\s+\d+\.\s")
_PREAMBULAR_OPENERS = frozenset(
    [
        "mindful",
        "concerned",
        "aware",
        "conscious",
        "convinced",
        "guided",
        "determined",
        "cognizant",
        "alarmed",
        "deeply",
        "gravely",
        "seriously",
        "noting",
        "bearing",
        "taking",
        "having",
        "further",
        "also",
        "welcoming",
        "affirming",
        "convinced",
    ]
)
#: An adverb before a participle opens a preambular paragraph as the participle alone does
#: ("Unequivocally condemning", "Strongly condemning", "Gravely concerned").
_ADVERB_PARTICIPLE = re.compile(r"^[A-Z][a-z]{2,}ly [a-z]{3,}(?:ing|ed)\b")
_TERMINAL = (".", ";", ":", ",", "?", "!")
#: The verbs that open a preambular paragraph, followed by a word in lower case: where a
#: draft loses the indent of its preambular paragraphs, one still begins at such a line
#: after a line closing with a comma.
_PREAMBULAR_TURN = re.compile(
    r"^(?:Recalling|Reaffirming|Recognizing|Noting|Welcoming|Acknowledging|Emphasizing|"
    r"Stressing|Taking|Expressing|Underlining|Highlighting|Encouraging|Considering|Affirming|"
    r"Commending|Appreciating|Reiterating|Observing|Believing|Desiring|Having|Seeking|"
    r"Underscoring|Deploring|Bearing|Mindful|Concerned|Conscious|Convinced|Determined) [a-z]"
)


@dataclass
class _Draft:
    kind: ParagraphKind
    label: str
    part: str | None
    section: str
    lines: list[Line] = field(default_factory=list)
    first_text: str = ""
    heading_level: int = 0

    def add(self, line: Line, text: str | None = None) -> None:
        if not self.lines:
            self.first_text = line.text if text is None else text
        self.lines.append(line)

    def texts(self) -> list[str]:
        return [self.first_text] + [ln.text for ln in self.lines[1:]]


@dataclass
class _State:
    part: str | None = None
    expected: int = 1
    operative_seen: bool = False
    headings: list[tuple[int, str]] = field(default_factory=list)
    labels: Labels = field(default_factory=Labels)

    def section(self) -> str:
        return SECTION_SEPARATOR.join(text for _, text in self.headings)


def is_preambular_opening(text: str) -> bool:
    """Whether a paragraph opens the way preambular paragraphs do ("Recalling", "Mindful")."""
    words = re.findall(r"[A-Za-z]+", text[:40])
    if not words or not words[0][:1].isupper():
        return False
    first = words[0].lower()
    if (first.endswith("ing") and len(first) > 5) or first in _PREAMBULAR_OPENERS:
        return True
    return _ADVERB_PARTICIPLE.match(text) is not None


def _heading_level(text: str, state: _State) -> int | None:
    """The level of a line that is a heading by its numbering, else None."""
    if PART_LINE.match(text):
        return 0
    if _RESOLUTION_TITLE.match(text):
        return 0
    if _CHAPTER.match(text):
        return 1
    if _ROMAN_HEADING.match(text):
        return 1
    if _LETTER_HEADING.match(text) and len(text) < 120:
        return 2
    match = _DECIMAL_HEADING.match(text)
    if match and len(text) < 120:
        return 1 + match.group(1).count(".")
    if _NAMED_HEADING.match(text):
        return 3
    return None


def _title_lines(
    lines: Sequence[Line], i: int, prev: Line | None, after_heading: bool = False
) -> int:
    """How many lines, from ``lines[i]``, form an unnumbered title: a short line with no
    closing punctuation that stands apart from running text, because the line after it
    opens a paragraph or a heading (1), or, when a blank sets it off above, because the line
    after its one wrapped line does (2). 0 for running text."""
    line = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    text = line.text
    if len(text) > 90 or text.endswith(_TERMINAL) or not text[:1].isupper():
        return 0
    if _LETTERED.match(text):
        return 0
    prev_closed = (
        prev is None
        or after_heading
        or line.after_blank
        or prev.text.endswith((".", ";", ":"))
        or prev.page != line.page
    )
    if not prev_closed:
        return 0
    if _opens(nxt):
        return 1
    wrapped = (
        nxt is not None
        and line.after_blank
        and len(text) >= 50
        and len(nxt.text) <= 90
        and not nxt.indented
        and not nxt.after_blank
        and not nxt.text.endswith(_TERMINAL)
        and not _NUMBERED.match(nxt.text)
        and _opens(lines[i + 2] if i + 2 < len(lines) else None)
    )
    return 2 if wrapped else 0


def _opens(line: Line | None) -> bool:
    """Whether a line begins something new: the end of the text, an indented line, a numbered
    paragraph or a heading."""
    return (
        line is None
        or line.indented
        or bool(_NUMBERED.match(line.text))
        or (_heading_level(line.text, _State()) is not None)
    )


class _Builder:
    def __init__(self, doc_id: str, words: frozenset[str]) -> None:
        self.doc_id = doc_id
        self.words = words
        self.state = _State()
        self.current: _Draft | None = None
        self.out: list[Paragraph] = []

    def flush(self) -> None:
        draft, self.current = self.current, None
        if draft is None or not draft.lines:
            return
        text = join_lines(draft.texts(), self.words).strip()
        if not text:
            return
        label = self.state.labels.claim(draft.part, draft.label)
        first, last = draft.lines[0], draft.lines[-1]
        self.out.append(
            Paragraph(
                doc_id=self.doc_id,
                label=label,
                kind=draft.kind,
                text=text,
                part=draft.part,
                section=draft.section,
                page_start=first.page,
                page_end=last.page,
                char_start=first.start,
                char_end=last.end,
                order=len(self.out),
            )
        )
        if draft.kind is ParagraphKind.HEADING:
            self._push_heading(draft.heading_level, text)

    def _push_heading(self, level: int, text: str) -> None:
        headings = self.state.headings
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, text))

    def start(
        self, kind: ParagraphKind, label: str, line: Line, text: str | None = None, level: int = 0
    ) -> None:
        self.flush()
        self.current = _Draft(
            kind, label, self.state.part, self.state.section(), heading_level=level
        )
        self.current.add(line, text)

    def heading(self, line: Line, level: int) -> None:
        part = PART_LINE.match(line.text)
        if part:
            self.flush()
            self.state.part = part_name(part)
            self.state.expected = 1
            self.state.operative_seen = False
            self.state.headings = []
        elif _CHAPTER.match(line.text):
            self.state.part = None
        self.start(
            ParagraphKind.HEADING, self.state.labels.next(ParagraphKind.HEADING), line, level=level
        )

    def body(self, line: Line, prev: Line | None) -> None:
        current = self.current
        numbered = _NUMBERED.match(line.text)
        if numbered and self._continues_numbering(int(numbered.group(1)), line, prev):
            number = int(numbered.group(1))
            self.state.expected = number + 1
            self.state.operative_seen = True
            self.start(ParagraphKind.OPERATIVE, str(number), line, numbered.group(2))
            return
        if (
            current is not None
            and current.kind is ParagraphKind.HEADING
            and self._continues_heading(current, line)
        ):
            current.add(line)
            return
        if (
            current is not None
            and current.kind is ParagraphKind.PREAMBULAR
            and prev is not None
            and prev.text.endswith(",")
            and _PREAMBULAR_TURN.match(line.text)
            and not _inside_quotation(current)
        ):
            self.start(
                ParagraphKind.PREAMBULAR, self.state.labels.next(ParagraphKind.PREAMBULAR), line
            )
            return
        sub_item = _LETTERED.match(line.text) or numbered
        if (
            current is not None
            and (sub_item or not line.indented)
            and current.kind is not ParagraphKind.HEADING
        ):
            current.add(line)
            return
        if (
            current is not None
            and current.kind is not ParagraphKind.HEADING
            and not current.lines[-1].text.endswith(_TERMINAL)
            and line.text[:1].islower()
        ):
            current.add(line)
            return
        if not self.state.operative_seen and is_preambular_opening(line.text):
            self.start(
                ParagraphKind.PREAMBULAR, self.state.labels.next(ParagraphKind.PREAMBULAR), line
            )
        else:
            self.start(ParagraphKind.PROSE, self.state.labels.next(ParagraphKind.PROSE), line)

    def _continues_numbering(self, number: int, line: Line, prev: Line | None) -> bool:
        expected = self.state.expected
        if number == expected:
            return True
        # Tolerate a paragraph number lost in extraction, but only at a clean break.
        closed = prev is None or prev.text.endswith((".", ";", ":"))
        return expected < number <= expected + 2 and closed and self.state.operative_seen

    def _continues_heading(self, current: _Draft, line: Line) -> bool:
        if _wraps_resolution_title(current, line):
            return True
        last = current.lines[-1].text
        if line.indented or _heading_level(line.text, self.state) is not None:
            return False
        if len(last) < 50:
            return False
        if _NAMED_HEADING.match(current.first_text):
            return not last.endswith((".", ":"))
        return not last.endswith(_TERMINAL) and len(current.lines) < 4 and len(line.text) < 120


def detect_paragraphs(body: Body, doc_id: str) -> list[Paragraph]:
    """Paragraphs in reading order from the body lines of a document."""
    lines = body.lines
    builder = _Builder(doc_id, vocabulary(lines))
    title_rest = 0
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        if title_rest and builder.current is not None:
            builder.current.add(line)
            title_rest -= 1
            continue
        numbered = _NUMBERED.match(line.text)
        title = _part_title_lines(lines, i) if _after_part_heading(builder) else 0
        if title:
            builder.heading(line, 1)
            title_rest = title - 1
            continue
        if numbered and builder._continues_numbering(int(numbered.group(1)), line, prev):
            level = None
        else:
            level = _heading_level(line.text, builder.state)
            after_heading = (
                builder.current is not None and builder.current.kind is ParagraphKind.HEADING
            )
            if level is None:
                title = _title_lines(lines, i, prev, after_heading)
                if title and not _inside_heading(builder, line):
                    builder.heading(line, 1)
                    title_rest = title - 1
                    continue
        if level is not None and not _inside_heading(builder, line):
            builder.heading(line, level)
        else:
            builder.body(line, prev)
    builder.flush()
    for note in body.footnotes:
        builder.out.append(
            Paragraph(
                doc_id=doc_id,
                label=f"fn{note.number}",
                kind=ParagraphKind.FOOTNOTE,
                text=note.text,
                page_start=note.page,
                page_end=note.page,
                char_start=note.start,
                char_end=note.end,
                order=len(builder.out),
            )
        )
    return _unique_footnotes(builder.out)


def _inside_quotation(draft: _Draft) -> bool:
    """Whether a quotation (a title cited in the text) is still open at the draft's end."""
    text = " ".join(draft.texts())
    return text.count("“") > text.count("”")


def _wraps_resolution_title(current: _Draft, line: Line) -> bool:
    """A resolution's numbered title ("79/325. Terms of reference ...") runs on, unindented,
    until the blank line above "The General Assembly," however short its lines."""
    return (
        current.kind is ParagraphKind.HEADING
        and _RESOLUTION_TITLE.match(current.first_text) is not None
        and len(current.lines) < 4
        and line.page == current.lines[-1].page
        and not line.after_blank
        and not line.indented
        and not current.lines[-1].text.endswith(_TERMINAL)
        and _heading_level(line.text, _State()) is None
    )


def _after_part_heading(builder: _Builder) -> bool:
    """Whether the paragraph being built is a one-line part heading ("Annex II")."""
    current = builder.current
    return (
        current is not None
        and current.kind is ParagraphKind.HEADING
        and len(current.lines) == 1
        and PART_LINE.match(current.first_text) is not None
    )


def _part_title_lines(lines: Sequence[Line], i: int) -> int:
    """How many lines, from ``lines[i]``, form the title printed under a part heading.

    An annex prints its title ("Global Digital Compact", "Declaration on Future
    Generations") right under "Annex I", wrapped over at most three lines that end without
    closing punctuation; the block ends at a blank line, an indented line, a numbered
    paragraph or a heading. 0 when the text under the part heading is no such title.
    """
    first = lines[i]
    if not first.text[:1].isupper() or _NUMBERED.match(first.text) or _LETTERED.match(first.text):
        return 0
    count = 1
    while i + count < len(lines) and count <= 3:
        nxt = lines[i + count]
        if (
            nxt.after_blank
            or nxt.indented
            or nxt.page != first.page
            or _NUMBERED.match(nxt.text)
            or _heading_level(nxt.text, _State()) is not None
        ):
            break
        count += 1
    block = lines[i : i + count]
    if count > 3 or block[-1].text.endswith(_TERMINAL) or sum(len(ln.text) for ln in block) > 200:
        return 0
    return count


def _inside_heading(builder: _Builder, line: Line) -> bool:
    """A wrapped heading line ("Action 6. ... social / cohesion.") is not a new heading."""
    current = builder.current
    if current is not None and _wraps_resolution_title(current, line):
        return True
    return (
        current is not None
        and current.kind is ParagraphKind.HEADING
        and _NAMED_HEADING.match(current.first_text) is not None
        and not current.lines[-1].text.endswith((".", ":"))
        and len(current.lines[-1].text) >= 50
        and not line.indented
        and PART_LINE.match(line.text) is None
    )


def _unique_footnotes(paragraphs: list[Paragraph]) -> list[Paragraph]:
    seen: dict[str, int] = {}
    out = []
    for p in paragraphs:
        if p.kind is ParagraphKind.FOOTNOTE:
            n = seen.get(p.label, 0)
            seen[p.label] = n + 1
            if n:
                p = replace(p, label=f"{p.label}.{n + 1}")
        out.append(p)
    return out


def pdf_paragraphs(pages: Sequence[str], doc_id: str) -> list[Paragraph]:
    """Paragraphs of a PDF from the text of its pages."""
    return detect_paragraphs(page_body(pages), doc_id)
