"""``wsis corpus ...``: getting the default documents onto this machine."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.settings import PROJECT_ROOT
from ingest.fetch import DEFAULT_ODS_URL, FetchResult, fetch

DEFAULT_DEST = PROJECT_ROOT / "data" / "corpus"


def _check_base_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if "{symbol}" not in value:
        raise click.BadParameter("must contain {symbol}, where the UN symbol goes")
    return value


def _line(result: FetchResult) -> str:
    if result.status == "failed":
        return f"failed   {result.symbol}: {result.reason}"
    return f"{result.status:<8} {result.symbol} -> {result.path}"


@click.group("corpus")
def corpus_group() -> None:
    """Get the documents the assistant answers from."""


@corpus_group.command("fetch")
@click.argument("symbols", nargs=-1)
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DEST,
    show_default=True,
    help="Folder the PDFs are saved in.",
)
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Copy from this local folder (same file names) instead of downloading.",
)
@click.option(
    "--base-url",
    default=DEFAULT_ODS_URL,
    show_default=True,
    callback=_check_base_url,
    help="Document server URL, with {symbol} where the UN symbol goes.",
)
@click.option("--timeout", type=float, default=60, show_default=True, help="Seconds per request.")
def fetch_command(
    symbols: tuple[str, ...], dest: Path, mirror: Path | None, base_url: str, timeout: float
) -> None:
    """Download official PDFs by UN symbol (default: every symbol of the default list).

    Files already present with the same content are left untouched. Exits with status 1 if
    any symbol failed; the others are still saved.
    """
    report = fetch(
        list(symbols) or None,
        dest,
        base_url=base_url,
        mirror=mirror,
        timeout=timeout,
        progress=lambda result: click.echo(_line(result)),
    )
    click.echo(
        f"{len(report.fetched)} fetched, {len(report.present)} already present, "
        f"{len(report.failed)} failed"
    )
    if not report.ok:
        click.get_current_context().exit(1)
