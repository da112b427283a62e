"""Errors the library raises; each message says what went wrong and what to do next.

Only the CLI and the app turn these into user-facing text.
"""

from __future__ import annotations


class WSISError(Exception):
    """Base class: a problem the user can act on."""


class UnreadableDocument(WSISError):
    """A file that cannot be turned into paragraphs."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.path, self.reason))


class IndexMissing(WSISError):
    """No index has been built for these settings yet."""


class StaleIndex(WSISError):
    """The index was built with other settings (model, parser) than the ones in use."""


class IndexBusy(WSISError):
    """Another ingest holds the index."""


class IndexUnreachable(WSISError):
    """The Chroma server named in the settings does not answer."""


class InvalidQuestion(WSISError):
    """A question that cannot be answered as given (empty, too long, no words)."""


class UnknownDocument(WSISError):
    """A document named by symbol or id that is not in the index."""


class InvalidTestSet(WSISError):
    """A test-set file with lines that do not follow the evaluation format."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{path} does not follow the test-set format:\n{shown}{more}")

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        return (type(self), (self.path, self.problems))
