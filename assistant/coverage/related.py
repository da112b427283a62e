"""Related terms the corpus itself uses for a topic: the words that the paragraphs found for
it share and the rest of the corpus seldom uses, kept when the embedder puts them near the
topic ("e-waste" -> "electronic waste"; "youth" -> "young people").

Pseudo-relevance feedback checked by meaning: the best paragraphs for the topic propose
wordings (phrases of one to three words that start and end with a content word), ranked by how
many of those paragraphs hold them and how rare they are in the corpus; the embedder keeps the
proposals whose meaning is close to the topic's, so a word that merely keeps company with the
topic ("Member States") does not become a term for it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.api import Assistant
from assistant.coverage.topics import occurrences
from assistant.retrieval.lexical import stop_words
from corpus.wording import spelled, tokens

#: Paragraphs whose wordings are proposed.
FEEDBACK_PARAGRAPHS = 20
#: A wording must be held by this many of them.
MIN_SHARED = 3
#: Proposals the embedder checks.
PROPOSALS = 30
#: Cosine similarity to the topic a proposal must reach.
MIN_SIMILARITY = 0.55
LONGEST = 3


def _wordings(text: str, stops: frozenset[str]) -> set[str]:
    """Phrases of one to three words of ``text`` that start and end with a content word and
    do not run over punctuation."""
    found = set()
    run: list[str] = []
    for token in [*tokens(text), None]:
        if token is not None and token.is_word:
            run.append(spelled(token.text))
            continue
        for n in range(1, LONGEST + 1):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                if gram[0] in stops or gram[-1] in stops or min(len(gram[0]), len(gram[-1])) < 3:
                    continue
                if all(w.isalpha() for w in gram):
                    found.add(" ".join(gram))
        run = []
    return found


def _holds(wording: str, other: str) -> bool:
    """Whether ``wording`` names ``other`` in its words (so matching it adds nothing)."""
    return bool(occurrences(wording, [other]))


def related_terms(assistant: Assistant, topic: str, k: int, names: Sequence[str] = ()) -> list[str]:
    """Up to ``k`` wordings the corpus uses for ``topic``, closest in meaning first; none
    that holds the topic or one of its other ``names`` (which already match), nor one that
    holds another wording chosen before it."""
    retriever = assistant.retriever
    lexical = retriever.lexical
    hits = retriever.search(topic, k=FEEDBACK_PARAGRAPHS)
    if not hits or k <= 0:
        return []
    stops = frozenset(stop_words())
    known = [topic, *names]
    shared: Counter[str] = Counter()
    for hit in hits:
        shared.update(_wordings(hit.paragraph.text, stops))
    size = max(lexical.size, 1)
    proposals: list[tuple[float, str]] = []
    for wording, held in shared.items():
        if held < MIN_SHARED or any(_holds(wording, name) for name in known):
            continue
        stems = set(lexical.tokens(wording))
        if not stems:
            continue
        in_corpus = sum(1 for tokens in lexical.token_sets if stems <= tokens)
        proposals.append((held / len(hits) * math.log(size / max(in_corpus, 1)), wording))
    proposals.sort(reverse=True)
    chosen = [w for _, w in proposals[:PROPOSALS]]
    if not chosen:
        return []
    vectors = np.asarray(assistant.embedder.embed_documents([topic, *chosen]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    similarity = vectors[1:] @ vectors[0]
    kept: list[str] = []
    for score, wording in sorted(zip(similarity.tolist(), chosen, strict=True), reverse=True):
        if score < MIN_SIMILARITY or len(kept) >= k:
            break
        if not any(_holds(wording, other) or _holds(other, wording) for other in kept):
            kept.append(wording)
    return kept
