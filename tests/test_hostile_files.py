"""Hostile and broken files: each is reported by name with what to do, and the batch goes on.

The nasty PDFs are made here: thousands of blank pages, a page tree nested thousands deep
or looping back on itself, one page listed thousands of times, a page count that lies,
arrays nested a hundred thousand deep, a compressed stream that inflates to 100 MB, an
outline nested 20,000 deep; and truncated and byte-flipped copies of the real PDFs in
../shared/corpus (read in place, the copies written to a temporary folder).

Parsing in a batch runs in worker processes (``ingest.pipeline.parse_many``); the tests
check that the limits of ``ParseLimits`` are applied: a file over the page or size limit,
one that takes longer than the time limit or more than the memory limit, one that crashes
its worker, comes back as that file's error while the other files are parsed. Time and
memory are bounded by the product, so no test here measures either.
"""

from __future__ import annotations

import faulthandler
import io
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from corpus.errors import UnreadableDocument
from corpus.model import ParsedDocument
from corpus.settings import Settings
from ingest.pipeline import ingest, parse_file, parse_isolated, parse_many
from ingest.readers import ParseLimits, SourceFile, pdf_pages
from ingest.store import ParagraphIndex

SMALL_PDFS = [
    "A_RES_79_277.pdf",
    "A_RES_79_325.pdf",
    "A_RES_79_322.pdf",
    "A_RES_78_311.pdf",
    "A_RES_78_213.pdf",
]
DECISION = (
    b"1. Decides to keep the Internet Governance Forum as a permanent forum of the United Nations."
)

# --------------------------------------------------------------------------- PDFs made here


def _pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF of the given objects, numbered from 1 (the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _text_page_objects(first: int, parent: int) -> list[bytes]:
    """A page showing :data:`DECISION`, as objects ``first`` (page), +1 (font), +2 (text)."""
    content = b"BT /F1 10 Tf 40 700 Td (" + DECISION + b") Tj ET"
    return [
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
        % (parent, first + 1, first + 2),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]


def _one_page_pdf(catalog_extra: bytes = b"", kids: bytes = b"3 0 R", count: int = 1) -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    pages = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
    return _pdf([catalog, pages, *_text_page_objects(3, 2)])


def _nested_page_tree(depth: int) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, number + 1))
    return _pdf(objects + _text_page_objects(depth + 2, depth + 1))


def _deep_outline(depth: int) -> bytes:
    first_item = 6
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        *_text_page_objects(3, 2),
    ]
    for level in range(depth):
        number = first_item + level
        child = b"/First %d 0 R /Last %d 0 R /Count 1 " % (number + 1, number + 1)
        objects.append(
            b"<< /Title (Level %d) %s/Dest [3 0 R /Fit] >>"
            % (level, child if level + 1 < depth else b"")
        )
    return _pdf(objects)


