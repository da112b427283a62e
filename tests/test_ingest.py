"""Ingest into a real Chroma index with the real embedding model, over real documents.

One index is built per module from a corpus folder of symlinks to four real files
(A/RES/79/277, A/RES/78/311, ITU's Markdown input to the Zero Draft, A/RES/80/7). Tests
that change the corpus (a changed, removed or broken file) put it back and ingest again
before they end, so each test starts from the same index.

CLI exit status, as documented in :mod:`assistant.cli`: 0 success; 1 the work ran but
something failed (a file skipped); 2 usage errors; 3 no usable index (missing, stale, busy).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from assistant.catalog import Catalog
from assistant.cli import main
from corpus.errors import IndexBusy, IndexMissing, StaleIndex, UnreadableDocument
from corpus.model import Paragraph, ParagraphKind, ParsedDocument
from corpus.settings import PARSER_VERSION, Settings
from ingest import adding
from ingest.adding import add_file
from ingest.embedding import SentenceTransformerEmbedder
from ingest.pipeline import IngestReport, ingest, parse_file
from ingest.store import ParagraphIndex
from ingest.store.pieces import paragraph_id_of, split_into_pieces

pytestmark = pytest.mark.corpus

SOURCES = {
    "A_RES_79_277": "corpus/A_RES_79_277.pdf",
    "A_RES_78_311": "corpus/A_RES_78_311.pdf",
    "ITU_input_WSIS20_zero_draft": "corpus/ITU_input_WSIS20_zero_draft.md",
    "A_RES_80_7": "distractors/A_RES_80_7.pdf",
}
ITU_OLD = "ITU served as the Secretariat for the two-phased Summit held in 2003 (Geneva)"
ITU_NEW = "ITU hosted a workshop on quantum networking for small island developing States"


@dataclass
class Built:
    """The module's corpus folder, its settings and the report of the first ingest."""

    corpus: Path
    settings: Settings
    embedder: SentenceTransformerEmbedder
    sources: dict[str, Path]
    first: IngestReport

    def index(self) -> ParagraphIndex:
        return ParagraphIndex(self.settings, self.embedder)

    def ingest(self) -> IngestReport:
        return ingest(self.settings, self.index())

    def link(self, doc_id: str) -> Path:
        return self.corpus / self.sources[doc_id].name

    def cli_args(self) -> list[str]:
        return [
            "ingest",
            "--corpus",
            str(self.corpus),
            "--index-dir",
            str(self.settings.index_dir),
            "--quiet",
        ]


def _link_sources(corpus: Path, sources: dict[str, Path]) -> None:
    for path in corpus.iterdir():
        path.unlink()
    for source in sources.values():
        (corpus / source.name).symlink_to(source)


