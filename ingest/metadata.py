"""The metadata a document states about itself: UN symbol, title, date and kind.

Pure functions over the text that :mod:`ingest.readers` produced (one string per PDF page,
or one string for a whole Markdown, HTML, Word or text file). Nothing here opens a file or
calls a model, so the rules can be tested on hand-written strings.

The rules follow how the UN prints its documents, not any particular file:

* the page-1 header block: ``United Nations  A/RES/80/173`` ... ``Distr.: General``
  followed by the issue date;
* resolutions: ``Resolution adopted by the General Assembly`` and a title line numbered
  ``80/173. ...``; drafts: an ``L.`` symbol and a ``... draft resolution`` line before the
  title; reports and notes: the title followed by ``Report of the Secretary-General`` or
  ``Note by the Secretariat``; sessional reports in the Official Records: body, session and
  supplement on the cover; publications without a symbol: the running head and the imprint;
* stakeholder submissions (Markdown, web pages): front matter, the opening heading and the
  submitting organisation.

The file name is a last-resort hint for the kind only; it never supplies a symbol, title or
date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from corpus.dates import MONTHS
from corpus.model import DocumentKind

#: How many leading PDF pages :func:`extract_metadata` needs: the header block is on
#: page 1, and a publication's running head must be seen on at least two inner pages.
PAGES_NEEDED = 4

_DATE = r"\d{1,2}\s+(?:" + "|".join(MONTHS) + r")\s+\d{4}"

#: One UN symbol: a body prefix and slash-separated components ("A/C.2/80/L.17",
#: "E/CN.16/2025/4"); a trailing "*" marks a reissue and is not part of the symbol.
_SYMBOL_PART = r"[A-Z]+(?:\.\d+)?(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+\*?"
#: Joint symbols are printed with a hyphen, en dash or minus sign between the parts.
_JOINT_SYMBOL = rf"{_SYMBOL_PART}(?:\s*[-‐–−]\s*{_SYMBOL_PART})*"
_HEADER_SYMBOL = re.compile(rf"United Nations\s+({_JOINT_SYMBOL})(?=\s|$)")
_BARE_SYMBOL_LINE = re.compile(rf"^\s*({_JOINT_SYMBOL})\s*$")

_DISTR_DATE = re.compile(rf"Distr\.:\s*\w+\s+({_DATE})")
_REISSUE = re.compile(rf"Reissued for technical reasons on ({_DATE})", re.IGNORECASE)
#: An imprint or Official Records line ending in the year: "Geneva, 2025",
#: "Official Records, 2025", "United Nations • New York, 2025".
_IMPRINT_YEAR = re.compile(r"(?m)\b[A-Z][a-z]+(?: [A-Z][a-z]+)*,\s+((?:19|20)\d{2})\s*$")
_LABELLED_DATE = re.compile(rf"\bDate\b[^:\n]{{0,40}}:\s*({_DATE})", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")

_RESOLUTION_NUMBER = re.compile(r"^\s*((?:[A-Z]+-)?\d+/\d+)\.\s+\S")
_ADOPTED = re.compile(r"Resolution adopted by the\s+(?:General Assembly|Economic and Social)")
_DRAFT_LINE = re.compile(
    r"\bdraft (?:resolution|decision|outcome document|declaration)\b", re.IGNORECASE
)
#: A draft whose heading is its title ("Draft outcome document of the ...").
_TITLED_DRAFT = re.compile(
    r"^(?:(?:Zero|Revised|Final) )?[Dd]raft (?:outcome document|declaration|programme) of\b"
)
_PREAMBLE_OPENER = re.compile(
    r"^(?:The (?:General Assembly|Economic and Social Council|Security Council|Human Rights"
    r" Council|Commission)\b|We,\s)"
)
_TRANSMITTAL = re.compile(
    r"^(?:Report|Note|Letter) (?:of|by|from) the\s+\S.*$|^(?:Co-Chairs|Chair)['’]s? summary$"
)
_OFFICIAL_RECORDS = re.compile(
    r"^(General Assembly|Economic and Social Council|Security Council|Trade and Development"
    r" Board)\s+Official Records,?\s*(\d{4})?\s*(Supplement No\. \d+(?:\s*\([^)]*\))?)?",
)
_RECORDS_ABBREVIATIONS = {
    "General Assembly": "GAOR",
    "Economic and Social Council": "ESCOR",
    "Security Council": "SCOR",
    "Trade and Development Board": "TDBOR",
}
_SUBMISSION_CUE = re.compile(
    r"\b(?:input(?:s)? to|submission|submitted by|contribution to|comments on)\b",
    re.IGNORECASE,
)
_ORGANISATION_WORDS = re.compile(
    r"\b(?:Union|Organi[sz]ation|Society|Centre|Center|Institute|Foundation|Association"
    r"|Council|Commission|Agency|Programme|Fund|Forum|Network|Coalition|Alliance|Federation"
    r"|Group|Consortium|Chamber|Initiative|Committee)\b"
)
_PAGE_NUMBER = re.compile(r"^(?:\d+|[ivxl]{1,6}|[IVXL]{1,6})$")
_HIDDEN_MARKUP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|br|tr|td|dt|dd|dl|title|section|article|header|footer|body)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
_INLINE_MARKUP = re.compile(r"<[^>]+>|\*\*|__|^#+\s*", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    """What a document says about itself; ``None`` where it does not say."""

    symbol: str | None
    title: str | None
    date: str | None
    kind: DocumentKind


def extract_metadata(pages: Sequence[str], filename: str, fmt: str) -> DocumentMetadata:
    """Recover symbol, title, date and kind from a document's own text.

    ``pages`` are PDF page texts in order (the first few are enough), or a single string
    holding a whole text-like file; ``fmt`` is "pdf", "markdown", "html", "docx" or "text".
    ``filename`` only breaks ties for the kind when the text gives no sign.
    """
    texts = [_normalise(page) for page in pages] or [""]
    front_matter, body = ({}, texts[0]) if fmt == "pdf" else split_front_matter(texts[0])
    if fmt != "pdf":
        body = _strip_markup(body)
        texts = [body]
    symbol = find_symbol(body)
    kind = classify(body, symbol, filename, fmt)
    title = find_title(texts, symbol, kind, front_matter)
    date = find_date(texts, kind, front_matter)
    return DocumentMetadata(symbol=symbol, title=title, date=date, kind=kind)


# --- symbol -------------------------------------------------------------------------------


def find_symbol(first_page: str) -> str | None:
    """The symbol in the page-1 header block, joint symbols joined with "-".

    The header ("United Nations  A/80/62*−E/2025/12*") may sit at the top or, in reports
    laid out by Geneva, at the bottom of page 1; a cover may instead carry the symbol alone
    on one of its first lines. Symbols quoted in the text ("(A/80/L.41)") are not taken.
    """
    match = _HEADER_SYMBOL.search(first_page)
    if match is None:
        for line in first_page.splitlines()[:5]:
            match = _BARE_SYMBOL_LINE.match(line)
            if match:
                break
    if match is None or not any(ch.isdigit() for ch in match.group(1)):
        return None
    parts = re.split(r"\s*[-‐–−]\s*(?=[A-Z]+(?:\.\d+)?/)", match.group(1))
    return "-".join(part.rstrip("*") for part in parts)


# --- kind ---------------------------------------------------------------------------------


def classify(first_page: str, symbol: str | None, filename: str, fmt: str) -> DocumentKind:
    """The document's kind, from its symbol first, then from how its first page reads.

    A "/RES/" symbol or an adoption line makes a resolution; an "L." symbol (limited
    distribution, which is how the UN issues drafts) a draft; any other symbol a report or
    note. Without a symbol, a self-described input or submission is a submission, a paper
    headed by a draft resolution is a draft, and otherwise a PDF is a published report while
    a text file is taken to be a submission, the file name tipping the balance if it names
    one of the kinds.
    """
    if symbol:
        parts = symbol.split("-")[0].split("/")
        if "RES" in parts or _ADOPTED.search(first_page[:2000]):
            return DocumentKind.RESOLUTION
        if any(re.fullmatch(r"L\.\d+", part) for part in parts):
            return DocumentKind.DRAFT
        return DocumentKind.REPORT
    opening = first_page[:2000]
    if _ADOPTED.search(opening):
        return DocumentKind.RESOLUTION
    if _SUBMISSION_CUE.search(opening):
        return DocumentKind.SUBMISSION
    if _DRAFT_LINE.search(opening):
        return DocumentKind.DRAFT
    hinted = _kind_from_filename(filename)
    if hinted is not None:
        return hinted
    return DocumentKind.REPORT if fmt == "pdf" else DocumentKind.SUBMISSION


def _kind_from_filename(filename: str) -> DocumentKind | None:
    """A weak hint used only when the text says nothing: "..._input_...", "draft", "report"."""
    name = filename.lower()
    if re.search(r"input|submission|contribution|comments", name):
        return DocumentKind.SUBMISSION
    if re.search(r"(?<![a-z])res(?![a-z])|resolution", name):
        return DocumentKind.RESOLUTION
    if "draft" in name:
        return DocumentKind.DRAFT
    if "report" in name:
        return DocumentKind.REPORT
    return None


# --- title --------------------------------------------------------------------------------


def find_title(
    texts: Sequence[str], symbol: str | None, kind: DocumentKind, front_matter: dict[str, str]
) -> str | None:
    """The title as the document prints it, by where each kind of document prints it."""
    first = texts[0]
    blocks = paragraphs(first)
    if kind is DocumentKind.SUBMISSION or front_matter:
        return _submission_title(blocks, front_matter)
    if kind is DocumentKind.RESOLUTION:
        title = _resolution_title(blocks, symbol)
        if title:
            return title
    if kind is DocumentKind.DRAFT:
        title = _draft_title(blocks)
        if title:
            return title
    return (
        _official_records_title(_blocks(first))
        or _transmitted_title(_blocks(first), first)
        or _running_head_title(texts)
    )


def paragraphs(text: str) -> list[str]:
    """Text blocks as pypdf lays them out, each joined into one string."""
    return [_join_lines(lines) for lines in _blocks(text)]


def _blocks(text: str) -> list[list[str]]:
    """Lines grouped into blocks: a block ends at a blank line, and a line that starts
    indented opens a new block (pypdf indents headings and title lines, not their
    continuation lines)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip() or (line[:1].isspace() and current):
            if current:
                blocks.append(current)
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        blocks.append(current)
    return blocks


