"""``wsis compare``, ``wsis amendments`` and ``wsis precedent``: versions of a text,
proposed amendments and their uptake, and agreed language, on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from assistant.cli.common import chroma_option, index_option, make_assistant, run_guarded
from assistant.drafting.versions import ChangeStatus, marked_text


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--all", "show_all", is_flag=True, help="List unchanged paragraphs too.")
@index_option
@chroma_option
def compare(
    old: str,
    new: str,
    as_json: bool,
    show_all: bool,
    index_dir: Path | None,
    chroma_url: str | None,
) -> None:
    """Compare two versions of a text (OLD, NEW: symbols or ids) paragraph by paragraph.

    Paragraphs are matched by their words, not their numbers, so renumbered paragraphs are
    matched; each is unchanged, modified (with a word-level diff), moved, added or deleted.
    """
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url)
    comparison = run_guarded(lambda: assistant.compare(old, new))
    if as_json:
        _echo_json(comparison.to_dict())
        return
    click.echo(comparison.summary())
    for change in comparison.changes:
        if change.status is ChangeStatus.UNCHANGED and not show_all:
            continue
        labels = " → ".join(p.label if p is not None else "—" for p in (change.old, change.new))
        either = change.new or change.old
        part = either.part if either is not None else None
        where = f"{part}, " if part else ""
        regrouped = f" ({change.regrouped})" if change.regrouped else ""
        click.echo(f"\n{change.status.value:<9} {where}{labels}{regrouped}")
        if change.status is not ChangeStatus.UNCHANGED:
            click.echo(f"    {marked_text(change)}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@index_option
@chroma_option
def amendments(as_json: bool, index_dir: Path | None, chroma_url: str | None) -> None:
    """List the amendments proposed in submissions, by target paragraph, with the inserted
    wording marked {+like this+}, the closest paragraph of each later version, and whether
    the adopted text took the wording up (full, partial, none)."""
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url)
    report = run_guarded(assistant.amendments)
    if as_json:
        _echo_json(report.to_dict())
        return
    versions = ", ".join(d.name for d in report.versions) or "none found"
    counts = report.counts()
    click.echo(
        f"{len(report.items)} proposals; versions compared: {versions}; adopted text: "
        f"{report.adopted.name if report.adopted else 'none'}; uptake: {counts['full']} full, "
        f"{counts['partial']} partial, {counts['none']} none."
    )
    for item in report.items:
        marked = "".join(f"{{+{s.text}+}}" if s.inserted else s.text for s in item.segments)
        click.echo(f"\n{item.citation}")
        click.echo(f"    {marked}")
        for counterpart in item.counterparts:
            click.echo(
                f"    closest: {counterpart.citation} (similarity {counterpart.similarity:.2f})"
            )
        click.echo(f"    uptake: {item.uptake.value} — {item.summary()}")


@click.command()
@click.argument("phrase")
@click.option("--doc", "source", help="The document the phrase is from (symbol or id).")
@click.option("--json", "as_json", is_flag=True, help="Print the occurrences as JSON.")
@index_option
@chroma_option
def precedent(
    phrase: str,
    source: str | None,
    as_json: bool,
    index_dir: Path | None,
    chroma_url: str | None,
) -> None:
    """Find every earlier occurrence of PHRASE, word for word or near-verbatim, oldest
    first: whether it is agreed language and where it first appeared."""
    assistant = make_assistant(index_dir=index_dir, chroma_url=chroma_url)
    result = run_guarded(lambda: assistant.precedent(phrase, source))
    if as_json:
        _echo_json(result.to_dict())
        return
    click.echo(result.summary())
    for occurrence in result.occurrences:
        match = "exact" if occurrence.exact else f"variant, {occurrence.score:.0f}"
        click.echo(
            f"\n{occurrence.document.date or 'undated':>18}  {occurrence.citation} ({match})"
        )
        click.echo(f"    “{occurrence.passage}”")
