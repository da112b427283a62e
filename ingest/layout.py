"""Page chrome out, body lines in: pure functions over the text pypdf extracts from UN PDFs.

UN documents carry a running header on every page (symbol, running title, job number and
page such as ``18-16895 2/10``), a front-page block (distribution, barcode, agenda item),
footnotes below a rule of underscores, and superscript footnote numbers fused to words.
This module turns the pages into :class:`Line` records of body text, each knowing its page
and its offset in the document text (the pages joined by newlines), plus the footnotes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

HEADER_WINDOW = 7
FOOTER_WINDOW = 3

_JOB_AND_PAGE = re.compile(
    r"^(?:\d{1,4}/\d{1,4}\s+(?:GE\.)?\d{2}-\d{5}|(?:GE\.)?\d{2}-\d{5}\s+\d{1,4}/\d{1,4})$"
)
_JOB_NUMBER = re.compile(r"^(?:GE\.)?\d{2}-\d{5}\s*(?:\(E\))?(?:\s+\d{6})?$")
_BARCODE = re.compile(r"^\*\d{6,}\*$")
_PAGE_NUMBER = re.compile(r"^(?:\d{1,4}|\d{1,4}/\d{1,4}|-\s*\d{1,4}\s*-|Page \d+)$")
_SYMBOL_LINE = re.compile(r"^(?:[A-Z]{1,6}(?:/[A-Z0-9.\-]+)+[*\s−-]*)+$")
_FRONT_MATTER = re.compile(
    r"^(?:United Nations(?:\s+[A-Z]{1,6}(?:/\S+)+.*)?|General Assembly|Economic and Social Council"
    r"|Security Council|Distr\.:.*|Original:.*|Limited|"
    r"(?:[A-Z][a-z]+-)?[A-Za-z]+ (?:session|special session)|Agenda items? .*|Item \d+.* agenda.*"
    r"|(?:First|Second|Third|Fourth|Fifth|Sixth) Committee|\d{1,2} [A-Z][a-z]+ \d{4}"
    r"|\*+ .*|Official Records.*|Supplement No\. \d+|Resolution adopted by .*|\[.*\]?|.*\]"
    r"|Decision adopted by .*)$"
)
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")
_FOOTNOTE_START = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_PLENARY = re.compile(r"^\d+(?:st|nd|rd|th) plenary meeting$")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of body text: where it starts in the document text and on which page."""

    text: str
    page: int
    start: int
    indented: bool
    after_blank: bool = False

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class Footnote:
    number: str
    text: str
    page: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Body:
    lines: tuple[Line, ...]
    footnotes: tuple[Footnote, ...]


def document_text(pages: Sequence[str]) -> str:
    """The text that character offsets refer to: the pages joined by newlines."""
    return "\n".join(pages)


def _shape(line: str) -> str:
    """A line with its numbers blurred, so running headers match across pages."""
    return re.sub(r"\d+", "#", " ".join(line.split()))


def running_lines(pages: Sequence[str]) -> frozenset[str]:
    """Shapes of lines that recur near the top or bottom of many pages: running headers."""
    if len(pages) < 3:
        return frozenset()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [ln for ln in page.splitlines() if ln.strip()]
        edge = lines[:HEADER_WINDOW] + lines[-FOOTER_WINDOW:]
        counts.update({_shape(ln) for ln in edge})
    threshold = max(2, int(0.3 * len(pages)))
    return frozenset(shape for shape, n in counts.items() if n >= threshold and len(shape) > 1)


def _is_chrome(text: str, running: frozenset[str]) -> bool:
    return bool(
        _JOB_AND_PAGE.match(text)
        or _JOB_NUMBER.match(text)
        or _BARCODE.match(text)
        or _PAGE_NUMBER.match(text)
        or _SYMBOL_LINE.match(text)
        or _shape(text) in running
    )


def _raw_lines(page: str, page_start: int) -> list[tuple[str, int]]:
    out, offset = [], page_start
    for raw in page.split("\n"):
        out.append((raw, offset))
        offset += len(raw) + 1
    return out


def _strip_edges(
    lines: list[tuple[str, int]], running: frozenset[str], first_page: bool
) -> list[tuple[str, int]]:
    """Drop header lines at the top and footer lines at the bottom of a page."""
    start = 0
    seen = 0
    limit = 25 if first_page else HEADER_WINDOW
    last_chrome = -1
    for i, (raw, _) in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        seen += 1
        if seen > limit:
            break
        if _is_chrome(text, running) or (first_page and _FRONT_MATTER.match(text)):
            last_chrome = i
        elif not first_page:
            break
    start = last_chrome + 1
    end = len(lines)
    seen = 0
    for i in range(len(lines) - 1, start - 1, -1):
        text = lines[i][0].strip()
        if not text:
            end = i
            continue
        seen += 1
        if seen > FOOTER_WINDOW or not _is_chrome(text, running):
            break
        end = i
    return lines[start:end]


