"""The answer object and its renderings, through the real ``Assistant`` over an in-memory
store (``fakes.MemoryStore``): what is quoted, where the spans point, the JSON contract, the
HTML, Markdown and CSV views, abstentions and direct references. Fast: no model, no Chroma.
"""

from __future__ import annotations

import csv
import io

import pytest
from contract import check_answer_json
from fakes import MemoryStore, WordHashEmbedder

from assistant import render
from assistant.api import Assistant
from assistant.prompts import CLOSEST_MATCHES, REFUSAL
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, ParsedDocument
from corpus.settings import Settings
from corpus.wording import sentence_spans

FORUM = (
    "Decides that the Internet Governance Forum shall be made a permanent forum of the "
    "United Nations. The Forum shall meet every year. Requests the Secretary-General to "
    "report on the Forum's secretariat and its financing."
)
BROADBAND = "Calls for affordable broadband for all schools and hospitals by 2030."
HOSTILE = "Notes the <script>alert('x')</script> & archive of Quillmouth zebra tamarind records."


def _document(doc_id: str, symbol: str, kind: DocumentKind) -> Document:
    return Document(doc_id, f"/data/{doc_id}.pdf", "0" * 64, symbol, "Outcome", None, kind, 3)


def _paragraphs(doc_id: str) -> tuple[Paragraph, ...]:
    texts = [FORUM, BROADBAND, HOSTILE, "Welcomes the gender equality work of all partners."]
    return tuple(
        Paragraph(doc_id, str(n), ParagraphKind.OPERATIVE, text, order=n, page_start=n)
        for n, text in enumerate(texts, start=1)
    )


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    adopted = ParsedDocument(
        _document("res", "A/RES/75/1", DocumentKind.RESOLUTION), _paragraphs("res")
    )
    draft = ParsedDocument(_document("draft", "A/75/L.1", DocumentKind.DRAFT), _paragraphs("draft"))
    embedder = WordHashEmbedder()
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    return Assistant(settings, store=MemoryStore([adopted, draft], embedder), embedder=embedder)


def test_sentence_spans_leave_spaces_out() -> None:
    text = "  First one. Second; Third:\nFourth  "
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "First one.",
        "Second;",
        "Third:",
        "Fourth",
    ]


def test_an_answer_quotes_spans_of_the_paragraph_it_cites(assistant: Assistant) -> None:
    answer = assistant.ask("Will the Internet Governance Forum become a permanent forum?")
    assert not answer.abstained
    quote = answer.quotes[0]
    assert quote.hit.citation == "A/RES/75/1, para. 1"
    assert quote.hit.identical_in == ("A/75/L.1",)  # the identical draft is noted, not quoted
    # Three sentences, two quoted: the two that share most with the question, in order.
    assert quote.passages == [
        "Decides that the Internet Governance Forum shall be made a permanent forum of the "
        "United Nations.",
        "The Forum shall meet every year.",
    ]
    text = render.answer_plain(answer)
    assert text.startswith(f"“{quote.passages[0]} {quote.passages[1]}” (A/RES/75/1, para. 1)")
    assert "[identical text in A/75/L.1]" in text


def test_left_out_sentences_show_as_an_ellipsis(assistant: Assistant) -> None:
    answer = assistant.ask("Who reports on the permanent Internet Governance Forum financing?")
    quote = next(q for q in answer.quotes if q.paragraph.label == "1")
    assert len(quote.spans) == 2
    gap = quote.paragraph.text[quote.spans[0][1] : quote.spans[1][0]]
    shown = render.quoted_text(quote)
    assert (" … " in shown) == bool(gap.strip())


def test_the_json_contract_carries_paragraph_ids_and_spans(assistant: Assistant) -> None:
    answer = assistant.ask("affordable broadband for schools", k=3)
    data = render.answer_json(answer, "q1")
    check_answer_json(data)
    assert data["id"] == "q1" and data["abstained"] is False
    assert len(data["hits"]) <= 3
    for citation in data["citations"]:
        hit = next(h for h in data["hits"] if h["paragraph_id"] == citation["paragraph_id"])
        assert hit["spans"] == citation["spans"] != []
        start, end = citation["spans"][0]
        assert citation["text"][start:end] in data["answer"]
    quoted = {c["paragraph_id"] for c in data["citations"]}
    assert all(h["spans"] == [] for h in data["hits"] if h["paragraph_id"] not in quoted)