@pytest.fixture(scope="module", autouse=True)
def clean_environment() -> Iterator[None]:
    """Settings read WSIS_* variables; a developer's own must not change these tests."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("WSIS_"):
                patch.delenv(name)
        yield


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    defaults = Settings()
    return SentenceTransformerEmbedder(defaults.embedding_model, defaults.embed_batch_size)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
    corpus_dir: Path,
    distractors_dir: Path,
    embedder: SentenceTransformerEmbedder,
) -> Built:
    shared = corpus_dir.parent
    assert distractors_dir.parent == shared
    sources = {doc_id: shared / rel for doc_id, rel in SOURCES.items()}
    root = tmp_path_factory.mktemp("ingest")
    corpus = root / "corpus"
    corpus.mkdir()
    _link_sources(corpus, sources)
    settings = Settings(corpus_dirs=[corpus], index_dir=root / "idx")
    first = ingest(settings, ParagraphIndex(settings, embedder))
    return Built(corpus, settings, embedder, sources, first)


@contextmanager
def restored(built: Built) -> Iterator[None]:
    """Whatever a test does to the corpus folder, put the four links back and re-ingest."""
    try:
        yield
    finally:
        _link_sources(built.corpus, built.sources)
        report = built.ingest()
        assert report.ok and report.documents == len(SOURCES)


def _nodes(index: ParagraphIndex, doc_id: str | None = None) -> list[tuple[str, dict, str]]:
    return [n for n in index.iter_nodes() if doc_id is None or n[1]["doc_id"] == doc_id]


def _retrievable_pieces(index: ParagraphIndex, parsed: ParsedDocument) -> int:
    return sum(1 for piece in index.pieces(parsed) if piece.paragraph.searchable)


def _assert_no_duplicates(index: ParagraphIndex) -> None:
    nodes = _nodes(index)
    ids = [node_id for node_id, _, _ in nodes]
    assert len(ids) == len(set(ids))
    keys = Counter((m["doc_id"], m["part"], m["paragraph"], m["piece"]) for _, m, _ in nodes)
    assert [key for key, n in keys.items() if n > 1] == []


# --- a first and a second ingest -----------------------------------------------------------


def test_first_ingest_indexes_every_paragraph(built: Built) -> None:
    report = built.first
    index = built.index()
    parsed = {doc_id: parse_file(path) for doc_id, path in built.sources.items()}
    paragraphs = sum(len({p.id for p in doc.paragraphs if p.searchable}) for doc in parsed.values())
    assert report.ok, report.skipped
    assert sorted(report.added) == sorted(SOURCES)
    assert (report.updated, report.removed, report.unchanged) == ([], [], 0)
    assert report.documents == 4
    assert report.paragraphs == paragraphs
    assert report.embedded == sum(_retrievable_pieces(index, doc) for doc in parsed.values())
    assert index.count() == sum(len(index.pieces(doc)) for doc in parsed.values())
    assert index.indexed_documents() == {
        doc_id: doc.document.sha256 for doc_id, doc in parsed.items()
    }
    _assert_no_duplicates(index)


def test_nodes_carry_their_citation(built: Built) -> None:
    nodes = _nodes(built.index(), "A_RES_79_277")
    by_label = {m["paragraph"]: (m, text) for _, m, text in nodes if m["piece"] == 0}
    meta, text = by_label["1"]
    assert meta["symbol"] == "A/RES/79/277"
    assert meta["kind"] == "operative"
    assert meta["page_start"] >= 1
    assert meta["char_end"] > meta["char_start"]
    assert text.startswith("Decides")


def test_the_index_gives_back_every_paragraph_as_parsed(built: Built) -> None:
    """Long paragraphs are stored in several pieces; read back, each is the parser's own text
    under the parser's own id, so a citation quotes exactly what ingestion produced."""
    index = built.index()
    catalog = Catalog.from_store(index)
    parsed = [parse_file(path) for path in built.sources.values()]
    pieces = Counter(m["paragraph_id"] for _, m, _ in index.live_nodes(include_text=False))
    assert any(count > 1 for count in pieces.values())
    for doc in parsed:
        for paragraph in doc.paragraphs:
            stored = catalog.paragraphs[paragraph.id]
            assert (stored.text, stored.id) == (paragraph.text, paragraph.id)


def test_a_node_id_opens_with_its_paragraph_id(built: Built) -> None:
    """Dense search reads paragraph ids from node ids instead of fetching metadata."""
    nodes = _nodes(built.index())
    assert nodes
    assert all(paragraph_id_of(node_id) == meta["paragraph_id"] for node_id, meta, _ in nodes)


def test_pieces_are_slices_that_join_back_into_the_paragraph() -> None:
    text = "First sentence here. Second one follows;\nthird on its own line. (a) Fourth."
    paragraph = Paragraph(doc_id="d", label="1", kind=ParagraphKind.OPERATIVE, text=text)
    pieces = split_into_pieces(paragraph, 4, lambda t: len(t.split()))
    assert len(pieces) == 4
    assert "".join(p.text for p in pieces) == text
    assert [p.text.strip() for p in pieces][1] == "Second one follows;"


