"""What a question names: documents (by symbol, resolution number, common name), recurring
resolutions (by title, and year), other resolutions (by year and subject), direct paragraph
references, and UN acronyms. Pure functions over strings.

The common names delegates use are kept in one table, :data:`COMMON_NAMES`, mapping a
phrase to a UN symbol (and, for the Global Digital Compact, the annex that holds it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from corpus.dates import MONTHS, month_number

#: Phrases delegates use for documents -> (symbol, part). Longest phrases are tried first.
COMMON_NAMES: dict[str, tuple[str, str | None]] = {
    "wsis+20 outcome document": ("A/RES/80/173", None),
    "wsis+20 outcome": ("A/RES/80/173", None),
    "wsis+20 resolution": ("A/RES/80/173", None),
    "outcome document": ("A/RES/80/173", None),
    "twenty-year review outcome": ("A/RES/80/173", None),
    "20-year review outcome": ("A/RES/80/173", None),
    "final draft": ("A/80/L.41", None),
    "draft outcome document": ("A/80/L.41", None),
    "modalities resolution": ("A/RES/79/277", None),
    "modalities for the review": ("A/RES/79/277", None),
    "pact for the future": ("A/RES/79/1", None),
    "the pact": ("A/RES/79/1", None),
    "global digital compact": ("A/RES/79/1", "Annex I"),
    "the compact": ("A/RES/79/1", "Annex I"),
    "doha political declaration": ("A/RES/80/5", "Annex"),
    "gdc": ("A/RES/79/1", "Annex I"),
    "declaration on future generations": ("A/RES/79/1", "Annex II"),
    "secretary-general's report": ("A/80/62-E/2025/12", None),
    "secretary-general’s report": ("A/80/62-E/2025/12", None),
    "report of the secretary-general": ("A/80/62-E/2025/12", None),
    "secretary-general's wsis report": ("A/80/62-E/2025/12", None),
    "secretary-general’s wsis report": ("A/80/62-E/2025/12", None),
    "wsis progress report": ("A/80/62-E/2025/12", None),
    "sg report": ("A/80/62-E/2025/12", None),
    "cstd report": ("E/2025/31-E/CN.16/2025/4", None),
    "report of the commission on science and technology": ("E/2025/31-E/CN.16/2025/4", None),
    "draft ecosoc resolution": ("E/2025/31-E/CN.16/2025/4", None),
    "sti forum": ("E/HLPF/2025/6", None),
    "co-chairs' summary": ("E/HLPF/2025/6", None),
    "co-chairs’ summary": ("E/HLPF/2025/6", None),
    "itu's input": ("ITU_input_WSIS20_zero_draft", None),
    "itu’s input": ("ITU_input_WSIS20_zero_draft", None),
    "itu input": ("ITU_input_WSIS20_zero_draft", None),
    "itu submission": ("ITU_input_WSIS20_zero_draft", None),
    "itu's proposals": ("ITU_input_WSIS20_zero_draft", None),
    "itu’s proposals": ("ITU_input_WSIS20_zero_draft", None),
    "itu's proposal": ("ITU_input_WSIS20_zero_draft", None),
    "itu’s proposal": ("ITU_input_WSIS20_zero_draft", None),
    "itu proposal": ("ITU_input_WSIS20_zero_draft", None),
    "itu's amendment": ("ITU_input_WSIS20_zero_draft", None),
    "itu’s amendment": ("ITU_input_WSIS20_zero_draft", None),
    "zero draft": ("ITU_input_WSIS20_zero_draft", None),
    "civil society input": ("CIS_inputs_to_WGEC_2016", None),
    "cis input": ("CIS_inputs_to_WGEC_2016", None),
    "wgec": ("CIS_inputs_to_WGEC_2016", None),
    "technology and innovation report": ("UNCTAD_TIR_2025_Overview.en", None),
    "unctad report": ("UNCTAD_TIR_2025_Overview.en", None),
    "right to privacy in the digital age": ("A/RES/79/175", None),
    "scientific panel on ai": ("A/RES/79/325", None),
    "independent international scientific panel": ("A/RES/79/325", None),
}

#: Resolutions the General Assembly adopts again each session under one title, by the names
#: delegates use for them -> that title. "The 2025 ICT resolution" is the one adopted in
#: 2025, "the ICT resolutions" every one of them in the index.
RECURRING_RESOLUTIONS: dict[str, str] = {
    "ict resolution": "Information and communications technologies for sustainable development",
    "ict-for-development resolution": (
        "Information and communications technologies for sustainable development"
    ),
    "ict4d resolution": "Information and communications technologies for sustainable development",
    "ict for development resolution": (
        "Information and communications technologies for sustainable development"
    ),
    "resolution on icts for sustainable development": (
        "Information and communications technologies for sustainable development"
    ),
    "resolution on ict for sustainable development": (
        "Information and communications technologies for sustainable development"
    ),
    "resolution on information and communications technologies for sustainable development": (
        "Information and communications technologies for sustainable development"
    ),
    "sti resolution": "Science, technology and innovation for sustainable development",
    "science, technology and innovation resolution": (
        "Science, technology and innovation for sustainable development"
    ),
    "resolution on science, technology and innovation for sustainable development": (
        "Science, technology and innovation for sustainable development"
    ),
    "digital human rights resolution": (
        "Promotion and protection of human rights in the context of digital technologies"
    ),
    "resolution on human rights in the context of digital technologies": (
        "Promotion and protection of human rights in the context of digital technologies"
    ),
}

#: UN acronyms and their expansions, added to queries so that either form matches.
ACRONYMS: dict[str, str] = {
    "IGF": "Internet Governance Forum",
    "WSIS": "World Summit on the Information Society",
    "CSTD": "Commission on Science and Technology for Development",
    "GDC": "Global Digital Compact",
    "ICT": "information and communications technology",
    "ICTs": "information and communications technologies",
    "AI": "artificial intelligence",
    "ITU": "International Telecommunication Union",
    "UNCTAD": "United Nations Conference on Trade and Development",
    "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
    "UNDP": "United Nations Development Programme",
    "UNGIS": "United Nations Group on the Information Society",
    "SDG": "Sustainable Development Goal",
    "SDGs": "Sustainable Development Goals",
    "LDC": "least developed country",
    "LDCs": "least developed countries",
    "SIDS": "small island developing States",
    "LLDCs": "landlocked developing countries",
    "DPI": "digital public infrastructure",
    "DPG": "digital public goods",
    "HLPF": "high-level political forum",
    "ECOSOC": "Economic and Social Council",
    "OEWG": "open-ended working group",
    "WGEC": "Working Group on Enhanced Cooperation",
    "STI": "science, technology and innovation",
    "GA": "General Assembly",
    "UN": "United Nations",
    "HRC": "Human Rights Council",
    "OHCHR": "Office of the High Commissioner for Human Rights",
    "MSMEs": "micro-, small and medium-sized enterprises",
    "PGA": "President of the General Assembly",
    "SG": "Secretary-General",
}

#: Plain words -> the wording UN texts use for the same thing, added to the lexical query so
#: that a question in everyday language still meets the paragraph that answers it.
PLAIN_WORDS: dict[str, str] = {
    "funding": "financing",
    "funds": "financing",
    "poorer countries": "developing countries",
    "poor countries": "developing countries least developed countries",
    "rich countries": "developed countries",
    "yearly": "annual",
    "every year": "annually",
    "every two years": "biennial",
    "how often": "annual biennial periodic",
    "cheap": "affordable",
    "cheaper": "affordable",
    "price": "cost",
    "prices": "costs",
    "companies": "private sector",
    "businesses": "private sector",
    "firms": "private sector",
    "ngos": "non-governmental organizations civil society",
    "take the floor": "speak",
    "shortcomings": "gaps challenges",
    "splintering": "fragmentation",
    "splinter": "fragmentation",
    "disabled people": "persons with disabilities",
    "kids": "children",
    "deadline": "by 2030",
    "go online": "connect Internet",
    "online": "Internet",
    "phones": "mobile",
    "jobs": "employment",
    "workers": "labour",
    "carbon footprint": "environmental impact emissions",
    "hate speech": "hate speech incitement",
    "fake news": "misinformation disinformation",
}

_SYMBOL = re.compile(
    r"\b((?:A|E|S|A/C\.\d|E/CN\.\d+|E/HLPF)/(?:RES/)?\d{2,4}/(?:L\.)?\d{1,4}(?:/Rev\.\d)?)",
    re.IGNORECASE,
)
_RESOLUTION_NUMBER = re.compile(r"\bresolution\s+(\d{2})/(\d{1,3})\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\w/])(\d{2})/(\d{1,3})(?![\w/])")
_PARAGRAPH_REF = re.compile(
    r"\b(?:(?:operative|op\.?)\s+)?(?:paragraphs?|paras?\.?|§|op\.?)\s*(\d{1,3})\b",
    re.IGNORECASE,
)
_ANNEX = re.compile(r"\bannex\s+([IVX]+|\d)\b", re.IGNORECASE)
#: A paragraph a submission proposes to add: "a new paragraph 20", "proposed new para. 127".
_NEW_PARAGRAPH_REF = re.compile(
    r"\bnew\s+(?:operative\s+)?(?:paragraphs?|paras?\.?|§)\s*(\d{1,3})\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """A document a question names: its symbol or doc id, and the annex if it names one."""

    symbol: str
    part: str | None = None


@dataclass(frozen=True, slots=True)
class NamedSeries:
    """Resolutions a question names by their recurring title ("the ICT resolutions"), and
    the year it names ("the 2025 ICT resolution"), if any."""

    title: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
class NamedSubject:
    """Resolutions a question names by the year of adoption and their subject, outside any
    recurring title: "the 2024 AI resolution", "the 2025 resolution on human rights and
    digital technologies". ``subject`` may run on into the question; the titles that share
    most of its words are the ones named."""

    year: int
    subject: str


@dataclass(frozen=True, slots=True)
class ParagraphReference:
    document: NamedDocument
    label: str


#: A year, or years joined ("2023 and 2025", "2023, 2024 and the 2025"): "the 2023 and 2025
#: ICT resolutions" names two.
_YEARS = r"(?:19|20)\d{2}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?(?:19|20)\d{2})*"


def _years(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"(?:19|20)\d{2}", text)]


@cache
def _name_patterns() -> list[tuple[re.Pattern[str], str, NamedDocument | str]]:
    """The phrases that name documents, longest first: (pattern, "series" or "document",
    the document or the series title)."""
    patterns: list[tuple[re.Pattern[str], str, NamedDocument | str]] = []
    for phrase in sorted(RECURRING_RESOLUTIONS, key=len, reverse=True):
        words = r"\s+".join(re.escape(w) for w in phrase.split()).replace(
            "resolution", "resolutions?"
        )
        pattern = re.compile(r"(?<![\w])(?:(" + _YEARS + r")\s+)?" + words + r"(?![\w])")
        patterns.append((pattern, "series", RECURRING_RESOLUTIONS[phrase]))
    for phrase in sorted(COMMON_NAMES, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])")
        patterns.append((pattern, "document", NamedDocument(*COMMON_NAMES[phrase])))
    return patterns


@lru_cache(maxsize=256)
def _name_spans(question: str) -> tuple[tuple[int, int, NamedDocument | NamedSeries], ...]:
    """Where the question names documents, leftmost-longest, without overlaps."""
    spans: list[tuple[int, int, NamedDocument | NamedSeries]] = []

    def add(start: int, end: int, *docs: NamedDocument | NamedSeries) -> None:
        if not any(s < end and start < e for s, e, _ in spans):
            spans.extend((start, end, doc) for doc in docs)

    for match in _SYMBOL.finditer(question):
        add(match.start(), match.end(), NamedDocument(match.group(1).upper()))
    for match in _RESOLUTION_NUMBER.finditer(question):
        add(match.start(), match.end(), NamedDocument(f"A/RES/{match.group(1)}/{match.group(2)}"))
    for match in _BARE_NUMBER.finditer(question):
        add(match.start(), match.end(), NamedDocument(f"A/RES/{match.group(1)}/{match.group(2)}"))
    lowered = question.lower()
    for pattern, kind, named in _name_patterns():
        for match in pattern.finditer(lowered):
            if kind == "series":
                years = _years(match.group(1)) if match.group(1) else [None]
                add(match.start(), match.end(), *(NamedSeries(str(named), y) for y in years))
            elif isinstance(named, NamedDocument):
                add(match.start(), match.end(), named)
    return tuple(sorted(spans, key=lambda span: span[0]))


def named_documents(question: str) -> list[NamedDocument]:
    """Documents the question names, in the order they appear."""
    docs = [doc for _, _, doc in _name_spans(question) if isinstance(doc, NamedDocument)]
    annex = _ANNEX.search(question)
    if annex and docs and docs[0].part is None:
        docs[0] = NamedDocument(docs[0].symbol, f"Annex {annex.group(1).upper()}")
    unique: list[NamedDocument] = []
    for doc in docs:
        if doc not in unique:
            unique.append(doc)
    return unique


def named_series(question: str) -> list[NamedSeries]:
    """Recurring resolutions the question names by title, in the order they appear."""
    found = [s for _, _, s in _name_spans(question) if isinstance(s, NamedSeries)]
    return list(dict.fromkeys(found))


_SUBJECT_BEFORE = re.compile(
    r"\b(" + _YEARS + r")\s+((?:[\w’'-]+\s+){0,3}?[\w’'-]+)\s+resolutions?\b", re.IGNORECASE
)
_SUBJECT_AFTER = re.compile(
    r"\b(" + _YEARS + r")\s+resolutions?\s+(?:on|about|concerning)\s+((?:[\w’'-]+\s*){1,8})",
    re.IGNORECASE,
)


def named_subjects(question: str) -> list[NamedSubject]:
    """Resolutions the question names by year and subject, where no symbol, common name or
    recurring title already names them."""
    taken = [(start, end) for start, end, _ in _name_spans(question)]
    found: list[NamedSubject] = []
    for pattern in (_SUBJECT_AFTER, _SUBJECT_BEFORE):
        for match in pattern.finditer(question):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            subject = match.group(2).strip()
            found.extend(NamedSubject(year, subject) for year in _years(match.group(1)))
    return found


_MONTH_YEAR = re.compile(rf"\b({'|'.join(MONTHS)})\s+((?:19|20)\d{{2}})\b", re.IGNORECASE)


def month_year_mentions(question: str) -> list[tuple[int, int]]:
    """(year, month) of each month the question names ("in December 2023"): documents
    dated then are the likely source."""
    return [
        (int(m.group(2)), month_number(m.group(1)) or 0) for m in _MONTH_YEAR.finditer(question)
    ]


def without_document_names(question: str) -> str:
    """The question with the words that name documents taken out, so that "the Global
    Digital Compact" scopes the search instead of matching every paragraph that mentions
    the Compact. Returns the question unchanged if nothing else would be left."""
    spans = _name_spans(question)
    if not spans:
        return question
    parts, last = [], 0
    for start, end, _ in spans:
        parts.append(question[last:start])
        last = end
    parts.append(question[last:])
    rest = " ".join(" ".join(parts).split())
    return rest if len(re.findall(r"[A-Za-z]{3,}", rest)) >= 2 else question


_ORDINALS = {
    word: n
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
        ],
        start=1,
    )
}
_PREAMBULAR_REF = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r"))\s+preambular\s+paragraph"
    r"|\bpreambular\s+paragraph\s+(\d{1,2})\b",
    re.IGNORECASE,
)


def paragraph_references(question: str) -> list[ParagraphReference]:
    """Direct references such as "paragraph 45 of A/RES/80/173", "GDC paragraph 48" or
    "the second preambular paragraph of resolution 79/277" (labelled ``pp2``)."""
    docs = named_documents(question)
    if not docs:
        return []
    refs = []
    for match in _PREAMBULAR_REF.finditer(question):
        number = match.group(1) or match.group(3) or str(_ORDINALS[match.group(2).lower()])
        refs.append(ParagraphReference(docs[0], f"pp{int(number)}"))
    if refs:
        return refs
    for match in _PARAGRAPH_REF.finditer(question):
        refs.append(ParagraphReference(docs[0], match.group(1)))
    return refs


def new_paragraph_references(question: str) -> list[str]:
    """The numbers of the new paragraphs a question asks about ("ITU's proposed new
    paragraph 127"), as a proposal's target names them ("new 127")."""
    return [f"new {m.group(1)}" for m in _NEW_PARAGRAPH_REF.finditer(question)]


@cache
def _word_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


def expansions(text: str) -> list[str]:
    """The expansion of each UN acronym the text uses and does not spell out itself."""
    return [ACRONYMS[acronym] for acronym in _unspelled(text)]


def spelled_out_in_place(text: str) -> str:
    """The text with each UN acronym it uses and does not spell out itself written as UN
    texts introduce one, its expansion first, at its first use: "Will the IGF become
    permanent?": "Will the Internet Governance Forum (IGF) become permanent?". An embedding
    model reads the name where it stands; appended at the end, it weighs less than the
    acronym, which paragraphs that only use the acronym match."""
    wanted = {acronym: f"{ACRONYMS[acronym]} ({acronym})" for acronym in _unspelled(text)}
    if not wanted:
        return text
    pattern = re.compile(
        rf"(?<![\w-])({'|'.join(map(re.escape, sorted(wanted, key=len, reverse=True)))})(?![\w-])"
    )
    done: set[str] = set()

    def spell(match: re.Match[str]) -> str:
        acronym = match.group(1)
        if acronym in done:
            return acronym
        done.add(acronym)
        return wanted[acronym]

    return pattern.sub(spell, text)


def _unspelled(text: str) -> list[str]:
    """The UN acronyms the text uses and does not spell out itself."""
    lowered = text.lower()
    return [
        acronym
        for acronym, expansion in ACRONYMS.items()
        if _word_pattern(acronym).search(text) and expansion.lower() not in lowered
    ]


def un_wording(text: str) -> list[str]:
    """The UN wording (:data:`PLAIN_WORDS`) for the plain words the text uses."""
    lowered = text.lower()
    return [
        wording for phrase, wording in PLAIN_WORDS.items() if _word_pattern(phrase).search(lowered)
    ]


def expand_acronyms(text: str) -> str:
    """The text with the expansion of each UN acronym it uses appended once."""
    extra = expansions(text)
    return f"{text} ({'; '.join(extra)})" if extra else text
