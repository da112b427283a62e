"""The ``wsis`` command line: the edge where settings are loaded and errors become text.

Exit status: 0 success; 1 the work ran but something failed (a file skipped, a fetch failed,
a batch line rejected); 2 usage errors and questions that cannot be asked (empty, too long,
no words); 3 no usable index (missing, stale or busy).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from corpus.errors import (
    IndexBusy,
    IndexMissing,
    IndexUnreachable,
    InvalidQuestion,
    StaleIndex,
    WSISError,
)
from corpus.settings import Settings

EXIT_FAILED = 1
EXIT_NO_INDEX = 3


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI flags that were given on top."""
    given = {k: v for k, v in overrides.items() if v not in (None, ())}
    if "corpus_dirs" in given:
        given["corpus_dirs"] = [Path(p) for p in given["corpus_dirs"]]
    return Settings(**given)


def fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Any) -> Any:
    """Run an action, turning the library's errors into a message and an exit status."""
    try:
        return action()
    except (IndexMissing, StaleIndex, IndexBusy, IndexUnreachable) as exc:
        fail(str(exc), EXIT_NO_INDEX)
    except InvalidQuestion as exc:
        fail(str(exc), 2)
    except WSISError as exc:
        fail(str(exc))


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


@click.group()
@click.version_option(package_name="wsis-assistant")
def main() -> None:
    """WSIS Assistant: answers from WSIS documents, cited by paragraph."""


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (metadata and paragraphs).")
def parse(file: Path, as_json: bool) -> None:
    """Print a document's metadata and its paragraphs."""
    from ingest.pipeline import doc_id_for, parse_isolated
    from ingest.readers import ParseLimits

    limits = ParseLimits.from_settings(load_settings())
    parsed = run_guarded(lambda: parse_isolated(file, doc_id_for(file), limits))
    if as_json:
        click.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
        return
    doc = parsed.document
    click.echo(
        f"{doc.name} — {doc.title or '(no title)'} [{doc.kind.value}, {doc.date or 'undated'}]"
    )
    for p in parsed.paragraphs:
        where = f"{p.part}, " if p.part else ""
        pages = f"p. {p.page_start}" if p.page_start else ""
        click.echo(f"{where}{p.label:>6} {p.kind.value:<10} {pages:<7} {p.text[:90]}")


@main.command()
@corpus_option
@index_option
@chroma_option
@click.option("--rebuild", is_flag=True, help="Drop the index and build it again from scratch.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--break-lock",
    is_flag=True,
    help="Remove a Chroma server's write lock left by an ingest that was stopped elsewhere.",
)
def ingest(
    corpus_dirs: tuple[Path, ...],
    index_dir: Path | None,
    chroma_url: str | None,
    rebuild: bool,
    quiet: bool,
    break_lock: bool,
) -> None:
    """Bring the index in line with the corpus folders (incremental)."""
    from assistant.progress import progress_bar
    from ingest.embedding import make_embedder, prepare_serving
    from ingest.index import ParagraphIndex
    from ingest.pipeline import ingest as run_ingest

    settings = load_settings(corpus_dirs=corpus_dirs, index_dir=index_dir, chroma_url=chroma_url)
    embedder = make_embedder(settings)
    index = ParagraphIndex(settings, embedder)
    if break_lock:
        run_guarded(index.break_lock)
    with progress_bar(disabled=quiet) as progress:
        report = run_guarded(
            lambda: run_ingest(settings, index, rebuild=rebuild, progress=progress)
        )
    click.echo(
        f"Index {index.location}: {report.documents} documents, {report.paragraphs} paragraphs "
        f"({len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; "
        f"{report.embedded} paragraphs embedded) in {report.seconds:.1f} s"
    )
    for skipped in report.skipped:
        click.echo(f"Skipped {skipped.path}: {skipped.reason}", err=True)
    run_guarded(lambda: prepare_serving(settings))
    if not report.ok:
        sys.exit(EXIT_FAILED)


