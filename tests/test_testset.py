"""Loading, validating and saving test sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.errors import InvalidTestSet
from eval.testset import GoldItem, TestItem, load_testset, save_testset

RES = "A/RES/80/173"

VALID: list[dict[str, Any]] = [
    {
        "id": "q1",
        "question": "What does the outcome document say about the digital divide?",
        "kind": "answerable",
        "gold": [
            {"doc": "A/RES/80/173", "paragraph": "9"},
            {"doc": "A/RES/79/1", "paragraph": "5", "part": "Annex I", "quote": "digital divide"},
        ],
        "split": "dev",
        "style": "paraphrase",
    },
    {"id": "q2", "question": "Who won the 2022 World Cup?", "kind": "unanswerable"},
]

EXPECTED = [
    TestItem(
        "q1",
        "What does the outcome document say about the digital divide?",
        "answerable",
        (
            GoldItem("A/RES/80/173", "9"),
            GoldItem("A/RES/79/1", "5", "Annex I", "digital divide"),
        ),
        "dev",
        "paraphrase",
    ),
    TestItem("q2", "Who won the 2022 World Cup?", "unanswerable"),
]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidTestSet) as caught:
        load_testset(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_valid_jsonl_loads_skipping_comments_and_blank_lines(tmp_path: Path) -> None:
    lines = ["# WSIS questions", "", *(json.dumps(v) for v in VALID), "   "]
    assert load_testset(write_lines(tmp_path / "set.jsonl", lines)) == EXPECTED


def test_every_bad_line_is_named_with_its_problem(tmp_path: Path) -> None:
    gold = [{"doc": "A/RES/80/173", "paragraph": "1"}]

    def asked(item_id: str, **fields: object) -> str:
        return json.dumps({"id": item_id, "question": "x", "kind": "answerable", **fields})

    lines = [
        "# comment",  # 1
        json.dumps(VALID[0]),  # 2: valid
        '{"id": "q3", "question": ',  # 3
        json.dumps({"question": "x", "kind": "answerable", "gold": gold}),  # 4
        json.dumps({**VALID[1], "id": "q1"}),  # 5
        asked("q6", kind="maybe"),  # 6
        asked("q7"),  # 7
        asked("q8", kind="unanswerable", gold=gold),  # 8
        asked("q9", gold=[{"part": "A"}]),  # 9
        asked("q10", gold=[{"doc": "A"}]),  # 10
        asked("q11", question=5, gold=[{"doc": "A", "paragraph": 9}]),  # 11
        "[1, 2]",  # 12
        json.dumps({**VALID[1], "id": "q13", "split": "test"}),  # 13
        json.dumps({**VALID[1], "id": "q14", "answer": "none"}),  # 14
        asked("q15", gold=[{"doc": "A", "quote": "ICT"}]),  # 15
        asked(" ", question="", gold="A/RES/80/173"),  # 16
    ]
    problems = problems_of(write_lines(tmp_path / "bad.jsonl", lines))
    expected = {
        3: "not valid JSON",
        4: "missing id",
        5: "duplicate id 'q1' (first used on line 2)",
        6: "unknown kind 'maybe'",
        7: "an answerable question needs gold",
        8: "an unanswerable question must not have gold",
        9: "gold[0] missing doc",
        10: "gold[0] needs a paragraph label or a quote",
        11: "question must be a string, got a number",
        12: "expected a JSON object",
        13: "split is 'test'",
        14: "unknown field 'answer'",
        15: "gold[0] quote 'ICT' is too short",
        16: "gold must be a list of objects, got a string",
    }
    for number, fragment in expected.items():
        assert any(p.startswith(f"line {number}: {fragment}") for p in problems), (number, problems)
    assert (
        "line 11: gold[0] paragraph must be a string in double quotes or absent, got a number"
    ) in problems
    assert "line 16: missing id" in problems
    assert "line 16: missing question" in problems
    assert "line 9: gold[0] needs a paragraph label or a quote" in problems
    assert {int(p.split(":")[0].removeprefix("line ")) for p in problems} == set(expected)


def test_csv_round_trip(tmp_path: Path) -> None:
    items = [*EXPECTED, TestItem("q3", "Line\u2028separated, “quoted”, a,b?", "unanswerable")]
    save_testset(items, tmp_path / "set.csv")
    assert load_testset(tmp_path / "set.csv") == items
    save_testset(items, tmp_path / "set.jsonl")
    assert load_testset(tmp_path / "set.jsonl") == items


def test_text_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        json.dumps(VALID[1], ensure_ascii=False).replace("Cup", "Coupé").encode("latin-1")
    )
    assert "save it as UTF-8" in problems_of(path)[0]


def test_hand_written_csv_reports_the_line_a_row_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text(
        "id,question,kind,gold,split,style\n"
        'q1,"A question over\ntwo lines?",answerable,"[{""doc"": ""A/RES/80/173"", '
        '""paragraph"": ""9""}]",,\n'
        "\n"
        "q2,Off topic?,unanswerable,,heldout,\n"
        "q3,Broken gold?,answerable,[{doc},,\n",
        encoding="utf-8",
    )
    assert problems_of(path) == [
        "line 6: gold is not valid JSON (Expecting property name enclosed in double quotes)"
    ]
    path.write_text(path.read_text(encoding="utf-8").replace("[{doc}", "[]"), encoding="utf-8")
    assert problems_of(path) == [
        "line 6: an answerable question needs gold: at least one {doc, paragraph|quote}"
    ]
    path.write_text(
        "\n".join(path.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8"
    )
    assert load_testset(path) == [
        TestItem("q1", "A question over\ntwo lines?", "answerable", (GoldItem(RES, "9"),)),
        TestItem("q2", "Off topic?", "unanswerable", split="heldout"),
    ]


def test_csv_header_must_name_the_columns(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "set.csv", ["id,query,kind,gold", "q1,x,unanswerable,"])
    assert problems_of(path) == [
        "line 1: the header lacks column(s) question; unknown column(s) query; "
        "allowed: id, question, kind, gold, split, style, language, question_en"
    ]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "absent.jsonl")[0].startswith("no such file")
    assert problems_of(write_lines(tmp_path / "empty.jsonl", ["# nothing yet"])) == [
        "the file holds no questions"
    ]
