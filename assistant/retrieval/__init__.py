"""Retrieval: BM25 (:mod:`.lexical`), the documents a question names (:mod:`.linking`) and
their fusion with dense search into ranked hits (:mod:`.fusion`)."""

from assistant.retrieval.fusion import MODES, HybridRetriever, RetrievalTrace, RetrievalWeights
from assistant.retrieval.linking import Filters

__all__ = ["MODES", "Filters", "HybridRetriever", "RetrievalTrace", "RetrievalWeights"]