def test_second_ingest_of_an_unchanged_corpus_does_nothing(built: Built) -> None:
    count = built.index().count()
    report = built.ingest()
    assert report.ok
    assert report.paragraphs == built.first.paragraphs
    assert report.documents == 4
    assert report.embedded == 0
    assert report.unchanged == 4
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert built.index().count() == count


# --- changed and removed files -------------------------------------------------------------


def test_changed_pdf_replaces_its_paragraphs(built: Built) -> None:
    """Another real resolution saved under A_RES_80_7.pdf replaces the old one's text."""
    link = built.link("A_RES_80_7")
    replacement = built.sources["A_RES_80_7"].parent / "A_RES_80_16.pdf"
    new = parse_file(replacement, "A_RES_80_7")
    with restored(built):
        link.unlink()
        link.symlink_to(replacement)
        report = built.ingest()
        index = built.index()
        assert report.ok
        assert report.updated == ["A_RES_80_7"]
        assert (report.added, report.removed, report.unchanged) == ([], [], 3)
        assert report.embedded == _retrievable_pieces(index, new)
        nodes = _nodes(index, "A_RES_80_7")
        assert len(nodes) == len(index.pieces(new))
        assert {m["symbol"] for _, m, _ in nodes} == {"A/RES/80/16"}
        assert {m["sha256"] for _, m, _ in nodes} == {new.document.sha256}
        texts = " ".join(text for _, _, text in nodes)
        assert "International Atomic Energy Agency" not in texts
        assert "open-ended working group" in texts
        _assert_no_duplicates(index)
        # paragraphs the two versions share ("The General Assembly,") carry the new file's
        # metadata too, so the next ingest sees nothing to do
        again = built.ingest()
        assert (again.unchanged, again.embedded, again.updated) == (4, 0, [])
    nodes = _nodes(built.index(), "A_RES_80_7")
    assert {m["symbol"] for _, m, _ in nodes} == {"A/RES/80/7"}


def test_edited_markdown_replaces_its_paragraphs(built: Built) -> None:
    source = built.sources["ITU_input_WSIS20_zero_draft"]
    text = source.read_text(encoding="utf-8")
    assert text.count(ITU_OLD) == 1
    with restored(built):
        link = built.link("ITU_input_WSIS20_zero_draft")
        link.unlink()
        link.write_text(text.replace(ITU_OLD, ITU_NEW), encoding="utf-8")
        new = parse_file(link)
        report = built.ingest()
        index = built.index()
        assert report.updated == ["ITU_input_WSIS20_zero_draft"]
        assert report.unchanged == 3
        nodes = _nodes(index, "ITU_input_WSIS20_zero_draft")
        assert len(nodes) == len(index.pieces(new))
        assert not any(ITU_OLD in text for _, _, text in nodes)
        assert sum(ITU_NEW in text for _, _, text in nodes) == 1
        assert report.paragraphs == built.first.paragraphs
        assert {m["sha256"] for _, m, _ in nodes} == {new.document.sha256}
        _assert_no_duplicates(index)
        again = built.ingest()
        assert (again.unchanged, again.embedded, again.updated) == (4, 0, [])


def test_removed_file_paragraphs_go(built: Built) -> None:
    with restored(built):
        built.link("A_RES_78_311").unlink()
        report = built.ingest()
        index = built.index()
        assert report.removed == ["A_RES_78_311"]
        assert (report.added, report.updated, report.unchanged) == ([], [], 3)
        assert report.documents == 3
        assert _nodes(index, "A_RES_78_311") == []
        assert "A_RES_78_311" not in index.indexed_documents()
    assert _nodes(built.index(), "A_RES_78_311") != []