def _join_lines(lines: Sequence[str]) -> str:
    """One string from wrapped lines; a line ending in a hyphen joins the next without space."""
    out = ""
    for line in lines:
        if out.endswith("-") and not out.endswith(" -"):
            out += line
        else:
            out = f"{out} {line}" if out else line
    return re.sub(r"\s+", " ", out).strip()


def _resolution_title(blocks: Sequence[str], symbol: str | None) -> str | None:
    """The numbered title line ("80/173. Outcome document of ..."), number included.

    When the symbol is known the number must agree with it, so a resolution quoted on
    page 1 is not taken for the document's own.
    """
    expected = None
    if symbol and "/RES/" in symbol:
        expected = symbol.split("-")[0].split("/RES/")[-1]
    for block in blocks:
        match = _RESOLUTION_NUMBER.match(block)
        if match and (expected is None or match.group(1) == expected):
            return block
    return None


def _draft_title(blocks: Sequence[str]) -> str | None:
    """The block after the "... draft resolution" line, or, when a draft adopts a text
    ("Adopts the following outcome document ...:"), that text's heading."""
    for index, block in enumerate(blocks):
        if _TITLED_DRAFT.match(block):
            return block
        if _DRAFT_LINE.search(block) and len(block) < 400:
            following = blocks[index + 1 : index + 6]
            if following and not _PREAMBLE_OPENER.match(following[0]):
                return following[0]
            for previous, block_after in pairwise(following):
                if previous.endswith(":") and not _PREAMBLE_OPENER.match(block_after):
                    return block_after
            return None
    return None


