"""Language-model judges: does this paragraph answer this question? Yes or no, read from the
model's next-token probabilities. The same model also writes short replies for the rest of
the assistant (the English translation of a question), so that it is loaded once.

Two implementations of one interface: the bundled (or any) GGUF model run in process by
llama.cpp (:class:`LocalJudge`), and any OpenAI-compatible server (:class:`ServerJudge`:
llama.cpp's own server, vLLM, Ollama, a hosted API). Both get the same prompt
(:mod:`assistant.prompts`): the paragraph first, as delimited data, then the question. A judge
that fails (a model that cannot load, a server that is down, slow or answers nonsense) raises
:class:`JudgeFailed` with what happened; the reader then answers without it and says so.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from assistant.prompts import JUDGE_SYSTEM, judge_prompt
from assistant.reader.bundled_model import ModelUnavailable, assemble
from assistant.reader.llama import (
    LlamaError,
    LlamaModel,
    LlamaSettings,
    chat,
    top_logprobs,
    yes_no,
)
from corpus.errors import WSISError
from corpus.settings import Settings

#: Longest paragraph text a judge reads, in characters.
MAX_PARAGRAPH_CHARS = 2000
TOP_LOGPROBS = 20


class JudgeFailed(WSISError):
    """The judge could not give a verdict; the message says why and what to do."""


class Judge(Protocol):
    name: str

    def busy(self) -> bool:
        """Whether it is judging for another question now: a question that can do without
        it then does, rather than wait."""
        ...

    def warm_up(self) -> None:
        """Loads what the judge needs now; raises :class:`JudgeFailed`."""
        ...

    def judge(self, question: str, paragraph_text: str, timeout_s: float) -> float:
        """P(yes): how surely the paragraph answers the question, from the model's first
        token; raises :class:`JudgeFailed`."""
        ...

    def verdict(self, messages: Sequence[Mapping[str, str]], timeout_s: float) -> float:
        """P(yes) of a chat that asks a yes/no question (the topic judge of coverage), from
        the model's first token; raises :class:`JudgeFailed`."""
        ...

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str:
        """A short greedy reply to a chat; raises :class:`JudgeFailed`."""
        ...


def judge_messages(question: str, paragraph_text: str) -> list[dict[str, str]]:
    return chat(JUDGE_SYSTEM, judge_prompt(paragraph_text, question, MAX_PARAGRAPH_CHARS))


def _verdict(top: dict[str, float], source: str) -> float:
    p_yes, yes_mass, no_mass = yes_no(top)
    if math.isnan(p_yes) or yes_mass + no_mass < 0.5:
        shown = ", ".join(f"{t!r}" for t in list(top)[:5])
        raise JudgeFailed(f"{source} did not answer yes or no (its likeliest words: {shown})")
    return p_yes


