"""A thin, typed wrapper over xllamacpp for running the reader model in process.

xllamacpp embeds llama.cpp's own server (``llama-server``) in the Python process: a ``Server``
loads the GGUF, runs llama.cpp's slot loop on its own threads (continuous batching, prompt
caching), and answers OpenAI-shaped requests either through direct calls
(``handle_chat_completions``, ``handle_completions``) or over HTTP. Requests and replies are
plain dicts in the OpenAI chat-completions shape, with llama.cpp's extras (``timings``,
``cache_prompt``, ``n_probs``).

Facts this module relies on (xllamacpp 2026.10.x, checked by running it):

* Every ``Server`` also starts the HTTP listener, on ``hostnames`` and ``port`` of its
  ``CommonParams`` (port 0 picks a free port; ``listening_address`` tells which). Even in
  in-process use we therefore bind it to loopback and, unless told otherwise, protect it with a
  random API key, so no other local process can use the model. Direct calls bypass the key.
  An empty ``hostnames`` list crashes the process (segfault), so it is never used.
* Dropping the last reference to a ``Server`` stops its loop and closes its port (about 0.1 s).
* A request that llama.cpp rejects while parsing raises ``ValueError``; one that fails later
  (e.g. a prompt longer than the slot's context) comes back as ``{"error": {...}}``.
* ``"logprobs": true, "top_logprobs": N`` gives, per generated token,
  ``choices[0].logprobs.content[i] = {id, token, bytes, logprob, top_logprobs: [{id, token,
  bytes, logprob}, ...]}``; the log-probabilities are those of the model's distribution before
  sampling, so they are meaningful with temperature 0.
* ``n_ctx`` is the total context, split evenly between the ``n_parallel`` slots.
"""

from __future__ import annotations

import argparse
import math
import secrets
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

YES_TOKENS: tuple[str, ...] = ("Yes", " Yes", "yes", " yes", "YES", " YES")
"""Next tokens that count as a yes: the model may open with or without a space, in any case."""

NO_TOKENS: tuple[str, ...] = ("No", " No", "no", " no", "NO", " NO")
"""Next tokens that count as a no."""

Message = Mapping[str, str]


class LlamaError(RuntimeError):
    """llama.cpp answered a request with an error (the message is llama.cpp's own)."""


@dataclass(frozen=True)
class LlamaSettings:
    """How to load the model; defaults suit one reader on a small CPU-only machine.

    Attributes:
        n_ctx: total context in tokens, shared evenly by the ``n_parallel`` slots (the KV cache
            costs about 28 KiB a token for this 1.5B model, so 4096 is ~115 MB).
        n_threads: threads for generation; more than the physical cores only slows it down.
            With all cores in use, any other busy process stalls llama.cpp's thread barriers:
            on 2 cores, 2 threads gave 12.5 tokens/s alone but 3.6 next to one busy process,
            where 1 thread gave 6.
        n_threads_batch: threads for prompt processing (defaults to ``n_threads``).
        n_parallel: slots decoded together; lets independent requests share each forward pass.
            It helps generation, not prompt processing: four yes/no judgements took as long in
            four slots as one after another (CPU-bound either way).
        n_batch: tokens of a prompt submitted per decode call.
        cache_prompt: reuse a slot's KV cache for the prompt prefix it shares with the last one.
        cache_ram_mib: RAM for llama.cpp's saved-prompt cache (its default, 8 GiB, is too much).
        host: the interface the HTTP listener binds; keep it on loopback.
        port: the listener's port; 0 picks a free one.
        api_key: required from HTTP clients; ``None`` makes a random one (the listener is then
            private to this process), ``""`` disables the check (for a deliberate local server).
        warmup: run an empty decode at load so that the first real request is not slower.
        verbosity: llama.cpp's log threshold; 0 keeps its per-request log lines off stderr.
        seed: sampling seed (only matters for temperature > 0).
        repack: let llama.cpp copy the weights into its CPU-friendly interleaved layout. On
            this machine that costs ~0.65 GB of private memory (RSS 1.9 GB instead of 1.2 GB)
            and buys ~60% faster prompt processing and ~30% faster generation.
    """

    n_ctx: int = 4096
    n_threads: int = 2
    n_threads_batch: int | None = None
    n_parallel: int = 1
    n_batch: int = 512
    cache_prompt: bool = True
    cache_ram_mib: int = 256
    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = None
    warmup: bool = True
    verbosity: int = 0
    seed: int = 0
    repack: bool = True