def _transmitted_title(blocks: Sequence[list[str]], first_page: str) -> str | None:
    """A report or note: the title block, then "Report of the Secretary-General" or
    "Note by the Secretariat" (its first line only: the summary may run on below it),
    with the reissue date where the document was reissued."""
    for index, lines in enumerate(blocks[1:], start=1):
        if _TRANSMITTAL.match(lines[0]):
            title = f"{_join_lines(blocks[index - 1]).rstrip('.')}. {lines[0]}"
            reissue = _REISSUE.search(first_page)
            return f"{title} (reissued {reissue.group(1)})" if reissue else title
    return None


def _official_records_title(blocks: Sequence[list[str]]) -> str | None:
    """A sessional report in the Official Records, cited as UN staff cite it: "Commission
    ..., Report on the twenty-eighth session (7–11 April 2025), ESCOR 2025 Suppl. No. 11".

    The cover reads: "United Nations" (the publisher, dropped), the body, the report and
    session, then the Official Records line with year and supplement number.
    """
    for index, lines in enumerate(blocks):
        match = _OFFICIAL_RECORDS.match(_join_lines(lines))
        if not match:
            continue
        heading = [
            _join_lines([line for line in block if line != "United Nations"])
            for block in blocks[:index]
            if not _is_symbol(_join_lines(block))
        ]
        heading = [block for block in heading if block]
        if not heading:
            return None
        organ, year, supplement = match.groups()
        records = " ".join(
            part
            for part in (
                _RECORDS_ABBREVIATIONS[organ],
                year,
                supplement.replace("Supplement", "Suppl.") if supplement else None,
            )
            if part
        )
        return ", ".join([*heading, records])
    return None