def _split_footnotes(
    lines: list[tuple[str, int]], page_no: int
) -> tuple[list[tuple[str, int]], list[Footnote]]:
    """Footnotes sit below a rule of underscores at the foot of the page."""
    rule = next((i for i, (raw, _) in enumerate(lines) if _FOOTNOTE_RULE.match(raw.strip())), None)
    if rule is None:
        return lines, []
    notes: list[Footnote] = []
    for raw, offset in lines[rule + 1 :]:
        text = raw.strip()
        if not text:
            continue
        match = _FOOTNOTE_START.match(text)
        if match and (not notes or raw[:1].isspace() or int(match.group(1)) == _next(notes)):
            notes.append(Footnote(match.group(1), match.group(2), page_no, offset, offset + len(raw)))
        elif notes:
            last = notes[-1]
            notes[-1] = Footnote(
                last.number, f"{last.text} {text}", last.page, last.start, offset + len(raw)
            )
    return lines[:rule], notes


def _next(notes: list[Footnote]) -> int:
    return int(notes[-1].number) + 1


def _remove_footnote_marks(text: str, numbers: frozenset[str]) -> str:
    """Remove superscript footnote numbers that extraction fused to the text.

    Only numbers that are footnotes on the same page are touched, and only where they are
    glued to a word or punctuation ("Rights.2"), or stand after punctuation with the wide gap
    a superscript leaves ("Commitment, 1  which"), so figures such as "resolution 70/1" stay.
    """
    if not numbers:
        return text
    alternatives = "|".join(sorted(numbers, key=len, reverse=True))
    fused = re.compile(rf"(?<=[a-z).,;:”’\"])(?:{alternatives})(?=[\s,.;:]|$)")
    spaced = re.compile(rf"(?<=[.,;:”’\"])\s+(?:{alternatives})(?=\s{{2,}}|\s*$)")
    return fused.sub("", spaced.sub("", text))


def page_body(pages: Sequence[str]) -> Body:
    """Body lines of the whole document, with headers, footers and footnotes taken out."""
    running = running_lines(pages)
    lines: list[Line] = []
    footnotes: list[Footnote] = []
    page_start = 0
    for index, page in enumerate(pages):
        page_no = index + 1
        raw = _strip_edges(_raw_lines(page, page_start), running, first_page=index == 0)
        raw, notes = _split_footnotes(raw, page_no)
        footnotes.extend(notes)
        marks = frozenset(n.number for n in notes)
        blank = False
        for text, offset in raw:
            stripped = text.strip()
            if not stripped or _PLENARY.match(stripped):
                blank = True
                continue
            lead = len(text) - len(text.lstrip())
            clean = " ".join(_remove_footnote_marks(stripped, marks).split())
            if clean:
                lines.append(Line(clean, page_no, offset + lead, lead > 0, blank))
            blank = False
        page_start += len(page) + 1
    return Body(tuple(_drop_closing_date(lines)), tuple(footnotes))


def _drop_closing_date(lines: list[Line]) -> list[Line]:
    """The date under the closing 'NNth plenary meeting' line is not a paragraph."""
    return [
        ln
        for i, ln in enumerate(lines)
        if not (
            re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", ln.text)
            and (i == len(lines) - 1 or not lines[i + 1].text[:1].islower())
            and i > 0
            and lines[i - 1].text.endswith((".", ";"))
        )
    ]


def vocabulary(lines: Sequence[Line]) -> frozenset[str]:
    """Lower-cased words of a document, used to repair words split by extraction safely."""
    return frozenset(w.lower() for ln in lines for w in re.findall(r"[A-Za-z]+", ln.text))


def join_lines(parts: Sequence[str], words: frozenset[str]) -> str:
    """Join wrapped lines into one paragraph, mending line-end hyphens and split words."""
    text = ""
    for part in parts:
        if not text:
            text = part
            continue
        if re.match(r"\((?:[a-z]{1,2}|[ivxl]+)\)\s|\d{1,2}\.\s", part):
            text = f"{text}\n{part}"
            continue
        head = re.match(r"[A-Za-z]+", part)
        tail = re.search(r"([A-Za-z]+) ?-$", text)
        if tail and head and part[:1].islower():
            joined = (tail.group(1) + head.group(0)).lower()
            if joined in words and f"{tail.group(1)}-{head.group(0)}".lower() not in words:
                text = text[: tail.end(1)] + part
            else:
                text = text[: tail.end(1)] + "-" + part
            continue
        text = f"{text} {part}"
    return repair_split_words(text, words)


_SHORT_WORDS = frozenset(
    ["a", "i", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no", "of", "on", "or", "so", "to", "up", "us", "we"]
)


def repair_split_words(text: str, words: frozenset[str]) -> str:
    """Rejoin words that extraction split ("progres s"), when the document spells them whole.

    Only a trailing fragment of one or two letters that is not itself a word is joined, so
    "to be" or "in a" are never touched.
    """

    def mend(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if right.lower() not in _SHORT_WORDS and (left + right).lower() in words:
            return left + right
        return match.group(0)

    return re.sub(r"\b([A-Za-z]{2,})\s([a-z]{1,2})\b", mend, text)
