"""The Gradio interface over :class:`Assistant`: what each tab shows, as functions of strings.

Text from documents and questions is always rendered as text (escaped), never as markup.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.core import Assistant
from assistant.errors import WSISError
from assistant.retrieval import Filters
from assistant.types import Answer, DocumentKind

EXAMPLES = [
    "What did the WSIS+20 outcome decide about the Internet Governance Forum?",
    "What does paragraph 45 of A/RES/80/173 say?",
    "How should the gender digital divide be closed?",
    "GDC paragraph 48",
]
CITATION_COLUMNS = ["Citation", "Section", "Pages", "Text"]


def _filters(kinds: list[str] | None, documents: list[str] | None) -> Filters:
    return Filters(
        kinds=tuple(DocumentKind(k) for k in kinds or ()), documents=tuple(documents or ())
    )


def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown, every piece of document text escaped."""
    parts = []
    if answer.notice:
        parts.append(f"> {html.escape(answer.notice)}")
    if answer.abstained:
        parts.append(f"**{html.escape(answer.text.splitlines()[0])}**")
        if answer.hits:
            parts.append("_Closest matches, not answers:_")
            parts.extend(
                f"- {html.escape(h.citation)}: {html.escape(h.paragraph.text[:200])}…"
                for h in answer.hits[:3]
            )
    else:
        parts.extend(html.escape(block) for block in answer.text.split("\n\n"))
    return "\n\n".join(parts)


def citation_rows(answer: Answer) -> list[list[str]]:
    rows = []
    for hit in answer.citations:
        p = hit.paragraph
        pages = f"{p.page_start}" if p.page_start == p.page_end else f"{p.page_start}-{p.page_end}"
        rows.append([hit.citation, p.section.split(" > ")[-1], pages if p.page_start else "", p.text])
    return rows


def ask(assistant: Assistant, question: str, kinds: list[str], documents: list[str]) -> tuple[str, list[list[str]]]:
    try:
        answer = assistant.ask(question, filters=_filters(kinds, documents))
    except WSISError as exc:
        return f"**Error:** {html.escape(str(exc))}", []
    return answer_markdown(answer), citation_rows(answer)


def document_rows(assistant: Assistant) -> list[list[Any]]:
    return [
        [s.document.name, s.document.title or "", s.document.kind.value, s.document.date or "", s.paragraphs]
        for s in assistant.documents()
    ]


def build(assistant: Assistant) -> Any:
    import gradio as gr

    names = [s.document.name for s in assistant.documents()]
    with gr.Blocks(title="WSIS Assistant", analytics_enabled=False) as demo:
        gr.Markdown("# WSIS Assistant\nAnswers quoted from WSIS documents, cited by paragraph.")
        with gr.Tab("Ask"):
            question = gr.Textbox(label="Question", lines=2, max_length=2000)
            with gr.Row():
                kinds = gr.CheckboxGroup(
                    [k.value for k in DocumentKind if k is not DocumentKind.OTHER],
                    label="Document kinds",
                )
                documents = gr.Dropdown(names, multiselect=True, label="Documents")
            button = gr.Button("Ask", variant="primary")
            answer = gr.Markdown(sanitize_html=True)
            citations = gr.Dataframe(headers=CITATION_COLUMNS, wrap=True, interactive=False)
            gr.Examples(EXAMPLES, inputs=question)
            inputs = [question, kinds, documents]
            outputs = [answer, citations]
            button.click(lambda q, k, d: ask(assistant, q, k, d), inputs, outputs, api_name="ask")
            question.submit(lambda q, k, d: ask(assistant, q, k, d), inputs, outputs)
        with gr.Tab("Documents"):
            gr.Dataframe(
                value=document_rows(assistant),
                headers=["Symbol", "Title", "Kind", "Date", "Paragraphs"],
                wrap=True,
                interactive=False,
            )
    return demo