def _running_head_title(texts: Sequence[str]) -> str | None:
    """A publication without a symbol: the running head its inner pages share (title,
    subtitle, part), read as "Title: Subtitle (Part)"."""
    heads = [_head_lines(text) for text in texts[1:]]
    firsts = Counter(head[0] for head in heads if head)
    if not firsts:
        return None
    first_line, count = firsts.most_common(1)[0]
    if count < 2:
        return None
    shared = [head for head in heads if head and head[0] == first_line]
    common: list[str] = []
    for lines in zip(*shared, strict=False):
        if len(set(lines)) != 1 or _PAGE_NUMBER.match(lines[0]):
            break
        common.append(lines[0])
    if not common:
        return None
    title = common[0]
    if len(common) > 1:
        title += f": {common[1]}"
    if len(common) > 2:
        title += f" ({' '.join(common[2:])})"
    return title


def _head_lines(text: str) -> list[str]:
    """The first few non-blank lines of a page, where a running head sits."""
    return [line.strip() for line in text.splitlines() if line.strip()][:4]


def _submission_title(blocks: Sequence[str], front_matter: dict[str, str]) -> str | None:
    """A submission's title with its submitter: "Input to the WSIS+20 Zero Draft
    (International Telecommunication Union)".

    Front matter gives a web page's title, often shortened; an opening heading or bold
    lead that starts the same way is the fuller printed title and wins. Without front
    matter the first block is the title, and a following line naming an organisation is
    the submitter.
    """
    title = front_matter.get("title")
    author = next(
        (
            front_matter[key]
            for key in ("organization", "organisation", "publisher", "source", "submitted_by")
            if front_matter.get(key)
        ),
        None,
    )
    if title:
        stem = _drop_trailing_parenthesis(title).casefold()
        fuller = next(
            (
                _lead_phrase(block)
                for block in blocks[:5]
                if _lead_phrase(block).casefold().startswith(stem)
            ),
            None,
        )
        if fuller and len(fuller) > len(title):
            title = fuller
    elif blocks:
        title = blocks[0]
        if author is None and len(blocks) > 1 and _names_organisation(blocks[1]):
            author = blocks[1]
    if not title:
        return None
    title = _drop_trailing_parenthesis(title) if author else title
    return f"{title} ({_organisation_name(author)})" if author else title


