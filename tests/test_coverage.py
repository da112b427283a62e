"""Where a topic is covered, and the action-line matrix: the pure rules (a topic's parts and
other names, where a wording occurs, the themes file, which heatmap cell a click selects,
the figures of ``eval/topics.py``), then ``wsis coverage`` and ``wsis matrix`` on a real index
of four real documents (JSON shape, CSV, terminal text, errors)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from contract import PASSAGE_KEYS

from assistant.cli import main
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD, coverage, load_themes, matrix
from assistant.coverage.calibration import TopicCalibration
from assistant.coverage.finding import expand
from assistant.coverage.themes import InvalidThemes, parse_themes
from assistant.coverage.topics import occurrences, reference_terms, split_topic
from assistant.render import coverage as shown
from assistant.retrieval import Filters
from eval.testset import GoldItem
from eval.topics import TopicItem, TopicOutcome, pooled

FILES = ("A_RES_80_173.pdf", "A_RES_79_277.pdf", "A_80_L.41.pdf", "ITU_input_WSIS20_zero_draft.md")


# --- Pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "parts"),
    [
        ("children, youth and older persons", ("children", "youth", "older persons")),
        ("climate and the environment", ("climate", "environment")),
        (
            "WSIS action lines and their facilitators",
            ("WSIS action lines", "facilitators of WSIS action lines"),
        ),
        ("e-waste", ("e-waste",)),
        (
            "environmental impact of digital technologies",
            ("environmental impact of digital technologies",),
        ),
        ("other issues and e-waste", ("other issues and e-waste",)),
    ],
)
def test_a_topic_that_lists_several_things_is_split_into_them(topic, parts) -> None:
    assert split_topic(topic) == parts


def test_a_topic_the_documents_print_is_not_split() -> None:
    printed = {"science, technology and innovation"}
    assert split_topic("science, technology and innovation", printed.__contains__) == (
        "science, technology and innovation",
    )


@pytest.mark.parametrize(
    ("topic", "names"),
    [
        ("CSTD", ["Commission on Science and Technology for Development"]),
        ("WSIS Forum", ["World Summit on the Information Society Forum"]),
        ("Internet Governance Forum", ["IGF"]),
        ("funding", ["financing"]),
        ("human rights online", []),
    ],
)
def test_other_names_come_from_the_references(topic, names) -> None:
    assert reference_terms(topic) == names


def test_wordings_are_found_whatever_their_inflection() -> None:
    text = (
        "We call for financial investment in the environmental sustainability of persons with "
        "a disability and in Government policies for girls."
    )
    found = occurrences(
        text, ["financing", "environment", "persons with disabilities", "governance", "girl"]
    )
    assert {text[a:b] for spans in found.values() for a, b in spans} == {
        "financial",
        "environmental",
        "persons with a disability",
        "girls",
    }
    assert "governance" not in found, "governance and Government share a stem, not a meaning"


def test_the_shipped_themes_are_the_eleven_action_lines() -> None:
    themes = load_themes()
    assert [t.id for t in themes.themes] == [f"C{n}" for n in range(1, 12)]
    assert themes.find("c7").parts[:2] == ("e-government", "e-business")
    assert themes.find("C5 Confidence and security") is themes.themes[4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[theme]]\nid = 'X'\nname = 'x'\n", "lacks topic"),
        (
            "[[theme]]\nid='A'\nname='a'\ntopic='a'\n[[theme]]\nid='a'\nname='b'\ntopic='b'",
            "repeats",
        ),
        ("[[theme]]\nid='A'\nname='a'\ntopic='a'\nparts='x'", "must be a list"),
        ("theme = [", "not valid TOML"),
        ("", r"no \[\[theme\]\]"),
    ],
)
def test_a_broken_themes_file_is_refused_naming_the_entry(text, message) -> None:
    with pytest.raises(InvalidThemes, match=message):
        parse_themes(text)


def test_a_click_on_the_heatmap_selects_the_cell_under_it() -> None:
    cells = shown.HeatmapCells(left=100, top=50, cell_width=20, cell_height=10, rows=3, columns=4)
    assert cells.cell_at(*cells.centre(2, 3)) == (2, 3)
    assert cells.cell_at(100, 50) == (0, 0)
    assert cells.cell_at(99, 60) is None and cells.cell_at(181, 60) is None
    assert cells.cell_at(110, 81) is None


def test_the_judge_moves_an_unsure_relevance_its_way() -> None:
    calibration = TopicCalibration()
    assert calibration.with_judge(0.5, 0.9) > 0.5 > calibration.with_judge(0.5, 0.1)


def _item(scope, core, listed) -> TopicItem:
    gold = lambda labels: tuple(GoldItem("A/RES/80/173", label) for label in labels)  # noqa: E731
    return TopicItem("t", "topic", scope, gold(core), gold(listed), "dev", "policy")


def _returned(*labels: str) -> tuple[dict, ...]:
    return tuple(
        {"doc_id": "A_RES_80_173", "symbol": "A/RES/80/173", "paragraph": label, "part": None}
        for label in labels
    )


def test_topic_figures_are_pooled_over_the_topics_paragraphs() -> None:
    within = TopicOutcome(
        _item(("A/RES/80/173",), ["1", "2"], ["1", "2", "3"]), _returned("1", "3", "9")
    )
    corpus = TopicOutcome(_item(None, ["1"], ["1", "2", "3", "4"]), _returned("1", "2", "7"))
    assert (within.core_found, within.returned_listed, within.listed_found) == (1, 2, 2)
    assert [g.paragraph for g in within.missed()] == ["2"]
    assert pooled([within, corpus], "core_found")[0] == 0.5
    assert pooled([within, corpus], "returned_listed")[0] == pytest.approx(2 / 3)
    assert pooled([within, corpus], "listed_found")[0] == 0.5
    value, interval, topics = pooled([within, within, corpus], "core_found")
    assert topics == 2 and interval is not None and interval[0] <= value <= interval[1]


# --- On a real index --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant(build_assistant):
    return build_assistant("coverage", FILES)


@pytest.fixture(scope="module")
def index_args(assistant) -> list[str]:
    return ["--index-dir", str(assistant.settings.index_dir)]


def _invoke(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.corpus
def test_a_topic_is_expanded_into_its_parts_and_names(assistant) -> None:
    topic = expand(assistant, "children, youth and older persons")
    assert topic.parts == ("children", "youth", "older persons")
    assert (
        "WSIS action lines" in expand(assistant, "WSIS action lines and their facilitators").parts
    )
    cyber = expand(assistant, "cybersecurity")
    assert any("confidence and security" in name for name in cyber.synonyms), cyber


@pytest.mark.corpus
def test_coverage_json_lists_paragraphs_about_the_topic_with_their_reason(
    assistant, index_args
) -> None:
    result = _invoke(
        ["coverage", "women and girls", "--doc", "A/RES/80/173", "--json", *index_args]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["topic"] == "women and girls"
    assert data["threshold"] == DEFAULT_COVERAGE_THRESHOLD
    paragraphs = data["paragraphs"]
    assert {p["paragraph"] for p in paragraphs} >= {"11", "22", "79"}
    assert {p["symbol"] for p in paragraphs} == {"A/RES/80/173"}
    orders = [assistant.catalog.paragraphs[p["paragraph_id"]].order for p in paragraphs]
    assert orders == sorted(orders), "in document order"
    for p in paragraphs:
        assert PASSAGE_KEYS | {"reason", "relevance"} <= set(p)
        assert p["relevance"] >= DEFAULT_COVERAGE_THRESHOLD
        assert p["spans"] and all(0 <= a < b <= len(p["text"]) for a, b in p["spans"])
        assert p["reason"] == " … ".join(p["text"][a:b] for a, b in p["spans"])
    marked = {p["paragraph"]: p["reason"].lower() for p in paragraphs}
    assert "women and girls" in marked["22"]


@pytest.mark.corpus
def test_a_topic_listing_several_things_finds_each_of_them(assistant) -> None:
    result = coverage(
        assistant, "children, youth and older persons", filters=Filters(documents=("A/RES/80/173",))
    )
    labels = {m.paragraph.label for m in result.matches}
    assert {"37", "80"} <= labels, labels
    texts = " ".join(m.paragraph.text.lower() for m in result.matches)
    assert "children" in texts and "older persons" in texts and "youth" in texts


@pytest.mark.corpus
def test_coverage_csv_and_terminal_text(assistant, index_args) -> None:
    result = _invoke(["coverage", "data governance", "--csv", *index_args])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == list(shown.COVERAGE_CSV_COLUMNS)
    assert any(r["symbol"] == "A/RES/80/173" and r["paragraph"] == "81" for r in rows)
    assert all(float(r["relevance"]) >= DEFAULT_COVERAGE_THRESHOLD for r in rows)
    text = _invoke(["coverage", "data governance", *index_args]).output
    assert "are about “data governance”" in text
    assert "[Data governance]" in text and "para. 81" in text


@pytest.mark.corpus
def test_word_for_word_copies_are_listed_in_each_document(assistant) -> None:
    result = coverage(assistant, "women and girls")
    by_doc = {g.document.doc_id: {m.paragraph.text for m in g.matches} for g in result.groups}
    adopted = assistant.catalog.find("A_RES_80_173", "22")
    assert adopted.text in by_doc["A_RES_80_173"] and adopted.text in by_doc["A_80_L.41"]


@pytest.mark.corpus
def test_a_threshold_narrows_the_same_cached_reading(assistant) -> None:
    wide = coverage(assistant, "financing", 0.2)
    default = coverage(assistant, "financing")
    narrow = coverage(assistant, "financing", 0.9)
    ids = lambda r: {m.paragraph.id for m in r.matches}  # noqa: E731
    assert ids(narrow) <= ids(default) <= ids(wide)
    assert len(ids(wide)) > len(ids(narrow))
    assert default.seconds < 2.0, "the second reading of a topic comes from the cache"


@pytest.mark.corpus
def test_progress_is_reported_from_start_to_end(assistant) -> None:
    heard: list[float] = []
    coverage(assistant, "submarine cables", progress=lambda done, _what: heard.append(done))
    assert heard[-1] == 1.0 and heard == sorted(heard)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["coverage", "", "--json"], 2, "empty"),
        (["coverage", "e-waste", "--doc", "A/RES/1/1"], 2, "no document A/RES/1/1"),
        (["coverage", "e-waste", "--json", "--csv"], 2, "one of --json and --csv"),
    ],
)
def test_coverage_errors_exit_with_a_message(index_args, args, code, message) -> None:
    result = CliRunner().invoke(main, [*args, *index_args])
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.corpus
def test_the_matrix_counts_each_action_line_in_each_document(assistant, index_args) -> None:
    result = _invoke(["matrix", "--json", *index_args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [t["id"] for t in data["themes"]] == [f"C{n}" for n in range(1, 12)]
    symbols = [d["symbol"] for d in data["documents"]]
    assert "A/RES/80/173" in symbols and len(data["counts"]) == len(symbols)
    assert all(len(row) == 11 for row in data["counts"])
    adopted = data["counts"][symbols.index("A/RES/80/173")]
    assert adopted[4] > 0, "the outcome document has paragraphs on confidence and security (C5)"
    assert sum(adopted) > 20
    table = list(csv.reader(io.StringIO(_invoke(["matrix", "--csv", *index_args]).output)))
    assert table[0][0] == "document" and table[0][5].startswith("C5 ")
    assert [int(n) for n in table[1 + symbols.index("A/RES/80/173")][1:12]] == adopted
    text = _invoke(["matrix", *index_args]).output
    assert "C11" in text and "International and regional cooperation" in text


@pytest.mark.corpus
def test_a_cell_holds_the_paragraphs_it_counts(assistant) -> None:
    counted = matrix(assistant)
    counts = counted.counts()
    row = [d.doc_id for d in counted.documents].index("A_RES_80_173")
    cell = counted.cell("C5", "A/RES/80/173")
    assert cell.total == counts[row][4] > 0
    assert {g.document.doc_id for g in cell.groups} == {"A_RES_80_173"}
    image = shown.matrix_png(counted)
    assert image.png.startswith(b"\x89PNG")
    x, y = image.cells.centre(row, 4)
    assert image.cells.cell_at(x, y) == (row, 4)
