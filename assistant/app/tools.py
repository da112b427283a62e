"""The tools the running app serves to other assistants over MCP: ask, search, coverage,
compare, amendments and precedent.

Each is a typed function of plain values, and its docstring is what an assistant reads:
Gradio makes the text before ``Args:`` the tool's description, each ``Args:`` line (one line
per argument) the description of that argument, and the type hints the JSON schema of the
arguments. Each returns the JSON of the matching ``wsis`` command as text: Gradio hands an
MCP client ``str()`` of what a tool returns, which for a dict would be a Python repr. A
problem the caller can act on (an unknown document, an empty question) is raised, and
reaches the client as a tool error carrying the library's message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from assistant import render
from assistant.api import Assistant
from assistant.app.views import filters_from
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD
from assistant.coverage import coverage as find_coverage
from assistant.render import coverage as shown

#: The document kinds a filter can name (the values of ``DocumentKind``).
KindName = Literal["resolution", "draft", "report", "submission", "other"]
#: The retrieval modes of ``wsis search --mode``.
SearchMode = Literal["hybrid", "dense", "bm25"]
#: The most paragraphs ``search`` returns, as ``wsis search --k``.
MAX_HITS = 200
#: The tools, by name, in the order they are listed.
TOOL_NAMES = ("ask", "search", "coverage", "compare", "amendments", "precedent")
#: Each tool is also an endpoint of the Gradio API, named with this prefix ("/tool_ask").
ENDPOINT_PREFIX = "tool_"

Tool = Callable[..., str]


def as_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def mcp_tools(assistant: Assistant) -> list[Tool]:
    """The six tools over ``assistant``; each function's name is its tool's name."""

    def ask(
        question: str,
        documents: tuple[str, ...] = (),
        kinds: tuple[KindName, ...] = (),
        style: Literal["quotes", "summary"] = "quotes",
    ) -> str:
        """Answer a question about the WSIS documents (UN General Assembly resolutions and
        drafts, reports, stakeholder submissions) by quoting their paragraphs word for word,
        each quote cited by document symbol and paragraph, e.g. "(A/RES/80/173, para. 45)".
        When the documents do not answer the question it abstains and gives the closest
        paragraphs. Returns the answer JSON of `wsis ask --json`: "answer" (the quotes with
        their citations, as text), "abstained", "notice", "citations" (each cited paragraph:
        symbol, paragraph label, part, pages, paragraph_id, full text and the spans of the
        text quoted) and "hits" (every paragraph retrieved).

        Args:
            question: The question, e.g. "What did the WSIS+20 review decide about the IGF?"
            documents: Only these documents, by UN symbol (e.g. A/RES/80/173) or id; [] for all.
            kinds: Only documents of these kinds; [] for all.
            style: "quotes" (default), or "summary" for a short answer of two to four
                sentences before the quotes ("summary" in the JSON: each sentence with the
                citations it was checked against; sentences the cited paragraphs do not
                state are left out and counted in "removed"). Slower: tens of seconds.
        """
        filters = filters_from(kinds, documents)
        answer = assistant.ask(question, filters=filters, style=style)
        return as_json(render.answer_json(answer))

    def search(
        query: str,
        k: int = 10,
        documents: tuple[str, ...] = (),
        kinds: tuple[KindName, ...] = (),
        mode: SearchMode = "hybrid",
    ) -> str:
        """Find the paragraphs of the WSIS documents that best match a query, best first,
        without composing an answer. Returns a JSON list of hits, as `wsis search --json`:
        each with its document (doc_id, symbol, title), paragraph label, part, section,
        pages, full text, paragraph_id, retrieval score and, when the reader judged it,
        its relevance.

        Args:
            query: What to look for, in words, e.g. "financing for digital development".
            k: How many paragraphs to return, 1 to 200.
            documents: Only these documents, by UN symbol (e.g. A/RES/80/173) or id; [] for all.
            kinds: Only documents of these kinds; [] for all.
            mode: hybrid (meaning and words), dense (meaning only) or bm25 (words only).
        """
        if not 1 <= k <= MAX_HITS:
            raise ValueError(f"k must be between 1 and {MAX_HITS}, not {k}")
        filters = filters_from(kinds, documents)
        hits = assistant.search(query, k=k, filters=filters, mode=mode)
        return as_json([render.hit_json(h) for h in hits])

    def coverage(
        topic: str,
        threshold: float = DEFAULT_COVERAGE_THRESHOLD,
        documents: tuple[str, ...] = (),
        kinds: tuple[KindName, ...] = (),
    ) -> str:
        """Where a topic is covered in the WSIS documents: every paragraph about the topic
        (whatever words it uses) whose relevance reaches the threshold, by document, in
        document order. Returns the JSON of `wsis coverage --json`: "topic", "threshold",
        "parts" and "terms" (what the topic was judged and searched as), "notice", and
        "paragraphs", each with its document (doc_id, symbol, title), paragraph label, part,
        section, pages, full text, paragraph_id, relevance (0-1), and reason (the words that
        make it about the topic; spans are their place in the text).

        Args:
            topic: The topic, e.g. "submarine cables" or "gender digital divide".
            threshold: The relevance score (about 0 to 1) a paragraph must reach; lower lists more.
            documents: Only these documents, by UN symbol (e.g. A/RES/80/173) or id; [] for all.
            kinds: Only documents of these kinds; [] for all.
        """
        filters = filters_from(kinds, documents)
        found = find_coverage(assistant, topic, float(threshold), filters)
        return as_json(shown.coverage_json(found))

    def compare(old: str, new: str) -> str:
        """Compare two versions of a text paragraph by paragraph, e.g. the draft A/80/L.41
        and the adopted resolution A/RES/80/173; paragraphs are matched by their words, so
        renumbering is followed. Returns the JSON of `wsis compare --json`: "old" and "new"
        (the two documents), "counts" by status, "title_diff" and "changes" (each paragraph
        pair in the new version's order: status unchanged, modified, moved, added or
        deleted; the old and new paragraph; and the word-level diff, runs of equal, delete
        and insert).

        Args:
            old: The earlier version, by UN symbol (e.g. A/80/L.41) or document id.
            new: The later version, by UN symbol (e.g. A/RES/80/173) or document id.
        """
        return as_json(assistant.compare(old, new).to_dict())

    def amendments() -> str:
        """The amendments proposed in stakeholder submissions to the WSIS texts, by target
        paragraph, and whether the adopted resolution took up their wording. Returns the
        JSON of `wsis amendments --json`: "versions" (the versions of the amended text),
        "adopted" (its adopted symbol), "counts" by uptake (full, partial, none) and
        "amendments", each with the proposal's text, its inserted wording, the closest
        paragraph of each version, its uptake and the adopted paragraph that has its words.
        """
        return as_json(assistant.amendments().to_dict())

    def precedent(phrase: str, source: str = "") -> str:
        """Whether a phrase is agreed language: every earlier use of it in the WSIS
        documents, word for word or as a near-verbatim variant, oldest first. Returns the
        JSON of `wsis precedent --json`: "verdict" (agreed when an earlier adopted
        resolution has it, used when only drafts, reports or submissions do, new when
        nothing earlier does), "summary", "first_adopted" and "occurrences" (document,
        paragraph, citation and passage of each).

        Args:
            phrase: The wording to look for, three words or more.
            source: The document the phrase is from (UN symbol or id), so only earlier ones count.
        """
        return as_json(assistant.precedent(phrase, source or None).to_dict())

    return [ask, search, coverage, compare, amendments, precedent]