def _filters(kinds: tuple[str, ...], docs: tuple[str, ...], date_from: Any, date_to: Any) -> Any:
    from assistant.retrieval import Filters
    from corpus.model import DocumentKind

    return Filters(
        kinds=tuple(DocumentKind(k) for k in kinds),
        documents=tuple(docs),
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )


def _assistant(**overrides: Any) -> Any:
    from assistant.core import Assistant

    return Assistant(load_settings(**overrides))


filter_options = [
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


def with_filters(func: Any) -> Any:
    for option in reversed(filter_options):
        func = option(func)
    return func


def _print_answer(answer: Any) -> None:
    if answer.notice:
        click.echo(f"Note: {answer.notice}\n")
    click.echo(answer.text)
    if answer.citations:
        click.echo("\nCited:")
        for hit in answer.citations:
            title = f" — {hit.document.title}" if hit.document.title else ""
            section = (
                f" [{hit.paragraph.section.split(' > ')[-1]}]" if hit.paragraph.section else ""
            )
            click.echo(f"  {hit.citation}{section}{title}")


@main.command()
@click.argument("question", required=False)
@click.option("--input", "input_file", type=click.File("r"), help="JSONL of {id, question} lines.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@click.option("--k", type=click.IntRange(1, 200), help="How many hits to return (default 10).")
@with_filters
@index_option
@chroma_option
def ask(
    question: str | None,
    input_file: Any,
    as_json: bool,
    k: int | None,
    kinds: tuple[str, ...],
    docs: tuple[str, ...],
    date_from: Any,
    date_to: Any,
    index_dir: Path | None,
    chroma_url: str | None,
) -> None:
    """Answer a question (or a JSONL batch) with quotations cited by paragraph."""
    from corpus.errors import InvalidQuestion

    if (question is None) == (input_file is None):
        fail("give either a QUESTION or --input FILE", 2)
    assistant = _assistant(index_dir=index_dir, chroma_url=chroma_url)
    filters = _filters(kinds, docs, date_from, date_to)
    if input_file is None:
        answer = run_guarded(lambda: assistant.ask(question, filters=filters, k=k))
        if as_json:
            click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _print_answer(answer)
        return
    failures = 0
    for number, line in enumerate(input_file, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text = item.get("id"), item["question"]
            answer = assistant.ask(text, filters=filters, k=k)
            record = answer.to_dict(qid)
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            failures += 1
            record = {"id": None, "error": f"line {number}: not a JSON object with a question"}
        except InvalidQuestion as exc:
            failures += 1
            record = {"id": item.get("id"), "question": item.get("question"), "error": str(exc)}
        except (IndexMissing, StaleIndex, IndexBusy, IndexUnreachable) as exc:
            fail(str(exc), EXIT_NO_INDEX)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"[{record.get('id')}] {record.get('answer', record.get('error'))}\n")
    if failures:
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--k", type=click.IntRange(1, 200), help="How many hits (default 10).")
@click.option(
    "--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True
)
@with_filters
@index_option
@chroma_option
def search(
    query: str,
    as_json: bool,
    k: int | None,
    mode: str,
    kinds: tuple[str, ...],
    docs: tuple[str, ...],
    date_from: Any,
    date_to: Any,
    index_dir: Path | None,
    chroma_url: str | None,
) -> None:
    """List the paragraphs that best match a query, ranked."""
    assistant = _assistant(index_dir=index_dir, chroma_url=chroma_url)
    filters = _filters(kinds, docs, date_from, date_to)
    hits = run_guarded(lambda: assistant.search(query, k=k, filters=filters, mode=mode))
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
        return
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank:>2}. {hit.citation} ({hit.score:.3f})\n    {hit.paragraph.text[:200]}")


def _register_subcommands() -> None:
    from assistant import drafting_cli
    from corpus.cli import corpus_group
    from eval.cli import eval_command

    main.add_command(corpus_group)
    main.add_command(eval_command)
    drafting_cli.register(main)


_register_subcommands()
