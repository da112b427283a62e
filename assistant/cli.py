"""The ``wsis`` command line: the edge where settings are loaded and errors become text.

Exit status: 0 success; 1 the work ran but something failed (a file skipped, a fetch failed,
a question rejected); 2 usage errors; 3 no usable index (missing, stale or busy).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.errors import IndexBusy, IndexMissing, StaleIndex, WSISError
from assistant.settings import Settings

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
    except (IndexMissing, StaleIndex, IndexBusy) as exc:
        fail(str(exc), EXIT_NO_INDEX)
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
    from ingest.pipeline import parse_file

    parsed = run_guarded(lambda: parse_file(file))
    if as_json:
        click.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
        return
    doc = parsed.document
    click.echo(f"{doc.name} — {doc.title or '(no title)'} [{doc.kind.value}, {doc.date or 'undated'}]")
    for p in parsed.paragraphs:
        where = f"{p.part}, " if p.part else ""
        pages = f"p. {p.page_start}" if p.page_start else ""
        click.echo(f"{where}{p.paragraph:>6} {p.kind.value:<10} {pages:<7} {p.text[:90]}")


@main.command()
@corpus_option
@index_option
@chroma_option
@click.option("--rebuild", is_flag=True, help="Drop the index and build it again from scratch.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def ingest(
    corpus_dirs: tuple[Path, ...],
    index_dir: Path | None,
    chroma_url: str | None,
    rebuild: bool,
    quiet: bool,
) -> None:
    """Bring the index in line with the corpus folders (incremental)."""
    from assistant.progress import progress_bar
    from ingest.embedding import SentenceTransformerEmbedder
    from ingest.index import ParagraphIndex
    from ingest.pipeline import ingest as run_ingest

    settings = load_settings(corpus_dirs=corpus_dirs, index_dir=index_dir, chroma_url=chroma_url)
    embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embed_batch_size)
    index = ParagraphIndex(settings, embedder)
    with progress_bar(disabled=quiet) as progress:
        report = run_guarded(lambda: run_ingest(settings, index, rebuild=rebuild, progress=progress))
    click.echo(
        f"Index {index.location}: {report.documents} documents, {report.paragraphs} paragraphs "
        f"({len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; "
        f"{report.embedded} paragraphs embedded) in {report.seconds:.1f} s"
    )
    for skipped in report.skipped:
        click.echo(f"Skipped {skipped.path}: {skipped.reason}", err=True)
    if not report.ok:
        sys.exit(EXIT_FAILED)


def _register_subcommands() -> None:
    from corpus.cli import corpus_group

    main.add_command(corpus_group)


_register_subcommands()
