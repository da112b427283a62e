"""What every ``wsis`` command shares: settings from flags, options, and the one place where
the library's errors become a message and an exit status.

Exit status: 0 success; 1 the work ran but something failed (a file skipped, a fetch failed,
a batch line rejected); 2 usage errors and questions that cannot be asked (empty, too long,
no words, a document not in the index); 3 no usable index (missing, stale, busy, or its
server does not answer).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from corpus.errors import (
    IndexBusy,
    IndexMissing,
    IndexUnreachable,
    InvalidQuestion,
    StaleIndex,
    UnknownDocument,
    WSISError,
)
from corpus.settings import Settings

if TYPE_CHECKING:
    from assistant.api import Assistant

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_INDEX = 3
#: Errors that mean there is no index to answer from.
NO_INDEX = (IndexMissing, StaleIndex, IndexBusy, IndexUnreachable)

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI flags that were given on top."""
    given = {k: v for k, v in overrides.items() if v not in (None, ())}
    if "corpus_dirs" in given:
        given["corpus_dirs"] = [Path(p) for p in given["corpus_dirs"]]
    return Settings(**given)


def make_assistant(**overrides: Any) -> Assistant:
    from assistant.api import Assistant

    return Assistant(load_settings(**overrides))


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def exit_code(exc: WSISError) -> int:
    """The exit status that a library error ends a command with."""
    if isinstance(exc, NO_INDEX):
        return EXIT_NO_INDEX
    if isinstance(exc, InvalidQuestion | UnknownDocument):
        return EXIT_USAGE
    return EXIT_FAILED


def run_guarded(action: Callable[[], T]) -> T:
    """Run an action, turning the library's errors into a message and an exit status."""
    try:
        return action()
    except WSISError as exc:
        fail(str(exc), exit_code(exc))


corpus_option = click.option(
    "--corpus",
    "corpus_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus folder (repeatable); default: the settings' corpus_dirs.",
)
index_option = click.option(
    "--index-dir", type=click.Path(file_okay=False, path_type=Path), help="Index folder."
)
chroma_option = click.option("--chroma-url", help="Use a Chroma server instead of the local store.")
reader_option = click.option(
    "--reader",
    type=click.Choice(["local", "openai", "none"]),
    help="Who judges whether paragraphs answer (default: the settings', local).",
)
