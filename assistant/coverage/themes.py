"""The themes of the coverage matrix: the WSIS action lines C1-C11 and those staff add, read
from ``corpus/themes.toml`` (the format is described at its top)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from corpus.errors import WSISError


class InvalidThemes(WSISError):
    """The themes file cannot be read; the message names the entry and what is wrong."""


@dataclass(frozen=True, slots=True)
class Theme:
    """A row of the matrix: a topic, with narrower parts and the documents' words for it."""

    id: str
    name: str
    topic: str
    parts: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass(frozen=True, slots=True)
class Themes:
    themes: tuple[Theme, ...]
    #: A hash of the file's text: a changed file is counted again.
    version: str

    def find(self, name: str) -> Theme | None:
        """A theme by its id ("C5"), label or name, case aside."""
        wanted = " ".join(name.split()).lower()
        for theme in self.themes:
            if wanted in {theme.id.lower(), theme.label.lower(), theme.name.lower()}:
                return theme
        return None


def _strings(raw: dict[str, Any], key: str, position: int) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidThemes(f"theme {position}: `{key}` must be a list of words or phrases")
    return tuple(" ".join(v.split()) for v in value)


def parse_themes(text: str, source: str = "themes.toml") -> Themes:
    """The ``[[theme]]`` tables of a themes file, checked: a typo shows up as a clear error
    naming the entry, not as an empty row much later."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidThemes(f"{source} is not valid TOML ({exc})") from exc
    themes: list[Theme] = []
    for position, raw in enumerate(data.get("theme", []), start=1):
        missing = [k for k in ("id", "name", "topic") if not str(raw.get(k, "")).strip()]
        if missing:
            raise InvalidThemes(f"{source}: theme {position} lacks {', '.join(missing)}")
        theme = Theme(
            id=str(raw["id"]).strip(),
            name=" ".join(str(raw["name"]).split()),
            topic=" ".join(str(raw["topic"]).split()),
            parts=_strings(raw, "parts", position),
            terms=_strings(raw, "terms", position),
        )
        if any(t.id.lower() == theme.id.lower() for t in themes):
            raise InvalidThemes(f"{source}: theme {position} repeats the id {theme.id}")
        themes.append(theme)
    if not themes:
        raise InvalidThemes(f"{source} has no [[theme]] entries")
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Themes(tuple(themes), version)


def load_themes(path: Path | None = None) -> Themes:
    """The themes of ``path``, or the shipped ones (``corpus/themes.toml``)."""
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidThemes(f"cannot read the themes file {path} ({exc})") from exc
        return parse_themes(text, str(path))
    return parse_themes(resources.files("corpus").joinpath("themes.toml").read_text("utf-8"))