def _lead_phrase(block: str) -> str:
    """The phrase a block opens with before "was submitted"/"is ...", or the whole block
    when it is short enough to be a heading."""
    match = re.match(r"(.{10,300}?)\s+(?:was|were|is|are|has been)\s", block)
    return match.group(1) if match else block


def _names_organisation(line: str) -> bool:
    """Whether a short line reads as an organisation's name ("International ... Union")."""
    return len(line) < 120 and bool(_ORGANISATION_WORDS.search(line)) and "." not in line


def _organisation_name(name: str) -> str:
    """The submitter as named in the title: "The Centre for Internet and Society (CIS)"
    becomes "Centre for Internet and Society"."""
    name = _drop_trailing_parenthesis(name.strip().strip("\"'"))
    return re.sub(r"^The\s+", "", name)


def _drop_trailing_parenthesis(text: str) -> str:
    """Drops a trailing acronym in parentheses ("... Internet (WGEC)")."""
    return re.sub(r"\s*\([A-Z][A-Za-z0-9&.\- ]{0,15}\)\s*$", "", text.strip())


def _is_symbol(block: str) -> bool:
    return _BARE_SYMBOL_LINE.match(block) is not None


# --- date ---------------------------------------------------------------------------------


def find_date(texts: Sequence[str], kind: DocumentKind, front_matter: dict[str, str]) -> str | None:
    """The issue date as printed: the header's "Distr.: General 19 December 2025"; for
    Official Records and publications, the year of the imprint ("Geneva, 2025"); for
    submissions, the front matter or a "Date ...:" line, else the year the text speaks of
    most (an estimate for undated papers)."""
    joined = "\n".join(texts)
    match = _DISTR_DATE.search(joined)
    if match:
        return _squash(match.group(1))
    if kind is not DocumentKind.SUBMISSION and not front_matter:
        imprint = _IMPRINT_YEAR.search(joined)
        return imprint.group(1) if imprint else None
    iso = _ISO_DATE.match(front_matter.get("date", ""))
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        if 1 <= month <= 12:
            return f"{day} {MONTHS[month - 1]} {year}"
    labelled = _LABELLED_DATE.search(joined)
    if labelled:
        return _squash(labelled.group(1))
    years = Counter(_YEAR.findall(joined))
    if not years:
        return None
    return max(years, key=lambda year: (years[year], year))


# --- text helpers -------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-style front matter ("---" ... "---") as flat key: value strings, and the rest.

    Only scalar values are kept; lists and nested values are not needed for metadata.
    """
    match = re.match(r"\A\s*---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            value = value.strip()
            if value and not value.startswith("["):
                fields[key.strip().lower()] = value.strip("\"'")
    return fields, text[match.end() :]


def _strip_markup(text: str) -> str:
    """Markdown/HTML text without tags, emphasis markers and heading hashes, so that the
    layout rules see the words as they would be printed."""
    text = _HIDDEN_MARKUP.sub("\n", text)
    text = _BLOCK_TAG.sub("\n\n", text)
    return _INLINE_MARKUP.sub("", text)


def _normalise(text: str) -> str:
    """Non-breaking and odd spaces as plain spaces, so patterns need not know them."""
    return re.sub(r"[\u00a0\u2007\u202f\u2009]", " ", text).replace("\r\n", "\n")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