def _blank_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _inflating_stream(megabytes: int) -> bytes:
    """One page whose content stream is a few hundred KB that inflate to ``megabytes``."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    stream = StreamObject()
    stream._data = zlib.compress(b" " * (megabytes * 2**20), 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _refusal(path: Path, limits: ParseLimits | None = None) -> str:
    with pytest.raises(UnreadableDocument) as caught:
        parse_file(path, limits=limits)
    assert caught.value.path == str(path)
    return caught.value.reason


def test_the_pdfs_made_here_are_read_when_nothing_is_wrong(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, "plain.pdf", _one_page_pdf()))
    assert [(p.label, p.text) for p in parsed.paragraphs] == [
        ("1", DECISION.decode()[3:]),
    ]
    parsed = parse_file(_write(tmp_path, "tree.pdf", _nested_page_tree(20)))
    assert parsed.document.pages == 1


def test_thousands_of_pages_are_refused_from_the_declared_count(tmp_path: Path) -> None:
    path = _write(tmp_path, "blank.pdf", _blank_pages(5000))
    reason = _refusal(path)
    assert reason == (
        "PDF declares 5000 pages, over the 2000-page limit; split it, or raise WSIS_MAX_PDF_PAGES"
    )
    assert "no text layer" in _refusal(path, ParseLimits(max_pdf_pages=5000))


def test_a_page_tree_that_lies_about_its_count_is_refused_by_its_pages(tmp_path: Path) -> None:
    repeated = _write(tmp_path, "repeated.pdf", _one_page_pdf(kids=b"3 0 R " * 5000, count=1))
    assert _refusal(repeated).startswith("PDF has 5000 pages, over the 2000-page limit")
    inflated = _write(tmp_path, "inflated.pdf", _one_page_pdf(count=999_999_999))
    assert _refusal(inflated).startswith("PDF declares 999999999 pages, over the 2000-page limit")


def test_a_deeply_nested_page_tree_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "deep-tree.pdf", _nested_page_tree(5000))
    assert _refusal(path).startswith("PDF goes past a safety limit of the PDF reader")


def test_a_page_tree_that_loops_is_refused_as_damaged(tmp_path: Path) -> None:
    path = _write(tmp_path, "loop.pdf", _one_page_pdf(kids=b"3 0 R 2 0 R", count=2))
    assert _refusal(path).startswith("PDF is damaged and cannot be read")


def test_deeply_nested_objects_are_refused(tmp_path: Path) -> None:
    nested = b"/Extra " + b"[" * 100_000 + b"]" * 100_000
    path = _write(tmp_path, "arrays.pdf", _one_page_pdf(catalog_extra=nested))
    assert _refusal(path).startswith("PDF ")


def test_a_deeply_nested_outline_does_not_stop_the_text_being_read(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, "outline.pdf", _deep_outline(20_000)))
    assert [p.label for p in parsed.paragraphs] == ["1"]


def test_a_stream_that_inflates_to_100_mb_is_refused_within_the_limits(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.pdf", _inflating_stream(100))
    assert len(path.read_bytes()) < 2**20
    (result,) = parse_many([(path, "bomb")], ParseLimits(memory_mb=256, timeout_s=120))
    assert isinstance(result, UnreadableDocument)
    assert result.path == str(path)
    assert result.reason.startswith("PDF has no text layer")


@given(st.binary(max_size=3000))
@settings(max_examples=200)
def test_random_bytes_behind_a_pdf_header_are_refused_by_name(data: bytes) -> None:
    source = SourceFile(Path("random.pdf"), "", b"%PDF-1.7\n" + data)
    with pytest.raises(UnreadableDocument) as caught:
        pdf_pages(source)
    assert caught.value.path == "random.pdf" and caught.value.reason


# --------------------------------------------------------------------------- real PDFs, broken


def _assert_parsed_or_refused(path: Path) -> None:
    """The one promise for a broken file: paragraphs as usual, or an error naming it."""
    try:
        parsed = parse_file(path)
    except UnreadableDocument as exc:
        assert exc.path == str(path)
        assert exc.reason
        return
    keys = [(p.part, p.label) for p in parsed.paragraphs]
    assert len(keys) == len(set(keys))
    assert all(p.text.strip() for p in parsed.paragraphs)
    assert parsed.document.pages is not None and parsed.document.pages >= 1


@pytest.mark.corpus
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_copies_of_a_real_pdf(corpus_dir: Path, tmp_path: Path, keep: float) -> None:
    data = (corpus_dir / "A_RES_79_277.pdf").read_bytes()
    _assert_parsed_or_refused(_write(tmp_path, "cut.pdf", data[: int(len(data) * keep)]))


@pytest.mark.corpus
def test_a_real_pdf_cut_before_its_first_page_is_refused_as_damaged(
    corpus_dir: Path, tmp_path: Path
) -> None:
    data = (corpus_dir / "A_RES_79_277.pdf").read_bytes()
    assert _refusal(_write(tmp_path, "cut.pdf", data[:400])).startswith("PDF")


@pytest.mark.corpus
@pytest.mark.parametrize("step", [997, 10_007, 50_021])
def test_byte_flipped_copies_of_a_real_pdf(corpus_dir: Path, tmp_path: Path, step: int) -> None:
    data = bytearray((corpus_dir / "A_RES_79_277.pdf").read_bytes())
    for at in range(64, len(data), step):
        data[at] ^= 0xFF
    _assert_parsed_or_refused(_write(tmp_path, "flipped.pdf", bytes(data)))


def _mutate(data: bytes, how: str, where: float, width: int, byte: int) -> bytes:
    at = int(len(data) * where)
    if how == "truncate":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes(b ^ byte for b in data[at : at + width]) + data[at + width :]
    if how == "delete":
        return data[:at] + data[at + width :]
    return data[: at + width] + data[at : at + width] + data[at + width :]  # duplicate


_MUTATIONS = st.tuples(
    st.sampled_from(["truncate", "flip", "delete", "duplicate"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=1, max_value=4096),
    st.integers(min_value=1, max_value=255),
)


@pytest.mark.slow
@pytest.mark.corpus
@given(st.sampled_from(SMALL_PDFS), st.lists(_MUTATIONS, min_size=1, max_size=4))
@settings(
    max_examples=60,
    deadline=60_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_broken_copy_of_a_real_pdf_is_parsed_or_refused_by_name(
    corpus_dir: Path,
    tmp_path: Path,
    name: str,
    mutations: list[tuple[str, float, int, int]],
) -> None:
    data = (corpus_dir / name).read_bytes()
    for how, where, width, byte in mutations:
        data = _mutate(data, how, where, width, byte)
    _assert_parsed_or_refused(_write(tmp_path, f"broken-{name}", data))


@pytest.mark.slow
@pytest.mark.corpus
def test_a_batch_of_broken_copies_is_parsed_within_the_default_limits(
    corpus_dir: Path, tmp_path: Path
) -> None:
    jobs = []
    for i, name in enumerate(SMALL_PDFS):
        data = (corpus_dir / name).read_bytes()
        jobs.append((_write(tmp_path, f"cut-{i}.pdf", data[: len(data) * (i + 1) // 7]), f"c{i}"))
        flipped = bytes(b ^ 0x5A if k % 3001 == 7 else b for k, b in enumerate(data))
        jobs.append((_write(tmp_path, f"flip-{i}.pdf", flipped), f"f{i}"))
    jobs.append((corpus_dir / "A_RES_79_277.pdf", "intact"))
    results = parse_many(jobs, ParseLimits())
    assert len(results) == len(jobs)
    for (path, _), result in zip(jobs, results, strict=True):
        if isinstance(result, UnreadableDocument):
            assert result.path == str(path)
            for limit_word in ("took longer", "crashed", "memory"):
                assert limit_word not in result.reason, result.reason
    assert isinstance(results[-1], ParsedDocument)
    assert results[-1].document.symbol == "A/RES/79/277"


# --------------------------------------------------------------------------- worker limits


def _recurse(depth: int) -> int:
    return _recurse(depth + 1) + 1


def _parse_or_misbehave(path: Path, doc_id: str, limits: ParseLimits) -> ParsedDocument:
    """The real parser, except for files named after the way a parser can fail."""
    if path.stem == "hangs":
        time.sleep(3600)
    elif path.stem == "crashes":
        faulthandler.disable()  # die quietly, as a crash in C code would without pytest
        os.kill(os.getpid(), signal.SIGSEGV)
    elif path.stem == "recurses":
        _recurse(0)
    elif path.stem == "greedy":
        hoard = bytearray(4 * limits.memory_mb * 2**20)
        del hoard
    elif path.stem == "buggy":
        raise ValueError("unexpected token\n\nat offset 12")
    return parse_file(path, doc_id, limits)


def _text_files(folder: Path, names: Sequence[str]) -> list[tuple[Path, str]]:
    jobs = []
    for name in names:
        path = folder / f"{name}.md"
        path.write_text(f"# {name}\n\nRecalling the Tunis Agenda, {name} text.\n", "utf-8")
        jobs.append((path, name))
    return jobs


def test_each_way_a_worker_fails_becomes_that_files_error(tmp_path: Path) -> None:
    names = ["first", "hangs", "second", "crashes", "third", "recurses", "greedy", "buggy", "last"]
    jobs = _text_files(tmp_path, names)
    limits = ParseLimits(timeout_s=2.0, memory_mb=64)
    seen: list[int] = []
    results = parse_many(
        jobs,
        limits,
        workers=2,
        progress=lambda _s, done, _t: seen.append(done),
        parse=_parse_or_misbehave,
    )
    outcome = {
        name: result.reason if isinstance(result, UnreadableDocument) else result.document.doc_id
        for name, result in zip(names, results, strict=True)
    }
    assert outcome == {
        "first": "first",
        "hangs": "took longer than 2 s to parse and was stopped; split it, "
        "or raise WSIS_PARSE_TIMEOUT_S",
        "second": "second",
        "crashes": "the parser crashed on it (killed by SIGSEGV); the file may be damaged: "
        "get a fresh copy, or leave it out",
        "third": "third",
        "recurses": "is nested too deeply to be parsed; simplify the file or re-save it",
        "greedy": "needs more than 64 MB of memory to parse; split it, "
        "or raise WSIS_PARSE_MEMORY_MB",
        "buggy": "could not be parsed (ValueError: unexpected token at offset 12)",
        "last": "last",
    }
    assert all(
        isinstance(r, UnreadableDocument) and r.path == str(path)
        for (path, _), r in zip(jobs, results, strict=True)
        if not isinstance(r, ParsedDocument)
    )
    assert sorted(seen) == list(range(1, len(names) + 1))


_HELD_BY_A_THREAD = threading.Lock()


def _parse_needing_the_lock(path: Path, doc_id: str, limits: ParseLimits) -> ParsedDocument:
    if not _HELD_BY_A_THREAD.acquire(timeout=5):
        raise RuntimeError("waited on a lock that one of the caller's threads holds")
    return parse_file(path, doc_id, limits)


def test_workers_do_not_inherit_locks_held_by_the_callers_threads(tmp_path: Path) -> None:
    """An app parsing an upload runs native threads (ONNX Runtime, Chroma) that hold locks; a
    worker forked from it would find those locks taken, by threads it does not have."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _HELD_BY_A_THREAD:
            held.set()
            release.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    try:
        (result,) = parse_many(
            _text_files(tmp_path, ["upload"]), workers=1, parse=_parse_needing_the_lock
        )
    finally:
        release.set()
        thread.join()
    assert isinstance(result, ParsedDocument), result


