"""Killing an ingest (SIGKILL) at any moment leaves an index that answers as before, and the
next ingest completes it with no duplicate or orphaned paragraphs.

One index of three real documents is built per module. Each case copies it, changes the
corpus (a document replaced by another text, one added, one removed) and runs an ingest in
a child process that is cut off at one named moment (see tests/crashing_ingest.py): while
files are parsed, before and between batches of the embedding model, and before every write
to Chroma the ingest makes, halfway through writing the nodes. It kills itself there, or
stops there to be killed from outside with its whole process group, parse workers included.
A fault-free run lists the moments there are, and a test checks that the cases cut off
every one of them, so each is hit for certain, on any machine. Then:

- the untouched document reads and ranks exactly as before;
- every document is shown either wholly as it was or wholly as it became, never mixed;
- a second ingest finishes, and the index then holds exactly the new corpus.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.api import Assistant
from corpus.settings import Settings
from ingest.embedding import SentenceTransformerEmbedder
from ingest.pipeline import ingest, parse_file
from ingest.store import ParagraphIndex
from ingest.store.chroma import PENDING

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

CHILD = Path(__file__).with_name("crashing_ingest.py")
BEFORE = {
    "A_RES_79_277": "corpus/A_RES_79_277.pdf",
    "A_RES_78_311": "corpus/A_RES_78_311.pdf",
    "A_RES_80_7": "distractors/A_RES_80_7.pdf",
}
#: After the change: A_RES_80_7.pdf holds another resolution's text, A_RES_80_2 is new and
#: A_RES_78_311 is gone; A_RES_79_277 stays as it was.
AFTER = {
    "A_RES_79_277": "corpus/A_RES_79_277.pdf",
    "A_RES_80_7": "distractors/A_RES_80_16.pdf",
    "A_RES_80_2": "distractors/A_RES_80_2.pdf",
}
UNTOUCHED = "A_RES_79_277"
QUESTIONS = (
    "What does resolution 79/277 say about the Global Digital Compact?",
    "information and communications technologies for sustainable development",
)


def _link(corpus: Path, sources: dict[str, str], shared: Path) -> None:
    for path in corpus.iterdir():
        path.unlink()
    for doc_id, rel in sources.items():
        (corpus / f"{doc_id}.pdf").symlink_to(shared / rel)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _paragraphs_of(path: Path, doc_id: str) -> list[tuple[str | None, str, str]]:
    return [(p.part, p.label, _norm(p.text)) for p in parse_file(path, doc_id).paragraphs]


@dataclass
class Versions:
    shared: Path
    built: Path
    embedder: SentenceTransformerEmbedder
    before: dict[str, list[tuple[str | None, str, str]]]
    after: dict[str, list[tuple[str | None, str, str]]]
    ranked: dict[str, list[str]]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Versions:
    shared = corpus_dir.parent
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    corpus.mkdir()
    _link(corpus, BEFORE, shared)
    settings = Settings(corpus_dirs=[corpus], index_dir=root / "index")
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    report = ingest(settings, ParagraphIndex(settings, embedder))
    assert report.ok and report.documents == len(BEFORE)
    assistant = Assistant(settings, embedder=embedder)
    ranked = {q: [h.citation for h in assistant.search(q, k=5)] for q in QUESTIONS}
    return Versions(
        shared=shared,
        built=root / "index",
        embedder=embedder,
        before={d: _paragraphs_of(shared / rel, d) for d, rel in BEFORE.items()},
        after={d: _paragraphs_of(shared / rel, d) for d, rel in AFTER.items()},
        ranked=ranked,
    )


@dataclass
class Case:
    settings: Settings
    corpus: Path


@pytest.fixture
def case(versions: Versions, tmp_path: Path) -> Case:
    """A copy of the built index, and the corpus folder changed to its new state."""
    shutil.copytree(versions.built, tmp_path / "index", symlinks=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _link(corpus, AFTER, versions.shared)
    return Case(Settings(corpus_dirs=[corpus], index_dir=tmp_path / "index"), corpus)


#: Pieces per batch through the model in the child, so that its few documents make several.
BATCH_SIZE = 8


@dataclass
class Run:
    returncode: int
    output: str

    def steps(self) -> list[tuple[str, int]]:
        """The moments the ingest passed, in order, as the child printed them."""
        return [
            (moment, int(n))
            for line in self.output.splitlines()
            if line.startswith("step ")
            for moment, n in [line.split()[1:3]]
        ]


def _run_child(case: Case, moment: str, n: int, outside: bool = False) -> Run:
    """Run the crashing ingest on the case; killed at the moment, or to the end for "none"."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(CHILD.parents[1])}
    args = [sys.executable, str(CHILD), str(case.corpus), str(case.settings.index_dir), moment]
    args += [str(n), "--batch-size", str(BATCH_SIZE), *(["--outside"] if outside else [])]
    log = case.corpus.parent / f"{moment}-{n}.log"
    with log.open("w") as out:
        child = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _, status = os.waitpid(child.pid, os.WUNTRACED)
            if os.WIFSTOPPED(status):  # at the moment, waiting to be killed from outside
                os.killpg(child.pid, signal.SIGKILL)
                _, status = os.waitpid(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        finally:
            # parse workers and their fork server outlive a child that killed only itself
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
    run = Run(child.returncode, log.read_text())
    if moment == "none":
        assert run.returncode == 0, run.output
    else:
        marker = f"{'stopped' if outside else 'killed'} at {moment} {n}"
        assert run.returncode == -signal.SIGKILL and marker in run.output, run.output
    return run


def _shown(assistant: Assistant) -> dict[str, list[tuple[str | None, str, str]]]:
    catalog = assistant.catalog
    return {
        doc_id: [(p.part, p.label, _norm(p.text)) for p in paragraphs]
        for doc_id, paragraphs in catalog.by_doc.items()
    }


def assert_answers_as_before(versions: Versions, settings: Settings) -> None:
    assistant = Assistant(settings, embedder=versions.embedder)
    shown = _shown(assistant)
    assert shown[UNTOUCHED] == versions.before[UNTOUCHED]
    for doc_id, paragraphs in shown.items():
        states = [v[doc_id] for v in (versions.before, versions.after) if doc_id in v]
        assert paragraphs in states, f"{doc_id} is shown half old, half new"
    for question, ranked in versions.ranked.items():
        cited = [h.citation for h in assistant.search(question, k=5)]
        first = [c for c in ranked if "79/277" in c][:1]
        assert [c for c in cited if "79/277" in c][:1] == first, question


def assert_complete(versions: Versions, settings: Settings) -> None:
    index = ParagraphIndex(settings, versions.embedder)
    live = index.indexed_documents()
    assert sorted(live) == sorted(AFTER)
    records = [record_id for record_id, _ in index._register_records()]
    assert not [r for r in records if r.startswith(PENDING)], "a write was left pending"
    nodes = list(index.iter_nodes(include_text=False))
    orphans = [n for n, meta, _ in nodes if live.get(meta["doc_id"]) != meta["sha256"]]
    assert orphans == []
    expected = sum(
        len(index.pieces(parse_file(versions.shared / rel, doc_id)))
        for doc_id, rel in AFTER.items()
    )
    assert len(nodes) == len({n for n, _, _ in nodes}) == expected
    assert _shown(Assistant(settings, embedder=versions.embedder)) == versions.after


#: Every moment of the ingest of the changed corpus (written out by a fault-free run, see
#: the test below): the parsing of the second file; the embedding of the new documents,
#: before it starts and after one batch; and each write of the new versions and of the
#: removal, in order: pending records, nodes (cut halfway), the switch, the clean-up of the
#: replaced document's old nodes and deletes of those nodes and of the pending records; then
#: the removal's pending record, its register record, its nodes, its pending record.
MOMENTS = [
    ("parsing", 2),
    ("embedding", 1),
    ("batch", 2),
    ("beginning", 1),
    ("adding", 1),
    ("committing", 1),
    ("cleaning", 1),
    ("deleting", 1),
    ("deleting", 2),
    ("beginning", 2),
    ("deleting", 3),
    ("cleaning", 2),
    ("deleting", 4),
    ("deleting", 5),
]
#: Killed from outside with the whole process group: parse workers busy on a file, and
#: nodes half written.
FROM_OUTSIDE = [("parsing", 2), ("adding", 1)]
#: Steps that write to the index: each of their occurrences must be a moment cut off.
WRITES = {"beginning", "adding", "committing", "cleaning", "deleting", "unknown-write"}


@pytest.mark.parametrize(("moment", "n"), MOMENTS, ids=[f"{m}-{n}" for m, n in MOMENTS])
def test_ingest_killed_at_a_moment(versions: Versions, case: Case, moment: str, n: int) -> None:
    _run_child(case, moment, n)
    assert_answers_as_before(versions, case.settings)
    report = ingest(case.settings, ParagraphIndex(case.settings, versions.embedder))
    assert report.ok, report.skipped
    assert_complete(versions, case.settings)


@pytest.mark.parametrize(("moment", "n"), FROM_OUTSIDE, ids=[f"{m}-{n}" for m, n in FROM_OUTSIDE])
def test_ingest_killed_from_outside_with_its_workers(
    versions: Versions, case: Case, moment: str, n: int
) -> None:
    _run_child(case, moment, n, outside=True)
    assert_answers_as_before(versions, case.settings)
    report = ingest(case.settings, ParagraphIndex(case.settings, versions.embedder))
    assert report.ok, report.skipped
    assert_complete(versions, case.settings)


def test_the_moments_cut_off_are_every_write_of_the_ingest(versions: Versions, case: Case) -> None:
    """A fault-free run of the same ingest passes each moment above, and makes no write to
    the index that is not one of them; a write step added to ingestion fails here until a
    case cuts it off."""
    steps = _run_child(case, "none", 0).steps()
    assert_complete(versions, case.settings)
    assert [s for s in steps if s[0] in WRITES] == [s for s in MOMENTS if s[0] in WRITES]
    # parsing and embedding moments fall inside their phase: one file parsed of two, one
    # batch embedded of several
    assert [m for m in MOMENTS + FROM_OUTSIDE if m not in steps] == []


def test_a_killed_ingest_does_not_block_the_next(versions: Versions, case: Case) -> None:
    """The lock of a killed ingest goes with its process."""
    _run_child(case, "adding", 1)
    assert _run_child(case, "none", 0).returncode == 0
    assert_complete(versions, case.settings)
