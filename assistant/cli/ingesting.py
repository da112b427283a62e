"""``wsis parse`` and ``wsis ingest``: files to paragraphs, paragraphs to the index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.cli.common import (
    EXIT_FAILED,
    chroma_option,
    corpus_option,
    index_option,
    load_settings,
    run_guarded,
)
from assistant.cli.progress import progress_bar
from ingest.embedding import make_embedder, prepare_serving
from ingest.pipeline import doc_id_for, parse_isolated
from ingest.pipeline import ingest as run_ingest
from ingest.readers import ParseLimits
from ingest.store import ParagraphIndex


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (metadata and paragraphs).")
def parse(file: Path, as_json: bool) -> None:
    """Print a document's metadata and its paragraphs."""
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


@click.command()
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
