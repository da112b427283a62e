"""The ``wsis`` command line: the edge where settings are loaded and errors become text.

Each command lives in the module of its subject and is imported only when it runs, so that
``wsis ask`` never loads the parsers and ``wsis parse`` never loads the index. Commands of
packages that build on the assistant (``wsis eval``) are found through the ``wsis.commands``
entry points, which keeps the dependencies pointing one way.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import click

#: Command name -> "module:attribute" of the command.
COMMANDS = {
    "parse": "assistant.cli.ingesting:parse",
    "ingest": "assistant.cli.ingesting:ingest",
    "ask": "assistant.cli.answering:ask",
    "search": "assistant.cli.answering:search",
    "compare": "assistant.cli.drafting:compare",
    "amendments": "assistant.cli.drafting:amendments",
    "precedent": "assistant.cli.drafting:precedent",
    "coverage": "assistant.cli.coverage:coverage_command",
    "matrix": "assistant.cli.coverage:matrix_command",
    "corpus": "assistant.cli.corpus:corpus_group",
    "serve": "assistant.cli.serve:serve",
    "reader": "assistant.cli.reading:reader_group",
}
ENTRY_POINT_GROUP = "wsis.commands"


class CommandTable(click.Group):
    """A group whose commands are imported when they are run or listed in ``--help``."""

    def targets(self) -> dict[str, str]:
        found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
        return {**found, **COMMANDS}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.targets())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.targets().get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=CommandTable)
@click.version_option(package_name="wsis-assistant")
def main() -> None:
    """WSIS Assistant: answers from WSIS documents, cited by paragraph."""
