"""The answer JSON contract of the README ("The answer JSON"), checked the same way by every
test that reads answers as other tools do."""

from __future__ import annotations

from typing import Any

ANSWER_KEYS = {
    "id",
    "question",
    "language",
    "question_en",
    "answer",
    "abstained",
    "notice",
    "citations",
    "hits",
    "timings_ms",
    "summary",
}
PASSAGE_KEYS = {
    "doc_id",
    "symbol",
    "title",
    "paragraph",
    "part",
    "section",
    "page_start",
    "page_end",
    "text",
    "score",
    "paragraph_id",
    "spans",
}


def check_answer_json(data: dict[str, Any]) -> None:
    """Every key of the contract is there, no other; every citation is a hit; spans point
    inside the paragraph text; a short answer's sentences cite only quoted paragraphs."""
    assert set(data) == ANSWER_KEYS, set(data) ^ ANSWER_KEYS
    for passage in data["citations"] + data["hits"]:
        assert set(passage) - {"relevance"} == PASSAGE_KEYS, set(passage) ^ PASSAGE_KEYS
        assert all(0 <= start < end <= len(passage["text"]) for start, end in passage["spans"])
    hit_ids = {h["paragraph_id"] for h in data["hits"]}
    assert all(c["paragraph_id"] in hit_ids for c in data["citations"])
    assert not (data["abstained"] and data["citations"])
    assert data["language"] in {"ar", "zh", "en", "fr", "ru", "es"}
    assert data["question_en"] is None or isinstance(data["question_en"], str)
    summary = data["summary"]
    if summary is not None:
        assert set(summary) == {"sentences", "removed", "notice"}
        cited = {c["paragraph_id"]: c for c in data["citations"]}
        for sentence in summary["sentences"]:
            assert sentence["text"] and sentence["english"] and sentence["paragraph_ids"]
            assert 0.0 <= sentence["support"] <= 1.0
            assert set(sentence["paragraph_ids"]) <= set(cited)
            names = [
                cited[i]["symbol"] or cited[i]["title"] or cited[i]["doc_id"]
                for i in sentence["paragraph_ids"]
            ]
            assert len(sentence["citations"]) == len(names)
            assert all(c.startswith(n) for c, n in zip(sentence["citations"], names, strict=True))