def _parse_reporting_the_readers(path: Path, doc_id: str, limits: ParseLimits) -> ParsedDocument:
    loaded = sorted(name for name in sys.modules if name.startswith("ingest.markup."))
    raise UnreadableDocument(str(path), " ".join(loaded))


def test_workers_start_with_every_reader_loaded(tmp_path: Path) -> None:
    """The fork server imports the parsers once, so a worker's memory limit is not spent on
    imports; a module it cannot find it skips without a word, so a renamed one is checked."""
    (result,) = parse_many(
        _text_files(tmp_path, ["upload"]), workers=1, parse=_parse_reporting_the_readers
    )
    assert isinstance(result, UnreadableDocument)
    assert result.reason.split() == [
        f"ingest.markup.{name}" for name in ("blocks", "docx", "html", "markdown", "text")
    ]


def _parse_and_hang(path: Path, doc_id: str, limits: ParseLimits) -> ParsedDocument:
    (path.parent / "worker.pid.new").write_text(str(os.getpid()))
    (path.parent / "worker.pid.new").rename(path.parent / "worker.pid")
    time.sleep(3600)
    return parse_file(path, doc_id, limits)


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_worker_stuck_on_a_file_does_not_outlive_a_killed_ingest(tmp_path: Path) -> None:
    ((path, doc_id),) = _text_files(tmp_path, ["stuck"])
    script = (
        "from pathlib import Path; from ingest.pipeline import parse_many; "
        "from test_hostile_files import _parse_and_hang; "
        f"parse_many([(Path({str(path)!r}), {doc_id!r})], workers=1, parse=_parse_and_hang)"
    )
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    caller = subprocess.Popen([sys.executable, "-c", script], env=env)
    pid_file = tmp_path / "worker.pid"
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() and caller.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.exists(), f"the worker never started (caller exit status {caller.poll()})"
        worker = int(pid_file.read_text())
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 30
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
def test_a_worker_ends_when_its_caller_does(pidfd: bool) -> None:
    """The watch behind the test above, with and without pidfd (older kernels, not Linux)."""
    caller = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    code = (
        "import os, sys, time\n"
        + ("" if pidfd else "del os.pidfd_open\n")
        + "from ingest.pipeline import _die_with_caller\n"
        + f"_die_with_caller({caller.pid})\nprint('watching', flush=True)\ntime.sleep(600)\n"
    )
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": str(here.parent)}
    worker = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "watching"
        assert worker.poll() is None
    finally:
        caller.kill()
        caller.wait()
    try:
        assert worker.wait(timeout=30) == 1
    finally:
        worker.kill()


