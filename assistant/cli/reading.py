"""``wsis reader build``: the reader's relevance model, trained once on this machine from the
teacher's questions and cached (a step of the set-up)."""

from __future__ import annotations

import click

from assistant.cli.common import load_settings, run_guarded
from assistant.reader.bundled_model import assemble
from assistant.reader.relevance import build


@click.group("reader")
def reader_group() -> None:
    """The reader, which judges whether paragraphs answer a question."""


@reader_group.command("build")
def build_command() -> None:
    """Assemble the bundled model and train the relevance model from the teacher's questions
    (minutes on two cores, once: later runs find both in the model cache)."""
    settings = load_settings()

    def report(line: str) -> None:
        click.echo(line, err=True)

    if settings.reader == "local" and settings.reader_model_path is None:
        gguf = run_guarded(lambda: assemble(settings.model_cache_dir))
        report(f"Reader model: {gguf}")
    run_guarded(lambda: build(settings, report=report))