@dataclass(frozen=True)
class Usage:
    """What a request cost, from llama.cpp's ``usage`` and ``timings``."""

    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    prompt_ms: float
    predicted_ms: float

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> Usage:
        usage = response.get("usage", {})
        timings = response.get("timings", {})
        return cls(
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            cached_tokens=int(timings.get("cache_n", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            prompt_ms=float(timings.get("prompt_ms", 0.0)),
            predicted_ms=float(timings.get("predicted_ms", 0.0)),
        )


@dataclass(frozen=True)
class Judgement:
    """The model's next-token verdict on a yes/no question.

    Attributes:
        p_yes: P(yes) / (P(yes) + P(no)), each summed over its spellings; NaN if neither
            appears among the top tokens (the model wanted to say something else).
        yes_mass: P(yes) among all tokens; ``yes_mass + no_mass`` near 1 means the model
            kept to the format.
        no_mass: P(no) among all tokens.
        top: the top next tokens and their log-probabilities.
        usage: cost of the request.
    """

    p_yes: float
    yes_mass: float
    no_mass: float
    top: dict[str, float]
    usage: Usage


@dataclass(frozen=True)
class Generation:
    """A short greedy generation."""

    text: str
    finish_reason: str
    usage: Usage
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def chat(system: str, user: str) -> list[dict[str, str]]:
    """The two-message chat every reader task uses."""
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _logsumexp(values: Iterable[float]) -> float:
    vals = list(values)
    if not vals:
        return -math.inf
    top = max(vals)
    return top + math.log(sum(math.exp(v - top) for v in vals))


def top_logprobs(response: Mapping[str, Any], position: int = 0) -> dict[str, float]:
    """Token → log-probability among the top alternatives at one generated position.

    Tokens that decode to the same text (rare; different ids) keep the higher log-probability.
    """
    content = response["choices"][0]["logprobs"]["content"]
    result: dict[str, float] = {}
    for alt in content[position]["top_logprobs"]:
        token, logprob = str(alt["token"]), float(alt["logprob"])
        if token not in result or logprob > result[token]:
            result[token] = logprob
    return result


def yes_no(
    top: Mapping[str, float],
    yes: Sequence[str] = YES_TOKENS,
    no: Sequence[str] = NO_TOKENS,
) -> tuple[float, float, float]:
    """(p_yes, yes_mass, no_mass) from a top-token distribution; see :class:`Judgement`.

    Spellings missing from the top N count as 0; with N=20 a missing one holds less than the
    20th token's probability, which is negligible once either side is present.
    """
    yes_lp = _logsumexp(lp for tok, lp in top.items() if tok in yes)
    no_lp = _logsumexp(lp for tok, lp in top.items() if tok in no)
    yes_mass, no_mass = math.exp(yes_lp), math.exp(no_lp)
    if yes_mass + no_mass == 0.0:
        return math.nan, 0.0, 0.0
    # 1 / (1 + e^(no - yes)) stays exact when both masses are tiny.
    p_yes = 1.0 / (1.0 + math.exp(no_lp - yes_lp)) if yes_lp > -math.inf else 0.0
    return p_yes, yes_mass, no_mass


def _common_params(gguf: Path, settings: LlamaSettings, api_key: str) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = settings.n_ctx
    params.n_parallel = settings.n_parallel
    params.n_batch = settings.n_batch
    params.n_ubatch = min(settings.n_batch, params.n_ubatch)
    params.cpuparams.n_threads = settings.n_threads
    params.cpuparams_batch.n_threads = settings.n_threads_batch or settings.n_threads
    params.cache_prompt = settings.cache_prompt
    params.cache_ram_mib = settings.cache_ram_mib
    params.hostnames = [settings.host]
    params.port = settings.port
    params.api_keys = [api_key] if api_key else []
    params.warmup = settings.warmup
    params.verbosity = settings.verbosity
    params.sampling.seed = settings.seed
    params.no_extra_bufts = not settings.repack
    params.offline = True  # never reach a model hub, whatever the environment says
    params.ui = False  # no web UI on the listener
    return params


class LlamaModel:
    """One loaded GGUF, answering chat requests in process (thread-safe) and over HTTP.

    Use as a context manager, or call :meth:`close`, to free the model (~1.9 GB RSS for the
    bundled one) and close its port at a known point rather than at garbage collection.
    """

    def __init__(self, gguf: Path, settings: LlamaSettings | None = None) -> None:
        import xllamacpp

        self.path = Path(gguf)
        if not self.path.is_file():
            raise FileNotFoundError(f"no GGUF model at {self.path}")
        self.settings = settings or LlamaSettings()
        self.api_key = (
            secrets.token_urlsafe(24) if self.settings.api_key is None else self.settings.api_key
        )
        self._lock = threading.Lock()
        self._server: Any = xllamacpp.Server(_common_params(self.path, self.settings, self.api_key))

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop llama.cpp's loop and HTTP listener and free the model; safe to call twice."""
        with self._lock:
            server, self._server = self._server, None
        del server  # the last reference: xllamacpp's destructor joins its threads here

    def __enter__(self) -> LlamaModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """The HTTP listener, e.g. ``http://127.0.0.1:41145`` (OpenAI API under ``/v1``)."""
        return str(self._live().listening_address)

    def _live(self) -> Any:
        server = self._server
        if server is None:
            raise LlamaError("the model has been closed")
        return server

    # -- raw requests ----------------------------------------------------------------------

    def chat_completion(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Send an OpenAI chat-completions body; return the reply dict or raise LlamaError."""
        request = {"cache_prompt": self.settings.cache_prompt, **body}
        try:
            response = self._live().handle_chat_completions(request)
        except ValueError as err:  # rejected while parsing the request
            raise LlamaError(str(err)) from err
        if "error" in response:
            error = response["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise LlamaError(str(message))
        return dict(response)

    # -- reader operations -----------------------------------------------------------------

    def next_token(self, messages: Sequence[Message], top_n: int = 20) -> dict[str, Any]:
        """The reply to ``messages`` cut at one token, with the top ``top_n`` alternatives."""
        return self.chat_completion(
            {
                "messages": [dict(m) for m in messages],
                "max_tokens": 1,
                "temperature": 0.0,
                "logprobs": True,
                "top_logprobs": top_n,
            }
        )

    def candidate_logprobs(
        self, messages: Sequence[Message], candidates: Iterable[str], top_n: int = 20
    ) -> dict[str, float]:
        """Log-probability of each candidate as the reply's first token (-inf if not in top N).

        Candidates are single tokens as the tokenizer spells them, e.g. ``"Yes"`` and
        ``" Yes"`` are different tokens.
        """
        top = top_logprobs(self.next_token(messages, top_n))
        return {c: top.get(c, -math.inf) for c in candidates}

    def judge(
        self,
        messages: Sequence[Message],
        yes: Sequence[str] = YES_TOKENS,
        no: Sequence[str] = NO_TOKENS,
        top_n: int = 20,
    ) -> Judgement:
        """P(yes) for a chat whose prompt asks for a one-word Yes/No answer.

        For relevance judgements put the paragraph before the question in the user message:
        on the WSIS+20 outcome document that order separated answering paragraphs from the
        rest clearly (P(yes) 0.76-0.95 against 0.27-0.54), the question-first order did not
        always, and it lets successive questions about one paragraph reuse its cached prefix.
        """
        response = self.next_token(messages, top_n)
        top = top_logprobs(response)
        p_yes, yes_mass, no_mass = yes_no(top, yes, no)
        return Judgement(p_yes, yes_mass, no_mass, top, Usage.from_response(response))

    def judge_many(self, chats: Sequence[Sequence[Message]], top_n: int = 20) -> list[Judgement]:
        """Judge several chats, in parallel slots when ``n_parallel`` > 1 (order kept).

        Requests are sent from threads (xllamacpp releases the GIL), and llama.cpp batches the
        slots' tokens into shared forward passes.
        """
        workers = max(1, min(self.settings.n_parallel, len(chats)))
        if workers == 1:
            return [self.judge(c, top_n=top_n) for c in chats]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda c: self.judge(c, top_n=top_n), chats))

    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 128,
        stop: Sequence[str] = (),
        temperature: float = 0.0,
    ) -> Generation:
        """A short reply; greedy by default, so the same prompt gives the same text."""
        body: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if stop:
            body["stop"] = list(stop)
        response = self.chat_completion(body)
        choice = response["choices"][0]
        return Generation(
            text=str(choice["message"].get("content") or ""),
            finish_reason=str(choice.get("finish_reason", "")),
            usage=Usage.from_response(response),
            raw=response,
        )


@contextmanager
def serve(
    gguf: Path, port: int, settings: LlamaSettings | None = None, api_key: str = ""
) -> Iterator[LlamaModel]:
    """Run llama.cpp's OpenAI-compatible HTTP server on loopback:``port`` for the ``with`` block.

    The server runs on xllamacpp's own threads in this process; leaving the block stops it and
    frees the port. ``api_key=""`` lets any local client in; give one to require
    ``Authorization: Bearer <key>``.
    """
    base = settings or LlamaSettings()
    model = LlamaModel(gguf, replace(base, port=port, api_key=api_key))
    try:
        yield model
    finally:
        model.close()


def load(gguf: Path, settings: LlamaSettings | None = None) -> LlamaModel:
    """Load a GGUF for in-process use (see :class:`LlamaSettings` for the knobs)."""
    return LlamaModel(gguf, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assistant.reader.llama MODEL.gguf --port 8081``: serve until SIGINT/SIGTERM.

    For running the server as a subprocess; it prints its address once it is ready to answer.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("gguf", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--threads", type=int, default=LlamaSettings.n_threads)
    parser.add_argument("--ctx", type=int, default=LlamaSettings.n_ctx)
    parser.add_argument("--parallel", type=int, default=LlamaSettings.n_parallel)
    parser.add_argument("--api-key", default="")
    args = parser.parse_args(argv)
    settings = LlamaSettings(
        n_ctx=args.ctx, n_threads=args.threads, n_parallel=args.parallel, host=args.host
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with serve(args.gguf, args.port, settings, api_key=args.api_key) as model:
        print(model.base_url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
