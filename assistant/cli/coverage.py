"""``wsis coverage`` and ``wsis matrix``: every paragraph about a topic, and how many
paragraphs of each document are about each WSIS action line (and the themes staff add)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from assistant.cli.answering import with_filters
from assistant.cli.common import (
    EXIT_USAGE,
    chroma_option,
    fail,
    index_option,
    make_assistant,
    reader_option,
    run_guarded,
)
from assistant.cli.progress import progress_bar
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD, coverage, load_themes, matrix
from assistant.render import coverage as shown
from assistant.retrieval import Filters

threshold_option = click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_COVERAGE_THRESHOLD,
    show_default=True,
    help="Relevance (0-1) a paragraph must reach to count as about the topic.",
)


def _one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        fail("choose one of --json and --csv", EXIT_USAGE)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[float, str], None]]:
    """A bar on the terminal's error stream while a topic is read."""
    with progress_bar(disabled=quiet) as update:
        yield lambda done, _what: update("Reading", int(done * 100), 100)


@click.command("coverage")
@click.argument("topic")
@with_filters
@threshold_option
@click.option("--json", "as_json", is_flag=True, help="Print the paragraphs as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the paragraphs as CSV.")
@index_option
@chroma_option
@reader_option
def coverage_command(
    topic: str,
    filters: Filters,
    threshold: float,
    as_json: bool,
    as_csv: bool,
    index_dir: Path | None,
    chroma_url: str | None,
    reader: str | None,
) -> None:
    """Every paragraph about TOPIC (a few words: "women and girls", "e-waste", "CSTD"),
    by document in document order, each with its relevance and the words that make it about
    the topic. A topic that lists several things ("children, youth and older persons") is
    about each of them."""
    _one_format(as_json, as_csv)
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url, reader=reader)
    with _progress(as_json or as_csv) as progress:
        result = run_guarded(
            lambda: coverage(assistant, topic, threshold, filters or None, progress=progress)
        )
    if as_json:
        click.echo(json.dumps(shown.coverage_json(result), ensure_ascii=False))
    elif as_csv:
        click.echo(shown.coverage_csv(result), nl=False)
    else:
        click.echo(shown.coverage_terminal(result))


@click.command("matrix")
@threshold_option
@click.option(
    "--themes",
    "themes_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A themes file (the format of corpus/themes.toml) instead of the shipped one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the matrix as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the matrix as CSV.")
@index_option
@chroma_option
@reader_option
def matrix_command(
    threshold: float,
    themes_file: Path | None,
    as_json: bool,
    as_csv: bool,
    index_dir: Path | None,
    chroma_url: str | None,
    reader: str | None,
) -> None:
    """How many paragraphs of each document are about each of the eleven WSIS action lines
    (C1-C11 of the Geneva Plan of Action) and the themes staff add. The first count after an
    ingest reads the whole index once per theme; later ones come from the cache."""
    _one_format(as_json, as_csv)
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url, reader=reader)

    def count(progress: Callable[[float, str], None]) -> Any:
        return matrix(assistant, load_themes(themes_file), threshold, progress=progress)

    with _progress(as_json or as_csv) as progress:
        result = run_guarded(lambda: count(progress))
    if as_json:
        click.echo(json.dumps(shown.matrix_json(result), ensure_ascii=False))
    elif as_csv:
        click.echo(shown.matrix_csv(result), nl=False)
    else:
        click.echo(shown.matrix_terminal(result))
