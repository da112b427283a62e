"""Settings: environment variables, derived index names, the uploads folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.settings import PARSER_VERSION, Settings


def test_environment_variables_set_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WSIS_CORPUS_DIRS", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    monkeypatch.setenv("WSIS_TOP_K", "20")
    settings = Settings()
    assert settings.corpus_dirs == [tmp_path / "a", tmp_path / "b"]
    assert settings.top_k == 20


def test_index_name_changes_with_what_shapes_the_index() -> None:
    base = Settings()
    assert f"parser{PARSER_VERSION}" in base.index_name
    assert Settings(max_piece_tokens=128).index_name != base.index_name
    assert Settings(embedding_model="other-model").index_name != base.index_name


def test_uploads_join_the_ingested_folders_once_they_exist(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    settings = Settings(corpus_dirs=[corpus], index_dir=tmp_path / "index")
    assert settings.uploads_path == tmp_path / "uploads"
    assert settings.ingest_dirs == [corpus]
    settings.uploads_path.mkdir()
    assert settings.ingest_dirs == [corpus, tmp_path / "uploads"]
    same = Settings(corpus_dirs=[corpus, tmp_path / "uploads"], index_dir=tmp_path / "index")
    assert same.ingest_dirs == [corpus, tmp_path / "uploads"]
