"""``python -m eval.bench.app``: the app's answer latency under concurrent users.

Starts the app (``app.py``) in a subprocess on a free port of 127.0.0.1 over the default
index (or ``--index-dir``), or uses a running one (``--url``); then sends questions from
several gradio_client clients at once, each in its own thread, and reports the median and
95th percentile of the end-to-end time of ``/ask`` and the number of errors. Clients take
the answer and the links to its export files, as an API caller does, without downloading
the files (``download_files=False``). Bounded: a
fixed number of questions, a timeout on each, traffic to the given loopback URL only.
"""

from __future__ import annotations

import argparse
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.testset import load_testset

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_TESTSET = PROJECT_ROOT / "eval" / "testsets" / "dev.jsonl"
STARTUP_SECONDS = 240.0
REQUEST_TIMEOUT = 120.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float, process: subprocess.Popen[Any] | None = None) -> None:
    """Poll ``url`` until it answers; fail early if the app process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s")


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app (``ui.create_app(...)``) with uvicorn in a background thread; yields
    its URL and stops it on exit. For tests, which need the app's Assistant in-process."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="wsis-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the app did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass(frozen=True, slots=True)
class RunningApp:
    """An app process started by :func:`app_process`."""

    url: str
    pid: int

    def peak_memory_mb(self) -> float | None:
        """The most resident memory the process has held (VmHWM), in MB; None where
        ``/proc`` does not say."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None


@contextmanager
def app_process(index_dir: Path | None = None, port: int | None = None) -> Iterator[RunningApp]:
    """``python app.py`` on a free loopback port; yields it and ends it on exit."""
    port = port or free_port()
    command = [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    if index_dir is not None:
        command += ["--index-dir", str(index_dir)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            try:
                wait_until_up(url, STARTUP_SECONDS, process)
            except RuntimeError as exc:
                log.seek(0)
                tail = "\n".join(log.read().splitlines()[-20:])
                raise RuntimeError(f"{exc}; the app said:\n{tail}") from exc
            yield RunningApp(url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class BenchResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]

    def report(self, clients: int) -> str:
        def fmt(value: float | None) -> str:
            return "–" if value is None else f"{value:.0f} ms"

        done = len(self.latencies_ms)
        lines = [
            f"{done + len(self.errors)} questions from {clients} concurrent clients "
            f"in {self.wall_s:.1f} s ({done / self.wall_s if self.wall_s else 0:.2f} answers/s)",
            f"/ask end to end: p50 {fmt(self.percentile(50))}, p95 {fmt(self.percentile(95))}, "
            f"max {fmt(max(self.latencies_ms, default=None))}",
            f"errors: {len(self.errors)}",
        ]
        lines += [f"  {e}" for e in self.errors[:10]]
        return "\n".join(lines)


def check_loopback(url: str) -> str:
    """The URL, if it points at this machine; a benchmark never loads anything else."""
    from urllib.parse import urlparse

    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host == "::1" or host.startswith("127.")):
        raise SystemExit(f"--url must point at this machine (127.0.0.1, localhost), not {host!r}")
    return url


def bench_questions(count: int) -> list[str]:
    """The first questions of the shipped development test set."""
    return [item.question for item in load_testset(DEV_TESTSET)[:count]]


def run_bench(url: str, questions: Sequence[str], clients: int) -> BenchResult:
    """Each client thread takes the next question until none is left. The clients connect
    first, one after another, as users who already have the page open; then they all ask
    at once."""
    from gradio_client import Client

    todo: queue.Queue[str] = queue.Queue()
    for question in questions:
        todo.put(question)
    result = BenchResult()
    lock = threading.Lock()
    connected = []
    for _ in range(clients):
        try:
            connected.append(
                Client(url, verbose=False, analytics_enabled=False, download_files=False)
            )
        except Exception as exc:  # a client that cannot connect is an error, not a crash
            result.errors.append(f"connect: {type(exc).__name__}: {exc}")

    def work(client: Client) -> None:
        while True:
            try:
                question = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                job = client.submit(question, [], [], api_name="/ask")
                outputs = job.result(timeout=REQUEST_TIMEOUT)
                if not isinstance(outputs, tuple | list) or not outputs[1]:
                    raise RuntimeError("empty answer")
            except Exception as exc:
                with lock:
                    result.errors.append(f"{question[:50]!r}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=work, args=(client,), name=f"client-{i}")
        for i, client in enumerate(connected)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="Index folder for the app it starts.")
    parser.add_argument("--url", help="Bench a running app on this machine instead.")
    parser.add_argument("--questions", type=int, default=20, help="Questions to send (20).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (8).")
    args = parser.parse_args(argv)
    questions = bench_questions(args.questions)
    if args.url:
        result = run_bench(check_loopback(args.url), questions, args.clients)
    else:
        print("Starting the app ...", file=sys.stderr, flush=True)
        with app_process(args.index_dir) as app:
            run_bench(app.url, questions[:1], 1)  # first call loads lazily-built parts
            result = run_bench(app.url, questions, args.clients)
            peak = app.peak_memory_mb()
        if peak is not None:
            print(f"app process, most resident memory: {peak:,.0f} MB")
    print(result.report(args.clients))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