def test_a_direct_reference_is_quoted_whole(assistant: Assistant) -> None:
    answer = assistant.ask("What does paragraph 1 of A/RES/75/1 say?")
    assert [q.hit.citation for q in answer.quotes] == ["A/RES/75/1, para. 1"]
    assert answer.quotes[0].whole
    assert render.quoted_text(answer.quotes[0]) == FORUM


def test_an_abstention_shows_the_closest_paragraphs_as_such(assistant: Assistant) -> None:
    answer = assistant.ask("What spectrum auction prices were set for satellites in Peru?")
    assert answer.abstained and answer.quotes == () and answer.citations == ()
    assert answer.closest == answer.hits[:3]
    text = render.answer_plain(answer)
    assert text.startswith(REFUSAL) and f"{CLOSEST_MATCHES}:" in text
    html = render.answer_html(answer)
    assert REFUSAL in html and CLOSEST_MATCHES in html and "<blockquote" not in html
    rows = list(csv.DictReader(io.StringIO(render.answer_csv(answer))))
    assert len(rows) == len(answer.closest)
    assert f"## {CLOSEST_MATCHES}" in render.answer_markdown(answer)


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "zh", "ar"])
def test_a_refusal_says_which_fact_the_closest_paragraphs_lack(
    assistant: Assistant, language: str
) -> None:
    from dataclasses import replace

    from assistant.prompts import voice

    answer = assistant.ask("What spectrum auction prices were set for satellites in Peru?")
    said = voice(language)
    plain = replace(answer, language=language)
    assert render.refusal(plain) == said.refusal
    for fact, sentence in (("number", said.no_number), ("time", said.no_time)):
        lacking = replace(plain, missing_fact=fact)
        assert render.refusal(lacking) == f"{said.refusal} {sentence}"
        assert render.answer_plain(lacking).startswith(f"{said.refusal} {sentence}")
        assert sentence in render.answer_json(lacking)["answer"]


def test_html_views_escape_document_text(assistant: Assistant) -> None:
    answer = assistant.ask("Quillmouth zebra tamarind archive records")
    assert any(q.paragraph.label == "3" for q in answer.quotes)
    html = render.answer_html(answer)
    assert "<script>" not in html and "&lt;script&gt;" in html
    paragraph = next(q.paragraph for q in answer.quotes if q.paragraph.label == "3")
    context = render.context_html(assistant.catalog, paragraph, [(0, 5)], 1, 1)
    assert "<mark>Notes</mark>" in context and "<script>" not in context
    assert context.count("<mark>") == 1
    assert 'href="/document/res#page=3"' in context


def test_the_markdown_and_csv_exports_list_the_sources(assistant: Assistant) -> None:
    answer = assistant.ask("affordable broadband for schools and hospitals")
    markdown = render.answer_markdown(answer)
    assert markdown.startswith("# affordable broadband") and "## Sources" in markdown
    assert "**A/RES/75/1, para. 2**" in markdown
    rows = list(csv.DictReader(io.StringIO(render.answer_csv(answer))))
    assert list(rows[0]) == list(render.ANSWER_CSV_COLUMNS)
    assert {"symbol": "A/RES/75/1", "paragraph": "2"}.items() <= rows[0].items()


def test_a_spreadsheet_formula_in_a_cell_is_defused() -> None:
    rows = [{"a": "=HYPERLINK(1)", "b": "-3"}, {"a": "+x", "b": "ok"}]
    text = render.to_csv(["a", "b"], rows)
    assert list(csv.DictReader(io.StringIO(text))) == [
        {"a": "'=HYPERLINK(1)", "b": "-3"},
        {"a": "'+x", "b": "ok"},
    ]


def test_changes_to_the_store_are_followed(tmp_path) -> None:
    first = ParsedDocument(
        _document("res", "A/RES/75/1", DocumentKind.RESOLUTION), _paragraphs("res")
    )
    store = MemoryStore([first])
    settings = Settings(index_dir=tmp_path, refresh_seconds=0)
    assistant = Assistant(settings, store=store, embedder=WordHashEmbedder())
    assert [d.document.name for d in assistant.documents()] == ["A/RES/75/1"]
    later = _document("later", "A/RES/75/2", DocumentKind.RESOLUTION)
    store.documents["later"] = later
    store.paragraphs.append(Paragraph("later", "1", ParagraphKind.OPERATIVE, BROADBAND))
    assert assistant.follow_changes() and store.reopened == 1
    assert [d.document.name for d in assistant.documents()] == ["A/RES/75/1", "A/RES/75/2"]