class LocalJudge:
    """A GGUF model in this process: the bundled one, assembled into the model cache on first
    use, or the one ``reader_model_path`` names. Loads lazily; one question at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = f"local:{(settings.reader_model_path or Path('bundled')).name}"
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> LlamaModel:
        path = self.settings.reader_model_path
        try:
            gguf = path if path is not None else assemble(self.settings.model_cache_dir)
        except ModelUnavailable as exc:
            raise JudgeFailed(str(exc)) from exc
        if not Path(gguf).is_file():
            raise JudgeFailed(f"no GGUF model at {gguf}; set WSIS_READER_MODEL_PATH to one")
        try:
            return LlamaModel(
                Path(gguf), LlamaSettings(n_threads=self.settings.reader_threads, n_ctx=2048)
            )
        except Exception as exc:  # llama.cpp refuses a file it cannot read
            raise JudgeFailed(f"the reader model {gguf} could not be loaded ({exc})") from exc

    def busy(self) -> bool:
        return self._lock.locked()

    def warm_up(self) -> None:
        self.model  # noqa: B018 - load now

    def judge(self, question: str, paragraph_text: str, timeout_s: float) -> float:
        return self.verdict(judge_messages(question, paragraph_text), timeout_s)

    def verdict(self, messages: Sequence[Mapping[str, str]], timeout_s: float) -> float:
        model = self.model
        if not self._lock.acquire(timeout=max(timeout_s, 0.0)):
            raise JudgeFailed("the reader model is busy with other questions")
        try:
            response = model.next_token(messages, TOP_LOGPROBS)
        except LlamaError as exc:
            raise JudgeFailed(f"the reader model failed ({exc})") from exc
        finally:
            self._lock.release()
        return _verdict(top_logprobs(response), "the reader model")

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str:
        model = self.model
        if not self._lock.acquire(timeout=max(timeout_s, 0.0)):
            raise JudgeFailed("the reader model is busy with other questions")
        try:
            return model.generate(messages, max_tokens=max_tokens, stop=stop).text
        except LlamaError as exc:
            raise JudgeFailed(f"the reader model failed ({exc})") from exc
        finally:
            self._lock.release()


class ServerJudge:
    """An OpenAI-compatible chat-completions server that returns token log-probabilities."""

    def __init__(self, settings: Settings) -> None:
        if not settings.reader_url:
            raise JudgeFailed(
                "the openai reader needs a server: set WSIS_READER_URL "
                "(e.g. http://127.0.0.1:8080/v1)"
            )
        self.url = settings.reader_url.rstrip("/") + "/chat/completions"
        self.model_name = settings.reader_model
        self.api_key = settings.reader_api_key
        self.name = f"openai:{settings.reader_url}"

    def warm_up(self) -> None:
        """Servers load their own models; nothing to do here."""

    def _post(self, body: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                data = json.loads(response.read(1_000_000))
        except TimeoutError as exc:
            raise JudgeFailed(f"the reader server {self.url} took over {timeout_s:.0f} s") from exc
        except urllib.error.HTTPError as exc:
            raise JudgeFailed(f"the reader server {self.url} answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise JudgeFailed(f"the reader server {self.url} does not answer ({reason})") from exc
        except ValueError as exc:
            raise JudgeFailed(f"the reader server {self.url} did not send JSON") from exc
        if not isinstance(data, dict):
            raise JudgeFailed(f"the reader server {self.url} sent something else than a reply")
        return data

    def busy(self) -> bool:
        return False  # the server queues its own requests

    def judge(self, question: str, paragraph_text: str, timeout_s: float) -> float:
        return self.verdict(judge_messages(question, paragraph_text), timeout_s)

    def verdict(self, messages: Sequence[Mapping[str, str]], timeout_s: float) -> float:
        body: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": TOP_LOGPROBS,
        }
        if self.model_name:
            body["model"] = self.model_name
        data = self._post(body, timeout_s)
        try:
            alternatives = data["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            top = {str(a["token"]): float(a["logprob"]) for a in alternatives}
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise JudgeFailed(
                f"the reader server {self.url} sent no token log-probabilities; it must "
                "support logprobs and top_logprobs"
            ) from exc
        return _verdict(top, f"the reader server {self.url}")

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str:
        body: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0,
        }
        if stop:
            body["stop"] = list(stop)
        if self.model_name:
            body["model"] = self.model_name
        data = self._post(body, timeout_s)
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise JudgeFailed(f"the reader server {self.url} sent no reply text") from exc
        if not isinstance(content, str):
            raise JudgeFailed(f"the reader server {self.url} sent no reply text")
        return content


def make_judge(settings: Settings) -> Judge | None:
    """The judge the settings ask for, or None for ``reader: none``."""
    if settings.reader == "none":
        return None
    if settings.reader == "openai":
        return ServerJudge(settings)
    return LocalJudge(settings)


__all__ = ["Judge", "JudgeFailed", "LocalJudge", "Sequence", "ServerJudge", "make_judge"]
