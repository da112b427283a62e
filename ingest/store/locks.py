"""One writer at a time: a second ingest or upload is refused, never interleaved.

An index in a local folder is held with a file lock, which the kernel releases when its
process ends however it ends. An index on a Chroma server, shared by machines, is held by
creating a collection only one writer can create; that lock outlives a killed writer, so
it records who holds it, and a lock left by a process of this machine that no longer runs
is taken over, while one held elsewhere waits for ``wsis ingest --break-lock``.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import IndexBusy

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

#: The file a local index is locked through, inside its folder.
LOCK_FILE = ".ingest.lock"


@contextmanager
def file_lock(folder: Path, location: str) -> Iterator[None]:
    """Hold a local index; raises :class:`IndexBusy` if another process holds it."""
    lock_path = Path(folder) / LOCK_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(f"another ingest is writing {location}; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def server_lock(client: ClientAPI, name: str, location: str) -> Iterator[None]:
    """Hold an index on a server through the collection ``name``; raises
    :class:`IndexBusy`, naming the holder, if a live writer holds it."""
    from chromadb.errors import ChromaError

    holder = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
    for attempt in range(2):
        try:
            client.create_collection(name, metadata=holder, embedding_function=None)
            break
        except ChromaError as exc:
            found = lock_holder(client, name)
            if attempt == 0 and found is not None and abandoned(found):
                remove_lock(client, name)
                continue
            raise IndexBusy(
                f"another ingest is writing {location} ({describe(found)}); wait for "
                "it to finish, or if it was stopped, run `wsis ingest --break-lock`"
            ) from exc
    try:
        yield
    finally:
        remove_lock(client, name)


def lock_holder(client: ClientAPI, name: str) -> dict[str, Any] | None:
    """Who holds the server lock ``name`` (host, pid, since), if anyone can tell."""
    try:
        return dict(client.get_collection(name).metadata or {})
    except Exception:
        return None


def remove_lock(client: ClientAPI, name: str) -> None:
    """Release the server lock ``name``, whoever holds it."""
    names = {getattr(c, "name", c) for c in client.list_collections()}
    if name in names:
        client.delete_collection(name)


def abandoned(holder: dict[str, Any]) -> bool:
    """A lock taken by a process of this machine that has ended."""
    if holder.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def describe(holder: dict[str, Any] | None) -> str:
    """The holder of a lock as a message names it."""
    if not holder:
        return "holder unknown"
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(holder.get("since", 0))))
    return f"process {holder.get('pid')} on {holder.get('host')}, since {since}"
