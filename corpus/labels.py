"""How paragraphs are labelled, one set of rules for every format (PDF, Word, HTML,
Markdown, text). Pure.

Numbered paragraphs keep their printed number ("99"); a number printed twice in one part
becomes "99bis", a third time "99-3". Unnumbered paragraphs are labelled by position within
the document: ``pp1, pp2, …`` preambular paragraphs, ``p1, …`` other prose, ``h1, …``
headings, ``a1, …`` proposed amendments, ``fn4`` footnote 4 (by its printed number). Where
numbering restarts (an annex, an appendix, a draft resolution inside a report) the paragraphs
carry the ``part``'s name: "Annex I", "Draft resolution II".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import ParagraphKind

#: Label prefixes of unnumbered paragraphs, by kind.
PREFIXES = {
    ParagraphKind.HEADING: "h",
    ParagraphKind.PREAMBULAR: "pp",
    ParagraphKind.PROSE: "p",
    ParagraphKind.AMENDMENT: "a",
    ParagraphKind.FOOTNOTE: "fn",
}

#: The heading that opens a part: its word and, if any, its number or letter.
PART_HEADING = (
    r"(Annex(?:es)?|Appendix|Attachment|Draft (?:resolution|decision)|Enclosure)"
    r"(?:\s+([IVXL]{1,6}|\d{1,3}|[A-Z]))?"
)
#: A line that is a part heading and nothing else ("Annex I", "Draft resolution II:").
PART_LINE = re.compile(rf"^{PART_HEADING}\s*[.:]?$", re.IGNORECASE)
#: A heading that starts with a part heading ("Annex — Global Digital Compact").
PART_START = re.compile(rf"^{PART_HEADING}(?=$|[\s.:—–-])", re.IGNORECASE)


def part_name(match: re.Match[str]) -> str:
    """The part's name as labels carry it: "Annex I", "Draft resolution", "Appendix"."""
    word = match.group(1).capitalize()
    return f"{word} {match.group(2)}" if match.group(2) else word


@dataclass(slots=True)
class Labels:
    """Hands out the labels of one document as its paragraphs are read in order."""

    counters: dict[str, int] = field(default_factory=dict)
    used: set[tuple[str | None, str]] = field(default_factory=set)
    repeats: dict[tuple[str | None, str], int] = field(default_factory=dict)

    def next(self, kind: ParagraphKind) -> str:
        """The next positional label of an unnumbered paragraph of this kind."""
        prefix = PREFIXES[kind]
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]}"

    def claim(self, part: str | None, label: str) -> str:
        """The label, made unique within its part: a number printed twice becomes "12bis",
        a third time "12-3", and so on."""
        unique, n = label, self.repeats.get((part, label), 1)
        while (part, unique) in self.used:
            n += 1
            unique = f"{label}bis" if n == 2 else f"{label}-{n}"
        self.repeats[(part, label)] = n
        self.used.add((part, unique))
        return unique
