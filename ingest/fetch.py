"""Getting the default corpus onto a machine: official PDFs by UN symbol, or from a local mirror.

The documents are not part of the repository, so users download the official copies from the
UN Official Document System (ODS). ODS sometimes answers with an HTML page instead of a PDF,
and a batch of twenty downloads should not die on the first bad symbol, so every symbol gets
its own outcome in a :class:`FetchReport` and nothing half-written is ever left behind.
"""

from __future__ import annotations

import filecmp
import http.client
import os
import secrets
import shutil
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Literal

from corpus.model import DocumentKind

DEFAULT_ODS_URL = "https://documents.un.org/api/symbol/access?s={symbol}&l=en&t=pdf"
USER_AGENT = "wsis-assistant/0.1 (corpus fetch; +https://documents.un.org)"

_CHUNK = 1 << 16
_PDF_MAGIC = b"%PDF"
_HTML_REASON = "server returned an HTML page, not a PDF: check the symbol"

Status = Literal["fetched", "present", "failed"]


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One document of the default corpus, as listed in ``documents.toml``."""

    file: str
    title: str
    kind: DocumentKind
    symbol: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened to one symbol: where it landed, or why it did not."""

    symbol: str
    status: Status
    path: Path | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FetchReport:
    """Outcome of one batch, in the order the symbols were asked for."""

    results: tuple[FetchResult, ...]

    def _symbols(self, status: Status) -> list[str]:
        return [r.symbol for r in self.results if r.status == status]

    @property
    def fetched(self) -> list[str]:
        """Symbols written (new, or replaced because the served copy changed)."""
        return self._symbols("fetched")

    @property
    def present(self) -> list[str]:
        """Symbols whose file was already there with the same content, left untouched."""
        return self._symbols("present")

    @property
    def failed(self) -> list[tuple[str, str]]:
        """(symbol, reason) for every symbol that did not arrive."""
        return [
            (r.symbol, r.reason or "unknown error") for r in self.results if r.status == "failed"
        ]

    @property
    def ok(self) -> bool:
        """True when every symbol arrived, so scripts can rely on the exit status."""
        return not self.failed


class FetchFailed(Exception):
    """One symbol could not be fetched; the message is the reason shown to the user."""


# --- the document list (pure) -------------------------------------------------------------


def parse_documents(text: str) -> list[CorpusEntry]:
    """Reads the ``[[document]]`` tables of a documents.toml, failing on an incomplete entry.

    Checked here so that a typo in the shipped list shows up as a clear error, not as a
    missing document much later.
    """
    data = tomllib.loads(text)
    return [_entry(i, raw) for i, raw in enumerate(data.get("document", []), start=1)]


def _entry(position: int, raw: dict[str, Any]) -> CorpusEntry:
    missing = [key for key in ("file", "title", "kind") if not raw.get(key)]
    if missing:
        raise ValueError(f"documents.toml entry {position} lacks {', '.join(missing)}")
    if not raw.get("symbol") and not raw.get("note"):
        raise ValueError(
            f"documents.toml entry {position} ({raw['file']}) has no symbol and no note"
        )
    try:
        kind = DocumentKind(raw["kind"])
    except ValueError:
        raise ValueError(
            f"documents.toml entry {position} ({raw['file']}) has unknown kind {raw['kind']!r}"
        ) from None
    return CorpusEntry(
        file=raw["file"],
        title=raw["title"],
        kind=kind,
        symbol=raw.get("symbol") or None,
        note=raw.get("note") or None,
    )


def default_documents() -> list[CorpusEntry]:
    """The shipped document list, read from the package so it works from an installed wheel."""
    text = resources.files("corpus").joinpath("documents.toml").read_text(encoding="utf-8")
    return parse_documents(text)


def default_symbols(entries: Iterable[CorpusEntry] | None = None) -> list[str]:
    """Every symbol of the list: what ``fetch`` downloads when no symbol is named."""
    listed = default_documents() if entries is None else entries
    return [e.symbol for e in listed if e.symbol]


# --- names and URLs (pure) ----------------------------------------------------------------


def ods_url(symbol: str, base: str = DEFAULT_ODS_URL) -> str:
    """The URL of a symbol's English PDF; symbols hold slashes, so they are percent-encoded."""
    return base.replace("{symbol}", urllib.parse.quote(symbol, safe=""))


def file_name_for(symbol: str, entries: Iterable[CorpusEntry]) -> str:
    """Where a symbol is saved: the listed file name, so the result matches the manifest,
    else the symbol with its slashes turned into underscores (never a path of its own)."""
    wanted = symbol.strip().upper()
    for entry in entries:
        if entry.symbol and entry.symbol.upper() == wanted:
            return entry.file
    safe = symbol.strip().replace("/", "_").replace("\\", "_")
    return f"{safe}.pdf"


