"""``wsis ask`` and ``wsis search``: questions answered with quotations cited by paragraph."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click

from assistant import render
from assistant.api import STYLES, Assistant
from assistant.cli.common import (
    EXIT_FAILED,
    EXIT_NO_INDEX,
    EXIT_USAGE,
    NO_INDEX,
    chroma_option,
    fail,
    index_option,
    make_assistant,
    reader_option,
    run_guarded,
)
from assistant.retrieval import MODES, Filters
from corpus.errors import InvalidQuestion
from corpus.model import DocumentKind

_FILTER_OPTIONS = [
    click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice(["resolution", "draft", "report", "submission"]),
        help="Only documents of this kind (repeatable).",
    ),
    click.option(
        "--doc", "docs", multiple=True, help="Only this document, by symbol (repeatable)."
    ),
    click.option(
        "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Dated on or after."
    ),
    click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Dated on or before."),
]


def with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The filter options, given to the command as one ``filters`` argument."""

    @functools.wraps(command)
    def with_options(
        *args: Any,
        kinds: tuple[str, ...],
        docs: tuple[str, ...],
        date_from: datetime | None,
        date_to: datetime | None,
        **kwargs: Any,
    ) -> Any:
        return command(*args, filters=filters_from(kinds, docs, date_from, date_to), **kwargs)

    for option in reversed(_FILTER_OPTIONS):
        with_options = option(with_options)
    return with_options


def filters_from(
    kinds: tuple[str, ...],
    docs: tuple[str, ...],
    date_from: datetime | None,
    date_to: datetime | None,
) -> Filters:
    return Filters(
        kinds=tuple(DocumentKind(k) for k in kinds),
        documents=tuple(docs),
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )


@click.command()
@click.argument("question", required=False)
@click.option("--input", "input_file", type=click.File("r"), help="JSONL of {id, question} lines.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@click.option("--k", type=click.IntRange(1, 200), help="How many hits to return (default 10).")
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="quotes",
    show_default=True,
    help="summary: a short answer, each sentence checked against the paragraphs it cites, "
    "before the quotes.",
)
@with_filters
@index_option
@chroma_option
@reader_option
def ask(
    question: str | None,
    input_file: IO[str] | None,
    as_json: bool,
    k: int | None,
    style: str,
    filters: Filters,
    index_dir: Path | None,
    chroma_url: str | None,
    reader: str | None,
) -> None:
    """Answer a question (or a JSONL batch) with quotations cited by paragraph."""
    if (question is None) == (input_file is None):
        fail("give either a QUESTION or --input FILE", EXIT_USAGE)
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url, reader=reader)
    if question is not None:
        asked = question
        answer = run_guarded(lambda: assistant.ask(asked, filters=filters, k=k, style=style))
        if as_json:
            click.echo(json.dumps(render.answer_json(answer), ensure_ascii=False))
        else:
            click.echo(render.answer_terminal(answer))
        return
    assert input_file is not None
    if not _ask_batch(assistant, input_file, filters, k, as_json, style):
        sys.exit(EXIT_FAILED)


def _ask_batch(
    assistant: Assistant,
    lines: IO[str],
    filters: Filters,
    k: int | None,
    as_json: bool,
    style: str = "quotes",
) -> bool:
    """Answers every ``{"id", "question"}`` line; a bad line is reported and the batch goes
    on. Whether every line was answered."""
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            qid, text = item.get("id"), item["question"]
            answer = assistant.ask(text, filters=filters, k=k, style=style)
            record = render.answer_json(answer, qid)
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            failures += 1
            record = {"id": None, "error": f"line {number}: not a JSON object with a question"}
        except InvalidQuestion as exc:
            failures += 1
            record = {"id": item.get("id"), "question": item.get("question"), "error": str(exc)}
        except NO_INDEX as exc:
            fail(str(exc), EXIT_NO_INDEX)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"[{record.get('id')}] {record.get('answer', record.get('error'))}\n")
    return failures == 0


@click.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--k", type=click.IntRange(1, 200), help="How many hits (default 10).")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@with_filters
@index_option
@chroma_option
@reader_option
def search(
    query: str,
    as_json: bool,
    k: int | None,
    mode: str,
    filters: Filters,
    index_dir: Path | None,
    chroma_url: str | None,
    reader: str | None,
) -> None:
    """List the paragraphs that best match a query, ranked (by the reader's relevance, when
    it reads them)."""
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url, reader=reader)
    hits = run_guarded(lambda: assistant.search(query, k=k, filters=filters, mode=mode))
    if as_json:
        click.echo(json.dumps([render.hit_json(h) for h in hits], ensure_ascii=False))
        return
    click.echo(render.hits_terminal(hits))
