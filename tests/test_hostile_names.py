"""Hostile file names and folders: upload names, upload sizes, links in a corpus folder.

An uploaded file's name comes from the person uploading it, so it may climb out of the
uploads folder (``../``), hide a NUL or control characters, run to a thousand characters
or a few hundred bytes of UTF-8, or be nothing but dots. Whatever it is, the name the app
saves under is either refused with a message naming the file, or a plain file name that
stays in the uploads folder and that the file system can store.

A corpus folder is the operator's: a link to a file is followed (the tests' own corpus
folders are folders of links into ../shared), but a link to a folder is not walked, and
broken links, pipes and devices are reported by name instead of being read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.api import Assistant
from assistant.app import uploads
from assistant.app.uploads import UploadRejected
from corpus.settings import Settings
from ingest.pipeline import IGNORED_NAMES, corpus_files
from ingest.readers import SUPPORTED_SUFFIXES

# --------------------------------------------------------------------------- upload names

_SUFFIXES = [*sorted(SUPPORTED_SUFFIXES), ".PDF", ".exe", ".tar.gz", "", ".", ".md.exe"]
_PIECES = ["..", ".", "/", "\\", "../", "..\\", "\x00", "\x1f", "\u202e", "～", "／", "．"]


def _names() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_PIECES), st.text(max_size=20))
    stem = st.lists(piece, max_size=12).map("".join)
    repeated = st.sampled_from(["x", "é", "文", "📄", ".", " "])
    long_stem = st.builds(str.__mul__, repeated, st.integers(0, 400))
    return st.builds("{}{}".format, st.one_of(stem, long_stem), st.sampled_from(_SUFFIXES))


@given(st.one_of(_names(), st.text()))
@example("../../etc/passwd.md")
@example("文" * 300 + ".md")
@example("\x00" * 5 + ".pdf")
@example("." * 1000)
@settings(max_examples=400)
def test_an_upload_name_is_refused_or_safe_to_save(name: str) -> None:
    try:
        safe = uploads.sanitize_upload_name(name)
    except UploadRejected as exc:
        assert str(exc).startswith("“")
        assert all(ch.isprintable() for ch in str(exc)), "the message shows the name safely"
        return
    assert not safe.startswith((".", " ", "-"))
    assert ".." not in safe
    assert all(ch.isprintable() and ch not in "/\\" for ch in safe)
    assert len(safe) <= uploads.MAX_UPLOAD_NAME
    assert len(safe.encode()) <= uploads.MAX_UPLOAD_NAME_BYTES
    assert Path(safe).suffix in SUPPORTED_SUFFIXES
    assert Path(safe).stem
    assert safe not in IGNORED_NAMES
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        saved = folder / safe
        saved.write_bytes(b"# Title\n")
        assert saved.resolve().parent == folder.resolve()
        assert [p.name for p in folder.iterdir()] == [safe]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("..／..／etc／passwd.md", "etc_passwd.md"),
        ("．．/．．/report.md", "report.md"),
        ("~/.ssh/authorized_keys.md", "authorized_keys.md"),
        ("a\x00.pdf", "a.pdf"),
        ("report\x00.exe.md", "report.exe.md"),
        ("\u202edm.exe.md", "dm.exe.md"),
        ("résolution 80-173 (final).PDF", "résolution 80-173 (final).pdf"),
        ("ﬁnal ﬁle.md", "final file.md"),
        ("..." + "a.md", "a.md"),
    ],
)
def test_unicode_and_control_tricks_are_undone(given: str, expected: str) -> None:
    assert uploads.sanitize_upload_name(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        *["." * 1000, ". . .", "...", "\x00\x00.md", "📄📄.md", "   .md", "../..", "//"],
        *["report.md\x00.exe", "\x1b[31mred.exe"],
    ],
)
def test_names_with_nothing_usable_are_refused_showing_the_name_printably(given: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        uploads.sanitize_upload_name(given)
    message = str(caught.value)
    assert all(ch.isprintable() for ch in message)
    assert len(message) < 400


def test_a_thousand_character_name_is_cut_keeping_its_suffix() -> None:
    safe = uploads.sanitize_upload_name("resolution-" * 100 + ".docx")
    assert len(safe) == uploads.MAX_UPLOAD_NAME
    assert safe.endswith(".docx") and safe.startswith("resolution-resolution")


def test_a_long_name_in_a_wide_script_is_cut_to_what_the_file_system_stores(
    tmp_path: Path,
) -> None:
    safe = uploads.sanitize_upload_name("信息社会世界峰会成果文件" * 30 + ".md")
    assert safe.endswith(".md") and safe.startswith("信息社会世界峰会")
    assert len(safe.encode()) <= 255
    (tmp_path / safe).write_text("# 成果文件\n\n全文。", encoding="utf-8")


# --------------------------------------------------------------------------- upload checks


@pytest.mark.corpus
def test_a_real_pdf_over_the_upload_limit_is_refused_by_name(
    corpus_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(max_upload_mb=1, index_dir=tmp_path / "index")
    big = corpus_dir / "UNCTAD_TIR_2025_Overview.en.pdf"
    assert big.stat().st_size > 2**20
    with pytest.raises(UploadRejected, match=r"“overview.pdf” is 2\.\d MB; the limit is 1 MB"):
        uploads.check_upload(big, settings, name="../overview.pdf")
    assert uploads.check_upload(corpus_dir / "A_RES_79_277.pdf", settings) == "A_RES_79_277.pdf"


def test_an_upload_is_not_written_through_a_link_in_the_uploads_folder(tmp_path: Path) -> None:
    settings = Settings(corpus_dirs=[tmp_path / "corpus"], index_dir=tmp_path / "index")
    outside = tmp_path / "outside.md"
    outside.write_text("# Kept\n\nThis file is outside the uploads folder.", encoding="utf-8")
    folder = settings.uploads_path
    folder.mkdir(parents=True)
    (folder / "notes.md").symlink_to(outside)
    upload = tmp_path / "notes.md"
    upload.write_text("# Replaced\n\nAn upload that must not land outside.", encoding="utf-8")
    with pytest.raises(UploadRejected, match=r"“notes\.md” is not a usable file name"):
        uploads.add_upload(Assistant(settings), upload)
    assert outside.read_text(encoding="utf-8").startswith("# Kept")


# --------------------------------------------------------------------------- corpus folders


def _corpus_with_links(root: Path, shared: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "A_RES_79_277.pdf").symlink_to(shared / "A_RES_79_277.pdf")
    (corpus / "itu.md").symlink_to(shared / "ITU_input_WSIS20_zero_draft.md")
    (corpus / "gone.pdf").symlink_to(root / "deleted.pdf")
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    (corpus / "shared").symlink_to(shared)
    (corpus / "itself").symlink_to(corpus)
    os.mkfifo(corpus / "pipe.md")
    (corpus / "zero.pdf").symlink_to("/dev/zero")
    return corpus


@pytest.mark.corpus
def test_corpus_links_to_files_are_followed_and_the_rest_reported(
    tmp_path: Path, corpus_dir: Path
) -> None:
    corpus = _corpus_with_links(tmp_path, corpus_dir)
    files, skipped = corpus_files([corpus])
    assert [p.name for p in files] == ["A_RES_79_277.pdf", "itu.md"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    broken = "is a broken link; fix or remove it"
    folder = "is a link to a folder, which is not followed; add that folder with --corpus instead"
    special = "is not a regular file (a device or pipe); remove it"
    assert reasons == {
        "gone.pdf": broken,
        "loop.md": broken,
        "shared": folder,
        "itself": folder,
        "pipe.md": special,
        "zero.pdf": special,
    }