# --- bad input -----------------------------------------------------------------------------


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _bad_files(shared: Path) -> dict[str, tuple[bytes, str]]:
    """File name -> (content, a word its skip reason must contain)."""
    real = (shared / "distractors" / "A_RES_80_2.pdf").read_bytes()
    encrypted = PdfWriter()
    encrypted.add_page(PdfReader(io.BytesIO(real)).pages[0])
    encrypted.encrypt("secret")
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    return {
        "truncated.pdf": (real[: len(real) // 3], "damaged"),
        "locked.pdf": (_pdf_bytes(encrypted), "password"),
        "empty.pdf": (b"", "empty"),
        "scan.pdf": (_pdf_bytes(blank), "no text layer"),
        "photo.pdf": (bytes(range(256)) * 64, "not a PDF"),
        "notes.txt": ("Déclaration de principes\n".encode("latin-1") + b"\xff\xfe\x80", "UTF-8"),
        "budget.xlsx": (b"PK\x03\x04" + bytes(200), "unsupported"),
    }


def test_bad_files_are_skipped_by_name_and_nothing_indexed_is_lost(
    built: Built, corpus_dir: Path
) -> None:
    bad = _bad_files(corpus_dir.parent)
    good = built.link("A_RES_79_277")
    before = {node_id for node_id, _, _ in _nodes(built.index(), "A_RES_79_277")}
    count = built.index().count()
    with restored(built):
        for name, (content, _) in bad.items():
            (built.corpus / name).write_bytes(content)
        # a file that was indexed, now replaced by a broken copy of itself
        data = good.read_bytes()
        good.unlink()
        good.write_bytes(data[: len(data) // 3])
        report = built.ingest()
        index = built.index()

        reasons = {Path(s.path).name: s.reason for s in report.skipped}
        assert sorted(reasons) == sorted([*bad, good.name])
        for name, (_, word) in bad.items():
            assert word in reasons[name], f"{name}: {reasons[name]}"
        assert "damaged" in reasons[good.name]
        assert "password" in reasons["locked.pdf"] or "encrypted" in reasons["locked.pdf"]
        assert not report.ok
        assert (report.added, report.updated, report.removed) == ([], [], [])
        assert report.unchanged == 3
        assert report.documents == 4
        assert report.paragraphs == built.first.paragraphs
        assert sorted(index.indexed_documents()) == sorted(SOURCES)
        assert {node_id for node_id, _, _ in _nodes(index, "A_RES_79_277")} == before
        assert index.count() == count


# --- the command line ----------------------------------------------------------------------

SUMMARY = re.compile(
    r"^Index (?P<where>.+): (?P<documents>\d+) documents, (?P<paragraphs>\d+) paragraphs "
    r"\((?P<added>\d+) added, (?P<updated>\d+) updated, (?P<removed>\d+) removed, "
    r"(?P<unchanged>\d+) unchanged; (?P<embedded>\d+) paragraphs embedded\) in [\d.]+ s$",
    re.MULTILINE,
)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner(env={name: None for name in os.environ if name.startswith("WSIS_")})


def test_cli_ingest_prints_a_summary_and_exits_0(built: Built, runner: CliRunner) -> None:
    result = runner.invoke(main, built.cli_args())
    assert result.exit_code == 0, result.output
    summary = SUMMARY.search(result.stdout)
    assert summary is not None, result.stdout
    assert summary["where"] == str(built.settings.index_path)
    assert int(summary["documents"]) == 4
    assert int(summary["paragraphs"]) == built.first.paragraphs
    assert (summary["unchanged"], summary["embedded"]) == ("4", "0")
    assert result.stderr == ""


def test_cli_ingest_exits_1_when_a_file_was_skipped(built: Built, runner: CliRunner) -> None:
    with restored(built):
        (built.corpus / "empty.pdf").write_bytes(b"")
        result = runner.invoke(main, built.cli_args())
    assert result.exit_code == 1, result.output
    assert SUMMARY.search(result.stdout) is not None, result.stdout
    assert re.search(r"^Skipped .*empty\.pdf: file is empty$", result.stderr, re.MULTILINE)


def test_cli_parse_prints_json(built: Built, runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", str(built.sources["A_RES_80_7"]), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    document = data["document"]
    assert document["symbol"] == "A/RES/80/7"
    assert document["doc_id"] == "A_RES_80_7"
    assert document["kind"] == "resolution"
    assert document["pages"] == 2
    keys = {
        "paragraph",
        "part",
        "kind",
        "section",
        "page_start",
        "page_end",
        "char_start",
        "char_end",
        "text",
    }
    paragraphs = data["paragraphs"]
    assert all(keys <= set(p) for p in paragraphs)
    operative = [p["paragraph"] for p in paragraphs if p["kind"] == "operative"]
    assert operative == ["1", "2", "3", "4", "5"]
    assert paragraphs[0]["text"].startswith("80/7. Report of the International Atomic")


def test_cli_parse_of_a_bad_file_exits_1(tmp_path: Path, runner: CliRunner) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["parse", str(empty), "--json"])
    assert result.exit_code == 1
    assert "file is empty" in result.stderr
    assert result.stdout == ""


# --- adding one file ----------------------------------------------------------------------

CABLES = """# Submarine cables

1. We decide to protect the submarine cables that carry the Internet to small island
developing States.

2. We invite Member States to report each year on the repair of damaged cables.
"""
CABLES_QUESTION = "protecting undersea Internet cables of island states"


@dataclass
class Added:
    """A folder of uploads holding one file added with its index, as the app keeps them."""

    settings: Settings
    index: ParagraphIndex
    folder: Path
    target: Path
    parsed: ParsedDocument
    steps: list[float]


@pytest.fixture
def added(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Added:
    folder = tmp_path / "uploads"
    settings = Settings(corpus_dirs=[folder], index_dir=tmp_path / "idx")
    source = tmp_path / "tmp6f3a1c.md"  # an upload arrives under a name of its own
    source.write_text(CABLES, encoding="utf-8")
    target = folder / "cables.md"
    index = ParagraphIndex(settings, embedder)
    steps: list[float] = []
    parsed = add_file(settings, index, source, target, "cables", lambda f, _: steps.append(f))
    return Added(settings, index, folder, target, parsed, steps)


class FailingIndex(ParagraphIndex):
    """An index whose write of a document fails, as on a full disk or a lost server."""

    def add_document(
        self, parsed: ParsedDocument, vectors: dict[str, list[float]] | None = None
    ) -> int:
        raise OSError("no space left on device")


def _state(added: Added) -> tuple[dict[str, bytes], dict[str, str], list[str]]:
    """What adding a file may change: the folder's files, the live versions, the nodes."""
    index = ParagraphIndex(added.settings, added.index.embedder)
    files = {p.name: p.read_bytes() for p in added.folder.iterdir()}
    nodes = sorted(node_id for node_id, _, _ in index.iter_nodes(include_text=False))
    return files, index.indexed_documents(), nodes


def test_an_added_file_is_in_its_folder_and_searchable(
    added: Added, embedder: SentenceTransformerEmbedder
) -> None:
    assert added.parsed.document.path == str(added.target)
    assert added.target.read_text(encoding="utf-8") == CABLES
    assert added.index.indexed_documents() == {"cables": added.parsed.document.sha256}
    decided = next(p for p in added.parsed.paragraphs if p.label == "1")
    assert decided.text.startswith("We decide to protect the submarine cables")
    (best, _), *_ = added.index.dense_query(embedder.embed_query(CABLES_QUESTION), k=3)
    assert best == decided.id
    assert added.steps and added.steps == sorted(added.steps)
    # what was added is what an ingest of the folder would have made: nothing left to do
    report = ingest(added.settings, ParagraphIndex(added.settings, embedder))
    assert report.ok and (report.unchanged, report.added, report.updated) == (1, [], [])


def test_a_failed_index_write_leaves_the_folder_and_the_index_as_they_were(
    added: Added, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    before = _state(added)
    revised = tmp_path / "revised.md"
    revised.write_text(CABLES.replace("each year", "every two years"), encoding="utf-8")
    failing = FailingIndex(added.settings, embedder)
    with pytest.raises(OSError, match="no space left"):  # replacing the file
        add_file(added.settings, failing, revised, added.target, "cables")
    with pytest.raises(OSError, match="no space left"):  # adding a new one
        add_file(added.settings, failing, revised, added.folder / "revised.md", "revised")
    assert _state(added) == before
    # the index was let go: the same file added again goes through
    replaced = add_file(added.settings, added.index, revised, added.target, "cables")
    assert "every two years" in added.target.read_text(encoding="utf-8")
    assert ParagraphIndex(added.settings, embedder).indexed_documents() == {
        "cables": replaced.document.sha256
    }


def test_a_file_that_cannot_be_parsed_is_named_and_changes_nothing(
    added: Added, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(added)
    blank = tmp_path / "blank.md"
    blank.write_text("![logo](logo.png)\n\n[Home](/)\n", encoding="utf-8")
    with pytest.raises(UnreadableDocument) as refused:
        add_file(added.settings, added.index, blank, added.folder / "notes.md", "notes")
    assert (refused.value.path, refused.value.reason) == (
        "notes.md",
        "no paragraphs of text were found in it",
    )

    def parser_bug(*args: Any, **kwargs: Any) -> ParsedDocument:
        raise KeyError("style")

    monkeypatch.setattr(adding, "parse_isolated", parser_bug)
    with pytest.raises(UnreadableDocument) as refused:
        add_file(added.settings, added.index, blank, added.target, "cables")
    assert str(refused.value) == "cables.md: could not be parsed (KeyError)"
    assert _state(added) == before


# --- stale and busy indexes ----------------------------------------------------------------


def test_other_piece_size_uses_another_index(built: Built) -> None:
    other = Settings(
        corpus_dirs=built.settings.corpus_dirs,
        index_dir=built.settings.index_dir,
        max_piece_tokens=built.settings.max_piece_tokens // 2,
    )
    assert other.index_name != built.settings.index_name
    assert other.index_path != built.settings.index_path
    assert other.index_path.parent == built.settings.index_path.parent
    index = ParagraphIndex(other, built.embedder)
    assert index.collection_name != built.index().collection_name
    assert not index.exists()
    with pytest.raises(IndexMissing, match="wsis ingest"):
        index.collection()


def test_collection_from_another_parser_version_is_stale(
    built: Built, tmp_path: Path, runner: CliRunner
) -> None:
    settings = Settings(corpus_dirs=[built.corpus], index_dir=tmp_path / "idx")
    index = ParagraphIndex(settings, built.embedder)
    settings.index_path.mkdir(parents=True)
    client = chromadb.PersistentClient(
        path=str(settings.index_path), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    client.create_collection(
        index.collection_name,
        embedding_function=None,
        metadata={
            "hnsw:space": "cosine",
            **index.expected_metadata,
            "parser_version": PARSER_VERSION - 1,
        },
    )
    assert index.exists()
    with pytest.raises(StaleIndex, match="parser_version"):
        index.collection()
    with pytest.raises(StaleIndex, match="--rebuild"):
        ingest(settings, ParagraphIndex(settings, built.embedder))
    args = ["ingest", "--corpus", str(built.corpus), "--index-dir", str(tmp_path / "idx")]
    result = runner.invoke(main, [*args, "--quiet"])
    assert result.exit_code == 3
    assert "parser_version" in result.stderr


def test_second_ingest_while_one_is_writing_is_refused(built: Built, runner: CliRunner) -> None:
    holder = built.index()
    with holder.writing():
        with pytest.raises(IndexBusy, match="another ingest"):
            built.ingest()
        result = runner.invoke(main, built.cli_args())
        assert result.exit_code == 3
        assert "another ingest" in result.stderr
    report = built.ingest()
    assert report.ok and report.unchanged == 4


def test_index_is_as_first_built(built: Built) -> None:
    """After all the changes above were undone, the index holds what the first ingest made."""
    index = built.index()
    documents, paragraphs = index.totals()
    assert (documents, paragraphs) == (4, built.first.paragraphs)
    _assert_no_duplicates(index)
