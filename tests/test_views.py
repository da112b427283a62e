"""What the app shows, without the app: answers and exports, context with highlights,
coverage, documents, uploads, versions, amendments and agreed language, over a real index of
four real documents."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from assistant import render
from assistant.app import uploads, views
from assistant.app.uploads import UploadRejected
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD, coverage
from assistant.prompts import CLOSEST_MATCHES
from assistant.render import coverage as shown
from assistant.retrieval import Filters

pytestmark = pytest.mark.corpus

FILES = ("A_RES_80_173.pdf", "A_RES_79_277.pdf", "A_80_L.41.pdf", "ITU_input_WSIS20_zero_draft.md")
PARA_45 = "What does paragraph 45 of A/RES/80/173 say?"
OFF_TOPIC = "What is the recipe for apple pie?"
HOSTILE = (
    "1. Members shall <script>alert('x')</script> protect the zebra archive of Quillmouth & "
    "its tamarind gardens. They report every year.\n\n"
    "2. The Quillmouth archive keeps <b>bold</b> records of tamarind harvests.\n"
)


@pytest.fixture(scope="module")
def assistant(build_assistant):
    """An Assistant over a real Chroma index of four real documents, in a tmp folder."""
    return build_assistant("services", FILES)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- Pure functions --------------------------------------------------------------------------


def test_pieces_merge_overlapping_and_touching_spans() -> None:
    assert render.pieces("one two three four", [(4, 13), (0, 7)]) == [
        ("one two three", True),
        (" four", False),
    ]
    assert render.pieces("a b", []) == [("a b", False)]
    assert render.pieces("abc", [(0, 1), (1, 3)]) == [("abc", True)]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\evil.PDF", "evil.pdf"),
        ("/abs/path/report.docx", "report.docx"),
        ("my..report...html", "my.report.html"),
        ("a\x00b\x1f c.md", "ab c.md"),
        ("rés<o>lu:tion?.md", "rés_o_lu_tion.md"),
        ("...hidden.md", "hidden.md"),
    ],
)
def test_upload_names_are_sanitized(given: str, expected: str) -> None:
    assert uploads.sanitize_upload_name(given) == expected


def test_long_upload_names_are_cut_keeping_the_suffix() -> None:
    name = uploads.sanitize_upload_name("x" * 300 + ".pdf")
    assert len(name) == uploads.MAX_UPLOAD_NAME
    assert name.endswith(".pdf")


@pytest.mark.parametrize("given", ["virus.exe", "archive.tar.gz", "noext", "..", "", "../.md"])
def test_unusable_upload_names_are_rejected_naming_the_file(given: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        uploads.sanitize_upload_name(given)
    assert f"“{given}”" in str(caught.value)


def test_unknown_type_message_lists_the_supported_ones() -> None:
    with pytest.raises(UploadRejected, match=r"unsupported file type '\.exe'.*\.pdf"):
        uploads.sanitize_upload_name("virus.exe")


def test_oversize_and_empty_uploads_are_rejected(tmp_path: Path) -> None:
    from corpus.settings import Settings

    settings = Settings(max_upload_mb=1, index_dir=tmp_path / "index")
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(UploadRejected, match=r"“big.md” is 1.0 MB; the limit is 1 MB"):
        uploads.check_upload(big, settings)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(UploadRejected, match="empty"):
        uploads.check_upload(empty, settings)
    fine = tmp_path / "fine.md"
    fine.write_text("# Title\n\nSome words here.", encoding="utf-8")
    assert uploads.check_upload(fine, settings, name="../../fine.md") == "fine.md"


def test_with_uploads_adds_the_uploads_folder_once(tmp_path: Path) -> None:
    from corpus.settings import Settings

    settings = Settings(corpus_dirs=[tmp_path / "corpus"], index_dir=tmp_path / "x" / "index")
    once = uploads.with_uploads(settings)
    assert once.corpus_dirs == [tmp_path / "corpus", tmp_path / "x" / "uploads"]
    assert not (tmp_path / "x" / "uploads").exists(), "made by the first upload, not before"
    assert uploads.with_uploads(once).corpus_dirs == once.corpus_dirs


def test_write_download_names_files_by_content(tmp_path: Path) -> None:
    first = views.write_download("a,b\n", "answer-What/is ../this?", ".csv", tmp_path)
    again = views.write_download("a,b\n", "answer-What/is ../this?", ".csv", tmp_path)
    assert first == again and first.parent == tmp_path
    assert first.name.startswith("answer-What-is-this-") and first.suffix == ".csv"
    assert first.read_text(encoding="utf-8") == "a,b\n"


# --- Over the index --------------------------------------------------------------------------


def test_answer_with_citations_chips_and_exports(assistant) -> None:
    view = views.ask_view(assistant, PARA_45)
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    assert paragraph is not None
    assert view.chips == [("A/RES/80/173 para. 45", paragraph.id)]
    assert view.chips_label == views.CITATIONS_LABEL
    assert "(A/RES/80/173, para. 45)" in view.text
    assert view.data["citations"][0]["paragraph"] == "45"
    assert "electronic waste" in view.html and "<blockquote" in view.html

    assert view.csv_file is not None and view.markdown_file is not None
    rows = _rows(view.csv_file.read_text(encoding="utf-8"))
    assert list(rows[0]) == list(render.ANSWER_CSV_COLUMNS)
    assert rows == [
        {
            "symbol": "A/RES/80/173",
            "paragraph": "45",
            "part": "",
            "section": paragraph.section,
            "pages": "8",
            "text": paragraph.text,
        }
    ]
    markdown = view.markdown_file.read_text(encoding="utf-8")
    assert markdown.startswith(f"# {PARA_45}\n")
    assert "## Sources" in markdown
    assert "**A/RES/80/173, para. 45**" in markdown
    assert paragraph.text in markdown


def test_abstention_shows_closest_matches_as_not_answers(assistant) -> None:
    answer = assistant.ask(OFF_TOPIC)
    assert answer.abstained
    view = views.ask_view(assistant, OFF_TOPIC)
    assert view.chips_label == CLOSEST_MATCHES == "Closest matches (not answers)"
    assert CLOSEST_MATCHES in view.html
    assert "do not appear to address" in view.html
    assert f"{CLOSEST_MATCHES}:" in view.text
    assert len(view.chips) == len(answer.closest) == min(3, len(answer.hits))
    assert view.markdown_file is not None
    assert f"## {CLOSEST_MATCHES}" in view.markdown_file.read_text(encoding="utf-8")


def test_a_bad_question_becomes_an_error_message(assistant) -> None:
    view = views.ask_view(assistant, "   ")
    assert "wsis-error" in view.html and "empty" in view.html
    assert view.chips == [] and view.csv_file is None


def test_question_text_is_escaped_in_the_answer(assistant) -> None:
    question = "<img src=x onerror=alert(1)> What is the recipe for apple pie?"
    view = views.ask_view(assistant, question)
    assert "<img" not in view.html
    assert view.markdown_file is not None


def test_context_shows_neighbours_section_page_link_and_highlights(assistant) -> None:
    view = views.ask_view(assistant, PARA_45)
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    out = views.context_html(assistant, paragraph.id, view.data)
    assert "A/RES/80/173" in out
    assert "Environmental impacts" in out
    assert "Page 8" in out
    assert 'href="/document/A_RES_80_173#page=8"' in out
    for label in ("43", "44", "46", "47"):
        assert f"para. {label}</span>" in out
    assert out.count("<mark>") == 1
    assert "<mark>We are further concerned about the volume of electronic waste" in out
    assert "wsis-current" in out
    assert "no paragraph" in views.context_html(assistant, "nope")
    assert views.context_html(assistant, "") == ""


def test_coverage_groups_by_document_in_document_order_above_threshold(assistant) -> None:
    result = coverage(assistant, "gender digital divide")
    assert result.threshold == DEFAULT_COVERAGE_THRESHOLD
    assert result.total > 0
    names = [g.document.name for g in result.groups]
    assert names == sorted(names)
    for group in result.groups:
        orders = [m.paragraph.order for m in group.matches]
        assert orders == sorted(orders)
        assert all(m.relevance >= result.threshold for m in group.matches)
        assert all(m.paragraph.doc_id == group.document.doc_id for m in group.matches)
    ids = {m.paragraph.id for g in result.groups for m in g.matches}
    lower = coverage(assistant, "gender digital divide", result.threshold - 0.3)
    higher = coverage(assistant, "gender digital divide", result.threshold + 0.3)
    lower_ids = {m.paragraph.id for g in lower.groups for m in g.matches}
    higher_ids = {m.paragraph.id for g in higher.groups for m in g.matches}
    assert higher_ids <= ids <= lower_ids
    assert len(lower_ids) > len(ids) > len(higher_ids)


def test_the_default_threshold_keeps_on_topic_paragraphs_only(assistant) -> None:
    """Guards the calibration of coverage: the paragraphs on submarine cables (the outcome's
    and ITU's proposal on the Advisory Body for Submarine Cable Resilience) are kept, and
    nothing that is not about cables; on the gender digital divide, the outcome's paragraph
    on it is kept, most of what is kept names women, girls or gender, and the rest is about
    digital divides (the language model counts the broader divide in)."""
    cables = coverage(assistant, "submarine cables")
    texts = [m.paragraph.text for g in cables.groups for m in g.matches]
    assert any("submarine cables" in text for text in texts)
    assert all("cable" in text.lower() for text in texts), texts
    gender = coverage(assistant, "gender digital divide")
    found = {(m.paragraph.doc_id, m.paragraph.label) for g in gender.groups for m in g.matches}
    assert ("A_RES_80_173", "22") in found
    texts = [m.paragraph.text.lower() for m in gender.matches]
    named = [t for t in texts if any(w in t for w in ("gender", "women", "girls"))]
    assert len(named) >= 0.6 * len(texts), texts
    assert all(t in named or "digital divide" in t for t in texts), texts


def test_coverage_lists_word_for_word_copies_in_each_document(assistant) -> None:
    result = coverage(assistant, "gender digital divide")
    by_doc = {g.document.doc_id: {m.paragraph.text for m in g.matches} for g in result.groups}
    adopted = assistant.catalog.find("A_RES_80_173", "22")
    assert adopted.text in by_doc["A_RES_80_173"]
    assert adopted.text in by_doc["A_80_L.41"], "the identical draft paragraph is listed too"


def test_coverage_view_exports_and_empty_result(assistant) -> None:
    view = views.coverage_view(assistant, "gender digital divide", documents=["A_RES_80_173"])
    result = coverage(
        assistant, "gender digital divide", filters=Filters(documents=("A_RES_80_173",))
    )
    rows = _rows(Path(view.csv_file).read_text(encoding="utf-8"))
    assert list(rows[0]) == list(shown.COVERAGE_CSV_COLUMNS)
    assert len(rows) == result.total
    assert all(float(r["relevance"]) >= result.threshold for r in rows)
    assert all((r["reason"] and r["reason"] in r["text"]) or " … " in r["reason"] for r in rows)
    assert list(view.frame.columns) == ["document", "paragraphs"]
    assert view.frame["paragraphs"].sum() == result.total
    assert list(view.frame["document"]) == ["A/RES/80/173"]
    assert view.data == shown.coverage_json(result)
    html = view.html
    assert html.count("<h3>") == len(result.groups)
    assert html.count("<mark>") >= result.total, "each paragraph's reason is marked"
    assert "(relevance " in html

    none = coverage(assistant, "gender digital divide", 1.0)
    assert none.groups == () and none.total == 0
    assert "No paragraph is about" in shown.coverage_summary(none)
    empty = views.coverage_view(assistant, "", 0.4)
    assert "wsis-error" in empty.html and empty.csv_file is None


def test_coverage_shows_the_topic_as_text_not_markup(assistant) -> None:
    html = views.coverage_view(assistant, "<script>alert(1)</script> gender").html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_matrix_view_selects_a_cell_by_its_place_in_the_image(assistant) -> None:
    view = views.matrix_view(assistant)
    assert view.image is not None and Path(view.image).read_bytes().startswith(b"\x89PNG")
    assert view.png_file == view.image
    table = _rows(Path(view.csv_file).read_text(encoding="utf-8"))
    assert [r["document"] for r in table] == [d["name"] for d in view.data["documents"]]
    row = view.cells["documents"].index("A_RES_80_173")
    column = view.cells["themes"].index("C5")
    x, y = shown.HeatmapCells(**view.cells["cells"]).centre(row, column)
    assert views.matrix_cell_at(view.cells, x, y) == ("C5", "A_RES_80_173")
    assert views.matrix_cell_at(view.cells, -5, y) is None
    html = views.matrix_cell_html(assistant, "C5", "A_RES_80_173")
    assert "C5 Confidence and security in A/RES/80/173" in html
    assert html.count('class="wsis-para"') == view.data["counts"][row][column]
    assert "no theme" in views.matrix_cell_html(assistant, "C99", "A_RES_80_173")


def test_documents_list_and_reading_view(assistant) -> None:
    rows = views.document_rows(assistant)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    by_name = {r[0]: r for r in rows}
    assert by_name["A/RES/80/173"][2] == "resolution"
    assert by_name["A/RES/80/173"][4] > 100
    out = views.document_html(assistant, "A_RES_80_173")
    assert "<h2>80/173. Outcome document" in out
    assert "para. 45" in out and "Environmental impacts" in out
    assert views.document_html(assistant, "A/RES/80/173") == out
    assert "no document" in views.document_html(assistant, "../../etc/passwd")


# --- Uploads (these change the index: keep them last) --------------------------


def test_upload_adds_a_document_that_can_be_asked_about(assistant, tmp_path: Path) -> None:
    before = set(assistant.catalog.documents)
    source = tmp_path / "quillmouth notes.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    steps: list[float] = []
    result = uploads.add_upload(
        assistant, source, name="../../quillmouth notes.txt", progress=lambda f, _d: steps.append(f)
    )
    folder = assistant.settings.uploads_path
    assert Path(result.document.path) == (folder / "quillmouth notes.txt").resolve()
    assert (folder / "quillmouth notes.txt").read_text(encoding="utf-8") == HOSTILE
    assert set(assistant.catalog.documents) == before | {"quillmouth_notes"}
    assert result.paragraphs == 2 and not result.replaced
    assert steps[-1] == 1.0 and steps == sorted(steps)
    assert not [p for p in folder.iterdir() if p.name.startswith(".staging")]

    answer = assistant.ask("What protects the zebra archive of Quillmouth?")
    assert answer.citations and answer.citations[0].document.doc_id == "quillmouth_notes"

    # A paragraph containing markup is shown as characters, highlights included.
    paragraph = assistant.catalog.find("quillmouth_notes", "1")
    out = views.context_html(assistant, paragraph.id, render.answer_json(answer))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in out
    assert "<mark>Members shall &lt;script&gt;" in out
    assert 'href="/document/quillmouth_notes"' in out
    reading = views.document_html(assistant, "quillmouth_notes")
    assert "<script>" not in reading and "&lt;b&gt;bold&lt;/b&gt;" in reading


def test_bad_uploads_change_nothing(assistant, tmp_path: Path) -> None:
    folder = assistant.settings.uploads_path
    files_before = sorted(p.name for p in folder.iterdir())
    documents_before = set(assistant.catalog.documents)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    message, changed = views.upload_view(assistant, broken)
    assert not changed and "broken.pdf" in message and "Nothing was changed" in message
    clash = tmp_path / "A_RES_80_173.md"
    clash.write_text("# A title\n\n1. Some paragraph with enough words in it.", encoding="utf-8")
    with pytest.raises(UploadRejected, match="already indexed"):
        uploads.add_upload(assistant, clash)
    message, changed = views.upload_view(assistant, None)
    assert not changed and "choose a file" in message
    assert sorted(p.name for p in folder.iterdir()) == files_before
    assert set(assistant.catalog.documents) == documents_before


# --- Versions, amendments and agreed language ------------------------------------------------


def test_a_change_row_marks_deletions_and_insertions_and_escapes_text() -> None:
    from assistant.drafting.versions import compare
    from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind

    def version(doc_id: str, symbol: str) -> Document:
        return Document(doc_id, doc_id, "0" * 64, symbol, "T", None, DocumentKind.DRAFT, 1)

    old = Paragraph("old", "3", ParagraphKind.OPERATIVE, "Welcomes <b>the</b> report of the Group;")
    new = Paragraph(
        "new", "4", ParagraphKind.OPERATIVE, "Takes note of <b>the</b> report of the Group;"
    )
    comparison = compare(version("old", "A/75/L.1"), [old], version("new", "A/75/L.2"), [new])
    row = render.comparison_html(comparison)
    assert "<del>Welcomes</del>" in row and "<ins>Takes note of</ins>" in row
    assert "&lt;b&gt;the&lt;/b&gt; report" in row and "<b>" not in row
    assert "para. 3" in row and "para. 4" in row and "modified, renumbered" in row


def test_compare_view_of_the_final_draft_and_the_outcome(assistant) -> None:
    view = views.compare_view(assistant, "A/80/L.41", "A_RES_80_173")
    assert (
        view.data["old"]["symbol"] == "A/80/L.41" and view.data["new"]["symbol"] == "A/RES/80/173"
    )
    counts = view.data["counts"]
    assert counts["modified"] == counts["added"] == counts["deleted"] == counts["moved"] == 0
    assert counts["unchanged"] == len(view.data["changes"]) > 150
    assert view.data["title_diff"] == [
        {"op": "insert", "text": "80/173."},
        {
            "op": "equal",
            "text": "Outcome document of the high-level meeting of the General Assembly on the "
            "overall review of the implementation of the outcomes of the World Summit on the "
            "Information Society",
        },
    ]
    assert '<table class="wsis-compare-table">' in view.html
    assert "<ins>80/173.</ins>" in view.html
    assert view.html.count('<tr class="wsis-change wsis-unchanged">') == counts["unchanged"]
    only = views.compare_view(assistant, "A/80/L.41", "A/RES/80/173", changes_only=True)
    assert "<tbody>" in only.html and '<tr class="wsis-change' not in only.html
    assert "wsis-error" in views.compare_view(assistant, "A/80/L.41", "A/RES/1/1").html
    assert "choose the two versions" in views.compare_view(assistant, "A/80/L.41", None).html


def test_what_changed_question_in_the_app(assistant) -> None:
    question = "What changed in paragraph 99 between the final draft and the outcome document?"
    view = views.ask_view(assistant, question)
    lead = '<p class="wsis-lead">Para. 99 of A/80/L.41 is unchanged in A/RES/80/173.</p>'
    assert lead in view.html and view.html.index(lead) < view.html.index("<blockquote")
    assert view.html.count("<blockquote") == 2
    assert [label for label, _ in view.chips] == ["A/80/L.41 para. 99", "A/RES/80/173 para. 99"]
    cited = {(c["symbol"], c["paragraph"]) for c in view.data["citations"]}
    assert cited <= {(h["symbol"], h["paragraph"]) for h in view.data["hits"]}


def test_amendments_view_marks_inserted_wording_and_uptake(assistant) -> None:
    view = views.amendments_view(assistant)
    assert view.data["counts"] == {"full": 2, "partial": 2, "none": 7}
    assert [v["symbol"] for v in view.data["versions"]] == ["A/80/L.41", "A/RES/80/173"]
    assert "<ins>as well as physical risks to the infrastructure.</ins>" in view.html
    assert "<mark>physical risks to infrastructure</mark>" in view.html
    assert "A/RES/80/173, para. 55" in view.html
    assert view.html.count('class="wsis-amendment wsis-uptake-none"') == 7


def test_precedent_view_lists_earlier_uses_oldest_first(assistant) -> None:
    phrase = (
        "the overall review of the implementation of the outcomes of the World Summit on the "
        "Information Society"
    )
    view = views.precedent_view(assistant, phrase, "A/RES/80/173")
    assert view.data["verdict"] == "agreed"
    assert view.data["first_adopted"]["symbol"] == "A/RES/79/277"
    assert view.data["occurrences"][0]["symbol"] == "A/RES/79/277"
    assert "<mark>the overall review of the implementation" in view.html
    assert "Agreed language: adopted before A/RES/80/173 in A/RES/79/277" in view.html
    assert "wsis-error" in views.precedent_view(assistant, "  ").html


def test_amendments_view_and_answers_offer_the_same_proposals(assistant) -> None:
    report = assistant.amendments()
    on_existing = [i for i in report.items if not i.new_paragraph]
    assert len(on_existing) == 6
    for item in on_existing:
        label = item.counterparts[-1].paragraph.label
        answer = assistant.ask(f"What does paragraph {label} of A/RES/80/173 say?")
        offered = [p.paragraph.target for p in answer.citations[0].amendments]
        assert item.target in offered, (label, item.target, offered)
