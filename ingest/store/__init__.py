"""The paragraph index: where ingestion writes paragraphs and retrieval reads them.

:class:`ParagraphIndex` is the store; its parts (what is embedded, the metadata codec, the
Chroma client, the write locks) live in the modules beside it.
"""

from ingest.store.chroma import ParagraphIndex

__all__ = ["ParagraphIndex"]
