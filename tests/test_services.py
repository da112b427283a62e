"""What the app shows, without the app: answers and exports, context with highlights,
coverage, documents, uploads and evaluation, over a real index of four real documents."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from assistant import services
from assistant.services import UploadRejected

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


def test_highlight_escapes_everything_and_marks_quotes_across_line_breaks() -> None:
    text = 'Use <script>alert("x")</script> & more.\nSecond sentence here.'
    out = services.highlight(text, ['<script>alert("x")</script> & more. Second sentence'])
    assert "<script>" not in out
    assert out == (
        "Use <mark>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more.\nSecond "
        "sentence</mark> here."
    )
    assert services.highlight("a <b> c", []) == "a &lt;b&gt; c"


def test_highlight_merges_overlapping_passages() -> None:
    out = services.highlight("one two three four", ["one two", "two three"])
    assert out == "<mark>one two three</mark> four"


def test_quoted_passages_reads_blocks_ellipses_and_parenthesised_citations() -> None:
    text = (
        "“We are concerned. … All must act.” (A/RES/80/173, para. 22) [identical text in "
        "A/80/L.41]\n\n"
        "“Key to this effort (the cables) matters.” (INPUT TO THE ZERO DRAFT (ITU), "
        "unnumbered para. 16)\n\nNot a quote."
    )
    assert services.quoted_passages(text) == [
        "We are concerned.",
        "All must act.",
        "Key to this effort (the cables) matters.",
    ]


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
    assert services.sanitize_upload_name(given) == expected


def test_long_upload_names_are_cut_keeping_the_suffix() -> None:
    name = services.sanitize_upload_name("x" * 300 + ".pdf")
    assert len(name) == services.MAX_UPLOAD_NAME
    assert name.endswith(".pdf")


@pytest.mark.parametrize("given", ["virus.exe", "archive.tar.gz", "noext", "..", "", "../.md"])
def test_unusable_upload_names_are_rejected_naming_the_file(given: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        services.sanitize_upload_name(given)
    assert f"“{given}”" in str(caught.value)


def test_unknown_type_message_lists_the_supported_ones() -> None:
    with pytest.raises(UploadRejected, match=r"unsupported file type '\.exe'.*\.pdf"):
        services.sanitize_upload_name("virus.exe")


def test_oversize_and_empty_uploads_are_rejected(tmp_path: Path) -> None:
    from corpus.settings import Settings

    settings = Settings(max_upload_mb=1, index_dir=tmp_path / "index")
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(UploadRejected, match=r"“big.md” is 1.0 MB; the limit is 1 MB"):
        services.check_upload(big, settings)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(UploadRejected, match="empty"):
        services.check_upload(empty, settings)
    fine = tmp_path / "fine.md"
    fine.write_text("# Title\n\nSome words here.", encoding="utf-8")
    assert services.check_upload(fine, settings, name="../../fine.md") == "fine.md"


def test_with_uploads_adds_the_uploads_folder_once(tmp_path: Path) -> None:
    from corpus.settings import Settings

    settings = Settings(corpus_dirs=[tmp_path / "corpus"], index_dir=tmp_path / "x" / "index")
    once = services.with_uploads(settings)
    assert once.corpus_dirs == [tmp_path / "corpus", tmp_path / "x" / "uploads"]
    assert not (tmp_path / "x" / "uploads").exists(), "made by the first upload, not before"
    assert services.with_uploads(once).corpus_dirs == once.corpus_dirs


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    text = services._csv(("a", "b"), [{"a": "=HYPERLINK(1)", "b": "-3"}, {"a": "+x", "b": "ok"}])
    rows = _rows(text)
    assert rows == [{"a": "'=HYPERLINK(1)", "b": "-3"}, {"a": "'+x", "b": "ok"}]


def test_write_download_names_files_by_content(tmp_path: Path) -> None:
    first = services.write_download("a,b\n", "answer-What/is ../this?", ".csv", tmp_path)
    again = services.write_download("a,b\n", "answer-What/is ../this?", ".csv", tmp_path)
    assert first == again and first.parent == tmp_path
    assert first.name.startswith("answer-What-is-this-") and first.suffix == ".csv"
    assert first.read_text(encoding="utf-8") == "a,b\n"


# --- Over the index --------------------------------------------------------------------------


def test_answer_with_citations_chips_and_exports(assistant) -> None:
    view = services.ask_view(assistant, PARA_45)
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    assert paragraph is not None
    assert view.chips == [("A/RES/80/173 para. 45", paragraph.id)]
    assert view.chips_label == services.CITATIONS_LABEL
    assert "(A/RES/80/173, para. 45)" in view.text
    assert view.data["citations"][0]["paragraph"] == "45"
    assert "electronic waste" in view.html and "<blockquote>" in view.html

    assert view.csv_file is not None and view.markdown_file is not None
    rows = _rows(view.csv_file.read_text(encoding="utf-8"))
    assert list(rows[0]) == list(services.ANSWER_CSV_COLUMNS)
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
    answer = services.ask(assistant, OFF_TOPIC)
    assert answer.abstained
    view = services.ask_view(assistant, OFF_TOPIC)
    assert view.chips_label == services.CLOSEST_MATCHES_LABEL == "Closest matches — not answers"
    assert "Closest matches — not answers" in view.html
    assert "do not appear to address" in view.html
    assert view.text.startswith(answer.text.split("\n\n")[0])
    assert "Closest matches — not answers:" in view.text
    assert len(view.chips) == min(3, len(answer.hits))
    assert view.markdown_file is not None
    assert "## Closest matches — not answers" in view.markdown_file.read_text(encoding="utf-8")


def test_a_bad_question_becomes_an_error_message(assistant) -> None:
    view = services.ask_view(assistant, "   ")
    assert "wsis-error" in view.html and "empty" in view.html
    assert view.chips == [] and view.csv_file is None


def test_question_text_is_escaped_in_the_answer(assistant) -> None:
    question = "<img src=x onerror=alert(1)> What is the recipe for apple pie?"
    view = services.ask_view(assistant, question)
    assert "<img" not in view.html
    assert view.markdown_file is not None


def test_context_shows_neighbours_section_page_link_and_highlights(assistant) -> None:
    view = services.ask_view(assistant, PARA_45)
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    out = services.context_html(assistant, paragraph.id, view.text)
    assert "A/RES/80/173" in out
    assert "Environmental impacts" in out
    assert "Page 8" in out
    assert 'href="/document/A_RES_80_173#page=8"' in out
    for label in ("43", "44", "46", "47"):
        assert f"para. {label}</span>" in out
    assert out.count("<mark>") == 1
    assert "<mark>We are further concerned about the volume of electronic waste" in out
    assert "wsis-current" in out
    assert "no paragraph" in services.context_html(assistant, "nope")
    assert services.context_html(assistant, "") == ""


def test_coverage_groups_by_document_in_document_order_above_threshold(assistant) -> None:
    result = services.coverage(assistant, "gender digital divide")
    assert result.threshold == services.DEFAULT_COVERAGE_THRESHOLD
    assert result.total > 0
    names = [g.document.name for g in result.groups]
    assert names == sorted(names)
    for group in result.groups:
        orders = [m.paragraph.order for m in group.matches]
        assert orders == sorted(orders)
        assert all(m.score >= result.threshold for m in group.matches)
        assert all(m.paragraph.doc_id == group.document.doc_id for m in group.matches)
    ids = {m.paragraph.id for g in result.groups for m in g.matches}
    lower = services.coverage(assistant, "gender digital divide", result.threshold - 0.1)
    higher = services.coverage(assistant, "gender digital divide", result.threshold + 0.15)
    lower_ids = {m.paragraph.id for g in lower.groups for m in g.matches}
    higher_ids = {m.paragraph.id for g in higher.groups for m in g.matches}
    assert higher_ids <= ids <= lower_ids
    assert len(lower_ids) > len(ids) > len(higher_ids)


def test_the_default_threshold_keeps_on_topic_paragraphs_only(assistant) -> None:
    """Guards DEFAULT_COVERAGE_THRESHOLD against a retuning of the retrieval weights, which
    moves the score scale: the paragraphs on submarine cables (the outcome's and ITU's
    proposal on the Advisory Body for Submarine Cable Resilience) are kept, nothing else."""
    cables = services.coverage(assistant, "submarine cables")
    texts = [m.paragraph.text for g in cables.groups for m in g.matches]
    assert any("submarine cables" in text for text in texts)
    assert all("submarine cable" in text.lower() for text in texts), texts
    gender = services.coverage(assistant, "gender digital divide")
    found = {(m.paragraph.doc_id, m.paragraph.paragraph) for g in gender.groups for m in g.matches}
    assert ("A_RES_80_173", "22") in found
    assert all(
        "gender" in m.paragraph.text.lower() or "women" in m.paragraph.text.lower()
        for g in gender.groups
        for m in g.matches
    )


def test_coverage_lists_word_for_word_copies_in_each_document(assistant) -> None:
    result = services.coverage(assistant, "gender digital divide")
    by_doc = {g.document.doc_id: {m.paragraph.text for m in g.matches} for g in result.groups}
    adopted = assistant.catalog.find("A_RES_80_173", "22")
    assert adopted.text in by_doc["A_RES_80_173"]
    assert adopted.text in by_doc["A_80_L.41"], "the identical draft paragraph is listed too"


def test_coverage_exports_and_empty_result(assistant) -> None:
    result = services.coverage(assistant, "gender digital divide")
    rows = _rows(services.coverage_csv(result))
    assert list(rows[0]) == list(services.COVERAGE_CSV_COLUMNS)
    assert len(rows) == result.total
    assert all(float(r["score"]) >= result.threshold for r in rows)
    frame = services.coverage_frame(result)
    assert list(frame.columns) == ["document", "paragraphs"]
    assert frame["paragraphs"].sum() == result.total
    assert list(frame["paragraphs"]) == sorted(frame["paragraphs"], reverse=True)
    html = services.coverage_html(result)
    assert html.count("<h3>") == len(result.groups)

    none = services.coverage(assistant, "gender digital divide", 5.0)
    assert none.groups == () and none.total == 0
    assert "No paragraph reaches" in services.coverage_summary(none)
    view = services.coverage_view(assistant, "", 0.4)
    assert "wsis-error" in view.html and view.csv_file is None


def test_documents_list_and_reading_view(assistant) -> None:
    rows = services.document_rows(assistant)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    by_name = {r[0]: r for r in rows}
    assert by_name["A/RES/80/173"][2] == "resolution"
    assert by_name["A/RES/80/173"][4] > 100
    out = services.document_html(assistant, "A_RES_80_173")
    assert "<h2>80/173. Outcome document" in out
    assert "para. 45" in out and "Environmental impacts" in out
    assert services.document_html(assistant, "A/RES/80/173") == out
    assert "no document" in services.document_html(assistant, "../../etc/passwd")


# --- Uploads and evaluation (these change the index: keep them last) --------------------------


def test_upload_adds_a_document_that_can_be_asked_about(assistant, tmp_path: Path) -> None:
    before = set(assistant.catalog.documents)
    source = tmp_path / "quillmouth notes.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    steps: list[float] = []
    result = services.add_upload(
        assistant, source, name="../../quillmouth notes.txt", progress=lambda f, _d: steps.append(f)
    )
    folder = services.uploads_dir(assistant.settings)
    assert Path(result.document.path) == (folder / "quillmouth notes.txt").resolve()
    assert (folder / "quillmouth notes.txt").read_text(encoding="utf-8") == HOSTILE
    assert set(assistant.catalog.documents) == before | {"quillmouth_notes"}
    assert result.paragraphs == 2 and not result.replaced
    assert steps[-1] == 1.0 and steps == sorted(steps)
    assert not [p for p in folder.iterdir() if p.name.startswith(".staging")]

    answer = services.ask(assistant, "What protects the zebra archive of Quillmouth?")
    assert answer.citations and answer.citations[0].document.doc_id == "quillmouth_notes"

    # A paragraph containing markup is shown as characters, highlights included.
    paragraph = assistant.catalog.find("quillmouth_notes", "1")
    out = services.context_html(assistant, paragraph.id, services.answer_text(answer))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "<mark>Members shall &lt;script&gt;" in out
    assert 'href="/document/quillmouth_notes"' in out
    reading = services.document_html(assistant, "quillmouth_notes")
    assert "<script>" not in reading and "&lt;b&gt;bold&lt;/b&gt;" in reading


def test_bad_uploads_change_nothing(assistant, tmp_path: Path) -> None:
    folder = services.uploads_dir(assistant.settings)
    files_before = sorted(p.name for p in folder.iterdir())
    documents_before = set(assistant.catalog.documents)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    message, changed = services.upload_view(assistant, broken)
    assert not changed and "broken.pdf" in message and "Nothing was changed" in message
    clash = tmp_path / "A_RES_80_173.md"
    clash.write_text("# A title\n\n1. Some paragraph with enough words in it.", encoding="utf-8")
    with pytest.raises(UploadRejected, match="already indexed"):
        services.add_upload(assistant, clash)
    message, changed = services.upload_view(assistant, None)
    assert not changed and "choose a file" in message
    assert sorted(p.name for p in folder.iterdir()) == files_before
    assert set(assistant.catalog.documents) == documents_before


def test_evaluation_of_a_tiny_test_set(assistant, tmp_path: Path) -> None:
    items = [
        {
            "id": "t1",
            "question": PARA_45,
            "kind": "answerable",
            "gold": [{"doc": "A/RES/80/173", "paragraph": "45"}],
        },
        {"id": "t2", "question": OFF_TOPIC, "kind": "unanswerable"},
        {
            "id": "t3",
            "question": "What does paragraph 45 of A/RES/80/173 say about e-waste?",
            "kind": "answerable",
            "gold": [{"doc": "A/RES/80/173", "paragraph": "99"}],
        },
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    run = services.evaluate_testset(assistant, path)
    result = run.results["product"]["all"]
    assert result.n == 3
    assert [q.id for q in result.failures] == ["t3"]
    view = services.evaluation_view(assistant, path)
    metrics = dict(zip(view.metrics["metric"], view.metrics["all"], strict=True))
    assert metrics["questions"] == "3"
    assert metrics["hit@1"] == "0.500"
    assert list(view.failures.columns) == list(services.FAILURE_COLUMNS)
    assert list(view.failures["id"]) == ["t3"]
    assert "3 questions, 1 failed" in view.html

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    assert "does not follow the test-set format" in services.evaluation_view(assistant, bad).html
    wrong = tmp_path / "tiny.txt"
    wrong.write_text("x", encoding="utf-8")
    assert ".jsonl or .csv" in services.evaluation_view(assistant, wrong).html


# --- Versions, amendments and agreed language ------------------------------------------------


def test_a_change_row_marks_deletions_and_insertions_and_escapes_text() -> None:
    from assistant.versions import compare_paragraphs
    from corpus.model import Paragraph, ParagraphKind

    old = Paragraph("old", "3", ParagraphKind.OPERATIVE, "Welcomes <b>the</b> report of the Group;")
    new = Paragraph(
        "new", "4", ParagraphKind.OPERATIVE, "Takes note of <b>the</b> report of the Group;"
    )
    (change,) = compare_paragraphs([old], [new])
    row = services.change_row(change)
    assert "<del>Welcomes</del>" in row and "<ins>Takes note of</ins>" in row
    assert "&lt;b&gt;the&lt;/b&gt; report" in row and "<b>" not in row
    assert "para. 3" in row and "para. 4" in row and "modified, renumbered" in row


def test_compare_view_of_the_final_draft_and_the_outcome(assistant) -> None:
    view = services.compare_view(assistant, "A/80/L.41", "A_RES_80_173")
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
    only = services.compare_view(assistant, "A/80/L.41", "A/RES/80/173", changes_only=True)
    assert "<tbody></tbody>" in only.html
    assert "wsis-error" in services.compare_view(assistant, "A/80/L.41", "A/RES/1/1").html
    assert "choose the two versions" in services.compare_view(assistant, "A/80/L.41", None).html


def test_what_changed_question_in_the_app(assistant) -> None:
    question = "What changed in paragraph 99 between the final draft and the outcome document?"
    view = services.ask_view(assistant, question)
    assert view.html.startswith(
        '<div class="wsis-answer"><p>Para. 99 of A/80/L.41 is unchanged in A/RES/80/173.</p>'
    )
    assert view.html.count("<blockquote>") == 2
    assert [label for label, _ in view.chips] == ["A/80/L.41 para. 99", "A/RES/80/173 para. 99"]
    cited = {(c["symbol"], c["paragraph"]) for c in view.data["citations"]}
    assert cited <= {(h["symbol"], h["paragraph"]) for h in view.data["hits"]}


def test_amendments_view_marks_inserted_wording_and_uptake(assistant) -> None:
    view = services.amendments_view(assistant)
    assert view.data["counts"] == {"full": 0, "partial": 2, "none": 9}
    assert [v["symbol"] for v in view.data["versions"]] == ["A/80/L.41", "A/RES/80/173"]
    assert "<ins>as well as physical risks to the infrastructure.</ins>" in view.html
    assert "<mark>physical risks to</mark> infrastructure" in view.html
    assert "A/RES/80/173, para. 55" in view.html
    assert view.html.count('class="wsis-amendment wsis-uptake-none"') == 9


def test_precedent_view_lists_earlier_uses_oldest_first(assistant) -> None:
    phrase = (
        "the overall review of the implementation of the outcomes of the World Summit on the "
        "Information Society"
    )
    view = services.precedent_view(assistant, phrase, "A/RES/80/173")
    assert view.data["verdict"] == "agreed"
    assert view.data["first_adopted"]["symbol"] == "A/RES/79/277"
    assert view.data["occurrences"][0]["symbol"] == "A/RES/79/277"
    assert "<mark>the overall review of the implementation" in view.html
    assert "Agreed language: adopted before A/RES/80/173 in A/RES/79/277" in view.html
    assert "wsis-error" in services.precedent_view(assistant, "  ").html


def test_amendments_view_and_answers_offer_the_same_proposals(assistant) -> None:
    report = assistant.amendments()
    on_existing = [i for i in report.items if not i.new_paragraph]
    assert len(on_existing) == 6
    for item in on_existing:
        label = item.counterparts[-1].paragraph.label
        answer = assistant.ask(f"What does paragraph {label} of A/RES/80/173 say?")
        offered = [p.paragraph.target for p in answer.citations[0].amendments]
        assert item.target in offered, (label, item.target, offered)
