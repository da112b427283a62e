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
#: One or more UN symbols ("A/RES/80/173", "A/80/L.41*"). Each symbol is matched atomically,
#: so a line of many slashes ("AL/AL/AL/...") is rejected in linear time, not exponential.
_SYMBOL_LINE = re.compile(r"^(?:(?>[A-Z]{1,6}(?:/[A-Z0-9.\-]+)+)[*\s−-]*)+$")
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
#: Lines that open the body of a resolution or decision: its numbered title, the organ
#: adopting it, or the closing meeting line. No front matter follows them.
_BODY_OPENER = re.compile(
    r"^(?:\d{2,3}/\d{1,4}\.\s+\S|The (?:General Assembly|Economic and Social Council"
    r"|Security Council)\b|\d+(?:st|nd|rd|th) plenary meeting$)"
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of body text: where it starts and ends in the document text, on which page.

    ``text`` is the line cleaned (white space collapsed, footnote marks taken out), so it
    can be shorter than the source it comes from, ``start`` to ``end``.
    """

    text: str
    page: int
    start: int
    end: int
    indented: bool
    after_blank: bool = False


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


def _header_block_end(lines: list[tuple[str, int]]) -> int:
    """Index of the job-number-and-page line that closes a page's running header, else -1.

    The UN running header (symbol, running title over one to five lines, then a line such as
    ``25-20874 2/20``) always ends with that line, so everything above it is header even when
    the title is not recognised as a running line, as in a two- or three-page resolution
    whose odd and even pages print symbol and title in a different order.
    """
    seen = 0
    for i, (raw, _) in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        seen += 1
        if seen > HEADER_WINDOW:
            return -1
        if _JOB_AND_PAGE.match(text):
            has_body = any(rest.strip() for rest, _ in lines[i + 1 :])
            return i if has_body else -1
    return -1


def _strip_edges(
    lines: list[tuple[str, int]], running: frozenset[str], first_page: bool
) -> list[tuple[str, int]]:
    """Drop header lines at the top and footer lines at the bottom of a page."""
    seen = 0
    limit = 25 if first_page else HEADER_WINDOW
    last_chrome = -1
    header_end = -1 if first_page else _header_block_end(lines)
    for i, (raw, _) in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        seen += 1
        if seen > limit or (first_page and _BODY_OPENER.match(text)):
            break
        if (
            i <= header_end
            or _is_chrome(text, running)
            or (first_page and _FRONT_MATTER.match(text))
        ):
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
        rule = _unruled_footnotes(lines)
    if rule is None:
        return lines, []
    notes: list[Footnote] = []
    for raw, offset in lines[rule + 1 :]:
        text = raw.strip()
        if not text:
            continue
        match = _FOOTNOTE_START.match(text)
        if match and (not notes or raw[:1].isspace() or int(match.group(1)) == _next(notes)):
            notes.append(
                Footnote(match.group(1), match.group(2), page_no, offset, offset + len(raw))
            )
        elif notes:
            last = notes[-1]
            notes[-1] = Footnote(
                last.number, f"{last.text} {text}", last.page, last.start, offset + len(raw)
            )
    return lines[:rule], notes


def _unruled_footnotes(lines: list[tuple[str, int]]) -> int | None:
    """Index of the blank line over a footnote block printed without a rule, else None.

    Some reports (A/80/62) print footnotes under a blank line only. A block is taken for
    footnotes only when it runs to the foot of the page, each footnote opens on an indented
    line with its number ("  2 A/RES/79/1."), the numbers are consecutive, no blank line
    breaks it, and at least one of them is printed as a mark fused to the body text above
    ("humanity.2"), so a numbered list or a table at a page end stays body text. Up to three
    unindented lines may come first: the end of a footnote begun on the page before.
    """
    for i, (raw, _) in enumerate(lines):
        if raw.strip():
            continue
        head = lines[i + 1 : i + 5]
        first = next((k for k, (text, _) in enumerate(head) if _opens_footnote(text)), None)
        if first is None:
            continue
        if any(not text.strip() or text[:1].isspace() for text, _ in head[:first]):
            continue
        numbers = _footnote_numbers(lines, i + 1 + first)
        if numbers and _marked_above(lines[:i], numbers):
            return i
    return None


def _opens_footnote(raw: str) -> bool:
    return raw[:1].isspace() and _FOOTNOTE_START.match(raw.strip()) is not None


def _footnote_numbers(lines: list[tuple[str, int]], start: int) -> list[int]:
    """The consecutive numbers that open the footnotes of the block from ``lines[start]`` to
    the end, or [] if it is none."""
    numbers: list[int] = []
    for k in range(start, len(lines)):
        raw = lines[k][0]
        text = raw.strip()
        if not text:
            if any(lines[j][0].strip() for j in range(k, len(lines))):
                return []
            break
        match = _FOOTNOTE_START.match(text)
        if match and _opens_footnote(raw):
            number = int(match.group(1))
            if numbers and number != numbers[-1] + 1:
                return []
            numbers.append(number)
    return numbers


def _marked_above(lines: list[tuple[str, int]], numbers: list[int]) -> bool:
    body = "\n".join(raw.strip() for raw, _ in lines)
    return any(
        re.search(rf"(?<=[A-Za-z.,;:”’\")]){n}(?=[\s,.;:]|$)", body, flags=re.MULTILINE)
        for n in numbers
    )


def _next(notes: list[Footnote]) -> int:
    return int(notes[-1].number) + 1


#: Words after which a number is a reference ("article 19", "Goals 3 and 5"), never a mark.
_NUMBERING_WORDS = frozenset(
    {
        "action",
        "actions",
        "add",
        "annex",
        "annexes",
        "appendix",
        "article",
        "articles",
        "box",
        "category",
        "chapter",
        "chapters",
        "commitment",
        "corr",
        "decision",
        "decisions",
        "figure",
        "goal",
        "goals",
        "indicator",
        "item",
        "items",
        "level",
        "no",
        "objective",
        "objectives",
        "option",
        "page",
        "pages",
        "para",
        "paragraph",
        "paragraphs",
        "part",
        "parts",
        "phase",
        "pillar",
        "principle",
        "principles",
        "priority",
        "protocol",
        "recommendation",
        "recommendations",
        "resolution",
        "resolutions",
        "rev",
        "rule",
        "rules",
        "schedule",
        "sdg",
        "sdgs",
        "section",
        "sections",
        "session",
        "stage",
        "step",
        "table",
        "target",
        "targets",
        "tier",
        "track",
        "vol",
        "volume",
    }
)
#: What follows a number that is a quantity or a date, not a footnote mark.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:(?:to|and|or|[-–—])\s*\d|per\b|%|million|billion|trillion|years?\b|months?\b"
    r"|weeks?\b|days?\b|hours?\b|(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\b)"
)


def _is_spaced_mark(match: re.Match[str]) -> bool:
    """Whether a footnote number standing apart from the word before it is a superscript.

    Extraction leaves a superscript either with a wide gap after it ("Goals 6  and"), or
    after punctuation ("Commitment, 1 which") or a capitalised name ("Persons with
    Disabilities 7 affirms"), where a figure in running text rarely stands. Numbers that
    open a quantity or a date ("on 10 June", ", 3 to 5 per cent") or follow a numbering
    word ("Article 7", "Goals 3 and 5") are figures and stay.
    """
    before = match.string[: match.start()]
    after = match.string[match.end() :]
    if re.match(r"\s{2,}\S", after):
        return True
    if _QUANTITY_AFTER.match(after) or after[:2].strip() in {"(", "/", "-", "–"}:
        return False
    if re.search(r"[.,;:”’\"]$", before):
        return True
    word = re.search(r"([A-Za-z]+)$", before)
    if word is None or word.group(1).lower() in _NUMBERING_WORDS:
        return False
    return word.group(1)[:1].isupper() and (not after.strip() or after[1:2].islower())


def _remove_footnote_marks(text: str, numbers: frozenset[str]) -> str:
    """Remove superscript footnote numbers that extraction fused to the text.

    Only numbers that are footnotes on the same page are touched, and only where they are
    glued to a word or punctuation ("Rights.2"), or stand apart in the way a superscript
    does (see :func:`_is_spaced_mark`), so figures such as "resolution 70/1" stay.
    """
    if not numbers:
        return text
    alternatives = "|".join(sorted(numbers, key=len, reverse=True))
    fused = re.compile(rf"(?<=[a-z).,;:”’\"])(?:{alternatives})(?=[\s,.;:]|$)")
    spaced = re.compile(rf"(?<=\S)[^\S\n]+(?:{alternatives})(?=\s|$)")
    text = spaced.sub(lambda m: "" if _is_spaced_mark(m) else m.group(0), text)
    return fused.sub("", text)


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
                end = offset + len(text.rstrip())
                lines.append(Line(clean, page_no, offset + lead, end, lead > 0, blank))
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


#: Words after a line-end hyphen that mark it as suspended ("zero- and low-emission").
_SUSPENDED_HYPHEN = re.compile(r"(?:and|or|nor|to)\s")
_LINE_END_HYPHEN = re.compile(r"\b([A-Za-z]+) ?-$")
_TAIL_WINDOW = 200


def join_lines(parts: Sequence[str], words: frozenset[str]) -> str:
    """Join wrapped lines into one paragraph, mending line-end hyphens and split words.

    A hyphen at a line end is dropped only when the document spells the joined word whole
    elsewhere ("develop-" + "ment"); it stays, with no space, in compounds ("multi-" +
    "stakeholder", "Secretary-" + "General"; extraction sometimes puts a space before it,
    "people -" + "centred"), and keeps its space when it is suspended before "and", "or" or
    "to" ("zero-" + "and low-emission"). A range of numbers closes up ("2021–" + "2025").
    """
    text = ""
    for part in parts:
        if not text:
            text = part
            continue
        if re.match(r"\((?:[a-z]{1,2}|[ivxl]+)\)\s|\d{1,2}\.\s", part):
            text = f"{text}\n{part}"
            continue
        head = re.match(r"[A-Za-z]+", part)
        # Only the end of the text is searched, so joining many lines stays linear.
        window = len(text) - _TAIL_WINDOW if len(text) > _TAIL_WINDOW else 0
        tail = _LINE_END_HYPHEN.search(text, window)
        if tail and head and not _SUSPENDED_HYPHEN.match(part):
            joined = (tail.group(1) + head.group(0)).lower()
            hyphen = "" if part[:1].islower() and joined in words else "-"
            text = text[: tail.end(1)] + hyphen + part
            continue
        if re.match(r"\d[–-]", text[-2:]) and part[:1].isdigit():
            text = f"{text}{part}"
            continue
        text = f"{text} {part}"
    return repair_split_words(mend_spaced_hyphens(text), words)


def mend_spaced_hyphens(text: str) -> str:
    """Close the space extraction puts before a hyphen ("people -centred" -> "people-centred").

    A hyphen after "and", "or" or "to" is a suspended prefix ("country-owned and -driven")
    and keeps its space; UN texts print dashes as spaced en dashes, never as " -".
    """
    return re.sub(r"(?<![A-Za-z])(?!(?:and|or|nor|to) )([A-Za-z]+) -(?=[A-Za-z])", r"\1-", text)


_SHORT_WORDS = frozenset(
    {
        "a",
        "i",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
    }
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
