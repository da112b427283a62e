"""``wsis serve``: the web app (``python app.py`` runs the same command)."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.app.server import serve as serve_app
from assistant.cli.common import (
    chroma_option,
    index_option,
    load_settings,
    reader_option,
    run_guarded,
)


@click.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default 7860).")
@index_option
@chroma_option
@reader_option
def serve(
    host: str | None,
    port: int | None,
    index_dir: Path | None,
    chroma_url: str | None,
    reader: str | None,
) -> None:
    """Start the app: ask, where a topic is covered, compare versions, amendments, agreed
    language, documents and uploads, evaluation."""
    settings = load_settings(
        host=host, port=port, index_dir=index_dir, chroma_url=chroma_url, reader=reader
    )
    run_guarded(lambda: serve_app(settings))