def canonical_symbol(symbol: str, entries: Iterable[CorpusEntry]) -> str:
    """The listed spelling of a symbol typed in another case, else the symbol as typed."""
    wanted = symbol.strip()
    for entry in entries:
        if entry.symbol and entry.symbol.upper() == wanted.upper():
            return entry.symbol
    return wanted


def not_a_pdf_reason(head: bytes) -> str | None:
    """Why a body is not a PDF, judged from its first bytes; None when it is one.

    ODS answers an unknown or withdrawn symbol with an HTML page and status 200, so the
    status code alone cannot be trusted.
    """
    if head.startswith(_PDF_MAGIC):
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<") or b"<html" in start:
        return _HTML_REASON
    if not head:
        return "server returned an empty body, not a PDF"
    return f"server returned something that is not a PDF (it starts with {head[:8]!r})"


def _unique(symbols: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for symbol in symbols:
        key = symbol.upper()
        if key not in seen:
            seen.add(key)
            kept.append(symbol)
    return kept


# --- I/O at the edges ---------------------------------------------------------------------


def _copy_stream(source: BinaryIO, target: Path) -> None:
    # "x": never clobber a file that is not ours; plain open keeps the user's umask,
    # which a mkstemp file (mode 0600) would not once renamed into place.
    with target.open("xb") as out:
        shutil.copyfileobj(source, out, _CHUNK)


def _download(url: str, target: Path, timeout: float) -> None:
    """Streams a URL into ``target``, turning every transport failure into a reason."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            _copy_stream(response, target)
    except urllib.error.HTTPError as error:
        hint = ": check the symbol" if error.code == 404 else ""
        raise FetchFailed(f"server answered HTTP {error.code} ({error.reason}){hint}") from None
    except TimeoutError:
        raise FetchFailed(f"no answer within {timeout:g} s: try again later") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise FetchFailed(f"no answer within {timeout:g} s: try again later") from None
        raise FetchFailed(f"cannot reach the server: {error.reason}") from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise FetchFailed(f"the download broke off: {error or type(error).__name__}") from None
    except ValueError as error:
        raise FetchFailed(f"not a usable URL {url!r}: {error}") from None


def _copy_from_mirror(mirror: Path, name: str, target: Path) -> None:
    source = mirror / name
    if not source.is_file():
        raise FetchFailed(f"{name} is not in the mirror {mirror}")
    with source.open("rb") as stream:
        _copy_stream(stream, target)


def _install(temp: Path, target: Path) -> Status:
    """Puts a complete, verified file in place atomically; an identical file is left as is."""
    with temp.open("rb") as stream:
        reason = not_a_pdf_reason(stream.read(512))
    if reason:
        raise FetchFailed(reason)
    if target.is_file() and filecmp.cmp(temp, target, shallow=False):
        return "present"
    os.replace(temp, target)
    return "fetched"


def _fetch_one(
    symbol: str,
    name: str,
    dest: Path,
    *,
    base_url: str,
    mirror: Path | None,
    timeout: float,
) -> FetchResult:
    """Fetches one symbol into a temp file beside its target, so a failure leaves nothing."""
    target = dest / name
    temp: Path | None = None
    try:
        dest.mkdir(parents=True, exist_ok=True)
        temp = dest / f".{name}.{secrets.token_hex(6)}.part"
        if mirror is not None:
            _copy_from_mirror(mirror, name, temp)
        else:
            _download(ods_url(symbol, base_url), temp, timeout)
        status = _install(temp, target)
        return FetchResult(symbol, status, path=target)
    except FetchFailed as failure:
        return FetchResult(symbol, "failed", reason=str(failure))
    except OSError as error:
        return FetchResult(
            symbol, "failed", reason=f"file error for {target}: {error.strerror or error}"
        )
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def fetch(
    symbols: Sequence[str] | None,
    dest: Path,
    *,
    base_url: str = DEFAULT_ODS_URL,
    mirror: Path | None = None,
    timeout: float = 60,
    progress: Callable[[FetchResult], None] | None = None,
) -> FetchReport:
    """Fetches each symbol's PDF into ``dest``; every symbol of the default list when None.

    Each symbol succeeds or fails on its own, so one bad symbol costs only itself.
    ``progress`` is told about each symbol as it finishes, for a CLI that shows work as it
    happens rather than after the last download.
    """
    if "{symbol}" not in base_url:
        raise ValueError(f"the base URL must contain {{symbol}}: {base_url}")
    entries = default_documents()
    asked = default_symbols(entries) if symbols is None else [s for s in symbols if s.strip()]
    results = []
    for symbol in _unique(canonical_symbol(s, entries) for s in asked):
        name = file_name_for(symbol, entries)
        result = _fetch_one(symbol, name, dest, base_url=base_url, mirror=mirror, timeout=timeout)
        if progress is not None:
            progress(result)
        results.append(result)
    return FetchReport(tuple(results))