def test_one_worker_also_survives_a_crash(tmp_path: Path) -> None:
    jobs = _text_files(tmp_path, ["crashes", "after"])
    results = parse_many(jobs, ParseLimits(), workers=1, parse=_parse_or_misbehave)
    assert isinstance(results[0], UnreadableDocument) and "crashed" in results[0].reason
    assert isinstance(results[1], ParsedDocument)


def test_a_file_needing_more_memory_than_the_limit_is_refused_and_the_next_is_read(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Recalling the Tunis Agenda for the Information Society.\n\n" * 800_000)
    assert big.stat().st_size > 40 * 2**20
    small = tmp_path / "small.txt"
    small.write_text("Recalling the Geneva Declaration of Principles.\n")
    results = parse_many([(big, "big"), (small, "small")], ParseLimits(memory_mb=32), workers=1)
    assert isinstance(results[0], UnreadableDocument)
    assert results[0].reason.startswith("needs more than 32 MB of memory to parse")
    assert isinstance(results[1], ParsedDocument)


@pytest.mark.corpus
def test_a_real_pdf_over_the_time_limit_is_stopped(corpus_dir: Path) -> None:
    pact = corpus_dir / "A_RES_79_1.pdf"
    with pytest.raises(UnreadableDocument, match=r"took longer than 0\.5 s to parse") as caught:
        parse_isolated(pact, "A_RES_79_1", ParseLimits(timeout_s=0.5))
    assert caught.value.path == str(pact)


@pytest.mark.corpus
def test_a_real_file_over_the_size_limit_is_refused_unread(corpus_dir: Path) -> None:
    report = corpus_dir / "UNCTAD_TIR_2025_Overview.en.pdf"
    reason = _refusal(report, ParseLimits(max_file_mb=1))
    assert reason == "file is 2.7 MB, over the 1 MB limit; split it, or raise WSIS_MAX_FILE_MB"


@pytest.mark.corpus
def test_a_real_pdf_over_a_lowered_page_limit_is_refused(corpus_dir: Path) -> None:
    path = corpus_dir / "A_RES_79_277.pdf"
    pages = parse_file(path).document.pages
    assert pages is not None and pages > 2
    assert _refusal(path, ParseLimits(max_pdf_pages=2)).startswith(f"PDF declares {pages} pages")


def test_limits_come_from_the_settings() -> None:
    settings = Settings(max_file_mb=7, max_pdf_pages=30, parse_timeout_s=9.5, parse_memory_mb=700)
    assert ParseLimits.from_settings(settings) == ParseLimits(7, 30, 9.5, 700)
    defaults = Settings()
    assert ParseLimits() == ParseLimits.from_settings(defaults)
    assert (defaults.max_file_mb, defaults.max_pdf_pages) == (100, 2000)


# --------------------------------------------------------------------------- a whole ingest


class HashEmbedder:
    """A deterministic stand-in for the embedding model: words hashed into 32 dimensions."""

    name = "hash-embedder"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * 32
        vector[0] = 1.0
        for word in text.lower().split():
            vector[zlib.crc32(word.encode()) % 32] += 1.0
        norm = sum(v * v for v in vector) ** 0.5
        return [v / norm for v in vector]

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.mark.slow
@pytest.mark.corpus
def test_ingest_reports_each_hostile_file_by_name_and_indexes_the_rest(
    tmp_path: Path, corpus_dir: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "A_RES_79_277.pdf").symlink_to(corpus_dir / "A_RES_79_277.pdf")
    (corpus / "itu.md").symlink_to(corpus_dir / "ITU_input_WSIS20_zero_draft.md")
    (corpus / "big.pdf").symlink_to(corpus_dir / "UNCTAD_TIR_2025_Overview.en.pdf")
    (corpus / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    os.mkfifo(corpus / "pipe.md")
    _write(corpus, "blank.pdf", _blank_pages(2500))
    _write(corpus, "deep-tree.pdf", _nested_page_tree(3000))
    data = (corpus_dir / "A_RES_78_311.pdf").read_bytes()
    _write(corpus, "cut.pdf", data[:300])
    nest = (
        "<div>" * 20_000 + "<p>Recalling the Tunis Agenda, deep in a page.</p>" + "</div>" * 20_000
    )
    _write(corpus, "nested.html", nest.encode())
    settings = Settings(corpus_dirs=[corpus], index_dir=tmp_path / "index", max_file_mb=2)
    index = ParagraphIndex(settings, HashEmbedder())

    report = ingest(settings, index)

    assert sorted(report.added) == ["A_RES_79_277", "itu", "nested"]
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert sorted(reasons) == [
        "big.pdf",
        "blank.pdf",
        "cut.pdf",
        "deep-tree.pdf",
        "gone.pdf",
        "pipe.md",
    ]
    assert reasons["big.pdf"].startswith("file is 2.7 MB, over the 2 MB limit")
    assert reasons["blank.pdf"].startswith("PDF declares 2500 pages, over the 2000-page limit")
    assert reasons["deep-tree.pdf"].startswith("PDF goes past a safety limit")
    assert reasons["cut.pdf"].startswith("PDF")
    assert reasons["gone.pdf"] == "is a broken link; fix or remove it"
    assert reasons["pipe.md"].startswith("is not a regular file")
    assert report.documents == 3 and not report.ok

    again = ingest(settings, ParagraphIndex(settings, HashEmbedder()))
    assert (again.added, again.unchanged) == ([], 3)
    assert {Path(s.path).name for s in again.skipped} == set(reasons)


# --------------------------------------------------------------------------- uploads


@pytest.mark.corpus
def test_a_hostile_upload_is_refused_by_name_and_changes_nothing(
    tmp_path: Path, corpus_dir: Path
) -> None:
    from assistant.api import Assistant
    from assistant.app.uploads import UploadRejected, add_upload

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "itu.md").symlink_to(corpus_dir / "ITU_input_WSIS20_zero_draft.md")
    settings = Settings(corpus_dirs=[corpus], index_dir=tmp_path / "index")
    assert ingest(settings, ParagraphIndex(settings, HashEmbedder())).ok
    assistant = Assistant(settings, embedder=HashEmbedder())
    blank = _write(tmp_path, "blank.pdf", _blank_pages(2500))
    with pytest.raises(UploadRejected, match=r"^“blank\.pdf”: PDF declares 2500 pages"):
        add_upload(assistant, blank)
    hurried = Assistant(
        settings.model_copy(update={"parse_timeout_s": 0.5}), embedder=HashEmbedder()
    )
    with pytest.raises(UploadRejected, match=r"^“pact\.pdf”: took longer than 0\.5 s to parse"):
        add_upload(hurried, corpus_dir / "A_RES_79_1.pdf", name="pact.pdf")
    assert list(settings.uploads_path.iterdir()) == []

    added = add_upload(assistant, corpus_dir / "A_RES_79_277.pdf")
    assert added.document.symbol == "A/RES/79/277"
    assert [p.name for p in settings.uploads_path.iterdir()] == ["A_RES_79_277.pdf"]
