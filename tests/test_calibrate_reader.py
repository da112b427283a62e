"""Fitting the reader's calibration: the relevance model's logits are asked for once per
(question, text) however many settings are tried, and the same whichever order asks."""

from __future__ import annotations

from collections.abc import Sequence

from fakes import WordOverlapScorer

from eval.calibrate_reader import CachedScorer


class CountingScorer(WordOverlapScorer):
    def __init__(self) -> None:
        self.scored: list[tuple[str, str]] = []

    def logits(self, question: str, texts: Sequence[str]) -> list[float]:
        self.scored += [(question, t) for t in texts]
        return super().logits(question, texts)


def test_each_pair_is_scored_once_and_keeps_its_logit() -> None:
    model = CountingScorer()
    scorer = CachedScorer(model)
    question = "Will the Internet Governance Forum become permanent?"
    texts = [
        "Decides that the Internet Governance Forum shall become a permanent forum",
        "Recalls the Tunis Agenda for the Information Society",
    ]
    first = scorer.logits(question, texts)
    again = scorer.logits(question, [texts[1], texts[0], texts[1]])
    assert first == WordOverlapScorer().logits(question, texts)
    assert first[0] > first[1]
    assert again == [first[1], first[0], first[1]]
    assert model.scored == [(question, t) for t in texts]
    scorer.logits("Who finances broadband?", texts[:1])
    assert len(model.scored) == 3
